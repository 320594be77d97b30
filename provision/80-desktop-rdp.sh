#!/bin/sh -eux
# A desktop over RDP (xrdp with an XFCE session), in place of the original's VirtualBox VRDE
# (which needs the Oracle extension pack). No recommends: about 400 MB instead of 900.
# MAGICKBOX_DESKTOP=0 leaves it out (a headless box).
[ "${MAGICKBOX_DESKTOP:-1}" = 1 ] || exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends xrdp xorgxrdp xfce4 xfce4-terminal dbus-x11 xauth
# xrdp reads its TLS key from the ssl-cert group's folder.
getent group ssl-cert >/dev/null && adduser xrdp ssl-cert
echo xfce4-session > /etc/skel/.xsession
if id processing >/dev/null 2>&1; then
  echo xfce4-session > /home/processing/.xsession
  chown processing:processing /home/processing/.xsession
fi
systemctl enable xrdp
