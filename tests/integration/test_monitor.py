#!/usr/bin/python3
"""MONITOR and CLIENT PAUSE over TCP, on grabkv and on real Redis 7.0 alike:

  - `redis-cli monitor` prints another client's commands in Redis's line
    format (time, [db addr], quoted arguments);
  - a monitor that stops reading is disconnected at the normal client
    output buffer limit (it is a normal client) while the others go on;
  - CLIENT PAUSE WRITE holds a writer (no reply) until CLIENT UNPAUSE while
    readers on other connections are served; its command then runs;
  - CLIENT PAUSE ALL holds every command until the pause times out;
  - a Unix socket client's commands show as [db unix:/path].

  /usr/bin/python3 test_monitor.py --server build/server/grabkv-server
"""

import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ReplyTimeout  # noqa: E402

LINE = re.compile(rb'^\d+\.\d{6} \[0 127\.0\.0\.1:(\d+)\] "SET" "mk" "a b\\n"$')


def no_reply(conn, secs):
    try:
        r = conn.read_reply(timeout=secs)
        return "got %r" % (r.raw,)
    except ReplyTimeout:
        return None


def redis_cli_monitor(args, srv, rep, name):
    cli = subprocess.Popen([args.redis_cli, "-p", str(srv.port), "monitor"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = cli.stdout.readline().rstrip(b"\n")
        rep.check("%s: redis-cli monitor starts with OK" % name, first == b"OK", repr(first))
        c = srv.connect()
        c.command("SET", "mk", "a b\n")
        port = c.sock.getsockname()[1]
        line = cli.stdout.readline().rstrip(b"\n")
        m = LINE.match(line)
        rep.check("%s: redis-cli monitor shows the other client's SET" % name,
                  m is not None and int(m.group(1)) == port, repr(line))
        c.close()
    finally:
        cli.kill()
        cli.wait()


def monitor_output_limit(srv, rep, name):
    c = srv.connect()
    c.command("CONFIG", "SET", "client-output-buffer-limit", "normal 262144 0 0")
    mon = socket.create_connection((harness.HOST, srv.port))
    mon.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    mon.sendall(harness.encode_command(["MONITOR"]))
    time.sleep(0.2)
    listed = c.command("CLIENT", "LIST").value
    rep.check("%s: the monitor shows flags=O" % name, b" flags=O " in listed, listed)
    big = "v" * 4096
    for i in range(2000):  # ~8 MB of monitor lines against a 256 KB limit
        c.send_command("SET", "k%d" % (i % 10), big)
    for i in range(2000):
        c.read_reply()
    time.sleep(0.3)
    listed = c.command("CLIENT", "LIST").value
    rep.check("%s: a monitor that stops reading is disconnected at the limit" % name,
              b" flags=O " not in listed, listed)
    rep.check("%s: other clients keep working" % name, c.command("PING").raw == b"+PONG\r\n")
    c.command("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0")
    mon.close()
    c.close()


def pause_write(srv, rep, name):
    ctl, writer, reader = srv.connect(), srv.connect(), srv.connect()
    ctl.command("SET", "k", "old")
    rep.check("%s: CLIENT PAUSE WRITE" % name,
              ctl.command("CLIENT", "PAUSE", "100000", "WRITE").raw == b"+OK\r\n")
    writer.send_command("SET", "k", "new")
    err = no_reply(writer, 0.3)
    rep.check("%s: the writer is held" % name, err is None, err)
    ok = all(reader.command("GET", "k").value == b"old" for _ in range(50))
    rep.check("%s: readers are served meanwhile" % name, ok)
    listed = reader.command("CLIENT", "LIST").value
    rep.check("%s: the held client shows flags=b cmd=set" % name,
              re.search(rb"flags=b .*cmd=set ", listed) is not None, listed)
    ctl.command("CLIENT", "UNPAUSE")
    r = writer.read_reply(timeout=2)
    rep.check("%s: the writer's command runs after UNPAUSE" % name, r.raw == b"+OK\r\n", r.raw)
    rep.check("%s: its write is visible" % name, reader.command("GET", "k").value == b"new")
    for x in (ctl, writer, reader):
        x.close()


def pause_all_timeout(srv, rep, name):
    ctl, other = srv.connect(), srv.connect()
    t0 = time.time()
    ctl.command("CLIENT", "PAUSE", "400", "ALL")
    other.send_command("PING")
    r = other.read_reply(timeout=3)
    took = time.time() - t0
    rep.check("%s: PAUSE ALL holds PING until the timeout" % name,
              r.raw == b"+PONG\r\n" and 0.35 <= took < 2.0, "%r after %.2fs" % (r.raw, took))
    ctl.close()
    other.close()


def unix_socket_monitor(srv, path, rep, name):
    mon = srv.connect()
    mon.command("MONITOR")
    u = socket.socket(socket.AF_UNIX)
    u.connect(path)
    u.sendall(harness.encode_command(["SET", "u", "1"]))
    u.recv(100)
    r = mon.read_reply(timeout=2)
    want = '[0 unix:%s] "SET" "u" "1"' % path
    rep.check("%s: a Unix socket client shows as [db unix:path]" % name,
              r.value is not None and r.value.decode().split(" ", 1)[1] == want, repr(r.raw))
    u.close()
    mon.close()


def scenario(args, binary, name, rep):
    path = "/tmp/grabkv-monitor-test-%d-%s.sock" % (os.getpid(), name)
    with harness.ServerProcess(binary, extra_args=["--unixsocket", path], name=name) as srv:
        unix_socket_monitor(srv, path, rep, name)
        redis_cli_monitor(args, srv, rep, name)
        monitor_output_limit(srv, rep, name)
        pause_write(srv, rep, name)
        pause_all_timeout(srv, rep, name)


def main():
    args, rep = harness.begin(__doc__, 120)
    try:
        scenario(args, args.server, "grabkv", rep)
        scenario(args, args.redis, "redis", rep)
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
