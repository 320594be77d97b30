#!/bin/sh
# Run the appliance's provision scripts (provision/NN-*.sh, in order) inside a root file system
# folder, as Packer runs them over SSH: as root, with MAGICKBOX_BUILD_FILES pointing at the
# host-prepared build files (copied in). /proc, /sys and /dev are mounted for the scripts and
# always unmounted again; services are not started (policy-rc.d), only enabled.
# Usage: provision-chroot.sh ROOTFS_DIR BUILD_FILES_DIR
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROOTFS=$(cd "${1:?usage: provision-chroot.sh ROOTFS_DIR BUILD_FILES_DIR}" && pwd)
BUILD=$(cd "${2:?usage: provision-chroot.sh ROOTFS_DIR BUILD_FILES_DIR}" && pwd)

unmount_all() {
  for m in dev/pts dev sys proc; do
    if mountpoint -q "$ROOTFS/$m"; then umount -l "$ROOTFS/$m"; fi
  done
  rm -f "$ROOTFS/usr/sbin/policy-rc.d"
  rm -rf "$ROOTFS/tmp/provision"
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

mount -t proc proc "$ROOTFS/proc"
mount -t sysfs sysfs "$ROOTFS/sys"
mount --bind /dev "$ROOTFS/dev"
mount --bind /dev/pts "$ROOTFS/dev/pts"
printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"
chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

mkdir -p "$ROOTFS/tmp/provision" "$ROOTFS/tmp/magickbox-build"
cp -R "$BUILD"/. "$ROOTFS/tmp/magickbox-build/"
for script in "$ROOT"/provision/[0-9][0-9]-*.sh; do
  name=$(basename "$script")
  # (the cleanup step empties /tmp)
  mkdir -p "$ROOTFS/tmp/provision"
  cp "$script" "$ROOTFS/tmp/provision/$name"
  echo "== $name"
  started=$(date +%s)
  log=$(mktemp)
  if ! chroot "$ROOTFS" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    MAGICKBOX_BUILD_FILES=/tmp/magickbox-build sh -eux "/tmp/provision/$name" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    echo "provision step $name failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "   $name done in $(($(date +%s) - started)) s"
done
# The guest gets its resolver from DHCP at boot.
rm -f "$ROOTFS/etc/resolv.conf"
rm -rf "$ROOTFS/tmp/magickbox-build"
