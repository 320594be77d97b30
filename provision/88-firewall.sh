#!/bin/sh -eux
# A host firewall that lets in only what the appliance serves: SSH (22), RDP (3389), DICOM and
# the web interface (their ports from /data/settings.json, 1234 and 2813 by default) and DICOM
# TLS (2762) when a certificate is configured. The rules are made from the settings each time
# the box starts (ExecStartPre of magickbox.service), in a table of their own, so Docker's rules
# are never touched.
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends nftables

cat > /usr/local/sbin/magickbox-firewall <<'SH'
#!/bin/sh
# Write and load the `inet magickbox` nftables table from the box's settings.
set -eu
ports=$(/usr/local/bin/node -e '
  let s = {}
  try { s = JSON.parse(require("fs").readFileSync("/data/settings.json", "utf8")) } catch {}
  const tls = s.tls ?? {}
  const ports = [22, 3389, s.dicomPort ?? 1234, s.webPort ?? 2813]
  if ((tls.certificate || tls.selfSigned) && (tls.dicomPort ?? 2762) > 0) ports.push(tls.dicomPort ?? 2762)
  console.log([...new Set(ports)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536).join(", "))
' 2>/dev/null || echo "22, 3389, 1234, 2813")
nft delete table inet magickbox 2>/dev/null || true
nft -f - <<NFT
table inet magickbox {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    ct state invalid drop
    iifname "lo" accept
    iifname { "docker0", "br-*" } accept
    meta l4proto { icmp, ipv6-icmp } accept
    udp sport 67 udp dport 68 accept
    udp sport 547 udp dport 546 accept
    tcp dport { $ports } accept
  }
}
NFT
echo "magickbox firewall: open TCP ports $ports"
SH
chmod 755 /usr/local/sbin/magickbox-firewall

# Also at boot, before anything listens (the box's start refreshes it from the settings).
cat > /etc/systemd/system/magickbox-firewall.service <<'UNIT'
[Unit]
Description=MagickBox host firewall
Before=network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/magickbox-firewall

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable magickbox-firewall
mkdir -p /etc/systemd/system/magickbox.service.d
cat > /etc/systemd/system/magickbox.service.d/20-firewall.conf <<'UNIT'
[Service]
# As root (+), and a missing script is no reason not to start (-).
ExecStartPre=-+/usr/local/sbin/magickbox-firewall
UNIT
# Debian's nftables.service would `flush ruleset` (Docker's rules too): ours manages its own table.
systemctl disable nftables 2>/dev/null || true
