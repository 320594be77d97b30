# Debian 12 stand-in for offline CI, where no Ubuntu mirror or ISO is reachable: provisions the
# debootstrap base image with the same scripts. Build with -only=qemu.debian-ci and
# -var base_image=/absolute/path/base.qcow2 (packer/ci builds it). The base image is a local
# file made by the same pipeline, so it has no published checksum: the source uses "none".

# The CI machines have no usable KVM (their /dev/kvm is a software nesting module that hangs a
# stock kernel); a runner with VT-x may pass -var accelerator=kvm.
accelerator = "tcg"
cpus        = 2
memory      = 2048
# No boot menu to wait for; the base boots in about a minute under TCG, anything much longer
# is a failure.
boot_wait   = "0s"
ssh_timeout = "15m"
# Zeroing the free space is slow under TCG, and the CI image is never shipped as is.
minimize = false
