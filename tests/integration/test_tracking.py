#!/usr/bin/python3
"""Client-side caching over TCP: redis-py (Debian's python3-redis 4.3,
RESP2 only) with CLIENT TRACKING redirected to a pub/sub connection, raw
RESP3 connections getting invalidation pushes after another client's
write (also under CLIENT REPLY OFF/SKIP), BCAST batching of a pipeline, many tracking clients at once, and the
tracking state freed when clients go away.

  /usr/bin/python3 test_tracking.py --server build/server/grabkv-server
  (--server /usr/bin/redis-server checks the expectations against Redis)
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import eq  # noqa: E402

redis = harness.import_redis_py()  # None is reported as a failure in main()


def info_field(r, section, name):
    return r.info(section)[name]


def resp3(sut):
    c = sut.connect()
    r = c.command("HELLO", "3")
    eq(r.kind, "%", "HELLO 3 reply")
    return c


def push(c, what):
    r = c.read_reply()
    eq(r.kind, ">", what + ": a push frame")
    return r.to_py()


def t_redis_py_redirect(sut, mk):
    """redis-py's client_tracking_on(clientid=...) with the invalidations on
    a PubSub connection subscribed to __redis__:invalidate (RESP2)."""
    r = mk()
    ps = r.pubsub()
    ps.subscribe("__redis__:invalidate")
    msg = ps.get_message(timeout=2)
    eq(msg["type"], "subscribe", "subscribe confirmation")
    # A subscribed RESP2 connection cannot run CLIENT ID: find it in CLIENT LIST.
    tracker = mk(single_connection_client=True)
    ids = [c["id"] for c in r.client_list() if c["cmd"] == "subscribe"]
    eq(len(ids), 1, "one subscribed connection")
    sub_id = int(ids[0])
    eq(tracker.client_tracking_on(clientid=sub_id), b"OK", "tracking on")
    eq(tracker.client_getredir(), sub_id, "getredir")
    info = tracker.client_trackinginfo()
    eq(info[1], [b"on"], "trackinginfo flags")
    eq(info[3], sub_id, "trackinginfo redirect")
    tracker.get("user:1")
    tracker.mget("user:2", "user:3")
    eq(info_field(r, "stats", "tracking_total_keys"), 3, "tracked keys")
    writer = mk()
    writer.set("user:2", "x")
    msg = ps.get_message(timeout=2)
    eq(msg and msg["type"], "message", "invalidation message")
    eq(msg["channel"], b"__redis__:invalidate", "channel")
    eq(msg["data"], [b"user:2"], "invalidated keys")
    writer.flushdb()
    msg = ps.get_message(timeout=2)
    eq(msg and msg["data"], None, "flush: null invalidation")
    eq(info_field(r, "stats", "tracking_total_keys"), 0, "flush empties the table")
    eq(tracker.client_tracking_off(), b"OK", "tracking off")
    eq(tracker.client_getredir(), -1, "getredir when off")
    ps.close()


def t_resp3_push_after_other_write(sut, mk):
    a = resp3(sut)
    eq(a.command("CLIENT", "TRACKING", "ON").raw, b"+OK\r\n", "tracking on")
    a.command("SET", "k", "v")
    eq(a.command("GET", "k").value, b"v", "get")
    w = mk()
    w.set("k", "v2")
    eq(push(a, "after SET"), [b"invalidate", [b"k"]], "push")
    # Forgotten after one invalidation until read again.
    w.set("k", "v3")
    eq(a.command("PING").raw, b"+PONG\r\n", "no second push")
    eq(a.command("GET", "k").value, b"v3", "read again")
    w.expire("k", 1)
    eq(push(a, "after EXPIRE"), [b"invalidate", [b"k"]], "push on expire")
    # Its own write: the reply first, then the push.
    a.command("GET", "k")
    eq(a.command("DEL", "k").raw, b":1\r\n", "own DEL reply")
    eq(push(a, "own DEL"), [b"invalidate", [b"k"]], "own push after reply")
    w.flushall()
    eq(push(a, "FLUSHALL"), [b"invalidate", None], "null on flush")
    a.close()


def t_reply_off_and_skip(sut, mk):
    """Under CLIENT REPLY OFF or SKIP the replies go, the invalidation pushes
    stay: another client's write and the client's own (Redis 7.0 sends them
    whatever the reply mode)."""
    a = resp3(sut)
    eq(a.command("CLIENT", "TRACKING", "ON").raw, b"+OK\r\n", "tracking on")
    a.command("GET", "k")
    a.send_command("CLIENT", "REPLY", "OFF")
    mk().set("k", "1")
    eq(push(a, "REPLY OFF, other client's SET"), [b"invalidate", [b"k"]], "push")
    a.send_command("GET", "k")
    a.send_command("SET", "k", "2")
    eq(push(a, "REPLY OFF, own SET"), [b"invalidate", [b"k"]], "own push")
    # SKIP while OFF changes nothing (Redis): the client stays silent.
    a.send_command("CLIENT", "REPLY", "SKIP")
    eq(a.command("CLIENT", "REPLY", "ON").raw, b"+OK\r\n", "reply on")
    eq(a.command("GET", "k").value, b"2", "get")
    a.send_command("CLIENT", "REPLY", "SKIP")
    a.send_command("SET", "k", "3")
    eq(push(a, "REPLY SKIP, own SET"), [b"invalidate", [b"k"]], "own push")
    eq(a.command("GET", "k").value, b"3", "replies again after the skipped one")
    eq(a.command("PING").raw, b"+PONG\r\n", "nothing else came")
    a.close()


def t_bcast_pipeline(sut, mk):
    a = resp3(sut)
    eq(a.command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "cart:").raw,
       b"+OK\r\n", "bcast on")
    w = mk()
    p = w.pipeline(transaction=False)
    for i in range(50):
        p.set("user:%02d" % (49 - i), i)
        p.set("other:%d" % i, i)
    p.set("cart:1", 1)
    p.execute()
    got = []
    while len(got) < 51:
        m = push(a, "bcast")
        eq(m[0], b"invalidate", "bcast push name")
        got += m[1]
    eq(sorted(got), sorted([b"user:%02d" % i for i in range(50)] + [b"cart:1"]), "bcast keys")
    eq(a.command("PING").raw, b"+PONG\r\n", "nothing more")
    a.close()


def t_many_clients(sut, mk):
    n = 20
    conns = [resp3(sut) for _ in range(n)]
    for i, c in enumerate(conns):
        c.command("CLIENT", "TRACKING", "ON")
        c.command("MGET", "shared", "own:%d" % i)
    r = mk()
    eq(info_field(r, "clients", "tracking_clients"), n, "tracking_clients")
    eq(info_field(r, "stats", "tracking_total_keys"), n + 1, "keys")
    eq(info_field(r, "stats", "tracking_total_items"), 2 * n, "items")
    r.set("shared", 1)
    for c in conns:
        eq(push(c, "shared"), [b"invalidate", [b"shared"]], "shared push")
    r.mset({"own:%d" % i: i for i in range(n)})
    for i, c in enumerate(conns):
        eq(push(c, "own"), [b"invalidate", [b"own:%d" % i]], "own push")
    eq(info_field(r, "stats", "tracking_total_keys"), 0, "all forgotten")
    for c in conns[: n // 2]:
        c.close()
    ok = harness.wait_for(lambda: info_field(r, "clients", "tracking_clients") == n - n // 2)
    eq(ok, True, "disconnected clients stop tracking")
    for c in conns[n // 2:]:
        eq(c.command("CLIENT", "TRACKING", "OFF").raw, b"+OK\r\n", "off")
        c.close()
    eq(info_field(r, "clients", "tracking_clients"), 0, "none left")


def t_broken_redirect(sut, mk):
    a = resp3(sut)
    target = sut.connect()
    tid = target.command("CLIENT", "ID").value
    a.command("CLIENT", "TRACKING", "ON", "REDIRECT", tid)
    a.command("GET", "x")
    target.close()
    r = mk()
    harness.wait_for(lambda: all(int(c["id"]) != tid for c in r.client_list()))
    r.set("x", 1)
    eq(push(a, "broken"), [b"tracking-redir-broken", tid], "redir broken push")
    info = a.command("CLIENT", "INFO").value
    eq(b" flags=tR " in info, True, "flags=tR in %r" % info)
    a.close()


CHECKS = [
    ("redis-py tracking redirected to pub/sub", t_redis_py_redirect),
    ("RESP3 push after another client's write", t_resp3_push_after_other_write),
    ("CLIENT REPLY OFF/SKIP keep pushes", t_reply_off_and_skip),
    ("BCAST pipeline", t_bcast_pipeline),
    ("20 tracking clients", t_many_clients),
    ("broken redirect", t_broken_redirect),
]


def run_one(name, fn, sut, mk):
    mk().flushall()
    fn(sut, mk)


def main():
    return harness.redis_py_suite(__doc__.split("\n")[0], CHECKS, run_one,
                                  connect_timeout=False, tb_limit=4)


if __name__ == "__main__":
    sys.exit(main())
