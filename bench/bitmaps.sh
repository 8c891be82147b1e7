#!/usr/bin/env bash
# Bitmaps side by side with Redis (issue 16's benchmark): the "already
# claimed" bitmap of 100M user ids (12.5 MB).
#
#   bench/bitmaps.sh [--grabkv PATH] [--rounds R] [--setbits N] [--parts "1 2 3"]
#
# 1. BITCOUNT of the whole 12.5 MB bitmap, -P 1 and -P 16 (side_by_side.sh,
#    8 clients, 3000 requests: each request counts 12.5 MB).
# 2. SETBIT and GETBIT at one offset of that bitmap, -P 1 and -P 16
#    (side_by_side.sh defaults: 50 clients, 200000 requests).
# 3. SETBIT at N random offsets below 100M: redis-benchmark cannot make such
#    offsets (its __rand_int__ is zero-padded, which SETBIT refuses as Redis
#    does), so a file of N pipelined commands goes through `redis-cli --pipe`;
#    reported: requests per second and the server's CPU time per request
#    (from /proc/PID/stat), median of R alternating rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
grabkv="$here/../build/server/grabkv-server"
rounds=3 setbits=1000000 parts="1 2 3"
args="$*"
. "$here/lib.sh"
extra_option() {
  case "$1" in
    --setbits) setbits=$2 ;;
    --parts) parts=$2 ;;
    *) return 1 ;;
  esac
}
parse_options "$@"
setup="SETBIT bm 99999999 1"

part() { [[ " $parts " == *" $1 "* ]]; }
if part 1; then
  "$here/side_by_side.sh" --grabkv "$grabkv" --rounds "$rounds" --tests none --setup "$setup" \
    --clients 8 --requests 3000 --custom "bitcount_12.5MB:BITCOUNT bm"
  echo
fi
if part 2; then
  "$here/side_by_side.sh" --grabkv "$grabkv" --rounds "$rounds" --tests none --setup "$setup" \
    --custom "setbit_12.5MB:SETBIT bm 77777777 1" --custom "getbit_12.5MB:GETBIT bm 77777777"
  echo
fi
part 3 || exit 0

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
/usr/bin/python3 - "$setbits" "$tmp/setbits.resp" <<'EOF'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(16)
with open(path, "wb") as f:
    for _ in range(n):
        off = str(rnd.randrange(100_000_000)).encode()
        f.write(b"*4\r\n$6\r\nSETBIT\r\n$2\r\nbm\r\n$%d\r\n%s\r\n$1\r\n1\r\n" % (len(off), off))
EOF
start_pair "$grabkv" "$tmp"

# pipe PORT PID -> "rps cpu_us_per_request"
pipe() {
  local port=$1 pid=$2 s0 s1 w0 w1
  redis-cli -p "$port" FLUSHALL >/dev/null
  redis-cli -p "$port" $setup >/dev/null
  s0=$(server_cpu_ns "$pid"); w0=$(date +%s%N)
  redis-cli -p "$port" --pipe <"$tmp/setbits.resp" >/dev/null
  w1=$(date +%s%N); s1=$(server_cpu_ns "$pid")
  awk -v n="$setbits" -v w=$((w1 - w0)) -v s=$((s1 - s0)) 'BEGIN{printf "%.0f %.3f\n", n / (w / 1e9), s / 1e3 / n}'
}
# User+system CPU time of process $1 in ns (utime+stime of /proc/PID/stat, in
# clock ticks: 10 ms resolution, a small error over runs of seconds).
server_cpu_ns() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f\n", ($14 + $15) * 1e9 / hz}' "/proc/$1/stat"; }
r_rows="" g_rows=""
for ((i = 0; i < rounds; i++)); do
  r_rows+="$(pipe "$rport" "$rpid")"$'\n'
  g_rows+="$(pipe "$gport" "$gpid")"$'\n'
  echo "setbit random round $((i + 1)): redis $(tail -n1 <<<"${r_rows%$'\n'}") grabkv $(tail -n1 <<<"${g_rows%$'\n'}")" >&2
done
bitcounts=$(redis-cli -p "$rport" BITCOUNT bm)/$(redis-cli -p "$gport" BITCOUNT bm)
same=$([ "$(redis-cli -p "$rport" GET bm | sha1sum)" = "$(redis-cli -p "$gport" GET bm | sha1sum)" ] && echo yes || echo NO)
r_rps=$(awk 'NF{print $1}' <<<"$r_rows" | median); g_rps=$(awk 'NF{print $1}' <<<"$g_rows" | median)
r_cpu=$(awk 'NF{print $2}' <<<"$r_rows" | median); g_cpu=$(awk 'NF{print $2}' <<<"$g_rows" | median)
echo "| test | redis rps | grabkv rps | ratio grabkv/redis | redis CPU µs/req | grabkv CPU µs/req | CPU ratio redis/grabkv |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| setbit random offset, redis-cli --pipe ($setbits) | $r_rps | $g_rps | $(awk -v a="$g_rps" -v b="$r_rps" 'BEGIN{printf "%.2f", a/b}') | $r_cpu | $g_cpu | $(awk -v a="$r_cpu" -v b="$g_cpu" 'BEGIN{printf "%.2f", a/b}') |"
echo
echo "$(date -u '+%Y-%m-%d %H:%M') UTC; nproc $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(redis-server --version | cut -d' ' -f1-3); median of $rounds alternating rounds; BITCOUNT after: $bitcounts; same bytes (GET, sha1): $same; command: bench/bitmaps.sh $args"
