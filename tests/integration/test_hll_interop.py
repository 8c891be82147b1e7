#!/usr/bin/python3
"""HyperLogLog values move between a real redis-server 7.0 and grabkv.

For HLLs of 0, 1, 100, 10k and 200k elements (sparse and dense), built by
PFADD on each server:
  - grabkv's value is byte for byte Redis's (same commands, same bytes);
  - Redis's value copied to grabkv (GET -> SET) and grabkv's copied to
    Redis count the same on both (PFCOUNT), and the copies keep counting
    the same after more PFADDs on each side;
  - PFMERGE of the copies, and PFCOUNT of several keys, agree, and the
    merged values are byte-equal;
  - PFSELFTEST passes on grabkv.

  /usr/bin/python3 test_hll_interop.py --server build/server/grabkv-server
"""

import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerProcess  # noqa: E402

SIZES = [0, 1, 100, 10000, 200000]
BATCH = 1000


def value(reply):
    if reply.is_error():
        raise AssertionError("error reply: %r" % reply.value)
    return reply.value


def pfadd_all(conn, key, elements):
    """PFADD in pipelined batches (one reply read per batch sent)."""
    value(conn.command("PFADD", key))  # creates the key even for 0 elements
    batches = [elements[i:i + BATCH] for i in range(0, len(elements), BATCH)]
    for b in batches:
        conn.send_command("PFADD", key, *b)
    for _ in batches:
        value(conn.read_reply(timeout=60))


def check_size(rep, redis_conn, sut_conn, n):
    elements = ["el:%d:%d" % (n, i) for i in range(n)]
    key = "h%d" % n
    for c in (redis_conn, sut_conn):
        pfadd_all(c, key, elements)
    rbytes, gbytes = value(redis_conn.command("GET", key)), value(sut_conn.command("GET", key))
    rep.check("n=%d: same bytes after the same PFADDs (%d bytes)" % (n, len(rbytes)),
              rbytes == gbytes, "redis %d bytes, grabkv %d bytes" % (len(rbytes), len(gbytes)))
    # Copies both ways, counted on both servers.
    value(sut_conn.command("SET", "fromredis:" + key, rbytes))
    value(redis_conn.command("SET", "fromgrabkv:" + key, gbytes))
    want = value(redis_conn.command("PFCOUNT", key))
    counts = {
        "redis original": want,
        "grabkv original": value(sut_conn.command("PFCOUNT", key)),
        "grabkv copy of redis": value(sut_conn.command("PFCOUNT", "fromredis:" + key)),
        "redis copy of grabkv": value(redis_conn.command("PFCOUNT", "fromgrabkv:" + key)),
    }
    rep.check("n=%d: PFCOUNT equal across copies (%d)" % (n, want),
              len(set(counts.values())) == 1, repr(counts))
    # The copies keep working: more elements on each side.
    more = ["more:%d:%d" % (n, i) for i in range(500)]
    pfadd_all(sut_conn, "fromredis:" + key, more)
    pfadd_all(redis_conn, "fromgrabkv:" + key, more)
    a = value(sut_conn.command("PFCOUNT", "fromredis:" + key))
    b = value(redis_conn.command("PFCOUNT", "fromgrabkv:" + key))
    rep.check("n=%d: copies count the same after more PFADDs" % n, a == b, "%r != %r" % (a, b))
    a = value(sut_conn.command("GET", "fromredis:" + key))
    b = value(redis_conn.command("GET", "fromgrabkv:" + key))
    rep.check("n=%d: copies have the same bytes after more PFADDs" % n, a == b)


def check_merges(rep, redis_conn, sut_conn):
    keys = ["h%d" % n for n in SIZES]
    for c in (redis_conn, sut_conn):
        value(c.command("PFMERGE", "merged", *keys))
        value(c.command("PFMERGE", "small", "h1", "h100"))
    for k in ("merged", "small"):
        r, g = value(redis_conn.command("PFCOUNT", k)), value(sut_conn.command("PFCOUNT", k))
        rep.check("PFMERGE %s: same count" % k, r == g, "%r != %r" % (r, g))
        rep.check("PFMERGE %s: same bytes" % k,
                  value(redis_conn.command("GET", k)) == value(sut_conn.command("GET", k)))
    # Merging copies that came from the other server.
    copies = ["fromredis:h%d" % n for n in SIZES]
    g = value(sut_conn.command("PFCOUNT", *copies))
    r = value(redis_conn.command("PFCOUNT", *["fromgrabkv:h%d" % n for n in SIZES]))
    rep.check("PFCOUNT of several copied keys", r == g, "%r != %r" % (r, g))
    merged = value(sut_conn.command("GET", "merged"))
    value(redis_conn.command("SET", "merged:copy", merged))
    r = value(redis_conn.command("PFCOUNT", "merged:copy"))
    g = value(sut_conn.command("PFCOUNT", "merged"))
    rep.check("grabkv's PFMERGE result counts the same on Redis", r == g, "%r != %r" % (r, g))


def main():
    p = harness.common_arg_parser(__doc__.split("\n")[0])
    args = p.parse_args()
    harness.install_guard(500)
    rep = harness.Reporter(args.verbose)
    try:
        with ServerProcess(args.redis, name="redis", keep_logs=args.keep_logs) as ref, \
                ServerProcess(args.server, name="server under test",
                              keep_logs=args.keep_logs) as sut:
            redis_conn = ref.connect(timeout=120)
            sut_conn = sut.connect(timeout=120)
            for n in SIZES:
                try:
                    check_size(rep, redis_conn, sut_conn, n)
                except Exception:
                    rep.fail("n=%d" % n, traceback.format_exc(limit=3))
            try:
                check_merges(rep, redis_conn, sut_conn)
            except Exception:
                rep.fail("merges", traceback.format_exc(limit=3))
            r = sut_conn.command("PFSELFTEST", timeout=120)
            rep.check("PFSELFTEST", not r.is_error() and r.value in ("OK", b"OK"), repr(r))
            rep.check("server under test still running", sut.alive(), sut.log_tail())
    except harness.ServerStartError as e:
        rep.fail("server start", str(e))
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
