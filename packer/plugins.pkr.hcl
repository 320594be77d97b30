# Current Packer (1.10 and later) no longer bundles the VirtualBox, QEMU and Vagrant plugins:
# `packer init packer` installs them from this block. It is alone in this file because Packer 1.6.6
# (Debian's, used by CI) cannot parse `required_plugins`; CI validates a copy of packer/ without
# this file. Everything else in packer/ is written in the subset both versions accept.
packer {
  required_plugins {
    # 1.1.4 renamed the storage controllers ("SATA Controller" became "SATA"); sources.pkr.hcl
    # attaches the scratch disk to the SATA one by its name.
    virtualbox = {
      source  = "github.com/hashicorp/virtualbox"
      version = ">= 1.1.4"
    }
    qemu = {
      source  = "github.com/hashicorp/qemu"
      version = ">= 1.1.0"
    }
    vagrant = {
      source  = "github.com/hashicorp/vagrant"
      version = ">= 1.1.0"
    }
  }
}
