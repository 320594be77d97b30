#!/bin/sh
# Build the appliance image the boot test boots, the way the release build does it but offline:
# the build files (packer/ci/prepare-build-files.sh), the Debian 12 base (build-base.sh), the
# same provision scripts as Packer and Vagrant (provision-chroot.sh), then, for the test only, a
# user `boottest` (password `boottest`, passwordless sudo, the test's SSH key), the `processing`
# password expired as Packer's shutdown does it, the system disk (make-disk.sh) and an empty data
# disk labelled mb-scratch.
# Usage: build-test-image.sh OUT_DIR     (OUT_DIR/disk.raw, scratch.raw, test-key, build.log)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?usage: build-test-image.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rootfs=$OUT/rootfs

step() { echo "== $(date -u +%T) $*"; }
# Remove a root file system folder, never reaching through a mount left inside it (a killed
# earlier run may have left /dev or /proc bound there).
remove_rootfs() {
  grep -o " $rootfs/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  if grep -q " $rootfs/" /proc/mounts; then echo "still mounted under $rootfs; not removing it" >&2; exit 1; fi
  rm -rf --one-file-system "$rootfs"
}

step "build files"
sh "$ROOT/packer/ci/prepare-build-files.sh" "$ROOT/packer/build"
step "Debian 12 base"
remove_rootfs
sh "$ROOT/packer/ci/build-base.sh" "$rootfs"
step "provision scripts"
sh "$ROOT/packer/ci/provision-chroot.sh" "$rootfs" "$ROOT/packer/build"

step "test access"
rm -f "$OUT/test-key" "$OUT/test-key.pub"
ssh-keygen -q -t ed25519 -N '' -C magickbox-boot-test -f "$OUT/test-key"
chroot "$rootfs" useradd --create-home --shell /bin/bash boottest
echo 'boottest:boottest' | chroot "$rootfs" chpasswd
echo 'boottest ALL=(ALL) NOPASSWD:ALL' > "$rootfs/etc/sudoers.d/boottest"
chmod 440 "$rootfs/etc/sudoers.d/boottest"
mkdir -p "$rootfs/home/boottest/.ssh"
cp "$OUT/test-key.pub" "$rootfs/home/boottest/.ssh/authorized_keys"
chroot "$rootfs" chown -R boottest:boottest /home/boottest/.ssh
chmod 700 "$rootfs/home/boottest/.ssh"
# What Packer's shutdown_command does last: the seed password must be changed at first login.
chroot "$rootfs" chage -d 0 processing

step "disks"
sh "$ROOT/packer/ci/make-disk.sh" "$rootfs" "$OUT/disk.raw" 6144
rm -f "$OUT/scratch.raw"
# Larger than the receiver's disk reserve (5 GiB), or every association is refused; sparse.
truncate -s 12G "$OUT/scratch.raw"
mkfs.ext4 -q -F -L mb-scratch "$OUT/scratch.raw"
remove_rootfs
step "image ready"
