# The three ways to build the MasterTemplate. Pick one with -only (see README):
#   virtualbox-iso.ubuntu  the release OVA, on a machine with VirtualBox
#   qemu.ubuntu            the same install under QEMU (Linux hosts with KVM)
#   qemu.debian-ci         offline CI: provisions a local Debian 12 base image (TCG is enough)
# Written for Packer 1.6.6 and current Packer alike (no fields newer than 1.6.6).

locals {
  # Absolute: these paths are also handed to VBoxManage, which need not resolve a relative
  # path against the folder Packer was started in.
  output_root = abspath(var.output_directory != "" ? var.output_directory : "${path.root}/output")

  # The build user the autoinstall creates (http/ubuntu/user-data holds the hash of this
  # password) and the CI base image has. The appliance keeps it, with this password expired:
  # the shutdown command, the last thing Packer runs in the guest, makes the first login change it.
  build_user       = "processing"
  build_password   = "processing"
  shutdown_command = "echo '${local.build_password}' | sudo -S sh -c 'chage -d 0 ${local.build_user} && shutdown -P now'"

  vbox_output = "${local.output_root}/virtualbox-iso-ubuntu"
  scratch_vdi = "${local.vbox_output}/${var.vm_name}-scratch.vdi"

  # The SATA controller Packer makes for the system disk, where the scratch disk goes too. Packer
  # 1.6.6's built-in builder calls it "SATA Controller"; packer-plugin-virtualbox 1.1.4 and later
  # (which plugins.pkr.hcl asks for) call it "SATA".
  sata_controller = var.vbox_sata_controller != "" ? var.vbox_sata_controller : (substr(packer.version, 0, 4) == "1.6." ? "SATA Controller" : "SATA")
}

source "virtualbox-iso" "ubuntu" {
  vm_name              = var.vm_name
  guest_os_type        = var.guest_os_type
  iso_urls             = var.iso_urls
  iso_checksum         = var.iso_checksum
  headless             = var.headless
  cpus                 = var.cpus
  memory               = var.memory
  disk_size            = var.disk_size
  hard_drive_interface = "sata"
  # Port 0: the system disk Packer creates; port 1: the scratch disk added below.
  sata_port_count = 2

  http_directory = "${path.root}/http"
  boot_wait      = var.boot_wait
  boot_command   = var.boot_command

  # 85-guest-tools-virtualbox.sh installs them from the uploaded ISO (with X11, for the desktop).
  guest_additions_mode = "upload"

  ssh_username = local.build_user
  ssh_password = local.build_password
  ssh_timeout  = var.ssh_timeout
  # Packer's own SSH forward takes a host port from this range: keep it clear of the appliance's
  # forwards (2762, 2813, 3389, 4321, 11113), which are added while that forward still exists.
  host_port_min    = 2222
  host_port_max    = 2299
  shutdown_command = local.shutdown_command

  output_directory = local.vbox_output
  format           = "ova"

  # The scratch disk (/data/scratch, 50-data-layout.sh formats it as /dev/sdb). Packer 1.6.6 has
  # no disk_additional_size for VirtualBox, so it is made here: dynamically allocated
  # ("Standard"), inside the output folder; Packer's final `unregistervm --delete` removes it
  # after the export has put it into the OVA.
  vboxmanage = [
    ["createmedium", "disk", "--filename", local.scratch_vdi, "--size", "${var.scratch_disk_size}", "--format", "VDI", "--variant", "Standard"],
    ["storageattach", "{{ .Name }}", "--storagectl", local.sata_controller, "--port", "1", "--device", "0", "--type", "hdd", "--medium", local.scratch_vdi],
  ]

  # After provisioning, before the export: what the imported appliance gets. VRDE off: Packer
  # turns it on for the build (to watch the console) and the export would keep it; the desktop
  # is the in-guest xrdp's, on the forwarded port 3389. The NAT forwards are the original
  # MasterTemplate's (DICOM 11113, web 2813, SSH 4321) plus RDP and DICOM TLS, on every host
  # address as before; the Vagrantfile has the same five.
  vboxmanage_post = [
    ["modifyvm", "{{ .Name }}", "--memory", "${var.appliance_memory}", "--cpus", "${var.appliance_cpus}"],
    ["modifyvm", "{{ .Name }}", "--vrde", "off"],
    ["modifyvm", "{{ .Name }}", "--natpf1", "dicom,tcp,,11113,,1234"],
    ["modifyvm", "{{ .Name }}", "--natpf1", "web,tcp,,2813,,2813"],
    ["modifyvm", "{{ .Name }}", "--natpf1", "ssh,tcp,,4321,,22"],
    ["modifyvm", "{{ .Name }}", "--natpf1", "rdp,tcp,,3389,,3389"],
    ["modifyvm", "{{ .Name }}", "--natpf1", "dicom-tls,tcp,,2762,,2762"],
  ]
}

source "qemu" "ubuntu" {
  vm_name      = "${var.vm_name}.qcow2"
  iso_urls     = var.iso_urls
  iso_checksum = var.iso_checksum
  accelerator  = var.accelerator
  headless     = var.headless
  cpus         = var.cpus
  memory       = var.memory
  format       = "qcow2"
  disk_size    = "${var.disk_size}M"
  # The scratch disk: the second virtio disk, /dev/vdb in the guest.
  disk_additional_size = ["${var.scratch_disk_size}M"]
  disk_interface       = "virtio"
  net_device           = "virtio-net"

  http_directory = "${path.root}/http"
  boot_wait      = var.boot_wait
  boot_command   = var.boot_command

  ssh_username     = local.build_user
  ssh_password     = local.build_password
  ssh_timeout      = var.ssh_timeout
  shutdown_command = local.shutdown_command

  output_directory = "${local.output_root}/qemu-ubuntu"
}

source "qemu" "debian-ci" {
  vm_name = "${var.vm_name}.qcow2"
  # The base image is a ready system (packer/ci builds it with debootstrap): no installer, no
  # boot keys. Packer 1.6.6 would resize it to 40 GiB unless told not to. It also creates no
  # additional disks for a disk_image (only with use_backing_file), so this build has no
  # scratch disk: /data/scratch stays on the system disk.
  disk_image       = true
  iso_url          = "file://${var.base_image}"
  iso_checksum     = "none"
  skip_resize_disk = true
  # The boot test converts the image itself; compacting it here would only cost time.
  skip_compaction = true
  # Packer 1.6.6 picks kvm by itself whenever /dev/kvm exists, even where it cannot work.
  accelerator    = var.accelerator
  headless       = var.headless
  cpus           = var.cpus
  memory         = var.memory
  format         = "qcow2"
  disk_interface = "virtio"
  net_device     = "virtio-net"
  # The guest's console (the base image logs to ttyS0), beside the output folder rather than in
  # it: Packer deletes that folder when the build fails, which is when the log is wanted.
  qemuargs = [["-serial", "file:${local.output_root}/qemu-debian-ci-serial.log"]]

  ssh_username     = local.build_user
  ssh_password     = local.build_password
  ssh_timeout      = var.ssh_timeout
  shutdown_command = local.shutdown_command

  output_directory = "${local.output_root}/qemu-debian-ci"
}
