#!/bin/sh -eux
# dcmtk for operators: echoscu/storescu/findscu/dcmdump to test links and look at files.
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends dcmtk
