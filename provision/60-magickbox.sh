#!/bin/sh -eux
# MagickBox itself: the built app from $MAGICKBOX_BUILD_FILES/magickbox-app.tar.gz (made on the
# build host by packer/ci/prepare-build-files.sh: compiled, production dependencies only) into
# /opt/magickbox, its systemd unit enabled, the `magickbox` command, and the example streams in
# /data/streams (existing stream folders are left as they are).
BUILD_FILES=${MAGICKBOX_BUILD_FILES:-/tmp/magickbox-build}
app=/opt/magickbox

test -f "$BUILD_FILES/magickbox-app.tar.gz"
rm -rf "$app.new"
mkdir -p "$app.new"
tar -xzf "$BUILD_FILES/magickbox-app.tar.gz" -C "$app.new"
test -f "$app.new/dist/supervisor/main.js"
rm -rf "$app.old"
if [ -d "$app" ]; then mv "$app" "$app.old"; fi
mv "$app.new" "$app"
rm -rf "$app.old"
chown -R root:root "$app"

cp "$app/provision/magickbox.service" /etc/systemd/system/magickbox.service
# /data/scratch is the data disk's root: give it to the box at every boot, after it is mounted.
cat > /etc/tmpfiles.d/magickbox.conf <<'CONF'
d /data/scratch 0750 processing processing -
d /data/.pids 0750 processing processing -
CONF
# In the appliance the box waits for the data disk (and still starts without it: the disk is
# `nofail`, and the box reports low space itself).
mkdir -p /etc/systemd/system/magickbox.service.d
cat > /etc/systemd/system/magickbox.service.d/10-data-disk.conf <<'UNIT'
[Unit]
Wants=data-scratch.mount
After=data-scratch.mount

[Service]
# The disk is mounted after tmpfiles ran at boot (nofail mounts are not waited for): give its
# root to the box now, as root (+).
ExecStartPre=+/usr/bin/systemd-tmpfiles --create /etc/tmpfiles.d/magickbox.conf
UNIT
systemctl enable magickbox

cat > /usr/local/bin/magickbox <<'SH'
#!/bin/sh
# The box's command line (status, restart, retention, users), as the box's own user.
set -eu
if [ "$(id -un)" != processing ]; then exec sudo -u processing -- "$0" "$@"; fi
export MAGICKBOX_DATA=/data MAGICKBOX_STREAMS=/data/streams
exec /usr/local/bin/node /opt/magickbox/dist/supervisor/cli.js "$@"
SH
chmod 755 /usr/local/bin/magickbox

for stream in "$app"/streams/*/; do
  name=$(basename "$stream")
  [ -f "$stream/info.json" ] || continue
  if [ ! -e "/data/streams/$name" ]; then
    cp -R "$stream" "/data/streams/$name"
    chown -R processing:processing "/data/streams/$name"
  fi
done

# What the console shows above its login prompt (agetty reads /etc/issue.d; \4 is the address).
mkdir -p /etc/issue.d
cat > /etc/issue.d/magickbox.issue <<'ISSUE'
MagickBox: DICOM on port 1234 (11113 on the VirtualBox host), web interface on
http://\4:2813/ (2813 on the host). First web login: admin, with the password in
/data/initial-admin-password (sudo cat /data/initial-admin-password).

ISSUE
