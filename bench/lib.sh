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
