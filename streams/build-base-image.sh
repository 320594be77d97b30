#!/bin/sh
# Build the Docker image tag debian:bookworm-slim locally when it is missing
# (no registry reachable): mmdebstrap --variant=minbase bookworm into a tarball,
# then `docker import` it. The image's apt sources point at the mirror this
# machine's apt uses, so `apt-get install` in stream Dockerfiles works.
# Env: BASE_IMAGE_TAG (default debian:bookworm-slim), DEBIAN_MIRROR (override),
#      DEBIAN_SECURITY_MIRROR (override; "none" to leave it out).
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

# First URI the host's apt uses for suite $1 (one-line .list and deb822 .sources files).
host_mirror() {
  want=$1
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk -v want="$want" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == want) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v want="$want" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          key = tolower(line); sub(/:.*/, "", key)
          val = line; sub(/^[^:]*:[ \t]*/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled == "no" || (" " types " ") !~ / deb /) next
        n = split(suites, s, /[ \t]+/)
        for (j = 1; j <= n; j++) if (s[j] == want) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$f"
  done
}

MIRROR=${DEBIAN_MIRROR:-$(host_mirror "$SUITE" | head -n 1)}
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
UPDATES=$(host_mirror "$SUITE-updates" | head -n 1)
SECURITY=${DEBIAN_SECURITY_MIRROR:-$(host_mirror "$SUITE-security" | head -n 1)}
[ "$SECURITY" != none ] || SECURITY=""

set -- "deb $MIRROR $SUITE main"
[ -z "$UPDATES" ] || set -- "$@" "deb $UPDATES $SUITE-updates main"
[ -z "$SECURITY" ] || set -- "$@" "deb $SECURITY $SUITE-security main"

# Carry over the host apt settings needed to reach that mirror (snapshot mirrors
# need Check-Valid-Until false; proxies). mmdebstrap stores --aptopt inside the image.
opts=$(mktemp)
TMPD=""
cleanup() { rm -f "$opts"; [ -z "$TMPD" ] || rm -rf "$TMPD"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
apt-config dump 2>/dev/null \
  | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy[^ ]*) ' \
  >"$opts" || true
extra=""
# Merged /usr via symlinks + usr-is-merged, like the official image (installing
# the usrmerge package instead would pull in perl).
[ ! -d /usr/share/mmdebstrap/hooks/merged-usr ] || extra="--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr"
case "$MIRROR $UPDATES $SECURITY" in *https://*) extra="$extra --include=ca-certificates" ;; esac

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
