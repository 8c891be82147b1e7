"""Adversarial request framing against grabkv and real Redis 7.0 (with
requirepass set): huge and malformed multibulk/bulk lengths before and after
AUTH (CVE-2021-32675, CVE-2021-32762, CVE-2021-41099), slow trickles, inline
requests without a newline, unbalanced quotes, proto-max-bulk-len, a 512 MB
bulk that never arrives, and 100k pipelined PINGs in one write.

Every case: same replies (error texts included) and same open/closed state as
Redis, PING served on another connection throughout, data intact, server
alive; memory cases also bound the RSS growth on both servers."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adversarial as adv  # noqa: E402

MB = 1024


def preauth(data):
    return lambda t: adv.exchange(t, data, auth=False)


def authed(data):
    return lambda t: adv.exchange(t, data, auth=True)


def rss_bounded(limit_kb):
    def check(outcome, t):
        grew = outcome[-1]
        if grew > limit_kb:
            return "RSS grew by %d MB (bound %d MB)" % (grew // MB, limit_kb // MB)
        return None
    return check


def with_rss(fn):
    """Outcome of fn plus the RSS growth (kept out of the comparison)."""
    class Grow(int):
        def __eq__(self, other):
            return True
        __hash__ = int.__hash__

    def run(t):
        before = t.peak_kb = t.rss_kb()
        out = fn(t, before)
        note_rss(t)
        return (out, Grow(max(0, t.peak_kb - before)))
    return run


def note_rss(t):
    t.peak_kb = max(t.peak_kb, t.rss_kb())


def trickle(conn, chunks, pause):
    for ch in chunks:
        conn.send(ch)
        time.sleep(pause)


def case_trickle_preauth(t, before):
    # The most an unauthenticated client may declare, sent slowly.
    c = t.conn(auth=False)
    c.send(b"*10\r\n")
    for _ in range(10):
        c.send(b"$16384\r\n")
        trickle(c, [b"x" * 1024] * 16, 0.01)
        c.send(b"\r\n")
        note_rss(t)
    out = adv.drain(c)
    c.close()
    return out


def case_trickle_huge_declared(t, before):
    # Authenticated: *INT_MAX is legal; then arguments arrive slowly for 2 s.
    c = t.conn()
    c.send(b"*2147483647\r\n")
    trickle(c, [b"$1\r\na\r\n" * 100] * 40, 0.05)
    note_rss(t)
    out = adv.drain(c)
    c.close()
    return out


def case_many_unauth_partial(t, before):
    # 100 unauthenticated clients each hold the most they may before AUTH.
    socks = []
    states = []
    try:
        chunk = b"*10\r\n" + (b"$16384\r\n" + b"y" * 16384 + b"\r\n") * 9
        for _ in range(100):
            s = t.raw_socket()
            s.sendall(chunk)
            socks.append(s)
        time.sleep(0.5)
        c = t.conn()
        states.append(c.command("PING").raw)
        c.close()
    finally:
        note_rss(t)
        for s in socks:
            s.close()
    return states


def case_never_sent_512mb(t, before):
    # 8 clients declare a 512 MB value and send 1 KB of it, then stall.
    conns = []
    for i in range(8):
        c = t.conn()
        c.send(b"*3\r\n$3\r\nSET\r\n$9\r\nadv:never\r\n$536870912\r\n" + b"z" * 1024)
        conns.append(c)
    time.sleep(0.5)
    note_rss(t)
    outs = [adv.drain(c, quiet=0.2) for c in conns]
    for c in conns:
        c.close()
    time.sleep(0.2)
    exists = t.admin("EXISTS", "adv:never").raw
    return outs, exists


def case_pipelined_pings(form):
    def run(t):
        c = t.conn(timeout=30)
        one = b"PING\r\n" if form == "inline" else b"*1\r\n$4\r\nPING\r\n"
        c.send(one * 100000)  # written in one go, nothing read meanwhile
        n, bad = 0, []
        try:
            for _ in range(100000):
                r = c.read_reply(timeout=20)
                n += 1
                if r.raw != b"+PONG\r\n" and len(bad) < 3:
                    bad.append(r.raw)
        except Exception as e:
            bad.append(repr(e))
        c.close()
        return n, bad
    return run


def with_config(name, value, fn):
    def run(t):
        old = t.admin("CONFIG", "GET", name).value[1].value
        assert t.admin("CONFIG", "SET", name, value).raw == b"+OK\r\n"
        try:
            return fn(t)
        finally:
            t.admin("CONFIG", "SET", name, old)
    return run


def body(s):
    # --- CVE-2021-32675 / -32762 / -41099: lengths before AUTH ---------------
    s.case("preauth *INT_MAX", preauth(b"*2147483647\r\n"))
    s.case("preauth $INT_MAX", preauth(b"*1\r\n$2147483647\r\n"))
    s.case("preauth *11 (over the 10 allowed)", preauth(b"*11\r\n"))
    s.case("preauth *10 of small args",
           preauth(b"*10\r\n" + b"$4\r\nPING\r\n" * 10))
    s.case("preauth $16385 (over 16384)", preauth(b"*2\r\n$4\r\nECHO\r\n$16385\r\n"))
    s.case("preauth $16384 accepted",
           preauth(b"*2\r\n$4\r\nECHO\r\n$16384\r\n" + b"e" * 16384 + b"\r\n"))
    s.case("preauth *-5 then inline", preauth(b"*-5\r\nPING\r\n"))
    s.case("preauth $-1", preauth(b"*1\r\n$-1\r\n"))
    s.case("preauth $-2147483648", preauth(b"*1\r\n$-2147483648\r\n"))
    s.case("preauth *overflowing", preauth(b"*99999999999999999999\r\n"))
    s.case("preauth $overflowing", preauth(b"*1\r\n$99999999999999999999\r\n"))
    s.case("preauth *-9223372036854775809", preauth(b"*-9223372036854775809\r\n"))
    s.case("preauth slow trickle of the largest allowed",
           with_rss(case_trickle_preauth), check=rss_bounded(32 * MB))
    s.case("preauth 100 clients holding 147 KB each",
           with_rss(case_many_unauth_partial), check=rss_bounded(96 * MB))
    # --- the same lengths once authenticated ---------------------------------
    s.case("auth *INT_MAX then nothing", with_rss(lambda t, b: adv.exchange(t, b"*2147483647\r\n")),
           check=rss_bounded(16 * MB))
    s.case("auth *2147483648", authed(b"*2147483648\r\n"))
    s.case("auth $2147483647", authed(b"*1\r\n$2147483647\r\n"))
    s.case("auth $536870913 (over proto-max-bulk-len)", authed(b"*1\r\n$536870913\r\n"))
    s.case("auth $-5", authed(b"*2\r\n$4\r\nECHO\r\n$-5\r\n"))
    s.case("auth $+5", authed(b"*2\r\n$4\r\nECHO\r\n$+5\r\nhello\r\n"))
    s.case("auth $5x", authed(b"*2\r\n$4\r\nECHO\r\n$5x\r\nhello\r\n"))
    s.case("auth *abc", authed(b"*abc\r\n"))
    s.case("auth bulk header without $", authed(b"*1\r\n:5\r\nhello\r\n"))
    s.case("auth *INT_MAX then slow trickle of args",
           with_rss(case_trickle_huge_declared), check=rss_bounded(32 * MB))
    s.case("8 clients declare 512 MB and stall",
           with_rss(case_never_sent_512mb), check=rss_bounded(64 * MB))
    # --- header and inline line limits (PROTO_INLINE_MAX_SIZE 64 KB) ----------
    s.case("inline 70 KB without newline", authed(b"a" * 70000))
    s.case("inline 70 KB without newline, preauth", preauth(b"a" * 70000))
    s.case("inline 60 KB with newline", authed(b"ECHO " + b"q" * 60000 + b"\r\n"))
    s.case("multibulk count line of 70 KB", authed(b"*" + b"1" * 70000))
    s.case("bulk length line of 70 KB", authed(b"*1\r\n$" + b"1" * 70000))
    s.case("inline unbalanced double quote", authed(b'SET "a b\r\n'))
    s.case("inline unbalanced single quote", authed(b"SET 'a b\r\n"))
    s.case("inline closing quote glued to text", authed(b'SET "a"b c\r\n'))
    s.case("inline escapes", authed(b'ECHO "\\x41\\x4g\\n" \'it\\\'s\'\r\n'))
    s.case("inline NUL-free garbage", authed(b"\x01\x02\x03\r\n"))
    # --- proto-max-bulk-len and client-query-buffer-limit ---------------------
    s.case("proto-max-bulk-len 1mb exceeded by 1",
           with_config("proto-max-bulk-len", "1mb", authed(
               b"*3\r\n$3\r\nSET\r\n$6\r\nadv:pm\r\n$1048577\r\n")))
    s.case("proto-max-bulk-len 1mb exactly",
           with_config("proto-max-bulk-len", "1mb", authed(
               b"*2\r\n$6\r\nSTRLEN\r\n$1048576\r\n" + b"m" * 1048576 + b"\r\n")))
    s.case("client-query-buffer-limit 1mb, 3 MB inline-free stream",
           with_config("client-query-buffer-limit", "1mb", authed(
               b"*2\r\n$4\r\nECHO\r\n$3000000\r\n" + b"b" * 3000000 + b"\r\n")))
    # --- pipelined floods -----------------------------------------------------
    s.case("100k inline PINGs in one write", case_pipelined_pings("inline"))
    s.case("100k multibulk PINGs in one write", case_pipelined_pings("multibulk"))


if __name__ == "__main__":
    sys.exit(adv.main_wrapper(__doc__, 150, body, password=adv.PASSWORD))
