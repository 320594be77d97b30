#!/bin/sh -eux
# The Docker engine that runs stream containers. AppArmor is needed for `docker run` (Debian's
# docker.io only recommends it); the engine keeps its data on the data disk (/data/scratch),
# not on the system disk, so large images never fill the root file system.
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends docker.io apparmor iptables

mkdir -p /etc/docker
cat > /etc/docker/daemon.json <<'JSON'
{
  "data-root": "/data/scratch/docker",
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "3" }
}
JSON
# The data disk is mounted before the engine puts anything under /data/scratch (when it is
# missing, the engine still starts, on the system disk, and the box reports the low space).
mkdir -p /etc/systemd/system/docker.service.d
cat > /etc/systemd/system/docker.service.d/magickbox-data-disk.conf <<'UNIT'
[Unit]
Wants=data-scratch.mount
After=data-scratch.mount
UNIT
systemctl enable docker
