#!/usr/bin/env bash
# Installs what grabkv needs to build, run and test, from Debian packages only.
# Idempotent: packages already present are not touched.
#   scripts/deps.sh [extra-package ...]   (scripts/fuzz.sh adds clang and libFuzzer)
set -euo pipefail
PKGS=(build-essential cmake pkg-config libuv1-dev liblua5.1-0-dev libabsl-dev libgtest-dev libgmock-dev
      libbenchmark-dev libjemalloc-dev redis-server redis-tools python3-redis
      strace  # strace: test_aof checks the order write, fsync, reply
      "$@")
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The Debian redis-server package may start a system instance on 6379; the
# tests never use that port, but ./run.sh does: stop it if it is ours to stop.

# Node.js and npm for tests/integration/node (ioredis, node-redis); only when
# node is absent, since CI machines bring their own, newer node (the tests
# need node >= 20 and are skipped with a message on an older one).
if ! command -v node >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: nodejs npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
