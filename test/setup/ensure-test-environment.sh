#!/bin/sh
# Make a fresh Debian 12 machine (root, Node.js only) ready for `npm test`:
# Debian packages the tests use, a running Docker engine, and the locally built
# debian:bookworm-slim base image. Idempotent: each step checks before it acts.
# Fails with a clear message when something cannot be provided; no test is skipped.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

need=""
command -v storescu >/dev/null 2>&1 || need="$need dcmtk"
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need="$need docker.io"
command -v mmdebstrap >/dev/null 2>&1 || need="$need mmdebstrap"
/usr/bin/python3 -c 'import pydicom' >/dev/null 2>&1 || need="$need python3-pydicom"
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need="$need python3-numpy"
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
# The appliance static checks (test/appliance/static-checks.test.ts): Debian's Packer 1.6.6,
# Vagrant 2.3.4, shellcheck; xmllint for the OVF descriptor.
command -v packer >/dev/null 2>&1 || need="$need packer"
command -v vagrant >/dev/null 2>&1 || need="$need vagrant"
command -v shellcheck >/dev/null 2>&1 || need="$need shellcheck"
command -v xmllint >/dev/null 2>&1 || need="$need libxml2-utils"

if [ -n "$need" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "npm test needs these Debian packages:$need. Install them as root (apt-get install$need) or run npm test as root." >&2
    exit 1
  fi
  echo "Installing Debian packages:$need"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $need >/dev/null
  fi
fi

sh "$HERE/start-docker-engine.sh"
sh "$ROOT/streams/build-base-image.sh"

if [ ! -f "$ROOT/dist/supervisor/main.js" ] || [ -n "$(find "$ROOT/supervisor" "$ROOT/web" -name '*.ts' -newer "$ROOT/dist/supervisor/main.js" 2>/dev/null | head -n 1)" ]; then
  echo "Building the TypeScript sources"
  (cd "$ROOT" && npx tsc -p tsconfig.json)
fi
echo "Test environment ready"
