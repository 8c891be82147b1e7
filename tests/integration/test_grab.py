"""GRAB.* under real concurrency (issue 6).

  * 1,000 concurrent connections grab from 10,000 items for 20,000 distinct
    users; some users' connections are deliberately dropped right after the
    command is sent (the reply is never read) and the user retries on a new
    connection. Every item is issued exactly once, no user holds two items,
    every retry returns the user's own item, LLEN stock + HLEN claims stays
    10,000 throughout (sampled atomically with MULTI/EXEC), and the outbox
    has exactly one entry per issued item.
  * GRAB.TAKE by 500 contending connections never drives the counter below
    zero, and the units claimed add up to what left the counter.
"""

import json
import os
import random
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ITEMS = 10000
USERS = 20000
CONNS = 1000


def grab_pop_scenario(srv, rep):
    admin = srv.connect()
    for start in range(0, ITEMS, 1000):
        admin.command("RPUSH", "stock", *["item:%05d" % i for i in range(start, start + 1000)])
    results = {}          # user -> item (bytes) or None
    retried = {}          # user -> item seen on the retry
    errors = []
    lock = threading.Lock()
    stop = threading.Event()
    invariant_bad = []

    def monitor():
        m = srv.connect()
        while not stop.is_set():
            m.send_command("MULTI")
            m.read_reply()
            m.command("LLEN", "stock")
            m.command("HLEN", "claims")
            r = m.command("EXEC")
            total = sum(x.value for x in r.value)
            if total != ITEMS:
                invariant_bad.append(total)
        m.close()

    def worker(idx):
        rnd = random.Random(idx)
        users = ["user:%05d" % u for u in range(idx, USERS, CONNS)]
        conn = srv.connect(timeout=30)
        try:
            for user in users:
                if rnd.random() < 0.1:
                    # Drop the connection with the grab in flight, then retry.
                    conn.send_command("GRAB.POP", "stock", "claims", user, "OUTBOX", "outbox")
                    conn.close()
                    conn = srv.connect(timeout=30)
                    r = conn.command("GRAB.POP", "stock", "claims", user, "OUTBOX", "outbox")
                    again = conn.command("GRAB.POP", "stock", "claims", user, "OUTBOX", "outbox")
                    with lock:
                        retried[user] = (r.value, again.value)
                else:
                    r = conn.command("GRAB.POP", "stock", "claims", user, "OUTBOX", "outbox")
                if r.is_error():
                    raise RuntimeError(r.raw)
                with lock:
                    results[user] = r.value
        except Exception as e:
            errors.append("%d: %r" % (idx, e))
        finally:
            conn.close()

    mon = threading.Thread(target=monitor)
    mon.start()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    stop.set()
    mon.join(10)

    rep.check("grab.pop: no worker errors", not errors, "; ".join(errors[:3]))
    claims_raw = admin.command("HGETALL", "claims").value or []
    claims = {claims_raw[i].value: claims_raw[i + 1].value for i in range(0, len(claims_raw), 2)}
    items = list(claims.values())
    rep.check("grab.pop: 10,000 items issued", len(claims) == ITEMS, "claims=%d" % len(claims))
    rep.check("grab.pop: every item issued exactly once", len(set(items)) == len(items) == ITEMS,
              "distinct=%d" % len(set(items)))
    rep.check("grab.pop: stock empty", admin.command("LLEN", "stock").value == 0)
    got = {u.encode(): v for u, v in results.items() if v is not None}
    rep.check("grab.pop: every reply matches the user's claim",
              all(claims.get(u) == v for u, v in got.items()) and len(got) == ITEMS,
              "replies with items=%d" % len(got))
    rep.check("grab.pop: retries return the user's own item",
              all(a == b and (a is None or claims.get(u.encode()) == a)
                  for u, (a, b) in retried.items()),
              "retried=%d" % len(retried))
    rep.check("grab.pop: LLEN stock + HLEN claims constant", not invariant_bad,
              "bad samples: %r" % invariant_bad[:5])
    outbox = [json.loads(x.value) for x in admin.command("LRANGE", "outbox", 0, -1).value]
    rep.check("grab.pop: one outbox entry per issued item",
              len(outbox) == ITEMS and
              {(e["user"].encode(), e["item"].encode()) for e in outbox} == set(claims.items()),
              "outbox=%d" % len(outbox))
    info = admin.command("INFO", "grab").value or b""
    rep.check("grab.pop: INFO grab counts issues", b"grab_issued:%d" % ITEMS in info, info[:200])
    admin.close()


def grab_take_scenario(srv, rep):
    admin = srv.connect()
    admin.command("SET", "count", 1000)
    negative = []
    errors = []

    def worker(idx):
        rnd = random.Random(idx)
        conn = srv.connect(timeout=30)
        try:
            for k in range(4):
                n = rnd.randint(1, 3)
                r = conn.command("GRAB.TAKE", "count", "takers", "u%d:%d" % (idx, k), "COUNT", n)
                if r.is_error():
                    raise RuntimeError(r.raw)
                c = conn.command("GET", "count")
                if int(c.value) < 0:
                    negative.append(int(c.value))
        except Exception as e:
            errors.append("%d: %r" % (idx, e))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    final = int(admin.command("GET", "count").value)
    taken_raw = admin.command("HVALS", "takers").value or []
    taken = sum(int(x.value) for x in taken_raw)
    rep.check("grab.take: no worker errors", not errors, "; ".join(errors[:3]))
    rep.check("grab.take: counter never negative", not negative and final >= 0,
              "final=%d negative=%r" % (final, negative[:3]))
    rep.check("grab.take: units claimed == units that left the counter", taken == 1000 - final,
              "taken=%d final=%d" % (taken, final))
    admin.close()


def main():
    args, rep = harness.begin(__doc__, 500)
    if harness.is_real_redis(args.server):
        rep.skip("GRAB.*", "grabkv-only commands")
        print("0 passed, 0 failed")
        return 0
    try:
        with harness.ServerProcess(args.server, name="grabkv",
                                   extra_args=["--maxclients", "3000"]) as srv:
            grab_pop_scenario(srv, rep)
            grab_take_scenario(srv, rep)
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
