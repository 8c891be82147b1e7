#!/usr/bin/python3
"""SLOWLOG and LATENCY against a real redis-server: the same scenario runs on
both servers, and what depends on timing (ids are compared relative to the
first, timestamps, durations, client ports, latencies) is taken out or
checked for its form before comparing.

  /usr/bin/python3 test_slowlog.py --server build/server/grabkv-server
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerProcess  # noqa: E402

# A script that keeps the server busy for some milliseconds on either server.
BUSY = "local i = 0 while i < %d do i = i + 1 end return 1"

# LATENCY HISTOGRAM's bucket labels: Redis reports the highest value (in µs)
# equivalent, at 2 significant digits, to 1024 ns * 2^k.
def histogram_levels():
    out = set()
    for k in range(0, 21):
        v = 1024 << k
        if v < 256:
            hi = v
        else:
            shift = v.bit_length() - 8
            hi = ((v >> shift) << shift) + (1 << shift) - 1
        out.add(hi // 1000)
    return out


LEVELS = histogram_levels()


def cmd(conn, *args):
    return conn.command(*args).to_py()


def pairs(flat):
    """A RESP2 map (flat key/value array) as a dict, keeping the order."""
    return {flat[i]: flat[i + 1] for i in range(0, len(flat), 2)}


def slowlog_entries(conn):
    """SLOWLOG GET -1 with id made relative, time/duration dropped and the
    client's port replaced."""
    entries = cmd(conn, "SLOWLOG", "GET", "-1")
    if not entries:
        return []
    base = entries[-1][0]
    out = []
    for e in entries:
        addr = e[4].decode()
        if addr.startswith("127.0.0.1:"):
            addr = "127.0.0.1:PORT"
        out.append((e[0] - base, [a.decode() for a in e[3]], addr, e[5].decode()))
    return out


def observe(binary, busy_loops):
    seen = {}
    with ServerProcess(binary) as srv:
        c = srv.connect()
        other = srv.connect()
        # --- SLOWLOG: what is logged and how arguments are cut
        cmd(c, "CONFIG", "SET", "slowlog-log-slower-than", "0")
        cmd(c, "SLOWLOG", "RESET")
        cmd(c, "CLIENT", "SETNAME", "me")
        cmd(c, "SET", "short", "v")
        cmd(c, "SET", "long", "x" * 200)
        cmd(c, "SET", "exact", "y" * 128)
        cmd(c, "RPUSH", "l", *[str(i) for i in range(40)])
        cmd(c, "RPUSH", "l", *[str(i) for i in range(30)])  # exactly 32 arguments
        cmd(c, "RPUSH", "l", *[str(i) for i in range(31)])  # 33: one cut
        cmd(c, "MULTI")
        cmd(c, "SET", "a", "1")
        cmd(c, "GET", "a")
        cmd(c, "EXEC")
        cmd(c, "EVAL", "return redis.call('get', KEYS[1])", "1", "a")
        cmd(other, "GET", "a")  # another client, no name
        # A blocked command is logged when it is served, not when it times out.
        cmd(other, "BLPOP", "timesout", "0.1")
        other.send_command("BLPOP", "served", "5")
        time.sleep(0.2)
        cmd(c, "RPUSH", "served", "x")
        other.read_reply()
        # Passwords never reach the log.
        cmd(c, "AUTH", "secret")
        cmd(c, "AUTH", "user", "secret")
        cmd(c, "AUTH", "a", "b", "c")
        cmd(c, "HELLO", "2", "AUTH", "default", "secret", "SETNAME", "me")
        cmd(c, "CONFIG", "SET", "requirepass", "secret", "maxmemory", "0")
        cmd(c, "AUTH", "secret")
        cmd(c, "CONFIG", "SET", "requirepass", "")
        cmd(c, "NOSUCHCOMMAND")  # rejected before running: not logged
        cmd(c, "GET")  # arity error: not logged
        seen["slowlog entries"] = slowlog_entries(c)
        seen["slowlog len"] = cmd(c, "SLOWLOG", "LEN")
        seen["slowlog get 2 count"] = len(cmd(c, "SLOWLOG", "GET", "2"))
        seen["slowlog get default count"] = len(cmd(c, "SLOWLOG", "GET"))
        e = cmd(c, "SLOWLOG", "GET", "1")[0]
        seen["entry form"] = [type(x).__name__ for x in e]
        now = int(time.time())
        seen["entry timestamp is now"] = abs(e[1] - now) <= 2
        seen["entry duration >= 0"] = e[2] >= 0
        # --- threshold: a fast command is left out at the default 10 ms,
        # a busy script is not
        cmd(c, "CONFIG", "SET", "slowlog-log-slower-than", "10000")
        cmd(c, "SLOWLOG", "RESET")
        cmd(c, "SET", "fast", "1")
        cmd(c, "EVAL", BUSY % busy_loops, "0")
        seen["threshold entries"] = [x[1] for x in slowlog_entries(c)]
        slow = cmd(c, "SLOWLOG", "GET", "1")[0]
        seen["slow entry duration >= 10ms"] = slow[2] >= 10000
        cmd(c, "CONFIG", "SET", "slowlog-log-slower-than", "10000")

        # --- LATENCY monitor
        cmd(c, "LATENCY", "RESET")
        cmd(c, "CONFIG", "SET", "latency-monitor-threshold", "5")
        cmd(c, "SET", "fast", "1")
        seen["latest before"] = cmd(c, "LATENCY", "LATEST")
        cmd(c, "EVAL", BUSY % busy_loops, "0")
        latest = cmd(c, "LATENCY", "LATEST")
        seen["latest events"] = [x[0] for x in latest]
        seen["latest form"] = [[type(v).__name__ for v in x] for x in latest]
        seen["latest >= threshold"] = all(x[2] >= 5 and x[3] >= x[2] for x in latest)
        seen["latest time is now"] = all(abs(x[1] - int(time.time())) <= 2 for x in latest)
        hist = cmd(c, "LATENCY", "HISTORY", "command")
        seen["history length"] = len(hist)
        time.sleep(1.1)
        cmd(c, "EVAL", BUSY % busy_loops, "0")
        seen["history length after"] = len(cmd(c, "LATENCY", "HISTORY", "command"))
        graph = cmd(c, "LATENCY", "GRAPH", "command").decode()
        lines = graph.split("\n")
        seen["graph header"] = bool(re.match(
            r"^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)$", lines[0]))
        seen["graph rule"] = lines[1]
        seen["graph lines"] = len(lines)
        seen["graph columns"] = [len(x) for x in lines[2:-1]]
        # Labels: how long ago each sample was ("1s", "0s"), written downwards.
        seen["graph labels"] = all(re.fullmatch(r"[0-9smhd]+", x) for x in lines[7:-1])
        doctor = cmd(c, "LATENCY", "DOCTOR").decode()
        seen["doctor"] = re.sub(r"\d+(\.\d+)?", "N", doctor)
        seen["reset"] = cmd(c, "LATENCY", "RESET", "command", "nosuch")
        seen["latest after reset"] = cmd(c, "LATENCY", "LATEST")
        cmd(c, "CONFIG", "SET", "latency-monitor-threshold", "0")

        # --- per-command histograms
        cmd(c, "CONFIG", "RESETSTAT")
        for i in range(50):
            cmd(c, "SET", "k%d" % i, "v")
        cmd(c, "EVAL", BUSY % (busy_loops // 8), "0")
        h = pairs(cmd(c, "LATENCY", "HISTOGRAM", "set", "eval", "get"))
        h = {k: {f: (pairs(x) if f == b"histogram_usec" else x) for f, x in pairs(v).items()}
             for k, v in h.items()}
        seen["histogram commands"] = sorted(h.keys())
        seen["histogram calls"] = {k: v[b"calls"] for k, v in h.items()}
        levels = set()
        ok = True
        for v in h.values():
            counts = list(v[b"histogram_usec"].items())
            levels.update(us for us, _ in counts)
            ok = ok and [n for _, n in counts] == sorted(n for _, n in counts)
            ok = ok and counts[-1][1] == v[b"calls"]
        seen["histogram cumulative"] = ok
        seen["histogram levels are Redis's"] = levels <= LEVELS
        info = cmd(c, "INFO", "latencystats").decode()
        m = re.search(r"latency_percentiles_usec_set:p50=([\d.]+),p99=([\d.]+),p99\.9=([\d.]+)", info)
        seen["latencystats set line"] = m is not None
        if m:
            # Each is an HdrHistogram value (2 significant digits, in ns) / 1000.
            vals = [round(float(x) * 1000) for x in m.groups()]
            seen["latencystats values ordered"] = vals == sorted(vals)
            seen["latencystats precision"] = all(
                v < 256 or ((v + 1) % (1 << (v.bit_length() - 8)) == 0) for v in vals)
        seen["latencystats commands"] = sorted(re.findall(r"latency_percentiles_usec_([^:]+):", info))
    return seen


def main():
    args, rep = harness.begin(__doc__, 120)
    try:
        # A loop long enough to take more than 10 ms on either server.
        loops = 3000000
        want = observe(args.redis, loops)
        got = observe(args.server, loops)
        rep.check_same("slowlog/latency", got, want)
        rep.check("slowlog/latency: redis's histogram levels", want["histogram levels are Redis's"])
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
