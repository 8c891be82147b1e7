#!/usr/bin/python3
"""Keyspace notifications over TCP with redis-py: notify-keyspace-events set
at start, `expired` for a key nobody touches (active expiry) and for one a
read finds expired (lazy expiry), and the seed flow "refund an envelope when
it expires" (GRAB.SPLIT with a TTL, concurrent GRAB.POPs, two refund workers
listening for expired/del: every envelope refunded exactly its unclaimed
remainder, exactly once).

  /usr/bin/python3 test_notify.py --server build/server/grabkv-server
"""

import os
import random
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import eq  # noqa: E402

redis = harness.import_redis_py()  # None is reported as a failure in main()


def next_message(ps, timeout):
    """The next pmessage/message of a PubSub, or None after timeout seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = ps.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if m is not None:
            return m
    return None


# --------------------------------------------------------------------------

def t_config_at_start(mk):
    # The server was started with --notify-keyspace-events KEx.
    eq(mk().config_get("notify-keyspace-events"), {"notify-keyspace-events": "xKE"}, "CONFIG GET")


def t_active_expiry(mk):
    r = mk()
    r.execute_command("SELECT", 1)
    ps = mk().pubsub()
    ps.psubscribe("__keyspace@1__:*", "__keyevent@1__:expired")
    eq(next_message(ps, 0.5), None, "nothing before the write")
    r.set("ghost", "v", px=100)
    # Nobody reads or writes the key again: only the server's expiry cycle
    # can delete it.
    got = []
    deadline = time.time() + 5
    while len(got) < 2 and time.time() < deadline:
        m = next_message(ps, 0.2)
        if m is not None:
            got.append((m["channel"], m["data"]))
    eq(sorted(got), sorted([(b"__keyspace@1__:ghost", b"expired"),
                            (b"__keyevent@1__:expired", b"ghost")]), "active expiry events")
    eq(r.dbsize(), 0, "db 1 empty")
    ps.close()


def t_lazy_expiry(mk):
    r = mk()
    # Many long-lived volatile keys: the expiry cycle samples 20 keys per
    # database and round, so it is most unlikely to reach the one short-lived
    # key in the ~200 ms before the read below finds it expired.
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set("long:%d" % i, "x", ex=3600)
    pipe.execute()
    r.config_set("hz", 1)
    try:
        ps = mk().pubsub()
        ps.psubscribe("__keyevent@0__:expired")
        r.set("short", "v", px=50)
        time.sleep(0.2)
        eq(r.get("short"), None, "GET of the expired key")
        m = next_message(ps, 2)
        eq(m is not None and (m["channel"], m["data"]), (b"__keyevent@0__:expired", b"short"),
           "lazy expired event")
        eq(next_message(ps, 0.3), None, "one event only")
        ps.close()
    finally:
        r.config_set("hz", 10)


# --- seed flow: refund an envelope when it expires ---------------------------

# Atomic and idempotent: the shadow total goes with the refund, so a second
# worker (or a second event for the same envelope) finds nothing to refund.
REFUND = """
local total = redis.call('GETDEL', KEYS[1])
if not total then return false end
local claimed = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do claimed = claimed + tonumber(v) end
local remainder = tonumber(total) - claimed
redis.call('HSET', KEYS[3], ARGV[1], remainder)
redis.call('INCRBY', KEYS[4], remainder)
return remainder
"""


def refund_worker(mk, stop, done_by, lock, errors):
    try:
        r = mk()
        refund = r.register_script(REFUND)
        ps = mk().pubsub()
        ps.psubscribe("__keyevent@0__:expired", "__keyevent@0__:del")
        while not stop.is_set():
            m = next_message(ps, 0.1)
            if m is None or m["type"] != "pmessage":
                continue
            key = m["data"].decode()
            parts = key.split(":")
            if len(parts) != 2 or parts[0] != "env":
                continue  # only the stock lists: env:<id>
            n = parts[1]
            got = refund(keys=["env:%s:total" % n, "env:%s:claims" % n, "refunds", "wallet"],
                         args=[n])
            if got is not None:
                with lock:
                    done_by.setdefault(n, []).append((m["channel"].decode(), got))
        ps.close()
    except Exception:
        errors.append(traceback.format_exc(limit=3))


def t_refund_expired_envelopes(mk):
    r = mk()
    stop = threading.Event()
    done_by, lock, errors = {}, threading.Lock(), []
    workers = [threading.Thread(target=refund_worker, args=(mk, stop, done_by, lock, errors))
               for _ in range(2)]
    for w in workers:
        w.start()
    time.sleep(0.3)  # both workers subscribed
    rng = random.Random(14)
    envelopes = {}
    for n in range(35):
        total, count = rng.randint(100, 1000), rng.randint(1, 8)
        p = r.pipeline(transaction=True)
        p.execute_command("GRAB.SPLIT", "env:%d" % n, total, count, "SEED", n)
        p.pexpire("env:%d" % n, 1200 + 20 * n)
        p.set("env:%d:total" % n, total)  # the shadow key outlives the envelope
        shares = p.execute()[0]
        eq(sum(shares), total, "shares of env:%d" % n)
        envelopes[str(n)] = {"total": total, "count": count, "popped": []}
    # Users grab concurrently from the first 30: some envelopes are emptied
    # (their list is deleted: a "del" event), some partly grabbed; the last
    # five are never touched.
    targets = [str(n) for n in range(30)]
    plock = threading.Lock()

    def grabber(uid):
        c = mk()
        g = random.Random(uid)
        for n in g.sample(targets, 12):
            item = c.execute_command("GRAB.POP", "env:%s" % n, "env:%s:claims" % n,
                                     "user%d" % uid)
            if item is not None:
                with plock:
                    envelopes[n]["popped"].append((uid, int(item)))

    grabbers = [threading.Thread(target=grabber, args=(u,)) for u in range(12)]
    for g in grabbers:
        g.start()
    for g in grabbers:
        g.join()
    # Every envelope is settled once its list is gone and its shadow refunded.
    deadline = time.time() + 10
    while time.time() < deadline:
        if r.exists(*["env:%s:total" % n for n in envelopes]) == 0:
            break
        time.sleep(0.1)
    time.sleep(0.3)  # late duplicates would show up here
    stop.set()
    for w in workers:
        w.join()
    if errors:
        raise AssertionError("refund worker failed:\n" + errors[0])
    eq(sorted(done_by), sorted(envelopes), "every envelope refunded (none missed)")
    refunds = {k.decode(): int(v) for k, v in r.hgetall("refunds").items()}
    kinds = set()
    for n, env in envelopes.items():
        eq(len(done_by[n]), 1, "env:%s refunded once" % n)
        claimed = sum(v for _, v in env["popped"])
        want = env["total"] - claimed
        eq(refunds[n], want, "env:%s refund" % n)
        eq(done_by[n][0][1], want, "env:%s refund seen by the worker" % n)
        # The claims hash says the same as the replies the users got.
        held = {k.decode(): int(v) for k, v in r.hgetall("env:%s:claims" % n).items()}
        eq(held, {"user%d" % u: v for u, v in env["popped"]}, "env:%s claims" % n)
        emptied = len(env["popped"]) == env["count"]
        eq(done_by[n][0][0], "__keyevent@0__:del" if emptied else "__keyevent@0__:expired",
           "env:%s settled by" % n)
        kinds.add("emptied" if emptied else ("partial" if env["popped"] else "untouched"))
    eq(int(r.get("wallet")), sum(refunds.values()), "wallet")
    # The scenario covered all three kinds of envelope.
    eq(kinds, {"emptied", "partial", "untouched"}, "kinds of envelope")


CHECKS = [
    ("notify-keyspace-events at start", t_config_at_start),
    ("expired by active expiry", t_active_expiry),
    ("expired found on access", t_lazy_expiry),
    ("refund an envelope when it expires", t_refund_expired_envelopes),
]


def run_one(name, fn, sut, mk):
    mk().flushall()
    if name.startswith("refund"):
        # The workers hear expired (x) and del (g) events.
        mk().config_set("notify-keyspace-events", "Egx")
    fn(mk)


def main():
    return harness.redis_py_suite(__doc__.split("\n")[0], CHECKS, run_one,
                                  extra_args=["--notify-keyspace-events", "KEx"])


if __name__ == "__main__":
    sys.exit(main())
