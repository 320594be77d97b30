#!/bin/sh -eux
# Make the image small and every imported copy unique: no apt caches, lists, logs or build
# files; no machine id and no SSH host keys (each copy makes its own at first boot); no build-time
# sudo rule.
export DEBIAN_FRONTEND=noninteractive
BUILD_FILES=${MAGICKBOX_BUILD_FILES:-/tmp/magickbox-build}

apt-get autoremove -y --purge
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
rm -f /etc/sudoers.d/99-packer-build
case "$BUILD_FILES" in /tmp/*) rm -rf "$BUILD_FILES" ;; esac

# SSH host keys are made at the first boot of each copy, before sshd starts.
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/magickbox-ssh-host-keys.service <<'UNIT'
[Unit]
Description=Make this copy's SSH host keys
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable magickbox-ssh-host-keys

# An empty machine id is filled in at boot (a new one per copy: DHCP, journald).
truncate -s 0 /etc/machine-id
rm -f /var/lib/dbus/machine-id
ln -sf /etc/machine-id /var/lib/dbus/machine-id
rm -f /var/lib/systemd/random-seed

find /var/log -type f -exec truncate -s 0 {} +
rm -rf /tmp/* /var/tmp/* /root/.npm /root/.cache
