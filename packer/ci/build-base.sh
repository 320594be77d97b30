#!/bin/sh
# Build the Debian 12 base of the appliance as a root file system folder: minimal bookworm with
# systemd, a kernel, networking by DHCP, SSH, and the build user `processing` (password
# `processing`, passwordless sudo until the build's cleanup removes /etc/sudoers.d/99-packer-build).
# It is what Ubuntu's autoinstall gives the Packer build, made offline from Debian's mirror.
# Usage: build-base.sh ROOTFS_DIR        (the folder must not exist yet)
set -eu

ROOTFS=${1:?usage: build-base.sh ROOTFS_DIR}
SUITE=bookworm
[ ! -e "$ROOTFS" ] || { echo "build-base.sh: $ROOTFS exists; remove it first" >&2; exit 1; }
command -v mmdebstrap >/dev/null 2>&1 || { echo "build-base.sh: mmdebstrap missing (apt-get install mmdebstrap)" >&2; exit 1; }

# shellcheck source-path=SCRIPTDIR source=host-apt.sh
. "$(dirname "$0")/host-apt.sh"
sources=$(host_apt_sources "$SUITE")
set --
while IFS= read -r line; do set -- "$@" "$line"; done <<LINES
$sources
LINES
opts=$(mktemp)
log=$(mktemp)
trap 'rm -f "$opts" "$log"' EXIT
host_apt_options "$opts"

echo "Building the $SUITE base in $ROOTFS (log: $log)"
if ! mmdebstrap --variant=minbase --quiet \
  --aptopt="$opts" --aptopt='Acquire::Languages "none"' \
  --include=systemd-sysv,udev,dbus,kmod,ifupdown,isc-dhcp-client,iproute2,openssh-server,sudo,ca-certificates,linux-image-amd64,e2fsprogs,passwd,login \
  "$SUITE" "$ROOTFS" "$@" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  exit 1
fi

echo magickbox > "$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 magickbox\n::1 localhost ip6-localhost ip6-loopback\n' > "$ROOTFS/etc/hosts"
printf 'LABEL=mbroot / ext4 errors=remount-ro 0 1\n' > "$ROOTFS/etc/fstab"
printf 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n' > "$ROOTFS/etc/network/interfaces"
chroot "$ROOTFS" useradd --create-home --shell /bin/bash --groups sudo processing
echo 'processing:processing' | chroot "$ROOTFS" chpasswd
echo 'processing ALL=(ALL) NOPASSWD:ALL' > "$ROOTFS/etc/sudoers.d/99-packer-build"
chmod 440 "$ROOTFS/etc/sudoers.d/99-packer-build"
echo "Base ready: $(du -sh "$ROOTFS" | cut -f1)"
