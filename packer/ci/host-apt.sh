#!/bin/sh
# Sourced by the build scripts that make Debian file systems (streams/build-base-image.sh,
# packer/ci/build-base.sh): which archives and apt options this host uses, so a build reaches
# Debian the same way the host does (a local mirror, a snapshot, a proxy).
# Env: DEBIAN_MIRROR (override), DEBIAN_SECURITY_MIRROR (override; "none" to leave it out).

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

# One "deb URI SUITE main" line per archive for suite $1: main, -updates and -security.
host_apt_sources() {
  suite=$1
  mirror=${DEBIAN_MIRROR:-$(host_mirror "$suite" | head -n 1)}
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  updates=$(host_mirror "$suite-updates" | head -n 1)
  security=${DEBIAN_SECURITY_MIRROR:-$(host_mirror "$suite-security" | head -n 1)}
  [ "$security" != none ] || security=""
  echo "deb $mirror $suite main"
  [ -z "$updates" ] || echo "deb $updates $suite-updates main"
  [ -z "$security" ] || echo "deb $security $suite-security main"
}

# The host's apt settings needed to reach those archives (snapshot mirrors need
# Check-Valid-Until false; proxies), as apt-config lines, into file $1.
host_apt_options() {
  apt-config dump 2>/dev/null \
    | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy[^ ]*) ' \
    >"$1" || true
}
