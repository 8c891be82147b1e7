"""Shared machinery of the adversarial tests (standard library only).

Every case runs against grabkv and, where the shape applies, against a real
redis-server 7.0 started with the same settings; Redis's reply is the
expected one. Around every case, on each server:

  * a Probe (a second connection) sends PING every 50 ms and must get PONG
    within HANG_BOUND seconds: a hang detector, not a timing assertion;
  * sentinel data written when the server started must be intact afterwards;
  * the server process must still be alive.

A case function gets a Target and returns an "outcome" (any value that
compares with ==, e.g. raw reply bytes plus "closed"/"open"); the outcomes
of grabkv and Redis must be equal. Cases for commands grabkv does not have
yet go through Suite.pending_command(): while grabkv answers "unknown
command" they only assert an error reply and a healthy server, and are
counted apart so nothing is silently skipped; once the command exists the
same case compares with Redis automatically.
"""

import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

HANG_BOUND = 5.0
PASSWORD = "adv-secret"

SENTINEL = {
    "adv:sentinel:str": b"keep-me",
    "adv:sentinel:list": [b"l1", b"l2", b"l3"],
    "adv:sentinel:hash": {b"f1": b"v1", b"f2": b"v2"},
    "adv:sentinel:set": {b"m1", b"m2"},
    "adv:sentinel:zset": [(b"z1", b"1"), (b"z2", b"2.5")],
}


class Probe(threading.Thread):
    """Sends PING on its own connection until stopped; remembers the worst
    round trip and the first failure (no PONG within HANG_BOUND)."""

    def __init__(self, port, password=None):
        super().__init__(daemon=True)
        self.port = port
        self.password = password
        self.stop_event = threading.Event()
        self.worst = 0.0
        self.pings = 0
        self.error = None

    def run(self):
        try:
            conn = harness.RespConn(harness.HOST, self.port, timeout=HANG_BOUND)
            if self.password:
                conn.command("AUTH", self.password, timeout=HANG_BOUND)
            while not self.stop_event.is_set():
                t0 = time.time()
                r = conn.command("PING", timeout=HANG_BOUND)
                took = time.time() - t0
                self.worst = max(self.worst, took)
                self.pings += 1
                if r.raw != b"+PONG\r\n":
                    self.error = "PING answered %r" % r.raw[:200]
                    return
                self.stop_event.wait(0.05)
            conn.close()
        except Exception as e:  # ReplyTimeout, ConnectionClosed, OSError
            self.error = "%s: %s (after %d PONGs)" % (type(e).__name__, e, self.pings)

    def finish(self):
        self.stop_event.set()
        self.join(HANG_BOUND + 2)
        if self.is_alive():
            return "probe stuck"
        return self.error


class Target:
    """One running server (grabkv or redis) and how to talk to it."""

    def __init__(self, binary, name, password=None, extra_args=()):
        self.name = name
        self.password = password
        args = list(extra_args)
        if password:
            args += ["--requirepass", password]
        self.srv = harness.ServerProcess(binary, extra_args=args, name=name)
        self.settings = []

    @property
    def port(self):
        return self.srv.port

    @property
    def redis(self):
        return self.srv.redis

    def start(self):
        self.srv.start()
        c = self.conn()
        self.seed(c)
        c.close()
        return self

    def restart(self):
        self.srv.restart()
        c = self.conn()
        self.seed(c)
        for args in self.settings:
            c.command(*args)
        c.close()

    def configure(self, *args):
        """CONFIG SET that survives restart()."""
        self.settings.append(("CONFIG", "SET") + args)
        return self.admin("CONFIG", "SET", *args)

    def conn(self, auth=True, timeout=harness.SOCKET_TIMEOUT):
        c = harness.RespConn(harness.HOST, self.port, timeout)
        if auth and self.password:
            r = c.command("AUTH", self.password)
            assert r.raw == b"+OK\r\n", r.raw
        return c

    def raw_socket(self, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(harness.SOCKET_TIMEOUT)
        s.connect((harness.HOST, self.port))
        return s

    def admin(self, *args):
        c = self.conn()
        try:
            return c.command(*args, timeout=30)
        finally:
            c.close()

    def info_field(self, section, field):
        r = self.admin("INFO", section)
        for line in r.value.decode().splitlines():
            if line.startswith(field + ":"):
                return line.split(":", 1)[1]
        return None

    def rss_kb(self):
        return self.srv.rss_kb()

    def seed(self, c):
        c.command("SET", "adv:sentinel:str", SENTINEL["adv:sentinel:str"])
        c.command("RPUSH", "adv:sentinel:list", *SENTINEL["adv:sentinel:list"])
        h = SENTINEL["adv:sentinel:hash"]
        c.command("HSET", "adv:sentinel:hash", *[x for kv in sorted(h.items()) for x in kv])
        c.command("SADD", "adv:sentinel:set", *sorted(SENTINEL["adv:sentinel:set"]))
        c.command("ZADD", "adv:sentinel:zset",
                  *[x for m, s in SENTINEL["adv:sentinel:zset"] for x in (s, m)])

    def sentinel_problem(self):
        """None if the sentinel data is intact, else what differs."""
        try:
            c = self.conn()
        except Exception as e:
            return "cannot connect: %s" % e
        try:
            got = {
                "adv:sentinel:str": c.command("GET", "adv:sentinel:str").value,
                "adv:sentinel:list": [r.value for r in
                                      c.command("LRANGE", "adv:sentinel:list", 0, -1).value],
                "adv:sentinel:hash": dict((k.value, v.value) for k, v in
                                          c.command("HGETALL", "adv:sentinel:hash").as_pairs()),
                "adv:sentinel:set": set(r.value for r in
                                        c.command("SMEMBERS", "adv:sentinel:set").value),
                "adv:sentinel:zset": [(k.value, v.value) for k, v in c.command(
                    "ZRANGE", "adv:sentinel:zset", 0, -1, "WITHSCORES").as_pairs()],
            }
        except Exception as e:
            return "reading sentinel data failed: %s" % e
        finally:
            c.close()
        if got != SENTINEL:
            return "sentinel data changed: %r" % (got,)
        return None


def drain(conn, quiet=0.5, limit=200, overall=10.0):
    """Reads replies until the server closes the connection, none arrives
    for `quiet` seconds, or `limit` replies: returns (raw replies, state)
    where state is 'closed' or 'open'."""
    out = []
    deadline = time.time() + overall
    while len(out) < limit and time.time() < deadline:
        try:
            out.append(conn.read_reply(timeout=quiet).raw)
        except harness.ConnectionClosed:
            return out, "closed"
        except harness.ReplyTimeout:
            if conn.pending():
                continue  # a reply is arriving slowly; keep reading
            return out, "open"
    return out, "open"


def exchange(target, data, auth=True, quiet=0.5, limit=200):
    """Sends raw bytes on a fresh connection; returns drain()'s outcome."""
    c = target.conn(auth=auth)
    try:
        try:
            c.send(data)
        except OSError:
            pass  # the server may close while we still send
        return drain(c, quiet=quiet, limit=limit)
    finally:
        c.close()


def wait_closed(sock, timeout):
    """True if the server closes `sock` within timeout (data is discarded)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            return False
        except OSError:
            return True
        if not chunk:
            return True
    return False


def short(v, n=300):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


class Suite:
    """Runs cases on a grabkv Target and, optionally, a Redis Target."""

    def __init__(self, args, password=None, extra_args=(), redis=True):
        self.rep = harness.Reporter(args.verbose)
        self.grabkv = Target(args.server, "grabkv", password, extra_args)
        self.ref = Target(args.redis, "redis", password, extra_args) if redis else None
        self.pending = []    # cases for commands grabkv lacks (error today)
        self.grabkv_only = []  # cases whose Redis comparison does not apply

    def targets(self):
        return [t for t in (self.grabkv, self.ref) if t is not None]

    def start(self):
        for t in self.targets():
            t.start()

    def stop(self):
        harness.stop_all_servers()

    def _guarded(self, target, name, fn):
        """Runs fn(target) under a probe; checks liveness and sentinel data.
        Returns (ok, outcome)."""
        if not target.srv.alive():
            self.rep.fail("%s [%s]: server already dead" % (name, target.name))
            return False, None
        probe = Probe(target.port, target.password)
        probe.start()
        t0 = time.time()
        outcome, ok = None, True
        try:
            outcome = fn(target)
        except Exception as e:
            ok = False
            self.rep.fail("%s [%s]: case raised" % (name, target.name),
                          "%s: %s" % (type(e).__name__, e))
        perr = probe.finish()
        if self.rep.verbose:
            print("  %s [%s]: %.1fs, worst PING %.3fs" %
                  (name, target.name, time.time() - t0, probe.worst))
        ok &= self.rep.check("%s [%s]: PING served throughout" % (name, target.name),
                             perr is None,
                             "%s; worst PING %.2fs" % (perr, probe.worst))
        alive = target.srv.alive()
        ok &= self.rep.check("%s [%s]: server alive" % (name, target.name), alive,
                             target.srv.log_tail())
        if alive and perr is None:
            prob = target.sentinel_problem()
            ok &= self.rep.check("%s [%s]: earlier data intact" % (name, target.name),
                                 prob is None, prob)
        if perr is not None or not alive:
            # A hung or dead server would fail every later case too: start
            # a fresh one so they still say something.
            print("    restarting %s after %s" % (target.name, name), flush=True)
            target.restart()
        return ok, outcome

    def case(self, name, fn, compare=True, check=None):
        """fn(target) -> outcome. With compare, grabkv's outcome must equal
        Redis's. check(outcome, target) -> None or a problem text, applied to
        every target (properties that hold on both, e.g. bounded memory)."""
        results = {}
        for t in self.targets():
            if t is self.ref and not compare and check is None:
                continue
            ok, out = self._guarded(t, name, fn)
            results[t.name] = (ok, out)
            if self.rep.verbose:
                print("  outcome [%s]: %s" % (t.name, short(out, 300)))
            if ok and check is not None:
                prob = check(out, t)
                self.rep.check("%s [%s]: %s" % (name, t.name, "bounded/expected behaviour"),
                               prob is None, prob)
        if compare and self.ref is not None:
            g_ok, g = results.get("grabkv", (False, None))
            r_ok, r = results.get("redis", (False, None))
            if g_ok and r_ok:
                self.rep.check("%s: same outcome as Redis" % name, g == r,
                               "grabkv: %s\nredis:  %s" % (short(g, 600), short(r, 600)))
        elif self.ref is not None and "redis" not in results:
            self.grabkv_only.append(name)
        return results

    def pending_command(self, name, commands, setup=()):
        """A shape for a command grabkv does not have yet. `commands` is a
        list of argument lists sent in order on one connection (after
        `setup`). While grabkv answers "unknown command" each must get an
        error and the server must stay healthy; once grabkv has the command
        the replies are compared with Redis's instead.
        TODO(when implemented): nothing to change: the comparison turns on."""

        def run(t):
            c = t.conn()
            try:
                for a in setup:
                    c.command(*a, timeout=30)
                return [c.command(*a, timeout=30).raw for a in commands]
            finally:
                c.close()

        ok, got = self._guarded(self.grabkv, name, run)
        if not ok:
            return
        unknown = [r for r in got if r.startswith(b"-ERR unknown command")]
        if unknown:  # pending until every command of the case exists
            self.pending.append(name)
            self.rep.check("%s [grabkv]: error reply while the command is missing" % name,
                           all(r.startswith(b"-") for r in got), short(got))
            return
        if self.ref is None:
            return
        r_ok, want = self._guarded(self.ref, name, run)
        if r_ok:
            self.rep.check("%s: same replies as Redis" % name, got == want,
                           "grabkv: %s\nredis:  %s" % (short(got, 600), short(want, 600)))

    def finish(self):
        if self.grabkv_only:
            print("grabkv-only cases (no Redis comparison, see README): %d: %s" %
                  (len(self.grabkv_only), ", ".join(self.grabkv_only)))
        print("pending-command cases (command missing in grabkv; error reply and health "
              "checked, Redis comparison turns on once it exists): %d%s" %
              (len(self.pending), (": " + ", ".join(self.pending)) if self.pending else ""))
        return self.rep.finish()


def main_wrapper(description, guard_seconds, body, password=None, extra_args=()):
    args = harness.common_arg_parser(description).parse_args()
    harness.install_guard(guard_seconds)
    suite = Suite(args, password=password, extra_args=extra_args)
    try:
        suite.start()
        body(suite)
    finally:
        suite.stop()
    return suite.finish()
