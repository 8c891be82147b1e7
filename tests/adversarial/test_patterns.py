"""Glob patterns built to explode a backtracking matcher (CVE-2022-36021),
against long keys, fields, members and channel names, through every command
that matches: KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH, PSUBSCRIBE + PUBLISH and
PUBSUB CHANNELS; plus 1,000-star patterns against 64 KB keys.

Every case: same replies as real Redis 7.0 (SCAN-family results compared as
the sorted set of everything a full iteration returns: the order is each
server's own), PING served on another connection throughout, data intact,
server alive."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adversarial as adv  # noqa: E402

LENGTHS = (40, 1000, 65536)
PATTERNS = {
    "a*x20 then b": "*" + "a*" * 20 + "b",
    "*a x60 then b": "*a" * 60 + "b",
    "1000 stars then b": "*" * 1000 + "b",
    "1000 stars": "*" * 1000,
    "a* x1000 then b": "a*" * 1000 + "b",
    "?* x500": "?*" * 500,
    "[a]* x300 then [b]": "[a]*" * 300 + "[b]",
    "64 KB of ?": "?" * 65536,
    "class soup": "[[[[^a-]*\\*[" * 50,
    "trailing backslash": "*a*a*a*\\",
}


def populate(t):
    c = t.conn()
    for n in LENGTHS:
        c.command("SET", "adv:g:" + "a" * n, "v")
        c.command("HSET", "adv:g:hash", "a" * n, "v")
        c.command("SADD", "adv:g:set", "a" * n)
        c.command("ZADD", "adv:g:zset", n, "a" * n)
    c.command("SADD", "adv:g:set", "aab", "b")  # some members do match
    c.command("SET", "adv:g:aab", "v")
    c.close()


def full_scan(c, *prefix, pattern):
    cursor, seen = b"0", set()
    for _ in range(100000):
        r = c.command(*prefix, cursor, "MATCH", pattern, "COUNT", 1000, timeout=30)
        if r.is_error():
            return r.raw
        cursor = r.value[0].value
        seen.update(x.value for x in r.value[1].value)
        if cursor == b"0":
            return sorted(seen)
    return "did not finish"


def case_keyspace(pattern):
    def run(t):
        c = t.conn(timeout=30)
        out = [sorted(x.value for x in c.command("KEYS", pattern, timeout=30).value)]
        out.append(full_scan(c, "SCAN", pattern=pattern))
        out.append(full_scan(c, "HSCAN", "adv:g:hash", pattern=pattern))
        out.append(full_scan(c, "SSCAN", "adv:g:set", pattern=pattern))
        out.append(full_scan(c, "ZSCAN", "adv:g:zset", pattern=pattern))
        c.close()
        return out
    return run


def case_pubsub(pattern):
    def run(t):
        sub = t.conn(timeout=30)
        first = sub.command("PSUBSCRIBE", pattern, timeout=30).raw[:40]
        # Channels subscribed by name, for PUBSUB CHANNELS to match against.
        named = t.conn(timeout=30)
        named.command("SUBSCRIBE", *["a" * n for n in LENGTHS] + ["aab"], timeout=30)
        pub = t.conn(timeout=30)
        got = []
        for n in LENGTHS:
            ch = "a" * n
            receivers = pub.command("PUBLISH", ch, "m", timeout=30).value
            got.append(receivers)
        chans = sorted(x.value for x in pub.command("PUBSUB", "CHANNELS", pattern,
                                                    timeout=30).value)
        # What the pattern subscriber received, then an orderly end.
        sub.send_command("PING")
        msgs = []
        while True:
            r = sub.read_reply(timeout=30)
            if r.kind == "*" and r.value[0].value == b"pong":
                break
            msgs.append(len(r.raw))
        for c in (sub, named, pub):
            c.close()
        return first, got, chans, msgs
    return run


def body(s):
    for t in s.targets():
        populate(t)
    for name, p in PATTERNS.items():
        s.case("KEYS/SCAN/HSCAN/SSCAN/ZSCAN MATCH %s" % name, case_keyspace(p))
    for name in ("a*x20 then b", "*a x60 then b", "1000 stars then b", "a* x1000 then b",
                 "64 KB of ?"):
        s.case("PSUBSCRIBE/PUBLISH/PUBSUB CHANNELS %s" % name, case_pubsub(PATTERNS[name]))


if __name__ == "__main__":
    sys.exit(adv.main_wrapper(__doc__, 240, body))
