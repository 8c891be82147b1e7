"""Hostile clients against grabkv and real Redis 7.0: Slowloris (one byte at a
time) and the idle `timeout`, clients that never read their replies
(client-output-buffer-limit normal/pubsub), 10,000 connections opened and
dropped, maxclients, and hundreds of clients blocked in BLPOP that vanish.

Every case: same outcome as Redis, PING served on another connection
throughout, data intact, server alive; RSS growth bounded where it applies."""

import os
import resource
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import adversarial as adv  # noqa: E402
import harness  # noqa: E402

MB = 1024 * 1024


def config_set(t, *pairs):
    """CONFIG SET pairs; returns the old values for restore."""
    old = []
    for name, value in pairs:
        old.append((name, t.admin("CONFIG", "GET", name).value[1].value))
        r = t.admin("CONFIG", "SET", name, value)
        assert r.raw == b"+OK\r\n", (name, value, r.raw)
    return old


def restore(t, old):
    for name, value in old:
        t.admin("CONFIG", "SET", name, value)


def connected(t):
    return int(t.info_field("clients", "connected_clients"))


def blocked(t):
    return int(t.info_field("clients", "blocked_clients"))


def back_to(t, baseline, timeout=5.0):
    # The admin connection that asks counts itself.
    return harness.wait_for(lambda: connected(t) <= baseline + 1, timeout, 0.1)


def hard_close(s):
    # RST instead of FIN: the server sees ECONNRESET.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


# --- Slowloris and the idle timeout ------------------------------------------

def case_slowloris_timeout(t):
    old = config_set(t, ("timeout", "2"))
    try:
        c = t.conn()
        for i, b in enumerate(b"PING\r\n"):  # 0.6 s apart: never idle for 2 s
            if i:
                time.sleep(0.6)
            c.send(bytes([b]))
        t0 = time.time()  # the last input: idle from here
        reply = c.read_reply().raw
        closed = c.wait_closed(timeout=6.0) == "closed"
        took = time.time() - t0
        c.close()
        # Closed after the idle time, not before (generous window).
        return reply, closed, 1.8 <= took <= 5.5 or round(took, 1)
    finally:
        restore(t, old)


def idle_survivor(kind):
    """Subscribers and blocked clients are exempt from the idle timeout."""
    def run(t):
        old = config_set(t, ("timeout", "1"))
        try:
            c = t.conn()
            if kind == "subscriber":
                first = c.command("SUBSCRIBE", "adv:idle").raw
            elif kind == "resp3 subscriber":
                c.command("HELLO", "3")
                first = c.command("SUBSCRIBE", "adv:idle").raw
            elif kind == "unsubscribed":
                c.command("SUBSCRIBE", "adv:idle")
                first = c.command("UNSUBSCRIBE").raw
            elif kind == "psubscriber":
                first = c.command("PSUBSCRIBE", "adv:idle*").raw
            else:
                c.send_command("BLPOP", "adv:idle:list", 0)
                first = b""
            state = c.wait_closed(timeout=2.5)
            after = b""
            if state == "open":
                if kind == "unsubscribed":
                    c.send_command("PING")
                elif kind == "blocked":
                    t.admin("RPUSH", "adv:idle:list", "v")
                else:
                    t.admin("PUBLISH", "adv:idle", "hello")
                after = c.read_reply().raw
            c.close()
            t.admin("DEL", "adv:idle:list")
            return first, state, after
        finally:
            restore(t, old)
    return run


def case_many_slowloris(t):
    # 300 clients each hold half a command and add one byte every 0.4 s.
    base = connected(t)
    socks = []
    head = b"*2\r\n$4\r\nECHO\r\n$8\r\n"
    for _ in range(300):
        s = t.raw_socket()
        s.sendall(head)
        socks.append(s)
    for b in b"slowlori":
        for s in socks:
            s.sendall(bytes([b]))
        time.sleep(0.4)
    during = connected(t) - base >= 300  # the probe may add one
    for s in socks:
        s.sendall(b"\r\n")
    replies = set()
    for s in socks:
        s.settimeout(5)
        data = b""
        while not data.endswith(b"\r\n") or data.count(b"\r\n") < 2:
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
        replies.add(data)
    for s in socks:
        s.close()
    return during, sorted(replies), back_to(t, base)


def case_slowloris_reaped(t):
    # Slow clients that stop sending are reaped by the timeout.
    old = config_set(t, ("timeout", "1"))
    try:
        base = connected(t)
        socks = [t.raw_socket() for _ in range(200)]
        for s in socks:
            s.sendall(b"*1\r\n$4\r\nPI")
        closed = sum(1 for s in socks if adv.wait_closed(s, 4.0))
        for s in socks:
            s.close()
        return closed, back_to(t, base)
    finally:
        restore(t, old)


# --- Clients that never read --------------------------------------------------

def non_reader(t, count, quiet):
    s = t.raw_socket(rcvbuf=65536)
    s.sendall(harness.encode_command(["GET", "adv:big"]) * count)
    return s


def case_obuf_normal_hard(t):
    old = config_set(t, ("client-output-buffer-limit", "normal 4mb 2mb 10"))
    try:
        s = non_reader(t, 40, 0)  # 40 MB of replies, limit 4 MB
        closed = adv.wait_closed(s, 5.0)
        s.close()
        return closed
    finally:
        restore(t, old)


def case_obuf_normal_soft(t):
    old = config_set(t, ("client-output-buffer-limit", "normal 0 1mb 1"))
    try:
        s = non_reader(t, 4, 0)
        first = adv.wait_closed(s, 0.5)   # over the soft limit only just now
        time.sleep(2.5)                    # now over it for longer than 1 s
        s.sendall(harness.encode_command(["GET", "adv:big"]))
        later = adv.wait_closed(s, 3.0)
        s.close()
        return first, later
    finally:
        restore(t, old)


def case_obuf_unlimited(t):
    # Redis's default normal class has no limit; the client is kept. grabkv
    # additionally stops reading the client at 64 MB pending (README).
    before = t.rss_kb()
    s = non_reader(t, 100, 0)
    time.sleep(1.0)
    peak = t.rss_kb() - before
    s.settimeout(20)
    want = 100 * (len(b"$1048576\r\n") + MB + 2)
    got = 0
    while got < want:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    s.close()
    return got == want, Peak(peak)


class Peak(int):
    """RSS growth in KB: reported, excluded from the comparison."""
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__


def rss_below(mb):
    def check(outcome, t):
        grew = outcome[-1]
        return None if grew < mb * 1024 else "RSS grew %d MB (bound %d MB)" % (grew // 1024, mb)
    return check


def pubsub_flood(pattern):
    def run(t):
        old = config_set(t, ("client-output-buffer-limit", "pubsub 4mb 2mb 60"))
        try:
            before = t.rss_kb()
            sub = t.raw_socket(rcvbuf=65536)
            if pattern:
                sub.sendall(harness.encode_command(["PSUBSCRIBE", "adv:flood*"]))
            else:
                sub.sendall(harness.encode_command(["SUBSCRIBE", "adv:flood"]))
            time.sleep(0.2)
            pub = t.conn(timeout=10)
            payload = "p" * 65536
            cut_at = None
            for i in range(400):  # 25 MB offered, limit 4 MB
                if pub.command("PUBLISH", "adv:flood", payload).value == 0:
                    cut_at = i
                    break
            grew = t.rss_kb() - before
            closed = adv.wait_closed(sub, 3.0)
            n = pub.command("PUBSUB", "NUMPAT" if pattern else "NUMSUB",
                            *([] if pattern else ["adv:flood"])).to_py()
            pub.close()
            sub.close()
            return cut_at is not None and cut_at < 200, closed, n, Peak(grew)
        finally:
            restore(t, old)
    return run


# --- Connection churn, maxclients, blocked clients ----------------------------

def fd_budget():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def case_churn(t):
    base = connected(t)
    maxclients = int(t.admin("CONFIG", "GET", "maxclients").value[1].value)
    batch = max(50, min(1000, fd_budget() // 2 - 100, maxclients - 50))
    total, pongs = 0, 0
    while total < 10000:
        socks = []
        for i in range(min(batch, 10000 - total)):
            s = socket.create_connection((harness.HOST, t.port), timeout=5)
            if i % 10 == 0:
                s.sendall(b"PING\r\n")
            socks.append(s)
        for i, s in enumerate(socks):
            if i % 10 == 0 and s.recv(16) == b"+PONG\r\n":
                pongs += 1
            if i % 2:
                hard_close(s)
            else:
                s.close()
        total += len(socks)
    restored = back_to(t, base, timeout=10)
    return total, pongs, restored, t.admin("PING").raw


def case_maxclients(t):
    admin = t.conn()
    old = admin.command("CONFIG", "GET", "maxclients").value[1].value
    admin.command("CONFIG", "SET", "maxclients", "20")
    socks, results = [], []
    try:
        for _ in range(30):
            s = socket.create_connection((harness.HOST, t.port), timeout=5)
            socks.append(s)
            s.sendall(b"PING\r\n")
            data = s.recv(200)
            if t.password and data.startswith(b"-NOAUTH"):
                data = b"+PONG\r\n"
            results.append(data)
    finally:
        for s in socks:
            s.close()
        admin.command("CONFIG", "SET", "maxclients", old)
        admin.close()
    return results


def case_blpop_vanish(nclients, nkeys):
    def run(t):
        base = connected(t)
        keys = ["adv:bl:%d" % i for i in range(nkeys)]
        socks = []
        for _ in range(nclients):
            s = t.raw_socket()
            s.sendall(harness.encode_command(["BLPOP"] + keys + ["0"]))
            socks.append(s)
        all_blocked = harness.wait_for(lambda: blocked(t) >= nclients, 10, 0.1)
        for i, s in enumerate(socks):
            hard_close(s) if i % 2 else s.close()
        unblocked = harness.wait_for(lambda: blocked(t) == 0, 10, 0.1)
        restored = back_to(t, base)
        c = t.conn()
        out = [c.command("LPUSH", keys[-1], "x").raw, c.command("LLEN", keys[-1]).raw,
               c.command("DEL", keys[-1]).raw]
        c.close()
        return all_blocked, unblocked, restored, out
    return run


def body(s):
    s.case("slowloris PING at 0.6 s/byte, timeout 2", case_slowloris_timeout)
    s.case("idle subscriber with timeout 1", idle_survivor("subscriber"))
    s.case("idle pattern subscriber with timeout 1", idle_survivor("psubscriber"))
    s.case("idle RESP3 subscriber with timeout 1", idle_survivor("resp3 subscriber"))
    s.case("idle ex-subscriber (unsubscribed all) with timeout 1", idle_survivor("unsubscribed"))
    s.case("client blocked in BLPOP with timeout 1", idle_survivor("blocked"))
    s.case("300 slowloris clients", case_many_slowloris)
    s.case("200 stalled clients reaped by timeout 1", case_slowloris_reaped)
    for t in s.targets():
        t.admin("SET", "adv:big", "b" * MB)
    s.case("non-reader over normal hard limit 4mb", case_obuf_normal_hard)
    s.case("non-reader over normal soft limit 1mb/1s", case_obuf_normal_soft)
    s.case("non-reader, no normal limit, 100 MB of replies", case_obuf_unlimited,
           check=rss_below(160))
    s.case("subscriber stops reading under PUBLISH flood", pubsub_flood(False),
           check=rss_below(64))
    s.case("pattern subscriber stops reading under PUBLISH flood", pubsub_flood(True),
           check=rss_below(64))
    for t in s.targets():
        t.admin("DEL", "adv:big")
    s.case("10,000 connections opened and dropped", case_churn)
    s.case("maxclients 20 exceeded", case_maxclients)
    s.case("500 clients blocked in BLPOP vanish", case_blpop_vanish(500, 1))
    s.case("100 clients blocked on 200 keys vanish", case_blpop_vanish(100, 200))


if __name__ == "__main__":
    fd_budget()
    sys.exit(adv.main_wrapper(__doc__, 240, body))
