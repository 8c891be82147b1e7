#!/usr/bin/python3
"""RDB snapshots, grabkv against real Redis 7.0, side by side (issue 17).

Both servers get the same data set of N keys of mixed types (a Lua loop:
40% strings (ints and 20-120 byte values), 15% lists of 8 elements, 15%
small hashes, 15% small sets of integers, 15% small sorted sets; one key in
ten with a TTL), then: SAVE wall time, dump.rdb size, and the load time at
the next start (from exec to the first PONG), each the median of R rounds.

  /usr/bin/python3 bench/rdb.py [--grabkv PATH] [--keys N] [--rounds R]
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
import redis  # noqa: E402

FILL = """
local n = tonumber(ARGV[1]); local base = tonumber(ARGV[2])
for i = base, base + n - 1 do
  local k = 'k:' .. i; local t = i % 20
  if t < 4 then redis.call('set', k, i)
  elseif t < 8 then redis.call('set', k, string.rep('v', 20 + (i % 100)))
  elseif t < 11 then redis.call('rpush', k, 'a', 'b', i, 'dd', 'eee', i + 1, 'ffff', 'g')
  elseif t < 14 then redis.call('hset', k, 'f1', i, 'f2', 'value-' .. i, 'f3', 'x')
  elseif t < 17 then redis.call('sadd', k, i, i + 1, i + 2, i + 3)
  else redis.call('zadd', k, 1, 'a' .. i, 2.5, 'b', i, 'c') end
  if i % 10 == 0 then redis.call('expire', k, 100000) end
end
return n
"""


def fill(port, n):
    r = redis.Redis(host=harness.HOST, port=port, socket_timeout=600)
    step = 100000
    for base in range(0, n, step):
        r.eval(FILL, 0, min(step, n - base), base)
    assert r.dbsize() == n
    r.close()


def measure(binary, n, rounds):
    saves, sizes, loads = [], [], []
    for _ in range(rounds):
        s = harness.ServerProcess(binary)
        s.start(timeout=120)
        try:
            fill(s.port, n)
            r = redis.Redis(host=harness.HOST, port=s.port, socket_timeout=600)
            t0 = time.perf_counter()
            r.save()
            saves.append(time.perf_counter() - t0)
            sizes.append(os.path.getsize(os.path.join(s.tmpdir, "dump.rdb")))
            r.close()
            s.stop(remove=False)
            t0 = time.perf_counter()
            s.start(timeout=600)
            loads.append(time.perf_counter() - t0)
            r = redis.Redis(host=harness.HOST, port=s.port)
            assert r.dbsize() == n, r.dbsize()
            r.close()
        finally:
            s.stop()
    return statistics.median(saves), statistics.median(sizes), statistics.median(loads)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--grabkv", default=os.path.join(HERE, "..", "build", "server", "grabkv-server"))
    p.add_argument("--redis", default=harness.DEFAULT_REDIS)
    p.add_argument("--keys", type=int, default=1000000)
    p.add_argument("--rounds", type=int, default=1)
    a = p.parse_args()
    res = {}
    for name, binary in (("redis", a.redis), ("grabkv", os.path.abspath(a.grabkv))):
        res[name] = measure(binary, a.keys, a.rounds)
    print("%d keys, %d round(s), medians" % (a.keys, a.rounds))
    print("%-8s %10s %14s %10s" % ("server", "SAVE s", "dump.rdb bytes", "load s"))
    for name, (sv, sz, ld) in res.items():
        print("%-8s %10.3f %14d %10.3f" % (name, sv, sz, ld))
    g, r = res["grabkv"], res["redis"]
    print("grabkv/redis: SAVE %.2fx, size %.2fx, load %.2fx" % (g[0] / r[0], g[1] / r[1], g[2] / r[2]))


if __name__ == "__main__":
    sys.exit(main())
