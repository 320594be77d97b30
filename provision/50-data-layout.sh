#!/bin/sh -eux
# /data: settings, streams, logs and pid files on the system disk; /data/scratch (jobs and the
# Docker engine's data) on the second disk, mounted by label. The disk is formatted only when the
# build names it (MAGICKBOX_SCRATCH_DEVICE, e.g. /dev/sdb) and it holds no file system yet.
LABEL=mb-scratch
device=${MAGICKBOX_SCRATCH_DEVICE:-}

mkdir -p /data/scratch /data/streams /data/logs /data/.pids /data/memory
if [ -n "$device" ] && [ -b "$device" ]; then
  if [ -z "$(blkid -o value -s TYPE "$device" || true)" ]; then
    mkfs.ext4 -q -L "$LABEL" "$device"
  fi
fi
# nofail: the box still boots (with scratch on the system disk) if the data disk is missing; the
# wait for it is generous, since udev is slow under emulation (10 s was not enough under TCG).
sed -i "\|^LABEL=$LABEL |d" /etc/fstab
echo "LABEL=$LABEL /data/scratch ext4 defaults,nofail,x-systemd.device-timeout=90s 0 2" >> /etc/fstab
if [ -n "$device" ] && [ -b "$device" ] && ! mountpoint -q /data/scratch; then
  mount /data/scratch
fi
chown processing:processing /data /data/scratch /data/streams /data/logs /data/.pids /data/memory
chmod 750 /data
