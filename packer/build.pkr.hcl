# What every build does once its VM answers on SSH: upload the host-prepared build files, run
# provision/*.sh (the same scripts the Vagrantfile runs) in order, and package the result.

locals {
  # The guest folder for packer/build/ (made on the host by packer/ci/prepare-build-files.sh);
  # the scripts read it as $MAGICKBOX_BUILD_FILES and 90-cleanup.sh removes it.
  build_files = "/tmp/magickbox-build"

  # provision/NN-name.sh in lexical order, which is the order the numbers give. Absolute:
  # fileset() reads a relative path from the template's folder, while path.root is relative to
  # the folder Packer was started in, so "${path.root}/..." would count the template folder twice.
  provision_dir     = abspath("${path.root}/../provision")
  provision_scripts = [for name in sort(fileset(local.provision_dir, "*.sh")) : "${local.provision_dir}/${name}"]

  # The scratch disk as the guest sees it, per build (50-data-layout.sh formats and mounts it).
  # qemu.debian-ci has none (see its source).
  scratch_device = {
    "virtualbox-iso.ubuntu" = "/dev/sdb"
    "qemu.ubuntu"           = "/dev/vdb"
  }

  # As root, with the build's environment: sudo reads the build user's password from the pipe,
  # so the image needs no password-less sudo rule at any time.
  execute_command = "echo '${local.build_password}' | {{ .Vars }} sudo -S -E sh -eux '{{ .Path }}'"
}

build {
  sources = [
    "source.virtualbox-iso.ubuntu",
    "source.qemu.ubuntu",
    "source.qemu.debian-ci",
  ]

  # The file provisioner needs the destination folder to exist.
  provisioner "shell" {
    inline = ["mkdir -p ${local.build_files}"]
  }

  provisioner "file" {
    # The trailing slash uploads the folder's content, not the folder.
    source      = "${path.root}/build/"
    destination = local.build_files
  }

  # One provisioner for all scripts: Packer logs "Provisioning with shell script: <path>" as it
  # starts each, so the step that fails is named right above Packer's error. No expect_disconnect:
  # none of the scripts reboots, and restarting sshd keeps open sessions (tried), so a lost
  # connection is a failure to report, not something to wave through.
  provisioner "shell" {
    scripts         = local.provision_scripts
    execute_command = local.execute_command
    environment_vars = [
      "MAGICKBOX_BUILD_FILES=${local.build_files}",
      "MAGICKBOX_SCRATCH_DEVICE=${lookup(local.scratch_device, "${source.type}.${source.name}", "")}",
      "MAGICKBOX_MINIMIZE=${var.minimize ? "1" : "0"}",
    ]
  }

  # A Vagrant box of the VirtualBox build, next to the OVA (which is kept).
  post-processor "vagrant" {
    only                = ["virtualbox-iso.ubuntu"]
    keep_input_artifact = true
    output              = "${local.output_root}/${var.vm_name}-{{ .Provider }}.box"
  }

  # SHA-256 of what each build made (the OVA, the qcow2 files), to publish with them.
  post-processor "checksum" {
    checksum_types      = ["sha256"]
    keep_input_artifact = true
    output              = "${local.output_root}/{{ .BuildName }}-{{ .BuilderType }}.{{ .ChecksumType }}"
  }
}
