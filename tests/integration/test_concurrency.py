"""Optimistic-locking workloads from DESIGN.md under real concurrency.

  * flash sale: stock 100, 300 redis-py threads each loop
    WATCH/GET/MULTI/SET/EXEC until they win or see 0: exactly 100 winners,
    the count ends at 0 and is never read negative;
  * red envelopes: 500 members in a sorted set, 800 threads grab with
    WATCH/ZCARD/MULTI/ZPOPMIN/EXEC: every member grabbed exactly once.

Each workload runs against grabkv and, as a control, against real
redis-server (the same assertions must hold there). No timing is asserted.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import redis  # noqa: E402  (Debian python3-redis, /usr/bin/python3)


def flash_sale(port, stock=100, buyers=300):
    pool = redis.BlockingConnectionPool(host=harness.HOST, port=port,
                                        max_connections=buyers, timeout=30)
    r = redis.Redis(connection_pool=pool)
    r.set("count", stock)
    negative = []
    retries = [0]
    lock = threading.Lock()

    def buyer(i):
        with r.pipeline() as p:
            while True:
                try:
                    p.watch("count")
                    n = int(p.get("count"))
                    if n < 0:
                        negative.append(n)
                    if n <= 0:
                        p.unwatch()
                        return False
                    p.multi()
                    p.set("count", n - 1)
                    p.execute()
                    return True
                except redis.WatchError:
                    with lock:
                        retries[0] += 1
                    continue

    results, errors = harness.run_threads(buyers, buyer, 120)
    final = int(r.get("count"))
    pool.disconnect()
    return sum(1 for x in results if x), final, negative, errors, retries[0]


def red_envelopes(port, members=500, grabbers=800):
    pool = redis.BlockingConnectionPool(host=harness.HOST, port=port,
                                        max_connections=grabbers, timeout=30)
    r = redis.Redis(connection_pool=pool)
    r.delete("envelopes")
    r.zadd("envelopes", {"share:%d" % i: i for i in range(members)})

    def grabber(i):
        got = []
        with r.pipeline() as p:
            while True:
                try:
                    p.watch("envelopes")
                    if p.zcard("envelopes") == 0:
                        p.unwatch()
                        return got
                    p.multi()
                    p.zpopmin("envelopes")
                    res = p.execute()
                    got.extend(m.decode() for m, _ in res[0])
                    if len(got) >= 1:
                        return got
                except redis.WatchError:
                    continue

    results, errors = harness.run_threads(grabbers, grabber, 120)
    left = r.zcard("envelopes")
    pool.disconnect()
    grabbed = [m for lst in results if lst for m in lst]
    return grabbed, left, errors


def main():
    args, rep = harness.begin(__doc__, 400)
    try:
        for name, srv in harness.each_server(args, extra_args=["--maxclients", "2000"]):
            winners, final, negative, errors, retries = flash_sale(srv.port)
            rep.check("%s flash sale: no thread errors" % name, not errors,
                      "; ".join(errors[:5]))
            rep.check("%s flash sale: exactly 100 winners" % name, winners == 100,
                      "winners=%d" % winners)
            rep.check("%s flash sale: count ends at 0" % name, final == 0,
                      "count=%d" % final)
            rep.check("%s flash sale: never read negative" % name, not negative,
                      repr(negative[:5]))
            if args.verbose:
                print("%s flash sale: %d failed EXECs" % (name, retries))

            grabbed, left, errors = red_envelopes(srv.port)
            rep.check("%s red envelopes: no thread errors" % name, not errors,
                      "; ".join(errors[:5]))
            rep.check("%s red envelopes: all 500 grabbed" % name,
                      len(grabbed) == 500 and left == 0,
                      "grabbed=%d left=%d" % (len(grabbed), left))
            rep.check("%s red envelopes: each exactly once" % name,
                      sorted(grabbed) == sorted("share:%d" % i for i in range(500)),
                      "duplicates=%d" % (len(grabbed) - len(set(grabbed))))
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
