#!/bin/sh
# Start the Docker engine (dockerd) in the background on a machine without systemd.
# Idempotent: does nothing when `docker info` already answers.
# Env: DOCKERD_LOG (log file), DOCKERD_ARGS (extra dockerd arguments),
#      DOCKER_WAIT_SECONDS (default 60).
set -eu

# /usr/local/bin/docker may be a newer client-only binary that shadows Debian's;
# either client talks to the daemon, prefer Debian's when present.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

if "$DOCKER" info >/dev/null 2>&1; then
  echo "Docker engine already answers"
  exit 0
fi

DOCKERD=$(command -v dockerd 2>/dev/null || true)
[ -n "$DOCKERD" ] || DOCKERD=/usr/sbin/dockerd
if [ ! -x "$DOCKERD" ]; then
  echo "dockerd not found (install the Debian package docker.io)" >&2
  exit 1
fi

if [ -n "${DOCKERD_LOG:-}" ]; then
  LOG=$DOCKERD_LOG
elif touch /var/log/dockerd.log 2>/dev/null; then
  LOG=/var/log/dockerd.log
else
  LOG=${TMPDIR:-/tmp}/dockerd.log
fi
WAIT=${DOCKER_WAIT_SECONDS:-60}

# A dockerd that is still starting up: wait for it instead of starting a second one.
running=""
if [ -f /var/run/docker.pid ]; then
  pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    running=$pid
  fi
fi

if [ -n "$running" ]; then
  echo "dockerd (pid $running) is running but does not answer yet; waiting"
else
  args=""
  # Machines without the overlay file system: fall back to the slow but portable vfs driver.
  if ! grep -qw overlay /proc/filesystems 2>/dev/null && ! modprobe overlay 2>/dev/null; then
    echo "overlay file system unavailable: using --storage-driver=vfs"
    args="$args --storage-driver=vfs"
  fi
  # Kernels without nf_tables / iptables: run without dockerd managing the firewall.
  if ! iptables -n -L >/dev/null 2>&1; then
    if command -v iptables-legacy >/dev/null 2>&1 && iptables-legacy -n -L >/dev/null 2>&1; then
      echo "iptables (nft) unusable, iptables-legacy works: switching the iptables alternative to legacy"
      update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null 2>&1 || true
      update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null 2>&1 || true
    fi
    if ! iptables -n -L >/dev/null 2>&1; then
      echo "iptables unusable: starting dockerd with --iptables=false (containers get no NAT to the outside)"
      args="$args --iptables=false"
    fi
  fi
  [ -z "${DOCKERD_ARGS:-}" ] || args="$args $DOCKERD_ARGS"
  echo "Starting $DOCKERD$args in the background (log: $LOG)"
  # shellcheck disable=SC2086
  if command -v setsid >/dev/null 2>&1; then
    nohup setsid "$DOCKERD" $args >>"$LOG" 2>&1 </dev/null &
  else
    nohup "$DOCKERD" $args >>"$LOG" 2>&1 </dev/null &
  fi
fi

i=0
while [ "$i" -lt "$WAIT" ]; do
  if "$DOCKER" info >/dev/null 2>&1; then
    echo "Docker engine answers after ${i}s"
    exit 0
  fi
  sleep 1
  i=$((i + 1))
done

echo "Docker engine did not answer within ${WAIT}s; last lines of $LOG:" >&2
tail -n 20 "$LOG" >&2 2>/dev/null || true
exit 1
