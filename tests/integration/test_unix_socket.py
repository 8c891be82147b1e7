#!/usr/bin/python3
"""Unix domain sockets (`unixsocket`, `unixsocketperm`) next to TCP, checked
against a real redis-server started the same way: redis-cli -s and redis-py
over the socket, CLIENT INFO's addr/laddr/flags=U, the file's mode, CONFIG
GET, the immutable-config error, and the file removed at SHUTDOWN.

  /usr/bin/python3 test_unix_socket.py --server build/server/grabkv-server
"""

import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerProcess  # noqa: E402

import redis  # noqa: E402  (Debian's python3-redis)


def cli(args, path, redis_cli):
    p = subprocess.run([redis_cli, "-s", path] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=10)
    return p.stdout.decode()


def observe(binary, redis_cli, sock_dir):
    """Runs the scenario on one server; returns what it saw, with the
    socket path replaced by SOCK so both servers compare."""
    path = os.path.join(sock_dir, "s.sock")
    # A stale file from an earlier run must not stop the start.
    open(path, "w").close()
    seen = {}
    with ServerProcess(binary, extra_args=["--unixsocket", path, "--unixsocketperm", "700"]) as srv:
        mode = os.stat(path).st_mode
        seen["is socket"] = stat.S_ISSOCK(mode)
        seen["mode"] = oct(stat.S_IMODE(mode))
        seen["cli ping"] = cli(["PING"], path, redis_cli)
        seen["cli set/get"] = cli(["SET", "coupon:1", "C-1"], path, redis_cli) + \
            cli(["GET", "coupon:1"], path, redis_cli)
        info = cli(["CLIENT", "INFO"], path, redis_cli)
        fields = dict(f.split("=", 1) for f in info.split() if "=" in f)
        seen["client info"] = {k: fields.get(k, "").replace(path, "SOCK")
                               for k in ("addr", "laddr", "flags")}
        # One name a call: a glob's reply order is Redis's (seeded) hash order.
        seen["config get"] = (cli(["CONFIG", "GET", "unixsocket"], path, redis_cli) +
                              cli(["CONFIG", "GET", "unixsocketperm"], path, redis_cli)).replace(path, "SOCK")
        seen["config set"] = cli(["CONFIG", "SET", "unixsocketperm", "777"], path, redis_cli)
        r = redis.Redis(unix_socket_path=path, socket_timeout=10)
        seen["redis-py"] = (r.incr("n"), r.incr("n"), r.get("coupon:1"))
        # TCP keeps working alongside, and sees the same data.
        t = redis.Redis(host=harness.HOST, port=srv.port, socket_timeout=10)
        seen["tcp get"] = t.get("n")
        seen["tcp client list has U"] = any(
            "flags=U" in line for line in t.execute_command("CLIENT", "LIST").decode().splitlines())
        r.close()
        try:
            t.shutdown(nosave=True)
        except redis.exceptions.ConnectionError:
            pass
        srv.proc.wait(timeout=10)
        seen["file removed at shutdown"] = not os.path.exists(path)
    return seen


def main():
    args, rep = harness.begin(__doc__, 120)
    try:
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            got = observe(args.server, args.redis_cli, d1)
            want = observe(args.redis, args.redis_cli, d2)
        rep.check_same("unix socket", got, want)
        rep.check("unix socket: flags=U", got["client info"]["flags"] == "U", repr(got["client info"]))
        rep.check("unix socket: mode 0700", got["mode"] == "0o700", got["mode"])
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
