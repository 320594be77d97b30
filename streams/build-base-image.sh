#!/bin/sh
# Build the Docker image tag debian:bookworm-slim locally when it is missing
# (no registry reachable): mmdebstrap --variant=minbase bookworm into a tarball,
# then `docker import` it. The image's apt sources point at the mirror this
# machine's apt uses, so `apt-get install` in stream Dockerfiles works.
# Env: BASE_IMAGE_TAG (default debian:bookworm-slim), DEBIAN_MIRROR (override),
#      DEBIAN_SECURITY_MIRROR (override; "none" to leave it out); see packer/ci/host-apt.sh.
set -eu

TAG=${BASE_IMAGE_TAG:-debian:bookworm-slim}
SUITE=bookworm

# /usr/local/bin/docker may be a newer client-only binary shadowing Debian's.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

if "$DOCKER" image inspect "$TAG" >/dev/null 2>&1; then
  echo "Image $TAG already exists; nothing to do"
  exit 0
fi
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "Docker engine does not answer (start it with test/setup/start-docker-engine.sh)" >&2
  exit 1
fi
command -v mmdebstrap >/dev/null 2>&1 || { echo "mmdebstrap missing (apt-get install mmdebstrap)" >&2; exit 1; }

# shellcheck source-path=SCRIPTDIR source=../packer/ci/host-apt.sh
. "$(dirname "$0")/../packer/ci/host-apt.sh"
sources=$(host_apt_sources "$SUITE")
MIRROR=$(echo "$sources" | head -n 1 | cut -d' ' -f2)
set --
while IFS= read -r line; do set -- "$@" "$line"; done <<EOF
$sources
EOF

# Carry over the host apt settings needed to reach that mirror; mmdebstrap stores --aptopt inside the image.
opts=$(mktemp)
TMPD=""
cleanup() { rm -f "$opts"; [ -z "$TMPD" ] || rm -rf "$TMPD"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
host_apt_options "$opts"
extra=""
# Merged /usr via symlinks + usr-is-merged, like the official image (installing
# the usrmerge package instead would pull in perl).
[ ! -d /usr/share/mmdebstrap/hooks/merged-usr ] || extra="--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr"
case "$sources" in *https://*) extra="$extra --include=ca-certificates" ;; esac

TMPD=$(mktemp -d "${TMPDIR:-/var/tmp}/mkbase.XXXXXX")
echo "Building $TAG from $SUITE (minbase) using:"
for l in "$@"; do echo "  $l"; done
[ ! -s "$opts" ] || { echo "  apt options:"; sed 's/^/    /' "$opts"; }

# Slim like the official image: no man pages, docs (copyright kept) or translations.
# The output (hooks print apt/dpkg progress) goes to a log, shown on failure.
echo "Running mmdebstrap (log: $TMPD/mmdebstrap.log)"
# shellcheck disable=SC2086
if ! mmdebstrap --variant=minbase --quiet $extra \
  --aptopt="$opts" \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  "$SUITE" "$TMPD/rootfs.tar" "$@" >"$TMPD/mmdebstrap.log" 2>&1; then
  echo "mmdebstrap failed; last lines of its log:" >&2
  tail -n 30 "$TMPD/mmdebstrap.log" >&2
  exit 1
fi

echo "Importing $TMPD/rootfs.tar ($(du -h "$TMPD/rootfs.tar" | cut -f1)) as $TAG"
"$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --message "mmdebstrap --variant=minbase $SUITE ($MIRROR)" \
  "$TMPD/rootfs.tar" "$TAG"
echo "Built $TAG"
