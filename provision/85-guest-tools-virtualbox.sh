#!/bin/sh -eux
# VirtualBox Guest Additions (shared folders, display resizing for the desktop), only when
# Packer builds for VirtualBox: it uploads the ISO into the build user's home. The compilers
# needed to build the kernel modules are removed again.
case "${PACKER_BUILDER_TYPE:-}" in
  virtualbox-iso|virtualbox-ovf) ;;
  *) echo "not a VirtualBox build: no guest additions"; exit 0 ;;
esac
export DEBIAN_FRONTEND=noninteractive
iso=$(find /home /root -maxdepth 2 -name "VBoxGuestAdditions*.iso" 2>/dev/null | head -n 1)
test -n "$iso"
apt-get install -y --no-install-recommends build-essential dkms bzip2 tar "linux-headers-$(uname -r)"
mkdir -p /mnt/vbox-additions
mount -o loop,ro "$iso" /mnt/vbox-additions
# With X11 support: the RDP desktop uses it. The installer exits non-zero when no X server runs.
sh /mnt/vbox-additions/VBoxLinuxAdditions.run || true
umount /mnt/vbox-additions
rm -f "$iso"
modinfo vboxsf >/dev/null
apt-get purge -y build-essential dkms "linux-headers-$(uname -r)"
apt-get autoremove -y --purge
