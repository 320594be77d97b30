#!/bin/sh
# npm run bench: Debian's Orthanc, the second reference receiver, installed when missing.
# The bench starts its own Orthanc processes; the packaged service is not used.
set -eu
if command -v Orthanc >/dev/null 2>&1 || [ -x /usr/sbin/Orthanc ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "npm run bench compares against Orthanc: install it as root (apt-get install orthanc)" >&2
  exit 1
fi
echo "Installing Debian package: orthanc"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends orthanc >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends orthanc >/dev/null
}
