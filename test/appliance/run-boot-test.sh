#!/bin/sh
# npm run test:appliance: the host tools the boot test needs, a running Docker engine (to build
# the example streams' images), the test image (build-test-image.sh), then the boot test itself.
# Everything it writes goes to test-output/appliance/ (serial logs, RDP screenshot, OVA).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${MAGICKBOX_APPLIANCE_DIR:-$ROOT/test-output/appliance}

need=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
command -v qemu-img >/dev/null 2>&1 || need="$need qemu-utils"
command -v extlinux >/dev/null 2>&1 || need="$need extlinux"
[ -f /usr/lib/syslinux/mbr/mbr.bin ] || need="$need syslinux-common"
command -v sfdisk >/dev/null 2>&1 || need="$need fdisk"
command -v mmdebstrap >/dev/null 2>&1 || need="$need mmdebstrap"
command -v sshpass >/dev/null 2>&1 || need="$need sshpass"
command -v ssh >/dev/null 2>&1 || need="$need openssh-client"
command -v Xvfb >/dev/null 2>&1 || need="$need xvfb"
command -v xfreerdp >/dev/null 2>&1 || need="$need freerdp2-x11"
[ -x /usr/bin/import ] || need="$need imagemagick"
command -v xmllint >/dev/null 2>&1 || need="$need libxml2-utils"
if [ -n "$need" ]; then
  echo "Installing Debian packages:$need"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get install -y -q --no-install-recommends $need >/dev/null; }
fi
sh "$ROOT/test/setup/ensure-test-environment.sh"

mkdir -p "$OUT"
echo "Building the test image (log: $OUT/build.log)"
if ! sh "$ROOT/test/appliance/build-test-image.sh" "$OUT" >"$OUT/build.log" 2>&1; then
  tail -n 40 "$OUT/build.log" >&2
  echo "the appliance image could not be built; the whole log is $OUT/build.log" >&2
  exit 1
fi
grep '^== ' "$OUT/build.log"
MAGICKBOX_APPLIANCE_DIR=$OUT exec node --import tsx --test --test-reporter=spec "$ROOT/test/appliance/boot.appliance.ts"
