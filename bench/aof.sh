#!/usr/bin/env bash
# Durability cost, side by side (issue 7's benchmark): SET and a grab at
# -P 1 and -P 16 with appendfsync everysec and always, on real Redis and on
# grabkv, both with appendonly yes and their files on the same disk; plus
# grabkv without persistence as the reference for "everysec within 10%".
#
#   bench/aof.sh [--grabkv PATH] [--requests N] [--clients C] [--rounds R] [--dir DIR]
#
# The grab is GRAB.POP on grabkv and, on Redis (which has no GRAB.POP), the
# equivalent Lua script (hget/lpop/hset) run by EVALSHA: what a Redis user
# runs today. Every round starts each server fresh on an empty file with a
# 1,000,000-item stock; the servers alternate; medians are reported.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
grabkv="$here/../build/server/grabkv-server"
requests=100000 clients=50 rounds=3 base=/var/tmp
. "$here/lib.sh"
parse_options "$@"
tmp=$(mktemp -d "$base/grabkv-aof-bench.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
script=$grab_script fill=$fill_script

# start KIND FSYNC -> sets $port and $pid; KIND is redis, grabkv or grabkv-off.
start() {
  local kind=$1 fsync=$2 dir="$tmp/$1-$2"
  rm -rf "$dir"; mkdir -p "$dir"
  port=$(free_port)
  case $kind in
    redis) (cd "$dir" && exec /usr/bin/redis-server --port "$port" --bind 127.0.0.1 --save '' \
             --appendonly yes --appendfsync "$fsync" --dir "$dir" >"$dir/log" 2>&1) & ;;
    grabkv) (cd "$dir" && exec "$grabkv" --port "$port" --bind 127.0.0.1 \
             --appendonly yes --appendfsync "$fsync" --dir "$dir" >"$dir/log" 2>&1) & ;;
    grabkv-off) (cd "$dir" && exec "$grabkv" --port "$port" --bind 127.0.0.1 \
             --appendonly no --dir "$dir" >"$dir/log" 2>&1) & ;;
  esac
  pid=$!
  wait_ready "$port" || true
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; }

# bench KIND FSYNC TEST PIPE -> rps
bench() {
  local kind=$1 fsync=$2 test=$3 pipe=$4
  start "$kind" "$fsync"
  local cmd
  if [ "$test" = set ]; then
    cmd=(SET key:__rand_int__ xxxxxxxxxxxxxxxx)
  else
    redis-cli -p "$port" EVAL "$fill" 1 stock >/dev/null
    if [ "$kind" = redis ]; then
      sha=$(redis-cli -p "$port" SCRIPT LOAD "$script")
      cmd=(EVALSHA "$sha" 2 stock claims user:__rand_int__)
    else
      cmd=(GRAB.POP stock claims user:__rand_int__)
    fi
  fi
  redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -n "$requests" -r 1000000 -P "$pipe" --csv \
    "${cmd[@]}" 2>/dev/null | tail -1 | tr -d '"' | awk -F, '{print $2}'
  stop
}

declare -A res
for test in set grab; do
  for pipe in 1 16; do
    for ((r = 0; r < rounds; r++)); do
      for fsync in everysec always; do
        res[redis_${fsync}_${test}_$pipe]+="$(bench redis "$fsync" "$test" "$pipe")"$'\n'
        res[grabkv_${fsync}_${test}_$pipe]+="$(bench grabkv "$fsync" "$test" "$pipe")"$'\n'
      done
      res[off_${test}_$pipe]+="$(bench grabkv-off no "$test" "$pipe")"$'\n'
    done
  done
done
med() { printf '%s' "${res[$1]}" | awk 'NF' | median; }
echo "| test | pipeline | appendfsync | Redis rps | grabkv rps | grabkv/Redis | grabkv no-AOF rps | grabkv AOF / no-AOF |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
for test in set grab; do
  for pipe in 1 16; do
    off=$(med "off_${test}_$pipe")
    for fsync in everysec always; do
      r=$(med "redis_${fsync}_${test}_$pipe")
      g=$(med "grabkv_${fsync}_${test}_$pipe")
      name=$test; [ "$test" = grab ] && name="GRAB.POP (Redis: EVALSHA)"
      awk -v n="$name" -v p="$pipe" -v f="$fsync" -v r="$r" -v g="$g" -v o="$off" \
        'BEGIN{printf "| %s | %s | %s | %d | %d | %.2f | %d | %.2f |\n", n, p, f, r, g, g/r, o, g/o}'
    done
  done
done
echo
echo "$(date -u '+%Y-%m-%d %H:%M') UTC; nproc $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(redis-server --version | cut -d' ' -f1-3); files on $(df -T "$base" | awk 'NR==2{print $2}') ($base); -c $clients -n $requests -r 1000000, median of $rounds rounds; command: bench/aof.sh $*"
