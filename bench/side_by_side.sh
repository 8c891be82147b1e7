#!/usr/bin/env bash
# Side-by-side throughput of grabkv-server and real redis-server, measured with
# redis-benchmark on the same machine in the same run. See bench/README.md.
#
# Both servers are started here on free 127.0.0.1 ports with the same settings and
# are always stopped on exit. Runs alternate redis, grabkv, redis, grabkv, ... so that
# machine drift (thermal, noisy neighbours) affects both sides alike; the median of
# the rounds is reported per server, and the ratio grabkv/redis is what to quote.

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
COMMAND_LINE="$(printf '%q ' "$0" "$@")"
readonly SCRIPT_DIR REPO_ROOT COMMAND_LINE

usage() {
  cat <<'EOF'
Usage: bench/side_by_side.sh [options]

  --grabkv PATH        grabkv-server binary (default: <repo>/build/server/grabkv-server)
  --redis PATH         redis-server binary (default: /usr/bin/redis-server)
  --requests N         requests per redis-benchmark run, -n (default: 200000)
  --clients C          parallel connections, -c (default: 50)
  --keyspace K         random keyspace, -r (default: 100000)
  --tests LIST         comma-separated redis-benchmark -t names (default: set,get,incr);
                       '' or 'none' runs only --custom entries
  --pipelines "P..."   space-separated pipeline depths, -P (default: "1 16")
  --rounds R           alternating rounds per server, median reported (default: 3)
  --custom NAME:ARGS   extra entry; ARGS go after "-P depth" on the redis-benchmark
                       command line (a command and its arguments, optionally preceded
                       by other redis-benchmark options). Quotes in ARGS are honoured.
                       Repeatable. Example:
                         --custom evalsha:'EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0'
  --setup "CMD ARGS"   redis-cli command run once against both servers after start-up,
                       before any benchmark (e.g. SCRIPT LOAD 'return 1'). Repeatable,
                       run in the order given.
  --grabkv-args "A"    extra flags for grabkv-server only
  --timeout SECONDS    kill a single redis-benchmark run after this long (default: 120)
  --out FILE           also write the results table (and environment line) to FILE
  -h, --help           this help

The results table goes to stdout; progress and per-round numbers go to stderr.
Exit status is 1 if any run failed (its cells then read "error").
EOF
}

die() { echo "side_by_side: $*" >&2; exit 2; }

# ---------------------------------------------------------------- options
grabkv_bin="${REPO_ROOT}/build/server/grabkv-server"
redis_bin="/usr/bin/redis-server"
requests=200000
clients=50
keyspace=100000
tests="set,get,incr"
pipelines="1 16"
rounds=3
timeout_s=120
out_file=""
grabkv_extra=""
customs=()
setups=()

need_arg() { [[ $# -ge 2 ]] || die "option $1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --grabkv)      need_arg "$@"; grabkv_bin="$2"; shift 2 ;;
    --redis)       need_arg "$@"; redis_bin="$2"; shift 2 ;;
    --requests)    need_arg "$@"; requests="$2"; shift 2 ;;
    --clients)     need_arg "$@"; clients="$2"; shift 2 ;;
    --keyspace)    need_arg "$@"; keyspace="$2"; shift 2 ;;
    --tests)       need_arg "$@"; tests="$2"; shift 2 ;;
    --pipelines)   need_arg "$@"; pipelines="$2"; shift 2 ;;
    --rounds)      need_arg "$@"; rounds="$2"; shift 2 ;;
    --custom)      need_arg "$@"; customs+=("$2"); shift 2 ;;
    --setup)       need_arg "$@"; setups+=("$2"); shift 2 ;;
    --grabkv-args) need_arg "$@"; grabkv_extra="$2"; shift 2 ;;
    --timeout)     need_arg "$@"; timeout_s="$2"; shift 2 ;;
    --out)         need_arg "$@"; out_file="$2"; shift 2 ;;
    -h|--help)     usage; exit 0 ;;
    *)             usage >&2; die "unknown option: $1" ;;
  esac
done

is_uint() { [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 > 0 )); }
is_uint "$requests" || die "--requests must be a positive integer"
is_uint "$clients"  || die "--clients must be a positive integer"
is_uint "$keyspace" || die "--keyspace must be a positive integer"
is_uint "$rounds"   || die "--rounds must be a positive integer"
is_uint "$timeout_s" || die "--timeout must be a positive integer"
for p in $pipelines; do is_uint "$p" || die "bad pipeline depth: $p"; done
[[ -n "${pipelines// /}" ]] || die "--pipelines is empty"

[[ -x "$grabkv_bin" ]] || die "grabkv-server not found or not executable: $grabkv_bin (build it, or pass --grabkv)"
[[ -x "$redis_bin" ]]  || die "redis-server not found: $redis_bin"
for tool in redis-benchmark redis-cli timeout; do
  command -v "$tool" >/dev/null || die "$tool not found in PATH"
done
BENCH=/usr/bin/redis-benchmark; [[ -x "$BENCH" ]] || BENCH="$(command -v redis-benchmark)"
CLI=/usr/bin/redis-cli;         [[ -x "$CLI" ]]   || CLI="$(command -v redis-cli)"

# Split a string into words the way a shell would (quotes, backslashes), without
# evaluating anything: xargs does the quote removal. Result in the array WORDS.
split_words() {
  WORDS=()
  [[ -n "${1//[[:space:]]/}" ]] || return 0
  local w
  while IFS= read -r -d '' w; do WORDS+=("$w"); done \
    < <(printf '%s\n' "$1" | xargs printf '%s\0') || die "cannot parse quoting in: $1"
}

# Entries: parallel arrays of display name and redis-benchmark arguments (NUL-free
# strings re-split at run time).
entry_names=()
entry_kinds=()   # builtin | custom
entry_args=()
if [[ "$tests" != "none" && -n "$tests" ]]; then
  IFS=',' read -ra test_list <<<"$tests"
  for t in "${test_list[@]}"; do
    t="${t//[[:space:]]/}"
    [[ -n "$t" ]] || continue
    entry_names+=("$t"); entry_kinds+=("builtin"); entry_args+=("$t")
  done
fi
for c in "${customs[@]+"${customs[@]}"}"; do
  [[ "$c" == *:* ]] || die "--custom expects NAME:ARGS, got: $c"
  name="${c%%:*}"; args="${c#*:}"
  [[ -n "$name" && -n "${args//[[:space:]]/}" ]] || die "--custom expects NAME:ARGS, got: $c"
  split_words "$args"  # validate quoting now, not halfway through the run
  entry_names+=("$name"); entry_kinds+=("custom"); entry_args+=("$args")
done
[[ ${#entry_names[@]} -gt 0 ]] || die "nothing to run: no --tests and no --custom"

# ---------------------------------------------------------------- servers
tmpdir="$(mktemp -d "${TMPDIR:-/tmp}/grabkv-sbs.XXXXXX")"
redis_pid=""
grabkv_pid=""

# shellcheck disable=SC2317  # called from the EXIT trap
stop_server() {
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317  # the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  stop_server "$redis_pid"
  stop_server "$grabkv_pid"
  rm -rf "$tmpdir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Two distinct free ports: ask the kernel (bind to port 0) when python3 is around,
# otherwise probe random high ports.
pick_ports() {
  if command -v python3 >/dev/null; then
    python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
  else
    local got=() p
    while [[ ${#got[@]} -lt 2 ]]; do
      p=$(( 20000 + RANDOM % 40000 ))
      [[ ${#got[@]} -eq 1 && "${got[0]}" == "$p" ]] && continue
      port_in_use "$p" || got+=("$p")
    done
    echo "${got[@]}"
  fi
}
read -r redis_port grabkv_port < <(pick_ports)
for p in "$redis_port" "$grabkv_port"; do
  port_in_use "$p" && die "port $p became busy before the server started"
done

common_flags=(--port "" --bind 127.0.0.1 --save '' --appendonly no)

wait_ready() {  # label pid port
  local label="$1" pid="$2" port="$3"
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "side_by_side: $label exited during start-up; its log:" >&2
      tail -n 20 "${tmpdir}/${label}.log" >&2 || true
      exit 2
    fi
    if [[ "$("$CLI" -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == "PONG" ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "side_by_side: $label did not answer PING on port $port within 10s; its log:" >&2
  tail -n 20 "${tmpdir}/${label}.log" >&2 || true
  exit 2
}

# Started in the current shell (not via $(...)) so that $! is our child and the
# EXIT trap can wait for it.
start_server_bg() {
  local label="$1" bin="$2" port="$3"; shift 3
  local flags=("${common_flags[@]}")
  flags[1]="$port"
  mkdir -p "${tmpdir}/${label}"
  ( cd "${tmpdir}/${label}" && exec "$bin" "${flags[@]}" "$@" ) \
    >"${tmpdir}/${label}.log" 2>&1 &
}

start_server_bg redis "$redis_bin" "$redis_port" --daemonize no --dir "${tmpdir}/redis"
redis_pid=$!
split_words "$grabkv_extra"
start_server_bg grabkv "$grabkv_bin" "$grabkv_port" "${WORDS[@]+"${WORDS[@]}"}"
grabkv_pid=$!
wait_ready redis "$redis_pid" "$redis_port"
wait_ready grabkv "$grabkv_pid" "$grabkv_port"
echo "side_by_side: redis-server pid $redis_pid on :$redis_port, grabkv pid $grabkv_pid on :$grabkv_port" >&2

# ---------------------------------------------------------------- setup
for s in "${setups[@]+"${setups[@]}"}"; do
  split_words "$s"
  [[ ${#WORDS[@]} -gt 0 ]] || continue
  for side in redis grabkv; do
    if [[ "$side" == redis ]]; then port="$redis_port"; else port="$grabkv_port"; fi
    if ! reply="$("$CLI" --no-raw -h 127.0.0.1 -p "$port" "${WORDS[@]}" 2>&1)"; then
      die "setup on $side failed: $s -> $reply"
    fi
    echo "side_by_side: setup [$side] $s -> $reply" >&2
    [[ "$reply" != "(error)"* ]] || die "setup on $side returned an error: $s -> $reply"
  done
done

# ---------------------------------------------------------------- runs
# CPU time (ns) the server process has run so far, all its threads: the first field of
# each thread's schedstat is its on-CPU time in nanoseconds.
server_cpu_ns() {  # pid
  local sum=0 t ns
  for t in /proc/"$1"/task/*/schedstat; do
    read -r ns _ <"$t" 2>/dev/null || continue
    sum=$(( sum + ns ))
  done
  echo "$sum"
}

# User+system seconds of this shell's waited-for children so far (bash `times`,
# getrusage(RUSAGE_CHILDREN)): the second line, "XmY.YYYs XmY.YYYs".
# `times` must run in this shell (not in a $(...) or <(...) subshell, whose own
# children are none), hence the file.
children_cpu_s() {
  local _self kids
  times >"${tmpdir}/times"
  { read -r _self; read -r kids; } <"${tmpdir}/times"
  awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /m/); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
         printf "%.6f", t }' <<<"$kids"
}

# One redis-benchmark run; prints "rps server_us_per_request client_busy_percent".
# rps is the last CSV row (some -t tests such as lrange_100 first print a row for
# their fill step; the CPU figures then include that step). The server's CPU time
# is what it spent during the run divided by the requests of the run; the client's
# busy share is redis-benchmark's CPU time over the wall time: near 100 means the
# load generator, not the server, set the pace.
run_once() {  # port kind args depth server_pid
  local port="$1" kind="$2" args="$3" depth="$4" spid="$5"
  local cmd=("$BENCH" -h 127.0.0.1 -p "$port" -c "$clients" -n "$requests"
             -r "$keyspace" -P "$depth" --csv)
  if [[ "$kind" == builtin ]]; then
    cmd+=(-t "$args")
  else
    split_words "$args"
    cmd+=("${WORDS[@]}")
  fi
  local out err rc=0 s0 s1 c0 c1 w0 w1
  children_cpu_s >"${tmpdir}/c0"; s0="$(server_cpu_ns "$spid")"; w0="$(date +%s%N)"
  out="$(timeout "$timeout_s" "${cmd[@]}" 2>"${tmpdir}/bench.err")" || rc=$?
  w1="$(date +%s%N)"; s1="$(server_cpu_ns "$spid")"; children_cpu_s >"${tmpdir}/c1"
  c0="$(<"${tmpdir}/c0")"; c1="$(<"${tmpdir}/c1")"
  err="$(tr '\r' '\n' <"${tmpdir}/bench.err" | grep -v '^[[:space:]]*$' | tail -n 3 || true)"
  local rps
  rps="$(printf '%s\n' "$out" | grep -v '^"test"' | tail -n 1 | awk -F'","' '{print $2}')"
  if [[ $rc -ne 0 || ! "$rps" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    local why="exit $rc"; [[ $rc -eq 124 ]] && why="timed out after ${timeout_s}s"
    echo "side_by_side: run failed ($why): ${cmd[*]}" >&2
    [[ -n "$err" ]] && printf '  %s\n' "$err" >&2
    return 1
  fi
  # The client CPU includes the few redis-cli/date/awk helpers above (a few ms).
  awk -v rps="$rps" -v s0="$s0" -v s1="$s1" -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" \
      -v n="$requests" 'BEGIN { printf "%s %.3f %.0f\n", rps, (s1 - s0) / 1000 / n,
                                  (w1 > w0 ? (c1 - c0) * 1e11 / (w1 - w0) : 0) }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
  if (NR == 0) exit 1
  if (NR % 2) printf "%.0f", v[(NR+1)/2]; else printf "%.0f", (v[NR/2] + v[NR/2+1]) / 2 }'; }
median_dec() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
  if (NR == 0) exit 1
  if (NR % 2) printf "%.2f", v[(NR+1)/2]; else printf "%.2f", (v[NR/2] + v[NR/2+1]) / 2 }'; }

rows=()
failed=0
total=$(( ${#entry_names[@]} * $(wc -w <<<"$pipelines") ))
n=0
for i in "${!entry_names[@]}"; do
  name="${entry_names[$i]}"; kind="${entry_kinds[$i]}"; args="${entry_args[$i]}"
  for depth in $pipelines; do
    n=$(( n + 1 ))
    declare -A rps_vals=() us_vals=() busy_vals=() ok=([redis]=1 [grabkv]=1)
    for r in $(seq 1 "$rounds"); do
      # A side whose run fails is dropped for this entry; the other keeps going, so a
      # command only one server knows (e.g. GRAB.*) still gets its number.
      line=""
      for side in redis grabkv; do
        [[ ${ok[$side]} -eq 1 ]] || continue
        if [[ "$side" == redis ]]; then port="$redis_port"; pid="$redis_pid"
        else port="$grabkv_port"; pid="$grabkv_pid"; fi
        if v="$(run_once "$port" "$kind" "$args" "$depth" "$pid")"; then
          read -r v_rps v_us v_busy <<<"$v"
          rps_vals[$side]+=" $v_rps"; us_vals[$side]+=" $v_us"; busy_vals[$side]+=" $v_busy"
          line+=" $side $v_rps rps ${v_us} us/req client ${v_busy}%"
        else
          ok[$side]=0; line+=" $side failed"
        fi
      done
      [[ -n "$line" ]] || break
      echo "side_by_side: [$n/$total] $name -P $depth round $r/$rounds:$line" >&2
    done
    declare -A rps_med=([redis]=error [grabkv]=error) us_med=([redis]=error [grabkv]=error) \
      busy_med=([redis]=error [grabkv]=error)
    for side in redis grabkv; do
      if [[ ${ok[$side]} -eq 1 ]]; then
        # shellcheck disable=SC2086  # word splitting of the value lists is intended
        rps_med[$side]="$(median ${rps_vals[$side]})"
        # shellcheck disable=SC2086
        us_med[$side]="$(median_dec ${us_vals[$side]})"
        # shellcheck disable=SC2086
        busy_med[$side]="$(median ${busy_vals[$side]})"
      else
        failed=1
      fi
    done
    ratio="n/a"; cpu_ratio="n/a"
    if [[ ${ok[redis]} -eq 1 && ${ok[grabkv]} -eq 1 ]]; then
      ratio="$(awk -v g="${rps_med[grabkv]}" -v r="${rps_med[redis]}" \
        'BEGIN { printf "%.2f", (r > 0 ? g / r : 0) }')"
      cpu_ratio="$(awk -v g="${us_med[grabkv]}" -v r="${us_med[redis]}" \
        'BEGIN { printf "%.2f", (g > 0 ? r / g : 0) }')"
    fi
    rows+=("| $name | $depth | ${rps_med[redis]} | ${rps_med[grabkv]} | $ratio |\
 ${us_med[redis]} | ${us_med[grabkv]} | $cpu_ratio | ${busy_med[redis]} / ${busy_med[grabkv]} |")
    unset rps_vals us_vals busy_vals ok rps_med us_med busy_med
  done
done

# ---------------------------------------------------------------- report
cpu_model="$(grep -m1 -E '^(model name|Model|cpu model)[[:space:]]*:' /proc/cpuinfo 2>/dev/null \
  | cut -d: -f2- | sed 's/^[[:space:]]*//' || true)"
[[ -n "$cpu_model" ]] || cpu_model="unknown"
redis_version="$("$redis_bin" --version 2>/dev/null | head -n 1 || echo unknown)"

report() {
  echo "| test | pipeline | redis rps | grabkv rps | ratio grabkv/redis |" \
    "redis CPU µs/req | grabkv CPU µs/req | CPU ratio redis/grabkv | client busy % (redis / grabkv run) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC'); nproc $(nproc); CPU: ${cpu_model};" \
    "${redis_version}; grabkv: ${grabkv_bin}; -c ${clients} -n ${requests} -r ${keyspace}," \
    "median of ${rounds} alternating rounds; command: \`${COMMAND_LINE% }\`"
}

report
if [[ -n "$out_file" ]]; then
  report >"$out_file"
  echo "side_by_side: table written to $out_file" >&2
fi
exit "$failed"
