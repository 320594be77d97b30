#!/bin/sh
# Make a bootable raw disk from a root file system folder: one partition (ext4, label mbroot),
# extlinux as boot loader (grub-install needs partition devices, which loop devices here do not
# get), serial and VGA consoles. The folder must have nothing mounted in it.
# Usage: make-disk.sh ROOTFS_DIR DISK.raw [SIZE_MB]
set -eu

ROOTFS=${1:?usage: make-disk.sh ROOTFS_DIR DISK.raw [SIZE_MB]}
DISK=${2:?usage: make-disk.sh ROOTFS_DIR DISK.raw [SIZE_MB]}
SIZE_MB=${3:-8192}
OFFSET=1048576
MBR=/usr/lib/syslinux/mbr/mbr.bin
for tool in sfdisk extlinux mkfs.ext4 losetup; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-disk.sh: $tool missing (apt-get install fdisk extlinux syslinux-common e2fsprogs mount)" >&2; exit 1; }
done
[ -f "$MBR" ] || { echo "make-disk.sh: $MBR missing (apt-get install syslinux-common)" >&2; exit 1; }
# Copying a tree with /proc or /dev mounted in it fills the disk: refuse.
if grep -q " $(cd "$ROOTFS" && pwd)/" /proc/mounts; then
  echo "make-disk.sh: something is mounted inside $ROOTFS; unmount it first" >&2
  exit 1
fi

mnt=$(mktemp -d)
loop=""
cleanup() {
  if mountpoint -q "$mnt"; then umount "$mnt"; fi
  [ -z "$loop" ] || losetup -d "$loop"
  rmdir "$mnt"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -f "$DISK"
truncate -s "${SIZE_MB}M" "$DISK"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$DISK"
loop=$(losetup --find --show --offset "$OFFSET" --sizelimit $((SIZE_MB * 1048576 - OFFSET)) "$DISK")
mkfs.ext4 -q -L mbroot "$loop"
mount "$loop" "$mnt"
cp -ax "$ROOTFS"/. "$mnt"/
mkdir -p "$mnt/boot/extlinux"
extlinux --install "$mnt/boot/extlinux" 2>/dev/null
cat > "$mnt/boot/extlinux/extlinux.conf" <<'CONF'
DEFAULT magickbox
PROMPT 0
TIMEOUT 1
LABEL magickbox
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND root=LABEL=mbroot ro console=tty0 console=ttyS0,115200 net.ifnames=0 biosdevname=0
CONF
umount "$mnt"
losetup -d "$loop"
loop=""
dd if="$MBR" of="$DISK" bs=440 count=1 conv=notrunc status=none
echo "Disk ready: $DISK ($(du -h "$DISK" | cut -f1) allocated of ${SIZE_MB} MB)"
