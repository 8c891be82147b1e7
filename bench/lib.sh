# Shell helpers shared by the side-by-side scripts (sourced, not run).

# A free TCP port on 127.0.0.1 (the kernel's choice).
free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# Waits (up to 10 s) until the server on port $1 answers PING.
wait_ready() {
  for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# The median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Starts /usr/bin/redis-server and grabkv ($1) without persistence on free ports, working
# directory and logs in $2; sets rport, gport, rpid, gpid and adds the pids to the array
# `pids` (the caller's EXIT trap kills them). Waits until both answer PING.
start_pair() {
  local grabkv=$1 dir=$2
  rport=$(free_port); gport=$(free_port)
  (cd "$dir" && exec /usr/bin/redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$dir/redis.log" 2>&1) &
  rpid=$!
  (cd "$dir" && exec "$grabkv" --port "$gport" --bind 127.0.0.1 --save '' --appendonly no >"$dir/grabkv.log" 2>&1) &
  gpid=$!
  pids+=("$rpid" "$gpid")
  wait_ready "$rport" || true
  wait_ready "$gport" || true
}

# parse_options "$@": the side-by-side scripts' common options, into the
# variables of the same name (set their defaults first): --grabkv PATH,
# --requests N, --clients C, --rounds R, --dir DIR (into base); any other
# option NAME VALUE goes to the script's extra_option, if it has one.
parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --grabkv) grabkv=$2; shift 2 ;;
      --requests) requests=$2; shift 2 ;;
      --clients) clients=$2; shift 2 ;;
      --rounds) rounds=$2; shift 2 ;;
      --dir) base=$2; shift 2 ;;
      *)
        # A script's own options: its extra_option NAME VALUE returns 0 when it took them.
        if declare -F extra_option >/dev/null && extra_option "$1" "${2-}"; then
          shift 2
        else
          echo "unknown option $1" >&2
          exit 2
        fi ;;
    esac
  done
}

# The grab as a Redis user runs it today, in Lua (hget/lpop/hset): what
# GRAB.POP is measured against; and a script that fills KEYS[1] with a
# 1,000,000-item stock.
grab_script="local held = redis.call('hget', KEYS[2], ARGV[1]) if held then return held end local item = redis.call('lpop', KEYS[1]) if not item then return false end redis.call('hset', KEYS[2], ARGV[1], item) return item"
fill_script="for i = 1, 1000000 do redis.call('rpush', KEYS[1], 'item:' .. i) end return 1"
