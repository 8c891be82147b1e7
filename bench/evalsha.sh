#!/usr/bin/env bash
# EVALSHA throughput, grabkv vs real Redis, side by side on this machine.
# A script with one redis.call (the issue's benchmark), at -P 1 and -P 16.
# Usage: bench/evalsha.sh [path/to/grabkv-server] [requests] [clients]
set -euo pipefail
GRABKV=${1:-build/server/grabkv-server}
N=${2:-200000}
C=${3:-50}
SCRIPT="return redis.call('get', KEYS[1])"

. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
GP=$(free_port)
RP=$(free_port)
TMP=$(mktemp -d)
"$GRABKV" --port "$GP" --bind 127.0.0.1 --save "" --appendonly no >"$TMP/grabkv.log" 2>&1 &
GPID=$!
(cd "$TMP" && redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no >"$TMP/redis.log" 2>&1) &
RPID=$!
trap 'kill $GPID $RPID 2>/dev/null || true; rm -rf "$TMP"' EXIT
for p in $GP $RP; do
  wait_ready "$p" || true
done

rps() {  # port pipeline
  local sha
  sha=$(redis-cli -p "$1" script load "$SCRIPT")
  redis-cli -p "$1" set key:__rand_int__ v >/dev/null
  redis-benchmark -p "$1" -n "$N" -c "$C" -P "$2" -q evalsha "$sha" 1 key:__rand_int__ |
    tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1
}

for P in 1 16; do
  g=$(rps "$GP" "$P")
  r=$(rps "$RP" "$P")
  ratio=$(python3 -c "print('%.2f' % ($g / $r))")
  echo "EVALSHA -P $P: grabkv ${g} rps, redis ${r} rps, ratio ${ratio}x"
done
