"""MIGRATE between grabkv and real Redis 7.0 (issue 17), over TCP.

  types     every type and encoding (test_rdb's data set, two databases,
            TTLs) moved with MIGRATE ... KEYS: grabkv->grabkv, grabkv->redis,
            redis->grabkv. The target then holds every key, type, encoding
            and value, PEXPIRETIME within a second; the source holds none.
  options   the same script of MIGRATEs (COPY, REPLACE, AUTH, AUTH2, KEYS,
            a db out of range, BUSYKEY, NOKEY, syntax and argument errors)
            run from a grabkv source and from a redis source, each to a
            fresh password-protected redis target: the replies byte for
            byte, the "del" events on the source, and both sides' keys
            after it are the same.
  contexts  MIGRATE inside MULTI/EXEC and EVAL (a target error carries the
            script's suffix), AUTH/AUTH2 arguments redacted in MONITOR and
            SLOWLOG, compared with a redis source.
  failures  a dead target (refused), a host that does not resolve, a target
            that accepts but never answers (timeout), a target restarted
            under the cached connection (retried on a new one): same replies
            from both sources, keys kept where nothing moved.
  cache     the connection is kept for the next MIGRATE to the same target
            and closed after 10 s unused, as Redis does.
"""

import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_rdb  # noqa: E402  (its data set and snapshot helpers)
from test_rdb import client, populate, redis  # noqa: E402

H = harness.HOST


def migrate_all(src, dst_port, dbs=(0, 3)):
    """MIGRATE every key of each db to the same db of the target, KEYS form."""
    replies = []
    for db in dbs:
        c = harness.RespConn(H, src.port)
        c.command("SELECT", db)
        keys = [k for k in redis.Redis(host=H, port=src.port, db=db).scan_iter(count=1000)]
        replies.append(c.command("MIGRATE", H, dst_port, "", db, 10000, "KEYS", *keys).raw)
        c.close()
    return replies


def same_with_ttl_slack(a, b, slack_ms=1000):
    """snapshot() key maps equal, PEXPIRETIMEs within slack (MIGRATE sends a
    relative TTL, so the absolute time may move by the transfer time)."""
    bad = []
    for k in set(a) | set(b):
        if k not in a or k not in b:
            bad.append((k, "missing"))
            continue
        ta, ea, xa, va = a[k]
        tb, eb, xb, vb = b[k]
        near = (xa == xb) or (xa > 0 and xb > 0 and abs(xa - xb) <= slack_ms)
        if (ta, ea, va) != (tb, eb, vb) or not near:
            bad.append((k, (ta, ea, xa), (tb, eb, xb)))
    return bad


def scenario_types(ctx):
    rep = ctx.rep
    for src_kind, dst_kind in (("grabkv", "grabkv"), ("grabkv", "redis"), ("redis", "grabkv")):
        name = "%s->%s" % (src_kind, dst_kind)
        src = ctx.grabkv() if src_kind == "grabkv" else ctx.redis()
        dst = ctx.grabkv() if dst_kind == "grabkv" else ctx.redis()
        populate(client(src))
        before, _ = test_rdb.snapshot(src.port)
        replies = migrate_all(src, dst.port)
        rep.check("types %s: +OK for each db" % name, replies == [b"+OK\r\n"] * 2, repr(replies))
        after, _ = test_rdb.snapshot(dst.port)
        bad = same_with_ttl_slack(before, after)
        rep.check("types %s: every key, type, encoding, value and TTL moved (%d keys)" % (name, len(before)),
                  not bad, repr(bad[:3]))
        left = [redis.Redis(host=H, port=src.port, db=db).dbsize() for db in (0, 3)]
        rep.check("types %s: the source keeps none" % name, left == [0, 0], repr(left))
        ctx.stop_all()


def options_script(target_port):
    p = target_port
    return [
        ("SET", "a", "1"), ("SET", "b", "2"), ("RPUSH", "l", "x", "y"), ("SET", "t", "v", "PX", "100000"),
        # Argument errors, in Redis's order.
        ("MIGRATE", H, p, "a", 0, 1000, "BOGUS"),
        ("MIGRATE", H, p, "a", 0, 1000, "AUTH"),
        ("MIGRATE", H, p, "a", 0, 1000, "AUTH2", "u"),
        ("MIGRATE", H, p, "a", 0, 1000, "KEYS", "b"),
        ("MIGRATE", H, p, "a", 0, "x"),
        ("MIGRATE", H, p, "a", "x", 1000),
        ("MIGRATE", H, p, "a", 0, 1000, "KEYS"),
        ("MIGRATE", H, p, "nokey", 0, 1000),
        ("MIGRATE", H, p, "", 0, 1000, "KEYS", "n1", "n2"),
        ("MIGRATE", H, p, "a"),
        # The target wants a password.
        ("MIGRATE", H, p, "a", 0, 1000),
        ("MIGRATE", H, p, "a", 0, 1000, "AUTH", "wrong"),
        ("MIGRATE", H, p, "a", 0, 1000, "AUTH", "pw"),
        ("EXISTS", "a"),
        ("SET", "a", "again"),
        ("MIGRATE", H, p, "a", 0, 1000, "AUTH", "pw"),
        ("EXISTS", "a"),
        ("MIGRATE", H, p, "a", 0, 1000, "REPLACE", "AUTH", "pw"),
        ("SET", "a", "copied"),
        ("MIGRATE", H, p, "a", 0, 1000, "COPY", "REPLACE", "AUTH2", "default", "pw"),
        ("GET", "a"),
        ("MIGRATE", H, p, "a", 99, 1000, "AUTH", "pw"),
        ("MIGRATE", H, p, "a", 2, 0, "AUTH", "pw", "COPY"),
        ("MIGRATE", H, p, "t", 0, -5, "AUTH", "pw"),
        ("SET", "b2", "x"), ("SET", "a", "busy-on-target"),
        ("MIGRATE", H, p, "", 0, 1000, "AUTH", "pw", "KEYS", "a", "missing", "b", "l", "b2"),
        ("EXISTS", "a", "b", "l", "b2"),
        ("SET", "b3", "y"),
        ("MIGRATE", H, p, "", 0, 1000, "AUTH", "pw", "KEYS", "b3", "b3"),
        ("MIGRATE", H, p, "", 0, 1000, "AUTH", "pw", "REPLACE", "KEYS", "a", "a"),
        ("DBSIZE",),
    ]


def target_state(port):
    out = {}
    for db in (0, 2):
        r = redis.Redis(host=H, port=port, db=db, password="pw")
        for k in r.scan_iter():
            t = r.type(k).decode()
            out[(db, k)] = (t, test_rdb.value_of(r, k, t), r.pttl(k) > 0)
        r.close()
    return out


def run_options(ctx, src):
    dst = ctx.redis(["--requirepass", "pw"])
    sub = harness.RespConn(H, src.port)
    sub.command("CONFIG", "SET", "notify-keyspace-events", "Eg")
    sub.command("SUBSCRIBE", "__keyevent@0__:del")
    c = harness.RespConn(H, src.port)
    replies = [c.command(*cmd).raw for cmd in options_script(dst.port)]
    c.command("PUBLISH", "__keyevent@0__:del", "END")
    events = []
    while True:
        m = sub.read_reply().elements()
        events.append(m[2].value)
        if m[2].value == b"END":
            break
    c.close()
    sub.close()
    return replies, events, target_state(dst.port)


def scenario_options(ctx):
    rep = ctx.rep
    got = run_options(ctx, ctx.grabkv())
    want = run_options(ctx, ctx.redis())
    script = options_script("<target-port>")
    for i, (g, w) in enumerate(zip(got[0], want[0])):
        rep.check("options: %s" % " ".join(str(x) for x in script[i]), g == w,
                  "grabkv %r\n  redis  %r" % (g, w))
    rep.check("options: the same del events on the source", got[1] == want[1], "%r\n%r" % (got[1], want[1]))
    rep.check("options: the target holds the same keys", got[2] == want[2], "%r\n%r" % (got[2], want[2]))
    ctx.stop_all()


def run_contexts(ctx, src):
    """MIGRATE inside MULTI/EXEC and scripts, and what MONITOR and SLOWLOG
    show of it (AUTH's arguments redacted); the target's port as PORT."""
    dst = ctx.redis(["--requirepass", "pw"])
    port = str(dst.port)
    c = harness.RespConn(H, src.port)
    mon = harness.RespConn(H, src.port)
    mon.command("MONITOR")
    for k in ("k1", "k2", "k3"):
        c.command("SET", k, "v")
    out = [c.command("MULTI").raw,
           c.command("MIGRATE", H, port, "k1", 0, 1000, "AUTH", "pw", "REPLACE").raw,
           c.command("EXEC").raw]
    script = "return redis.call('migrate','127.0.0.1',ARGV[1],KEYS[1],0,1000,%s,'REPLACE')"
    out.append(c.command("EVAL", script % "'AUTH2','default','pw'", 1, "k2", port).raw)
    out.append(c.command("EVAL", script % "'AUTH','bad'", 1, "k3", port).raw)
    c.command("CONFIG", "SET", "slowlog-log-slower-than", "0")
    c.command("MIGRATE", H, port, "k3", 0, 1000, "AUTH", "pw", "COPY")
    out.append(repr(c.command("SLOWLOG", "GET", "1").to_py()[0][3]).encode())
    c.command("CONFIG", "SET", "slowlog-log-slower-than", "10000")
    for _ in range(11):
        line = mon.read_reply(timeout=5).value
        out.append(line.split(b" ", 1)[1].split(b"]", 1)[1])  # no time, db or address
    c.close()
    mon.close()
    return [o.replace(port.encode(), b"PORT") for o in out]


def scenario_contexts(ctx):
    rep = ctx.rep
    got = run_contexts(ctx, ctx.grabkv())
    want = run_contexts(ctx, ctx.redis())
    for i, (g, w) in enumerate(zip(got, want)):
        rep.check("contexts: step %d" % i, g == w, "grabkv %r\n  redis  %r" % (g, w))
    rep.check("contexts: as many steps", len(got) == len(want) == 17, "%d %d" % (len(got), len(want)))
    ctx.stop_all()


class SilentTarget:
    """Accepts connections and reads, never answers (a hung target)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind((H, 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
            except OSError:
                continue

    def close(self):
        self.stop = True
        for c in self.conns:
            c.close()
        self.sock.close()


def run_failures(ctx, src):
    c = harness.RespConn(H, src.port, timeout=30)
    out = []
    c.command("SET", "k", "v")
    dead = harness.free_port()
    out.append(c.command("MIGRATE", H, dead, "k", 0, 1000).raw)
    out.append(c.command("MIGRATE", "nonexistent.invalid", 6379, "k", 0, 1000).raw)
    silent = SilentTarget()
    t0 = time.time()
    out.append(c.command("MIGRATE", H, silent.port, "k", 0, 300).raw)
    waited = time.time() - t0
    silent.close()
    out.append(c.command("EXISTS", "k").raw)
    # A target restarted under the cached connection: the stale one fails,
    # a new one is opened and the key moves.
    dst = ctx.redis()
    out.append(c.command("MIGRATE", H, dst.port, "k", 0, 5000, "COPY").raw)
    dst.fixed_port = dst.port
    dst.stop(remove=False)
    dst.start()
    out.append(c.command("MIGRATE", H, dst.port, "k", 0, 5000).raw)
    out.append(c.command("EXISTS", "k").raw)
    out.append(client(dst).get("k"))
    c.close()
    return out, waited


def scenario_failures(ctx):
    rep = ctx.rep
    got, g_wait = run_failures(ctx, ctx.grabkv())
    want, r_wait = run_failures(ctx, ctx.redis())
    names = ["refused target", "host that does not resolve", "silent target (timeout)", "key kept",
             "COPY to a live target", "target restarted: retried", "key moved", "target has it"]
    for n, g, w in zip(names, got, want):
        rep.check("failures: %s" % n, g == w, "grabkv %r\n  redis  %r" % (g, w))
    # 300 ms per step, as Redis: neither instant nor the 5 s of a default.
    rep.check("failures: the silent target times out after about the timeout",
              0.25 <= g_wait < 3.0, "waited %.2fs (redis %.2fs)" % (g_wait, r_wait))
    ctx.stop_all()


def migrate_connections(port, src_port):
    """Connections the target has from the source's MIGRATE (not ours)."""
    r = redis.Redis(host=H, port=port)
    me = r.client_id()
    n = sum(1 for cl in r.client_list() if int(cl["id"]) != me)
    r.close()
    return n


def scenario_cache(ctx):
    rep = ctx.rep
    srcs = [ctx.grabkv(), ctx.redis()]
    dsts = [ctx.redis(), ctx.redis()]
    for s, d in zip(srcs, dsts):
        r = client(s)
        for i in range(3):
            r.set("c%d" % i, i)
            r.execute_command("MIGRATE", H, d.port, "c%d" % i, 0, 5000)
    counts = [migrate_connections(d.port, s.port) for s, d in zip(srcs, dsts)]
    rep.check("cache: three MIGRATEs use one connection (grabkv, redis)", counts == [1, 1], repr(counts))
    time.sleep(12.5)
    counts = [migrate_connections(d.port, s.port) for s, d in zip(srcs, dsts)]
    rep.check("cache: closed after 10 s unused (grabkv, redis)", counts == [0, 0], repr(counts))
    ctx.stop_all()


SCENARIOS = [
    ("types", scenario_types),
    ("options", scenario_options),
    ("contexts", scenario_contexts),
    ("failures", scenario_failures),
    ("cache", scenario_cache),
]


if __name__ == "__main__":
    sys.exit(test_rdb.run_main(__doc__, SCENARIOS))
