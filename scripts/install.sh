#!/usr/bin/env bash
# Installs everything stalk and its tests need on Debian 12: system packages
# (FUSE 2 runtime and headers to rebuild the patched fuse-native, rsync, ssh
# client and server, sqlite3 and git for the loopback tests, Ceph RGW as the
# S3 test server) and node modules.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  fuse3 libfuse2 libfuse-dev pkg-config g++ make python3 \
  rsync openssh-server openssh-client nginx-light openssl sqlite3 git bsdutils util-linux \
  radosgw ceph-mon ceph-osd
npm ci --no-fund --no-audit
# Node 22 and 24 from the npm registry, for test/node-versions.test.ts (which
# installs them itself when missing, and skips a version it cannot get).
for major in 22 24; do
  bash scripts/test-node-versions.sh path "$major" >/dev/null \
    || echo "install.sh: Node $major not installed; its tests will be skipped" >&2
done
