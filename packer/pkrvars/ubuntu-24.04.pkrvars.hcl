# Ubuntu 24.04 LTS server, the appliance's OS. Build with -only='*.ubuntu' (see README).
#
# 24.04.5, the current point release (point releases bring newer packages, kernel and
# installer; the autoinstall format is the same). The checksum is literal so that validating
# needs no network. It is the value for this file in releases.ubuntu.com/24.04.5/SHA256SUMS as
# quoted by several independent public sources; it could not be fetched from Canonical on the
# machine that wrote this. Packer checks the ISO against it, so a wrong value fails the build
# at the download, never silently. When a newer point release appears, this ISO moves to
# old-releases.ubuntu.com: hence both addresses.
iso_urls = [
  "https://releases.ubuntu.com/24.04.5/ubuntu-24.04.5-live-server-amd64.iso",
  "https://old-releases.ubuntu.com/releases/24.04.5/ubuntu-24.04.5-live-server-amd64.iso",
]
iso_checksum  = "sha256:97f3d7ffb032c3eb3b23d2c8be9cc76e60c2c1f2c0146ba5ba9fe01cafae0fd8"
guest_os_type = "Ubuntu_64"

# At the ISO's GRUB menu: edit the first entry, add the autoinstall arguments to its `linux`
# line (the \; keeps GRUB from ending the command there), boot with F10. The NoCloud source is
# Packer's HTTP server, serving packer/http/ubuntu/. Keys typed before the menu is drawn are
# lost, while the menu waits for a while (30 s on these ISOs): so rather late than early.
boot_wait = "10s"
boot_command = [
  "<wait>e<wait><down><down><down><end> autoinstall ds=nocloud-net\\;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ubuntu/<wait><f10><wait>",
]
