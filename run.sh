#!/usr/bin/env bash
# Installs what is missing, builds, and starts grabkv-server on 127.0.0.1:6379.
# Extra arguments go to the server (e.g. ./run.sh --port 7000).
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh
scripts/build.sh release
# Debian's redis-server package starts its own service on 6379; free the port.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
elif [ -x /etc/init.d/redis-server ] && /etc/init.d/redis-server status >/dev/null 2>&1; then
  /etc/init.d/redis-server stop >/dev/null 2>&1 || true
fi
exec build/server/grabkv-server --bind 127.0.0.1 --port 6379 "$@"
