# Inputs of the MasterTemplate build. What belongs to one OS version (ISO, checksum, boot
# keys) is set in pkrvars/<os>-<version>.pkrvars.hcl; the rest has defaults that suit every
# source. Sizes are in MiB, as VirtualBox counts them.

variable "vm_name" {
  type        = string
  default     = "MasterTemplate"
  description = "Name of the VM (VirtualBox) and of the output files."
}

variable "iso_urls" {
  type        = list(string)
  default     = []
  description = "Where to get the installer ISO (first that works). Set by the Ubuntu pkrvars."
}

variable "iso_checksum" {
  type        = string
  default     = ""
  description = "Literal \"sha256:<hex>\" of the ISO: a file:https:// checksum cannot be checked offline."
}

variable "boot_command" {
  type        = list(string)
  default     = []
  description = "Keys typed at the installer's boot menu to start the autoinstall."
}

variable "boot_wait" {
  type    = string
  default = "10s"
}

variable "guest_os_type" {
  type    = string
  default = "Ubuntu_64"
}

variable "base_image" {
  type        = string
  default     = ""
  description = "qemu.debian-ci only: absolute path of the Debian 12 base qcow2 (packer/ci builds it)."

  validation {
    condition     = var.base_image == "" || substr(var.base_image, 0, 1) == "/"
    error_message = "The base_image must be an absolute path (it becomes a file:// URL)."
  }
}

variable "accelerator" {
  type        = string
  default     = "kvm"
  description = "QEMU accelerator: kvm on a Linux host with VT-x/AMD-V; tcg where KVM is not usable."

  validation {
    condition     = contains(["kvm", "tcg", "hvf", "whpx", "xen", "none"], var.accelerator)
    error_message = "The accelerator must be one of kvm, tcg, hvf, whpx, xen, none."
  }
}

variable "vbox_sata_controller" {
  type        = string
  default     = ""
  description = "Name of the SATA controller the VirtualBox builder makes; empty: what this Packer's builder uses."
}

variable "headless" {
  type    = bool
  default = true
}

variable "cpus" {
  type        = number
  default     = 2
  description = "CPUs while building."
}

variable "memory" {
  type        = number
  default     = 4096
  description = "Memory (MiB) while building."
}

variable "appliance_cpus" {
  type        = number
  default     = 2
  description = "CPUs of the exported MasterTemplate (VirtualBox)."
}

variable "appliance_memory" {
  type        = number
  default     = 4096
  description = "Memory (MiB) of the exported MasterTemplate (VirtualBox)."
}

variable "disk_size" {
  type        = number
  default     = 40960
  description = "System disk (MiB). It must stay smaller than the scratch disk: the autoinstall installs to the smallest disk."
}

variable "scratch_disk_size" {
  type        = number
  default     = 204800
  description = "Second disk for /data/scratch (MiB, dynamically allocated: it costs nothing until used)."
}

variable "ssh_timeout" {
  type        = string
  default     = "60m"
  description = "How long Packer waits for SSH: an ISO install takes a while, much longer under TCG."
}

variable "output_directory" {
  type        = string
  default     = ""
  description = "Where the builds write their output folders; empty means packer/output."
}

variable "minimize" {
  type        = bool
  default     = true
  description = "Zero the free space at the end (99-minimize.sh) so the exported disk compresses."
}
