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

# parse_options "$@": the side-by-side scripts' common options, into the
# variables of the same name (set their defaults first): --grabkv PATH,
# --requests N, --clients C, --rounds R, --dir DIR (into base).
parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --grabkv) grabkv=$2; shift 2 ;;
      --requests) requests=$2; shift 2 ;;
      --clients) clients=$2; shift 2 ;;
      --rounds) rounds=$2; shift 2 ;;
      --dir) base=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
}

# The grab as a Redis user runs it today, in Lua (hget/lpop/hset): what
# GRAB.POP is measured against; and a script that fills KEYS[1] with a
# 1,000,000-item stock.
grab_script="local held = redis.call('hget', KEYS[2], ARGV[1]) if held then return held end local item = redis.call('lpop', KEYS[1]) if not item then return false end redis.call('hset', KEYS[2], ARGV[1], item) return item"
fill_script="for i = 1, 1000000 do redis.call('rpush', KEYS[1], 'item:' .. i) end return 1"
