#!/bin/sh -eux
# The `processing` user of the original MasterTemplate (password `processing`, to be changed at
# the first login: the build expires it as its very last step). It runs the box and may use
# Docker and sudo.
if ! id processing >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash processing
  echo 'processing:processing' | chpasswd
fi
getent group docker >/dev/null || groupadd --system docker
usermod -aG sudo,docker processing
