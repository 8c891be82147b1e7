"""Command arguments that broke Redis: huge and negative random counts
(CVE-2023-22458, CVE-2023-25155), extreme indices for LRANGE/ZRANGE/LPOS/
GETRANGE/SETRANGE, HINCRBYFLOAT edge values (CVE-2023-28856), APPEND/SETRANGE
size arithmetic against proto-max-bulk-len (CVE-2022-35977), integer and float
overflow, huge argument counts into small encodings (intset/listpack), and the
SORT LIMIT extremes, bit offsets, and the same shapes for commands grabkv
does not have yet (XAUTOCLAIM COUNT, CVE-2022-35951): those assert an error
reply and a healthy server and are counted apart; they compare with Redis
once the command exists.

Both servers run with `client-output-buffer-limit normal 32mb 16mb 60`: with
Redis's default (no limit) a legal huge negative count makes Redis itself
buffer without end, with the limit Redis closes that client, and so must
grabkv. Every case runs under a PING probe and checks data and liveness."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adversarial as adv  # noqa: E402
import harness  # noqa: E402

I64_MAX = "9223372036854775807"
I64_MIN = "-9223372036854775808"
I64_MIN1 = "-9223372036854775807"
HALF = "4611686018427387903"
NHALF = "-4611686018427387904"


def shape(reply):
    """Random replies compared by shape: length and the distinct elements."""
    if reply.is_aggregate() and reply.value is not None:
        els = reply.elements()
        distinct = sorted(set(e.raw for e in els))
        # Which members a short reply holds is chance; a long one (>= 100
        # picks from at most 1000 members, or all of them) covers them all.
        return ("array", len(els), distinct if len(els) >= 100 else len(distinct))
    return reply.raw


def run_cmds(cmds, random=False, setup=(), timeout=20):
    """Replies to cmds on one connection; a closed connection is recorded
    as 'closed' and the next command gets a fresh one."""
    def run(t):
        c = t.conn(timeout=timeout)
        for a in setup:
            c.command(*a, timeout=timeout)
        out = []
        for a in cmds:
            try:
                r = c.command(*a, timeout=timeout)
                out.append(shape(r) if random else r.raw)
            except harness.ConnectionClosed:
                out.append("closed")
                c.close()
                c = t.conn(timeout=timeout)
        c.close()
        return out
    return run


def cleanup(prefix):
    def run(t):
        c = t.conn()
        keys = [k.value for k in c.command("KEYS", prefix + "*").value]
        if keys:
            c.command("DEL", *keys)
        c.close()
    return run


def random_counts(s):
    setup = [("SADD", "adv:c:s", "a", "b", "c"), ("HSET", "adv:c:h", "a", "1", "b", "2", "c", "3"),
             ("ZADD", "adv:c:z", "1", "a", "2", "b", "3", "c"),
             ("SADD", "adv:c:bigs", *range(1000))]
    for cmd, key, wv in (("SRANDMEMBER", "adv:c:s", None), ("HRANDFIELD", "adv:c:h", "WITHVALUES"),
                         ("ZRANDMEMBER", "adv:c:z", "WITHSCORES")):
        def with_counts(counts):
            cmds = []
            for n in counts:
                cmds.append((cmd, key, n))
                if wv:
                    cmds.append((cmd, key, n, wv))
            return cmds
        s.case("%s out-of-range and ordinary counts" % cmd, run_cmds(
            with_counts((I64_MIN, "-200000", "-1", "0", "1", "5", HALF, I64_MAX,
                         "9223372036854775808", "1.5", "abc")) +
            [(cmd, "adv:c:missing", I64_MIN1)], random=True, setup=setup))
        # Legal but endless negative counts. Redis 7.0 starts the reply and
        # only stops at the output-buffer limit (the client is closed); grabkv
        # refuses a count whose reply must exceed proto-max-bulk-len with an
        # error (a deliberate difference: RandCountTooLarge in
        # server/core/util.h, README "Security"). Each server is held to its
        # own documented behaviour; neither may stop serving PING meanwhile.
        for n in (I64_MIN1, NHALF):
            def own_behaviour(out, t, cmd=cmd, wv=wv):
                if harness.is_real_redis(t.srv.binary):
                    return None if out and out[0] == "closed" else "Redis did not close: %r" % (out,)
                want = [b"-ERR count is too large: the reply would exceed proto-max-bulk-len\r\n"]
                if wv:
                    want.append(b"-ERR value is out of range\r\n")
                want.append(b"+PONG\r\n")
                return None if out == want else "got %r, want %r" % (out, want)
            s.case("%s %s" % (cmd, n), run_cmds(with_counts((n,)) + [("PING",)], random=True,
                                                 setup=setup, timeout=10),
                   compare=False, check=own_behaviour)
    s.case("SRANDMEMBER -1000000 on a 1000-member set",
           run_cmds([("SRANDMEMBER", "adv:c:bigs", "-1000000"),
                     ("SRANDMEMBER", "adv:c:bigs", "1000000"),
                     ("SPOP", "adv:c:s", "-1"), ("SPOP", "adv:c:s", I64_MIN)], random=True,
                    setup=setup))
    for t in s.targets():
        cleanup("adv:c:")(t)


def extreme_indices(s):
    setup = [("RPUSH", "adv:i:l", "a", "b", "c", "a", "e"),
             ("ZADD", "adv:i:z", "1", "a", "2", "b", "3", "c"),
             ("SET", "adv:i:str", "hello world")]
    big = (I64_MIN, I64_MAX, "9223372036854775808", "-9223372036854775809")
    cmds = []
    for a in big:
        for b in big:
            cmds += [("LRANGE", "adv:i:l", a, b), ("ZRANGE", "adv:i:z", a, b),
                     ("GETRANGE", "adv:i:str", a, b), ("ZREVRANGE", "adv:i:z", a, b)]
        cmds += [("LINDEX", "adv:i:l", a), ("LSET", "adv:i:l", a, "x"),
                 ("LPOS", "adv:i:l", "a", "RANK", a), ("LPOS", "adv:i:l", "a", "COUNT", a),
                 ("LPOS", "adv:i:l", "a", "MAXLEN", a), ("LPOS", "adv:i:l", "a", "RANK", a,
                                                          "COUNT", "0", "MAXLEN", "0"),
                 ("ZRANGE", "adv:i:z", "-inf", "+inf", "BYSCORE", "LIMIT", a, a),
                 ("ZRANGE", "adv:i:z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", a),
                 ("ZRANGEBYLEX", "adv:i:z", "-", "+", "LIMIT", a, "-1"),
                 ("ZRANGESTORE", "adv:i:dst", "adv:i:z", a, I64_MAX)]
    cmds += [("LPOS", "adv:i:l", "a", "RANK", "0"), ("LPOS", "adv:i:l", "a", "RANK", "-1",
                                                      "COUNT", "0"),
             ("LRANGE", "adv:i:l", "0", "-1"), ("ZRANGE", "adv:i:z", "0", "-1", "WITHSCORES")]
    s.case("LRANGE/ZRANGE/LPOS/GETRANGE/LSET extreme indices", run_cmds(cmds, setup=setup))
    trims = []
    for a in big:
        for b in big:
            trims += [("RPUSH", "adv:i:t", "1", "2", "3"), ("LTRIM", "adv:i:t", a, b),
                      ("LRANGE", "adv:i:t", "0", "-1"), ("DEL", "adv:i:t"),
                      ("ZADD", "adv:i:zt", "1", "a", "2", "b"),
                      ("ZREMRANGEBYRANK", "adv:i:zt", a, b), ("DEL", "adv:i:zt")]
    s.case("LTRIM/ZREMRANGEBYRANK extreme indices", run_cmds(trims))
    for t in s.targets():
        cleanup("adv:i:")(t)


def sizes_and_floats(s):
    # proto-max-bulk-len 1mb: the string size checks happen at 1 MB, not 512.
    limit = [("CONFIG", "SET", "proto-max-bulk-len", "1mb")]
    cmds = [("SETRANGE", "adv:n:s", "-1", "x"), ("SETRANGE", "adv:n:s", I64_MAX, "x"),
            ("SETRANGE", "adv:n:s", I64_MAX, ""), ("SETRANGE", "adv:n:s", "1048576", "x"),
            ("SETRANGE", "adv:n:s", "1048575", "xy"), ("SETRANGE", "adv:n:s", "1048574", "x"),
            ("STRLEN", "adv:n:s"), ("APPEND", "adv:n:s", "y"), ("APPEND", "adv:n:s", "z"),
            ("STRLEN", "adv:n:s"), ("SETRANGE", "adv:n:s", "9223372036854775806", "ab"),
            ("SETRANGE", "adv:n:missing", "1048576", ""), ("EXISTS", "adv:n:missing"),
            ("APPEND", "adv:n:a", "q" * 1048576), ("APPEND", "adv:n:a", ""),
            ("GETRANGE", "adv:n:s", "1048570", I64_MAX),
            ("CONFIG", "SET", "proto-max-bulk-len", "512mb")]
    s.case("SETRANGE/APPEND against proto-max-bulk-len (CVE-2022-35977)",
           run_cmds(cmds, setup=limit))
    floats = [("HSET", "adv:n:h", "f", "1e308", "sp", " 1", "big", "1" * 400),
              ("HINCRBYFLOAT", "adv:n:h", "f", "1e308"), ("HINCRBYFLOAT", "adv:n:h", "f", "-1e308"),
              ("HINCRBYFLOAT", "adv:n:h", "f", "inf"), ("HINCRBYFLOAT", "adv:n:h", "f", "-inf"),
              ("HINCRBYFLOAT", "adv:n:h", "f", "nan"), ("HINCRBYFLOAT", "adv:n:h", "f", "1e400"),
              ("HINCRBYFLOAT", "adv:n:h", "sp", "1"), ("HINCRBYFLOAT", "adv:n:h", "big", "1"),
              ("HINCRBYFLOAT", "adv:n:h", "new", "nan"), ("HEXISTS", "adv:n:h", "new"),
              ("HINCRBYFLOAT", "adv:n:h2", "new", "inf"), ("EXISTS", "adv:n:h2"),
              ("HINCRBYFLOAT", "adv:n:h", "tiny", "5e-324"), ("HINCRBYFLOAT", "adv:n:h", "f", "0x10"),
              ("HINCRBYFLOAT", "adv:n:h", "f", "1.7976931348623157e308"),
              ("HMGET", "adv:n:h", "f", "sp", "big", "new", "tiny", "i"), ("HRANDFIELD", "adv:n:h", "-2000", "WITHVALUES"),
              ("INCRBYFLOAT", "adv:n:x", "1.7976931348623157e308"),
              ("INCRBYFLOAT", "adv:n:x", "1.7976931348623157e308"),
              ("INCRBYFLOAT", "adv:n:x", "-inf"), ("GET", "adv:n:x"),
              ("SET", "adv:n:i", "1"), ("INCRBY", "adv:n:i", I64_MAX),
              ("DECRBY", "adv:n:i", I64_MIN), ("SET", "adv:n:i", I64_MIN), ("DECR", "adv:n:i"),
              ("DECRBY", "adv:n:i", "1"), ("INCRBY", "adv:n:i", "9223372036854775808"),
              ("HSET", "adv:n:h", "i", I64_MAX), ("HINCRBY", "adv:n:h", "i", "1"),
              ("ZADD", "adv:n:z", "inf", "a"), ("ZINCRBY", "adv:n:z", "-inf", "a"),
              ("ZADD", "adv:n:z", "nan", "b"), ("ZADD", "adv:n:z", "INCR", "-inf", "a"),
              ("ZSCORE", "adv:n:z", "a"), ("ZRANGE", "adv:n:z", "0", "-1", "WITHSCORES")]
    # HRANDFIELD's reply is random: its own case compares its shape.
    hr = floats.index(("HRANDFIELD", "adv:n:h", "-2000", "WITHVALUES"))
    s.case("HINCRBYFLOAT/INCRBYFLOAT/INCRBY/ZINCRBY edge values (CVE-2023-28856)",
           run_cmds(floats[:hr] + floats[hr + 1:]))
    s.case("HRANDFIELD after HINCRBYFLOAT edge values",
           run_cmds([floats[hr], ("HLEN", "adv:n:h")], random=True))
    for t in s.targets():
        cleanup("adv:n:")(t)


def time_overflows(s):
    # Expiry and blocking timeouts whose milliseconds overflow int64.
    cmds = [("SET", "adv:t:k", "v")]
    for v in (I64_MAX, I64_MIN, "9223372036854775", "9223372036854776", "-1", "0",
              "9223372036854775808"):
        cmds += [("EXPIRE", "adv:t:k", v), ("PEXPIRE", "adv:t:k", v), ("EXPIREAT", "adv:t:k", v),
                 ("PEXPIREAT", "adv:t:k", v), ("SET", "adv:t:s", "v", "EX", v),
                 ("SET", "adv:t:s", "v", "PX", v), ("SET", "adv:t:s", "v", "EXAT", v),
                 ("SETEX", "adv:t:s", v, "v"), ("PSETEX", "adv:t:s", v, "v"),
                 ("GETEX", "adv:t:k", "EX", v), ("GETEX", "adv:t:k", "PXAT", v),
                 ("SET", "adv:t:k", "v")]
    cmds += [("RPUSH", "adv:t:l", "a", "b", "c", "d", "e", "f")]
    for v in (I64_MAX, "9223372036854775.807", "1e300", "inf", "-1", "-0.0001", "nan",
              "0x10", "1e10"):
        cmds += [("BLPOP", "adv:t:l", v), ("BLMOVE", "adv:t:l", "adv:t:l", "LEFT", "RIGHT", v)]
    cmds += [("SELECT", "2147483648"), ("SELECT", "-1"), ("SELECT", I64_MAX),
             ("HELLO", "9223372036854775808"), ("HELLO", "-1"), ("HELLO", "2", "SETNAME", "a b"),
             ("CLIENT", "KILL", "ID", I64_MAX), ("CLIENT", "KILL", "ID", "-1"),
             ("OBJECT", "FREQ", "adv:t:k"), ("DEL", "adv:t:k", "adv:t:s", "adv:t:l")]
    s.case("expire/blocking timeouts that overflow, SELECT/HELLO/CLIENT extremes",
           run_cmds(cmds))


def huge_arg_counts(s):
    n = 200000
    ints = [str(i) for i in range(n)]
    extremes = [I64_MIN, I64_MAX, "-1", "0", "4294967296", "-2147483649", "2147483647"]
    cmds = [("SADD", "adv:a:s", *ints), ("SADD", "adv:a:s", *extremes), ("SCARD", "adv:a:s"),
            ("SISMEMBER", "adv:a:s", I64_MIN), ("SADD", "adv:a:s16", *extremes),
            ("SMEMBERS", "adv:a:s16"),
            ("HSET", "adv:a:h", *[x for i in ints for x in ("f" + i, i)]), ("HLEN", "adv:a:h"),
            ("ZADD", "adv:a:z", *[x for i in ints for x in (i, "m" + i)]), ("ZCARD", "adv:a:z"),
            ("ZRANGE", "adv:a:z", "-3", "-1", "WITHSCORES"),
            ("RPUSH", "adv:a:l", *ints), ("LLEN", "adv:a:l"), ("LINDEX", "adv:a:l", "-1"),
            ("SADD", "adv:a:small", "1", "2"), ("SADD", "adv:a:small", "m" * 1048576),
            ("SCARD", "adv:a:small"), ("HSET", "adv:a:hs", "f", "v"),
            ("HSET", "adv:a:hs", "g" * 1048576, "w" * 65536), ("HSTRLEN", "adv:a:hs", "g" * 1048576),
            ("ZADD", "adv:a:zs", "1", "a"), ("ZADD", "adv:a:zs", "2", "z" * 1048576),
            ("ZSCORE", "adv:a:zs", "z" * 1048576),
            ("MSET", *[x for i in ints[:50000] for x in ("adv:a:k" + i, i)]),
            ("DBSIZE",), ("DEL", *["adv:a:k" + i for i in ints[:50000]]),
            ("DEL", "adv:a:s", "adv:a:h", "adv:a:z", "adv:a:l", "adv:a:s16", "adv:a:small",
             "adv:a:hs", "adv:a:zs")]
    s.case("huge argument counts into small encodings", run_cmds(cmds, timeout=60))


def pending(s):
    # TODO(streams): the X* commands do not exist in grabkv yet (SORT and the
    # bit commands do, so their shapes are compared with Redis).
    # pending_command() compares with Redis automatically as soon as grabkv
    # stops answering "unknown command".
    lst = [("RPUSH", "adv:p:l", "3", "1", "2")]
    s.pending_command("SORT LIMIT extremes (CVE-2022-35977)", [
        ("SORT", "adv:p:l", "LIMIT", "0", I64_MAX), ("SORT", "adv:p:l", "LIMIT", I64_MIN, I64_MAX),
        ("SORT", "adv:p:l", "LIMIT", I64_MAX, I64_MAX), ("SORT", "adv:p:l", "BY", "nosort",
                                                          "LIMIT", "-1", I64_MAX),
        ("SORT_RO", "adv:p:l", "LIMIT", HALF, HALF),
        ("SORT", "adv:p:l", "GET", "#", "GET", "#", "STORE", "adv:p:dst"),
    ], setup=lst)
    s.pending_command("SETBIT/GETBIT/BITCOUNT/BITPOS offsets", [
        ("SETBIT", "adv:p:b", "4294967295", "1"), ("SETBIT", "adv:p:b", "-1", "1"),
        ("SETBIT", "adv:p:b", "8388608", "1"), ("SETBIT", "adv:p:b", "8388607", "1"),
        ("GETBIT", "adv:p:b", I64_MAX), ("BITCOUNT", "adv:p:b", I64_MIN, I64_MAX),
        ("BITPOS", "adv:p:b", "1", I64_MIN, I64_MAX),
    ], setup=[("CONFIG", "SET", "proto-max-bulk-len", "1mb"), ("DEL", "adv:p:b")])
    s.pending_command("BITFIELD offsets and types", [
        ("BITFIELD", "adv:p:bf", "SET", "u8", "4294967295", "1"),
        ("BITFIELD", "adv:p:bf", "GET", "i64", "0"), ("BITFIELD", "adv:p:bf", "GET", "u64", "0"),
        ("BITFIELD", "adv:p:bf", "GET", "u8", "#" + I64_MAX),
        ("BITFIELD", "adv:p:bf", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", I64_MAX),
        ("BITFIELD", "adv:p:bf", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", I64_MAX),
        ("BITFIELD_RO", "adv:p:bf", "GET", "u63", "8388600"),
    ], setup=[("CONFIG", "SET", "proto-max-bulk-len", "1mb"), ("DEL", "adv:p:bf")])
    s.pending_command("XAUTOCLAIM COUNT extremes (CVE-2022-35951)", [
        ("XAUTOCLAIM", "adv:p:x", "g", "c", "0", "0", "COUNT", I64_MAX),
        ("XAUTOCLAIM", "adv:p:x", "g", "c", "0", "0", "COUNT", "0"),
        ("XAUTOCLAIM", "adv:p:x", "g", "c", "0", "0", "COUNT", HALF),
        ("XAUTOCLAIM", "adv:p:x", "g", "c", "0", "0", "COUNT", "1"),
    ], setup=[("DEL", "adv:p:x"), ("XADD", "adv:p:x", "1-1", "f", "v"),
              ("XGROUP", "CREATE", "adv:p:x", "g", "0"),
              ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "adv:p:x", ">")])
    s.pending_command("XADD/XTRIM/XRANGE extremes", [
        ("XADD", "adv:p:x2", "MAXLEN", I64_MAX, "1-1", "f", "v"),
        ("XADD", "adv:p:x2", "18446744073709551615-18446744073709551615", "f", "v"),
        ("XRANGE", "adv:p:x2", "-", "+", "COUNT", I64_MAX),
        ("XTRIM", "adv:p:x2", "MINID", "18446744073709551615"),
    ], setup=[("DEL", "adv:p:x2")])
    for t in s.targets():
        t.admin("CONFIG", "SET", "proto-max-bulk-len", "512mb")
        t.admin("DEL", "adv:p:l", "adv:p:b", "adv:p:bf", "adv:p:x", "adv:p:x2", "adv:p:dst")


def body(s):
    for t in s.targets():
        t.configure("client-output-buffer-limit", "normal 32mb 16mb 60")
    random_counts(s)
    extreme_indices(s)
    sizes_and_floats(s)
    time_overflows(s)
    huge_arg_counts(s)
    pending(s)


if __name__ == "__main__":
    sys.exit(adv.main_wrapper(__doc__, 300, body))
