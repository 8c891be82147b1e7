#!/usr/bin/env bash
# GRAB.POP against the equivalent Lua grab (hget/lpop/hset) run by EVALSHA,
# on real Redis and on grabkv, side by side in one run (issue 6's benchmark).
#
#   bench/grab_pop.sh [--grabkv PATH] [--requests N] [--clients C] [--rounds R] [--dir DIR]
#
# Both servers get a 1,000,000-item stock list; each request grabs for a
# random user out of 1,000,000 (redis-benchmark's -r), so most requests
# issue an item and some replay one. Reports rps and p50/p99 latency
# (medians over alternating rounds, each round on a fresh stock).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
grabkv="$here/../build/server/grabkv-server"
requests=200000 clients=50 rounds=3 base=/tmp
. "$here/lib.sh"
parse_options "$@"
tmp=$(mktemp -d "$base/grabkv-grab-pop.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
rport=$(free_port); gport=$(free_port)
(cd "$tmp" && exec /usr/bin/redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$tmp/redis.log" 2>&1) & pids+=($!)
(cd "$tmp" && exec "$grabkv" --port "$gport" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/grabkv.log" 2>&1) & pids+=($!)
for p in "$rport" "$gport"; do
  wait_ready "$p" || true
done
script=$grab_script fill=$fill_script
sha=$(redis-cli -p "$rport" SCRIPT LOAD "$script")
redis-cli -p "$gport" SCRIPT LOAD "$script" >/dev/null

# run PORT PIPELINE ARGS... -> "rps p50 p99"
run() {
  local port=$1 pipe=$2; shift 2
  redis-cli -p "$port" FLUSHALL >/dev/null
  redis-cli -p "$port" EVAL "$fill" 1 stock >/dev/null
  redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -n "$requests" -r 1000000 -P "$pipe" --csv "$@" 2>/dev/null |
    tail -1 | tr -d '"' | awk -F, '{print $2, $5, $7}'
}

declare -A res
for pipe in 1 16; do
  for ((r = 0; r < rounds; r++)); do
    res[redis_lua_$pipe]+="$(run "$rport" "$pipe" EVALSHA "$sha" 2 stock claims user:__rand_int__)"$'\n'
    res[grabkv_grab_$pipe]+="$(run "$gport" "$pipe" GRAB.POP stock claims user:__rand_int__)"$'\n'
    res[grabkv_lua_$pipe]+="$(run "$gport" "$pipe" EVALSHA "$sha" 2 stock claims user:__rand_int__)"$'\n'
  done
done
echo "| pipeline | what | rps | p50 ms | p99 ms | rps vs Redis EVALSHA |"
echo "|---:|---|---:|---:|---:|---:|"
for pipe in 1 16; do
  base=$(printf '%s' "${res[redis_lua_$pipe]}" | awk 'NF{print $1}' | median)
  for k in redis_lua grabkv_lua grabkv_grab; do
    rows=$(printf '%s' "${res[${k}_$pipe]}")
    rps=$(printf '%s\n' "$rows" | awk 'NF{print $1}' | median)
    p50=$(printf '%s\n' "$rows" | awk 'NF{print $2}' | median)
    p99=$(printf '%s\n' "$rows" | awk 'NF{print $3}' | median)
    case $k in
      redis_lua) name="Redis EVALSHA grab script" ;;
      grabkv_lua) name="grabkv EVALSHA grab script" ;;
      grabkv_grab) name="grabkv GRAB.POP" ;;
    esac
    ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN{printf "%.2f", a/b}')
    echo "| $pipe | $name | ${rps%.*} | $p50 | $p99 | $ratio |"
  done
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M') UTC; nproc $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(redis-server --version | cut -d' ' -f1-3); -c $clients -n $requests -r 1000000, median of $rounds alternating rounds; command: bench/grab_pop.sh $*"
