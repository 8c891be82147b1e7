#!/usr/bin/env python3
"""Hostile Lua over TCP: each attack shape Redis patched its bundled Lua for
(see tests/integration/cases/hostile_lua.txt) is sent to grabkv on one
connection while a second connection keeps sending PING. Checks per shape:
  * every PING is answered PONG within HANG_BOUND seconds (a hang detector,
    not a timing test: the attacks all finish in well under a second);
  * the reply equals real Redis's (raw bytes), except for the shapes that
    crash Redis 7.0.15 itself, where grabkv must answer an error;
  * a key written before the attack is intact and the server still runs.

  test_lua.py --server PATH [--redis PATH]
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

HANG_BOUND = 5.0
EVAL_TIMEOUT = 60.0

# (name, script, redis_survives). redis_survives=False: Redis 7.0.15 crashes
# on it (checked by hand: "PANIC: unprotected error in call to Lua API" or a
# segfault), so grabkv only has to answer (tests/scripting_test.cc checks
# the exact replies).
ATTACKS = [
    ("metatable-hijack CVE-2025-46818",
     "getmetatable('').__index = {upper=function() return 'pwned' end} return 'x'", True),
    ("metatable-rawset CVE-2025-46818", "rawset(getmetatable(''), '__index', {}) return 1", True),
    ("metatable-after", "return ('a'):upper()", True),
    ("long-bracket CVE-2025-46819", "return [" + "=" * 200000 + "[x]" + "=" * 200000 + "]", True),
    ("long-bracket-unfinished CVE-2025-46819", "return [" + "=" * 200000 + "[x", True),
    ("long-bracket-invalid CVE-2025-46819", "return [" + "=" * 200000 + "x", True),
    ("gc-pressure CVE-2025-49844",
     "collectgarbage('setpause', 1) collectgarbage('setstepmul', 100000) return 1", True),
    ("compile-under-gc CVE-2025-49844",
     "local t = {} " + "t[#t+1] = 'a' .. #t " * 300 + "return #t", True),
    ("gc-restore", "collectgarbage('setpause', 200) collectgarbage('setstepmul', 200) return 1", True),
    ("gc-stop CVE-2024-46981", "collectgarbage('stop') return 1", True),
    ("bit-tohex CVE-2024-31449", "return bit.tohex(65535, -2147483648)", True),
    ("cjson-deep-encode CVE-2022-24834",
     "local t = {} local c = t for i = 1, 2000 do c[1] = {} c = c[1] end return cjson.encode(t)", True),
    ("cjson-deep-decode CVE-2022-24834", "return cjson.decode(string.rep('[', 100000))", True),
    ("cjson-big-string CVE-2022-24834",
     "return #cjson.encode(string.rep(string.char(0), 1000000))", True),
    ("deep-reply CVE-2021-32626", "local t = {} for i = 1, 10000 do t = {t} end return t", True),
    ("deep-map-reply CVE-2021-32626",
     "redis.setresp(3) local t = {} for i = 1, 10000 do t = {map = {a = t}} end return t", True),
    ("many-args CVE-2021-32626",
     "local t = {} for i = 1, 7000 do t[i] = 'x' end return redis.call('rpush', 'l', unpack(t))", True),
    ("struct-overflow CVE-2020-14147", "return struct.pack('i99999999999', 1)", True),
    ("struct-c-overflow CVE-2020-14147", "return struct.unpack('c99999999999', 'a')", True),
    ("format-width", "return string.format('%99999999d', 1)", True),
    ("table-concat-range", "return table.concat({1, 2, 3}, ',', 1, 2147483647)", True),
    ("parser-parens", "return " + "(" * 300 + "1" + ")" * 300, True),
    ("parser-unary", "return " + "not " * 50000 + "1", True),
    ("recursion-stack", "local function f() return 1 + f() end return f()", True),
    ("recursion-pcall", "local function f() pcall(f) end f() return 'survived'", True),
    ("recursion-coroutine",
     "local function f(n) if n == 0 then return 0 end return coroutine.wrap(f)(n - 1) end return f(100000)",
     True),
    ("recursion-index",
     "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x",
     True),
    ("error-huge", "error(string.rep('x', 1000000))", True),
    ("error-table", "error({err = 'MY own error'})", True),
    ("error-empty-table", "error({})", False),
    ("error-table-no-err", "error({err = {}})", False),
    ("error-table-index-loops",
     "error(setmetatable({}, {__index = function() while true do end end}))", False),
    ("error-table-index-errors-in-pcall",
     "local function f() error(setmetatable({}, {__index = f})) end local ok = pcall(f) return tostring(ok)",
     False),
]


class Pinger:
    """Sends PING on its own connection until stopped; records the worst wait."""

    def __init__(self, port):
        self.conn = harness.RespConn(harness.HOST, port, timeout=HANG_BOUND + 1)
        self.stop = threading.Event()
        self.worst = 0.0
        self.bad = None
        self.count = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            t0 = time.time()
            try:
                r = self.conn.command("PING", timeout=HANG_BOUND)
            except Exception as e:  # noqa: BLE001 - any failure is a hang/crash
                self.bad = "PING failed: %r" % (e,)
                return
            dt = time.time() - t0
            self.worst = max(self.worst, dt)
            self.count += 1
            if r.raw != b"+PONG\r\n":
                self.bad = "PING got %r" % (r.raw[:100],)
                return
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(HANG_BOUND + 2)
        self.conn.close()


def eval_raw(port, script):
    """The raw reply bytes. Deeply nested replies are past the harness
    parser's depth limit: those are read as bytes until the line is idle."""
    c = harness.RespConn(harness.HOST, port, timeout=EVAL_TIMEOUT)
    try:
        c.send_command("EVAL", script, "0")
        try:
            return c.read_reply(EVAL_TIMEOUT).raw
        except harness.ProtocolViolation:
            data = bytes(c.buf)
            c.sock.settimeout(0.5)
            deadline = time.time() + EVAL_TIMEOUT
            while time.time() < deadline:
                try:
                    chunk = c.sock.recv(1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
            return data
    finally:
        c.close()


def main():
    args, rep = harness.begin(__doc__, 600)
    server = harness.ServerProcess(args.server, keep_logs=args.keep_logs)
    redis = None
    try:
        server.start()
        if os.path.exists(args.redis) and not harness.is_real_redis(args.server):
            redis = harness.ServerProcess(args.redis)
            redis.start()
        setup = harness.RespConn(harness.HOST, server.port)
        for i, (name, script, redis_survives) in enumerate(ATTACKS):
            key = "guard:%d" % i
            setup.command("SET", key, "v%d" % i)
            with Pinger(server.port) as p:
                try:
                    got = eval_raw(server.port, script)
                except Exception as e:  # noqa: BLE001
                    got = None
                    rep.fail(name + ": reply", "no reply: %r\n%s" % (e, server.log_tail()))
            rep.check(name + ": PING answered within %.0fs" % HANG_BOUND,
                      p.bad is None and p.worst < HANG_BOUND,
                      "worst %.2fs over %d PINGs; %s" % (p.worst, p.count, p.bad))
            if got is not None:
                if redis is not None and redis_survives:
                    want = eval_raw(redis.port, script)
                    rep.check(name + ": reply equals Redis's", got == want,
                              "redis:  %r\ngrabkv: %r" % (want[:300], got[:300]))
                elif not redis_survives:
                    rep.check(name + ": answered", len(got) > 0, repr(got[:300]))
            rep.check(name + ": server alive", server.alive(), server.log_tail())
            if not server.alive():
                break
            keep = setup.command("GET", key).raw
            rep.check(name + ": data intact", keep == b"$%d\r\nv%d\r\n" % (len("v%d" % i), i), repr(keep))
        # Every guard key written along the way is still there.
        n = setup.command("DBSIZE").raw
        rep.check("all guard keys intact", n.startswith(b":") and int(n[1:]) >= len(ATTACKS), repr(n))
        setup.close()
    finally:
        server.stop()
        if redis is not None:
            redis.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
