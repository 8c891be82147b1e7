"""Shared code for grabkv's over-TCP test scripts (standard library only).

What is here:
  * ServerProcess: starts a grabkv-server or a redis-server on a free
    127.0.0.1 port, waits until it answers, and always kills it at the end
    (try/finally in the scripts, plus atexit, plus PR_SET_PDEATHSIG so a
    killed test script never leaves a server behind).
  * RespConn: a raw RESP client. read_reply() returns one whole reply as a
    Reply holding the exact raw bytes and a parsed value. It parses RESP2 and
    RESP3 frames, nested aggregates, push frames and attributes.
  * split_args(): redis-cli's (sdssplitargs) quoting rules, used by the case
    files of test_differential.py (see cases/README.md for that format).
  * Reporter: counts results and prints the final "N passed, M failed" line.

Which binary is which: any binary whose file name starts with "redis-server"
is treated as a real Redis (gets --daemonize no, --dir, and
--enable-debug-command local); anything else is started with grabkv's
documented redis-compatible command line only:
  grabkv-server --port N --bind 127.0.0.1 --save "" --appendonly no
Both run with a fresh temporary directory as their working directory.
"""

import argparse
import atexit
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HOST = "127.0.0.1"
SOCKET_TIMEOUT = 5.0
DEFAULT_REDIS = "/usr/bin/redis-server"
DEFAULT_REDIS_CLI = "/usr/bin/redis-cli"


# --------------------------------------------------------------------------
# Results


class Reporter:
    """Counts checks; prints failure detail as it happens and a summary."""

    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.skipped = []
        self.failures = []
        self.verbose = verbose

    def ok(self, name):
        self.passed += 1
        if self.verbose:
            print("PASS %s" % name, flush=True)

    def fail(self, name, detail=""):
        self.failed += 1
        self.failures.append(name)
        print("FAIL %s" % name, flush=True)
        if detail:
            for line in str(detail).rstrip("\n").split("\n"):
                print("    " + line)
        sys.stdout.flush()

    def check(self, name, cond, detail=""):
        if cond:
            self.ok(name)
        else:
            self.fail(name, detail)
        return cond

    def check_same(self, prefix, got, want):
        """One check per key of want (what real Redis showed): got (what
        grabkv showed) has the same value there."""
        for k, v in want.items():
            self.check("%s: %s" % (prefix, k), got.get(k) == v,
                       "\n  grabkv %r\n  redis  %r" % (got.get(k), v))

    def skip(self, name, reason):
        # Skips are reported but counted neither as passed nor as failed.
        self.skipped.append(name)
        print("SKIP %s: %s" % (name, reason), flush=True)

    def finish(self):
        if self.failures:
            print("failed checks: " + ", ".join(self.failures[:50]) +
                  (" ..." if len(self.failures) > 50 else ""))
        if self.skipped:
            print("skipped (not counted): %d" % len(self.skipped))
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 and self.passed > 0 else 1


def common_arg_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--server", required=True,
                   help="server binary under test (grabkv-server; a "
                        "redis-server works too, to validate the tests)")
    p.add_argument("--redis", default=DEFAULT_REDIS,
                   help="reference redis-server binary (default %(default)s)")
    p.add_argument("--redis-cli", default=DEFAULT_REDIS_CLI)
    p.add_argument("--verbose", "-v", action="store_true")
    p.add_argument("--keep-logs", action="store_true",
                   help="keep server temp dirs and print where they are")
    return p


def begin(description, guard_seconds, parser=None):
    """The start of every script's main(): parses the common arguments (or
    those of `parser`, a common_arg_parser with more added), installs the
    overall time guard and returns (args, Reporter)."""
    args = (parser or common_arg_parser(description)).parse_args()
    install_guard(guard_seconds)
    return args, Reporter(args.verbose)


def each_server(args, extra_args=()):
    """Yields ("grabkv", server) and then ("redis", server): args.server and
    args.redis started with extra_args, each stopped before the next."""
    for name, binary in (("grabkv", args.server), ("redis", args.redis)):
        with ServerProcess(binary, name=name, extra_args=extra_args) as srv:
            yield name, srv


def run_check(rep, name, fn, *args, tb_limit=3):
    """Runs one check: passed if fn(*args) returns, failed with the traceback
    if it raises. Returns whether it passed."""
    try:
        fn(*args)
    except Exception:
        rep.fail(name, traceback.format_exc(limit=tb_limit))
        return False
    rep.ok(name)
    return True


def is_real_redis(binary):
    return os.path.basename(binary).startswith("redis-server")


def install_guard(seconds):
    """Hard limit on a whole script: on expiry, kill servers and exit 1."""

    def on_alarm(signum, frame):
        print("FAIL overall time guard of %ds expired" % seconds, flush=True)
        stop_all_servers()
        print("0 passed, 1 failed", flush=True)
        os._exit(1)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)


# --------------------------------------------------------------------------
# Server processes

_all_servers = []
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:
    _libc = None


def _set_pdeathsig():
    # Runs in the child between fork and exec: die when the test dies.
    try:
        if _libc is not None:
            _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def stop_all_servers():
    for srv in list(_all_servers):
        try:
            srv.stop()
        except Exception:
            pass


def _on_signal(signum, frame):
    stop_all_servers()
    sys.exit(128 + signum)


atexit.register(stop_all_servers)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_sig, _on_signal)
    except Exception:
        pass


class ServerStartError(Exception):
    pass


class ServerProcess:
    """One server process on 127.0.0.1:<port>, output captured in a log."""

    def __init__(self, binary, extra_args=(), name=None, config_file=None,
                 port=None, bind=True, keep_logs=False, wait_ready=True):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.name = name or os.path.basename(binary)
        self.config_file = config_file
        self.fixed_port = port
        self.bind = bind
        self.keep_logs = keep_logs
        self.wait_ready = wait_ready
        self.proc = None
        self.port = None
        self.tmpdir = None
        self.log_path = None
        self.redis = is_real_redis(binary)

    # Command line -------------------------------------------------------
    def base_args(self, port):
        args = [self.binary]
        if self.config_file:
            args.append(self.config_file)
        args += ["--port", str(port)]
        if self.bind:
            args += ["--bind", HOST]
        args += ["--save", "", "--appendonly", "no"]
        if self.redis:
            args += ["--daemonize", "no", "--dir", self.tmpdir,
                     "--enable-debug-command", "local"]
        return args + self.extra_args

    # Lifecycle ----------------------------------------------------------
    def start(self, timeout=15.0):
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="grabkv-it-")
        last_err = None
        for attempt in range(5):
            port = self.fixed_port if self.fixed_port is not None else free_port()
            self.log_path = os.path.join(self.tmpdir, "server-%d.log" % port)
            logf = open(self.log_path, "wb")
            try:
                self.proc = subprocess.Popen(
                    self.base_args(port), stdout=logf, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, cwd=self.tmpdir,
                    preexec_fn=_set_pdeathsig)
            finally:
                logf.close()
            self.port = port
            if self not in _all_servers:
                _all_servers.append(self)
            if not self.wait_ready:
                return self
            try:
                self._wait_until_ready(timeout)
                return self
            except ServerStartError as e:
                last_err = e
                log = self.log_text()
                self.stop(remove=False)
                if "in use" in log and self.fixed_port is None:
                    continue  # port collision: retry on another port
                break
        raise ServerStartError("%s did not start: %s\n--- log tail ---\n%s" %
                               (self.name, last_err, self.log_tail()))

    def _wait_until_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError("exited with code %s" % self.proc.returncode)
            try:
                with socket.create_connection((HOST, self.port), timeout=1.0) as s:
                    s.settimeout(2.0)
                    s.sendall(b"PING\r\n")
                    data = s.recv(256)
                    # NOAUTH when a password is set still means "serving".
                    if data.startswith(b"+PONG") or data.startswith(b"-NOAUTH"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise ServerStartError("not answering PING after %.0fs" % timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, remove=True, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
                self.proc.wait(timeout=5)
            except Exception:
                try:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
                except Exception:
                    pass
        if remove and self in _all_servers:
            _all_servers.remove(self)
            if self.tmpdir and not self.keep_logs:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
                self.tmpdir = None
            elif self.tmpdir:
                print("kept logs of %s in %s" % (self.name, self.tmpdir))

    def restart(self):
        self.stop(remove=False)
        self.start()

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=15):
        return "\n".join(self.log_text().splitlines()[-n:])

    def pid(self):
        return self.proc.pid if self.proc else None

    def rss_kb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return -1

    def connect(self, timeout=SOCKET_TIMEOUT):
        return RespConn(HOST, self.port, timeout)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# RESP client

class ReplyTimeout(Exception):
    pass


class ConnectionClosed(Exception):
    pass


class ProtocolViolation(Exception):
    pass


class Reply:
    """One reply: `kind` is its first byte as a str ('+', '$', '%', ...),
    `value` the parsed value, `raw` the exact bytes of the whole frame.

    value by kind:  + - ( ,   -> bytes of the line
                    :         -> int
                    $ ! =     -> bytes, or None for a null bulk ($-1)
                    * ~ >     -> list of Reply, or None for a null array (*-1)
                    %  |      -> list of (Reply, Reply)
                    _         -> None
                    #         -> bool
    A reply preceded by an attribute (|) has it in `.attribute` and its raw
    includes the attribute bytes."""

    __slots__ = ("kind", "value", "raw", "attribute")

    def __init__(self, kind, value, raw, attribute=None):
        self.kind = kind
        self.value = value
        self.raw = raw
        self.attribute = attribute

    def is_error(self):
        return self.kind in "-!"

    def is_null(self):
        return self.kind == "_" or (self.kind in "$*" and self.value is None)

    def is_aggregate(self):
        return self.kind in "*~>%|"

    def elements(self):
        """Flat list of child replies (maps: k1, v1, k2, v2...)."""
        if self.kind in "*~>":
            return list(self.value or [])
        if self.kind in "%|":
            out = []
            for k, v in self.value:
                out += [k, v]
            return out
        return []

    def as_pairs(self):
        """Maps, or RESP2 flat arrays of alternating key/value, as pairs."""
        if self.kind in "%|":
            return list(self.value)
        if self.kind == "*" and self.value is not None and len(self.value) % 2 == 0:
            v = self.value
            return [(v[i], v[i + 1]) for i in range(0, len(v), 2)]
        return None

    def text(self):
        if isinstance(self.value, bytes):
            return self.value.decode("utf-8", "replace")
        return str(self.value)

    def to_py(self):
        """Plain Python value (bytes/int/list/dict); errors become bytes."""
        if self.kind in "*~>":
            return None if self.value is None else [r.to_py() for r in self.value]
        if self.kind in "%|":
            return {k.to_py(): v.to_py() for k, v in self.value}
        return self.value

    def __repr__(self):
        return "Reply(%r)" % (self.raw,)


def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8")
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespConn:
    """A socket with a read buffer and a RESP2/RESP3 reply parser."""

    def __init__(self, host, port, timeout=SOCKET_TIMEOUT):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.closed_by_peer = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.settimeout(self.timeout)
        self.sock.sendall(data)

    def send_command(self, *args):
        self.send(encode_command(args))

    def command(self, *args, timeout=None):
        self.send_command(*args)
        return self.read_reply(timeout)

    # Buffer helpers ---------------------------------------------------------
    def _fill(self, deadline):
        remaining = deadline - time.time()
        if remaining <= 0:
            raise ReplyTimeout("timed out waiting for reply")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(1 << 20)
        except socket.timeout:
            raise ReplyTimeout("timed out waiting for reply")
        except (ConnectionResetError, BrokenPipeError) as e:
            self.closed_by_peer = True
            raise ConnectionClosed("connection reset: %s" % e)
        if not chunk:
            self.closed_by_peer = True
            raise ConnectionClosed("connection closed by server")
        self.buf += chunk

    def _line(self, p, deadline):
        while True:
            i = self.buf.find(b"\r\n", p)
            if i >= 0:
                return bytes(self.buf[p:i]), i + 2
            self._fill(deadline)

    def _need(self, end, deadline):
        while len(self.buf) < end:
            self._fill(deadline)

    def _parse(self, p, deadline, depth=0):
        """Parses one frame at p; returns (Reply-without-raw, end offset)."""
        if depth > 64:
            raise ProtocolViolation("nesting too deep")
        self._need(p + 1, deadline)
        kind = chr(self.buf[p])
        line, q = self._line(p + 1, deadline)
        if kind in "+-(,":
            return Reply(kind, line, None), q
        if kind == ":":
            try:
                return Reply(kind, int(line), None), q
            except ValueError:
                raise ProtocolViolation("bad integer %r" % line)
        if kind == "_":
            return Reply(kind, None, None), q
        if kind == "#":
            return Reply(kind, line == b"t", None), q
        if kind in "$!=":
            n = int(line)
            if n < 0:
                return Reply(kind, None, None), q
            self._need(q + n + 2, deadline)
            data = bytes(self.buf[q:q + n])
            if self.buf[q + n:q + n + 2] != b"\r\n":
                raise ProtocolViolation("bulk not terminated by CRLF")
            return Reply(kind, data, None), q + n + 2
        if kind in "*~>%|":
            n = int(line)
            if n < 0:
                return Reply(kind, None, None), q
            count = n * 2 if kind in "%|" else n
            items = []
            for _ in range(count):
                r, q = self._parse_full(q, deadline, depth + 1)
                items.append(r)
            if kind in "%|":
                items = [(items[i], items[i + 1]) for i in range(0, len(items), 2)]
            if kind == "|":
                # An attribute comes before the reply it annotates.
                inner, q2 = self._parse_full(q, deadline, depth + 1)
                inner.attribute = Reply("|", items, bytes(self.buf[p:q]))
                return inner, q2
            return Reply(kind, items, None), q
        raise ProtocolViolation("unknown reply type byte %r" % kind)

    def _parse_full(self, p, deadline, depth):
        r, q = self._parse(p, deadline, depth)
        if r.kind != "|" and r.raw is None:
            r.raw = bytes(self.buf[p:q])
        elif r.attribute is not None:
            r.raw = bytes(self.buf[p:q])
        return r, q

    def read_reply(self, timeout=None):
        """Reads exactly one reply. Raises ReplyTimeout / ConnectionClosed."""
        deadline = time.time() + (timeout if timeout is not None else self.timeout)
        if self.pos:
            # Offsets are only stable within one reply: drop consumed bytes
            # between replies, never while parsing.
            del self.buf[:self.pos]
            self.pos = 0
        r, q = self._parse_full(self.pos, deadline, 0)
        self.pos = q
        return r

    def pending(self):
        return len(self.buf) - self.pos

    def wait_closed(self, timeout=2.0):
        """'closed' if the server closes the connection (after any replies
        already read) within timeout, 'data' if more bytes arrive instead,
        'open' if nothing happens."""
        if self.pending():
            return "data"
        deadline = time.time() + timeout
        try:
            self._fill(deadline)
        except ConnectionClosed:
            return "closed"
        except ReplyTimeout:
            return "open"
        return "data"


# --------------------------------------------------------------------------
# redis-cli style argument splitting (sdssplitargs)

_HEX = "0123456789abcdefABCDEF"


def split_args(line):
    """Splits a line the way redis-cli does. Returns a list of bytes.

    Unquoted words are taken as-is (UTF-8). In "double quotes" the escapes
    \\xHH \\n \\r \\t \\b \\a \\\\ \\" are decoded; in 'single quotes' only \\'.
    A closing quote must be followed by a space or the end of the line.
    Raises ValueError on unbalanced quotes."""
    data = line.encode("utf-8") if isinstance(line, str) else line
    out = []
    i, n = 0, len(data)
    while True:
        while i < n and data[i:i + 1].isspace():
            i += 1
        if i >= n:
            return out
        cur = bytearray()
        quote = None  # b'"' or b"'" inside quotes
        while True:
            if quote is None:
                if i >= n:
                    break
                c = data[i:i + 1]
                if c.isspace():
                    break
                if c in (b'"', b"'"):
                    quote = c
                else:
                    cur += c
                i += 1
                continue
            if i >= n:
                raise ValueError("unbalanced %s quotes" % ("double" if quote == b'"' else "single"))
            c = data[i:i + 1]
            if (quote == b'"' and c == b"\\" and i + 3 < n and data[i + 1:i + 2] == b"x"
                    and chr(data[i + 2]) in _HEX and chr(data[i + 3]) in _HEX):
                cur.append(int(data[i + 2:i + 4], 16))
                i += 3
            elif quote == b'"' and c == b"\\" and i + 1 < n:
                e = data[i + 1:i + 2]
                cur += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b",
                        b"a": b"\a"}.get(e, e)
                i += 1
            elif quote == b"'" and c == b"\\" and i + 1 < n and data[i + 1:i + 2] == b"'":
                cur += b"'"
                i += 1
            elif c == quote:
                if i + 1 < n and not data[i + 1:i + 2].isspace():
                    raise ValueError("closing quote must be followed by a space")
                i += 1
                break
            else:
                cur += c
            i += 1
        out.append(bytes(cur))


# --------------------------------------------------------------------------
# Small helpers for the scripts


def run_scenarios(rep, scenarios, only, run):
    """Runs each (name, fn) of `scenarios` whose name is in `only` (all when
    empty) as run(fn): an exception fails the scenario, every server started
    meanwhile is stopped after it, and its time is printed."""
    failed_before = rep.failed
    try:
        for name, fn in scenarios:
            if only and name not in only:
                continue
            t0 = time.time()
            try:
                run(fn)
            except Exception:  # noqa: BLE001
                rep.fail("%s: exception" % name, traceback.format_exc())
            finally:
                stop_all_servers()
            print("scenario %s: %.1fs%s" % (name, time.time() - t0,
                                            "" if rep.failed == failed_before else " (failures)"),
                  flush=True)
            failed_before = rep.failed
    finally:
        stop_all_servers()


def wait_for(pred, timeout=5.0, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


def listening_addresses(port):
    """Local addresses listening on `port` according to /proc/net/tcp{,6}."""
    found = []
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    local, state = parts[1], parts[3]
                    if state != "0A":  # LISTEN
                        continue
                    addr_hex, port_hex = local.split(":")
                    if int(port_hex, 16) != port:
                        continue
                    raw = bytes.fromhex(addr_hex)
                    if v6:
                        # /proc prints each 32-bit word in host order.
                        words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
                        found.append(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
                    else:
                        found.append(socket.inet_ntoa(raw[::-1]))
        except OSError:
            pass
    return found


PORT_LOG_RE = re.compile(r"port[= ](\d+)")


# --------------------------------------------------------------------------
# Assertions and redis-py clients shared by the scripts


def eq(got, want, what=""):
    if got != want:
        raise AssertionError("%s: expected %r, got %r" % (what or "value", want, got))


def raises(exc_type, fn, *args, contains=None, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        if contains is not None and contains not in str(e):
            raise AssertionError("error %r does not contain %r" % (str(e), contains))
        return e
    raise AssertionError("%s did not raise %s" % (getattr(fn, "__name__", fn),
                                                  exc_type.__name__))


def import_redis_py():
    """Debian's python3-redis, or None when it is not installed (the scripts
    report that as a failure: see require_redis_py)."""
    try:
        import redis
    except ImportError:
        return None
    return redis


def require_redis_py(rep, redis_mod):
    """False (and a failure reported) when redis-py could not be imported."""
    if redis_mod is None:
        rep.fail("import redis", "python3-redis is not installed for %s" % sys.executable)
        return False
    return True


class RedisPyClients:
    """Makes redis-py clients to one ServerProcess (call it with redis.Redis's
    keyword arguments; host and port are the server's current ones) and
    disconnects all of them in close()."""

    def __init__(self, redis_mod, server, connect_timeout=True):
        self.redis = redis_mod
        self.server = server
        self.connect_timeout = connect_timeout
        self.clients = []

    def __call__(self, **kw):
        kw.setdefault("socket_timeout", SOCKET_TIMEOUT)
        if self.connect_timeout:
            kw.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        c = self.redis.Redis(host=HOST, port=self.server.port, **kw)
        self.clients.append(c)
        return c

    def close(self):
        for c in self.clients:
            try:
                c.connection_pool.disconnect()
            except Exception:
                pass
        del self.clients[:]


def run_threads(n, target, join_timeout):
    """Runs target(i) for i in range(n) on n threads; returns (results,
    errors), errors being "i: exception" for every target that raised."""
    results = [None] * n
    errors = []

    def wrap(i):
        try:
            results[i] = target(i)
        except Exception as e:  # reported, never swallowed
            errors.append("%s: %r" % (i, e))

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(join_timeout)
    return results, errors


def start_with_conf(binary, conf, port, timeout=10.0):
    """Starts binary with the config file conf (its folder as the working
    directory); returns (proc, RespConn) or (proc, None) if it exited or
    never answered on port."""
    proc = subprocess.Popen([binary, conf], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=os.path.dirname(conf),
                            preexec_fn=_set_pdeathsig)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return proc, None
        try:
            return proc, RespConn(HOST, port)
        except OSError:
            time.sleep(0.05)
    return proc, None


def kill_and_output(proc):
    """Kills proc if it still runs; returns what it wrote (stdout+stderr)."""
    if proc.poll() is None:
        proc.kill()
    out = proc.communicate(timeout=10)[0]
    return out.decode("utf-8", "replace")


def redis_py_suite(description, checks, run_one, extra_args=(), connect_timeout=True,
                   before_each=None, after_all=None, tb_limit=3):
    """main() of a script of redis-py checks against one server under test.
    For each (name, fn) of checks: before_each(rep, sut, name), when given,
    may say False to skip it; then run_one(name, fn, sut, mk) is the check (mk
    a RedisPyClients, closed after every check); a server that died is
    reported and restarted. after_all(rep, mk) runs last. Returns the exit
    status."""
    redis_mod = import_redis_py()
    args, rep = begin(description, 240)
    if not require_redis_py(rep, redis_mod):
        return rep.finish()
    sut = ServerProcess(args.server, extra_args=extra_args, name="server under test",
                        keep_logs=args.keep_logs)
    try:
        sut.start()
        mk = RedisPyClients(redis_mod, sut, connect_timeout)
        for name, fn in checks:
            if before_each is not None and not before_each(rep, sut, name):
                continue
            run_check(rep, name, run_one, name, fn, sut, mk, tb_limit=tb_limit)
            mk.close()
            if not sut.alive():
                rep.fail("server alive after %s" % name, sut.log_tail())
                sut.restart()
        if after_all is not None:
            after_all(rep, mk)
        rep.check("server under test still running", sut.alive(), sut.log_tail())
    except ServerStartError as e:
        rep.fail("server start", str(e))
    finally:
        sut.stop()
    return rep.finish()
