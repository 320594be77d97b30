#!/bin/sh -eux
# The example streams' Docker images. They are built on the build host (a chroot has no Docker
# engine, and apt under emulation is slow) and shipped as `docker save` archives in
# $MAGICKBOX_BUILD_FILES/stream-images/; the first boot loads them (the engine keeps its data on
# the data disk, which only exists then), before the box starts. Without archives the box builds
# a stream's image from its Dockerfile the first time a job needs it.
BUILD_FILES=${MAGICKBOX_BUILD_FILES:-/tmp/magickbox-build}
images=/var/lib/magickbox/images

mkdir -p "$images"
if ls "$BUILD_FILES"/stream-images/*.tar >/dev/null 2>&1; then
  cp "$BUILD_FILES"/stream-images/*.tar "$images/"
fi

cat > /usr/local/sbin/magickbox-load-images <<'SH'
#!/bin/sh
# Load every image archive in /var/lib/magickbox/images into the Docker engine, once: an
# archive is removed after a successful load, so a later boot has nothing to do.
set -eu
for archive in /var/lib/magickbox/images/*.tar; do
  [ -f "$archive" ] || continue
  echo "loading $archive"
  docker load -i "$archive"
  rm -f "$archive"
done
SH
chmod 755 /usr/local/sbin/magickbox-load-images

cat > /etc/systemd/system/magickbox-load-images.service <<'UNIT'
[Unit]
Description=Load the MagickBox stream images shipped with the appliance
Requires=docker.service
After=docker.service
Before=magickbox.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/magickbox-load-images
TimeoutStartSec=15min

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable magickbox-load-images
