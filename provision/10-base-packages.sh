#!/bin/sh -eux
# Base packages of the appliance, and no unattended apt runs that would hold the dpkg lock (or
# restart services) while the box is receiving. Debian 12 and Ubuntu 24.04; idempotent.
export DEBIAN_FRONTEND=noninteractive

# No periodic apt on an appliance: updates are a decision of its operator.
cat > /etc/apt/apt.conf.d/10periodic-off <<'CONF'
APT::Periodic::Enable "0";
APT::Periodic::Update-Package-Lists "0";
APT::Periodic::Unattended-Upgrade "0";
CONF
for unit in apt-daily.timer apt-daily-upgrade.timer; do
  systemctl disable "$unit" 2>/dev/null || true
  systemctl mask "$unit" 2>/dev/null || true
done

apt-get update
apt-get install -y --no-install-recommends \
  ca-certificates curl openssl xz-utils sudo openssh-server \
  nftables iproute2 procps less tzdata
systemctl enable ssh
