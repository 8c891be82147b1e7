#!/usr/bin/python3
"""Process conventions of the server: logging of the port and readiness,
--port 0, default bind address, --requirepass, a config file as the first
argument, --version, a port already in use, SIGTERM, SHUTDOWN NOSAVE,
maxclients, and the output buffer limit of a client that does not read.

Where Redis has the same convention, the same scenario also runs against a
real redis-server and the observations must be equal.

  /usr/bin/python3 test_conventions.py --server build/server/grabkv-server
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ConnectionClosed, ReplyTimeout, ServerProcess  # noqa: E402


# Set after a reply timed out in the current scenario: later requests of the
# scenario fail at once instead of each waiting for its own timeout.
_hung = [False]


def raw_reply(conn, *args):
    """Raw bytes of the reply, or a <...> marker for what happened instead."""
    return raw_send(conn, harness.encode_command(args))


def count_clients(client_list_reply):
    """Number of connections in a CLIENT LIST reply (-1 if not a list)."""
    if not isinstance(client_list_reply, bytes) or not client_list_reply.startswith(b"$"):
        return -1
    body = client_list_reply.split(b"\r\n", 1)[1]
    return sum(1 for ln in body.split(b"\n") if ln.startswith(b"id="))


def raw_send(conn, data):
    if _hung[0]:
        return "<not sent: the server stopped answering earlier>"
    try:
        conn.send(data)
        return conn.read_reply().raw
    except ConnectionClosed:
        return "<closed>"
    except ReplyTimeout:
        _hung[0] = True
        return "<timeout>"
    except OSError as e:
        return "<%s>" % type(e).__name__


class Ctx:
    def __init__(self, args, rep):
        self.args = args
        self.rep = rep
        self.sut_is_redis = harness.is_real_redis(args.server)

    def skip_on_redis(self, name, reason):
        """Skips check `name` (True) when the server under test is a real
        Redis: grabkv differs from it there on purpose, for `reason`."""
        if self.sut_is_redis:
            self.rep.skip(name, reason)
        return self.sut_is_redis

    def server(self, which, extra=(), **kw):
        binary = self.args.server if which == "sut" else self.args.redis
        name = "server under test" if which == "sut" else "redis-server (reference)"
        return ServerProcess(binary, extra_args=extra, name=name,
                             keep_logs=self.args.keep_logs, **kw)

    def differential(self, title, scenario, expected=None):
        """Runs scenario(ctx, which) -> list of (step, observation) for the
        reference and the server under test; every step must match."""
        obs = {}
        for which in ("ref", "sut"):
            _hung[0] = False
            try:
                obs[which] = scenario(self, which)
            except harness.ServerStartError as e:
                obs[which] = [("start", "<start failed: %s>" % str(e).splitlines()[0])]
                if which == "sut":
                    print(str(e))
            except Exception as e:  # a scenario bug or a crash: report it
                obs[which] = [("exception", "<%r>" % e)]
        ref = dict(obs["ref"])
        if self.args.verbose:
            for which in ("ref", "sut"):
                for step, value in obs[which]:
                    print("    %s %s: %r" % (which, step, value))
        for step, value in obs["sut"]:
            name = "%s: %s" % (title, step)
            problems = []
            if step not in ref:
                problems.append("step missing on redis-server: %r" % (obs["ref"],))
            elif ref[step] != value:
                problems.append("redis:  %r\ngrabkv: %r" % (ref[step], value))
            if expected and step in expected and expected[step] != value:
                problems.append("expected %r, got %r" % (expected[step], value))
            self.rep.check(name, not problems, "\n".join(problems))
        missing = [s for s, _ in obs["ref"] if s not in dict(obs["sut"])]
        if missing:
            self.rep.fail("%s: steps not reached on the server under test" % title,
                          "%r\nobservations: %r" % (missing, obs["sut"]))


    def sut_only(self, title, scenario, expected):
        """Runs scenario(ctx, "sut") on the server under test alone (for
        behaviour where grabkv deliberately goes beyond Redis's defaults)
        and checks each expected step."""
        if self.sut_is_redis:
            self.rep.skip(title, "grabkv-only behaviour")
            return
        try:
            obs = dict(scenario(self, "sut"))
        except Exception as e:
            self.rep.fail(title, "<%r>" % e)
            return
        for step, want in expected.items():
            got = obs.get(step, "<step not reached>")
            self.rep.check("%s: %s" % (title, step), got == want,
                           "expected %r, got %r" % (want, got))


# --------------------------------------------------------------------------
# Scenarios that only concern grabkv's own conventions


def check_logging(ctx):
    rep = ctx.rep
    for which in ("ref", "sut"):
        with ctx.server(which) as srv:
            log = srv.log_text()
            label = "grabkv" if which == "sut" else "redis (reference)"
            ports = [int(p) for p in harness.PORT_LOG_RE.findall(log)]
            rep.check("%s log names its port (regex port[= ](\\d+))" % label,
                      srv.port in ports, "ports found %r; log:\n%s" % (ports, srv.log_tail()))
            rep.check("%s log says 'Ready to accept connections'" % label,
                      harness.wait_for(lambda: "Ready to accept connections" in srv.log_text()),
                      srv.log_tail())
            if which == "sut" and not ctx.sut_is_redis:
                rep.check("grabkv log says 'Ready to accept connections tcp'",
                          "Ready to accept connections tcp" in srv.log_text(),
                          srv.log_tail())


def check_port_zero(ctx):
    rep = ctx.rep
    if ctx.skip_on_redis("--port 0 picks a free port",
                         "redis-server treats --port 0 as 'do not listen on TCP'; "
                         "grabkv deliberately picks an ephemeral port instead"):
        return
    srv = ctx.server("sut", port=0, wait_ready=False)
    try:
        srv.start()
        port = None

        def logged_port():
            nonlocal port
            log = srv.log_text()
            if "Ready to accept connections" not in log:
                return False
            ports = [int(p) for p in harness.PORT_LOG_RE.findall(log) if int(p) != 0]
            port = ports[-1] if ports else None
            return port is not None

        ok = harness.wait_for(logged_port, timeout=10)
        if not rep.check("--port 0 logs the chosen port and readiness", ok,
                         "alive=%s log:\n%s" % (srv.alive(), srv.log_tail())):
            return
        try:
            c = harness.RespConn(harness.HOST, port)
            reply = raw_reply(c, "PING")
            c.close()
        except OSError as e:
            reply = "<connect failed: %s>" % e
        rep.check("--port 0: the logged port %d answers PING" % port,
                  reply == b"+PONG\r\n", "reply %r" % (reply,))
    finally:
        srv.stop()


def check_default_bind(ctx):
    rep = ctx.rep
    if ctx.skip_on_redis("default bind is 127.0.0.1",
                         "redis-server binds '* -::*' by default (protected mode); grabkv "
                         "deliberately binds only loopback"):
        return
    with ctx.server("sut", bind=False) as srv:
        addrs = harness.listening_addresses(srv.port)
        rep.check("default bind is 127.0.0.1 only", addrs == ["127.0.0.1"],
                  "listening on %r" % addrs)


def check_protected_mode(ctx):
    ctx.rep.skip("protected mode", "needs a non-loopback interface; this test "
                 "only uses 127.0.0.1")


def check_version(ctx):
    def scenario(ctx, which):
        binary = ctx.args.server if which == "sut" else ctx.args.redis
        p = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        text = p.stdout.decode("utf-8", "replace")
        return [("exit code", p.returncode),
                ("prints a version number", bool(re.search(r"\d+\.\d+", text)))]
    ctx.differential("--version", scenario,
                     {"exit code": 0, "prints a version number": True})


# --------------------------------------------------------------------------
# Scenarios compared with redis-server


def scen_requirepass(ctx, which):
    out = []
    with ctx.server(which, extra=["--requirepass", "secret"]) as srv:
        c = srv.connect()
        out.append(("PING before AUTH", raw_reply(c, "PING")))
        out.append(("GET before AUTH", raw_reply(c, "GET", "k")))
        out.append(("SET before AUTH", raw_reply(c, "SET", "k", "v")))
        out.append(("HELLO 3 before AUTH", raw_reply(c, "HELLO", "3")))
        out.append(("HELLO 2 AUTH wrong", raw_reply(c, "HELLO", "2", "AUTH", "default", "bad")))
        out.append(("AUTH wrong password", raw_reply(c, "AUTH", "wrong")))
        out.append(("AUTH default wrong", raw_reply(c, "AUTH", "default", "wrong")))
        out.append(("AUTH no args", raw_reply(c, "AUTH")))
        out.append(("still NOAUTH", raw_reply(c, "GET", "k")))
        out.append(("AUTH secret", raw_reply(c, "AUTH", "secret")))
        out.append(("PING after AUTH", raw_reply(c, "PING")))
        out.append(("SET after AUTH", raw_reply(c, "SET", "k", "v")))
        out.append(("AUTH wrong after AUTH", raw_reply(c, "AUTH", "wrong")))
        out.append(("GET after failed re-AUTH", raw_reply(c, "GET", "k")))
        out.append(("CONFIG GET requirepass", raw_reply(c, "CONFIG", "GET", "requirepass")))
        c.close()
        c = srv.connect()
        out.append(("AUTH default secret", raw_reply(c, "AUTH", "default", "secret")))
        out.append(("GET with user form", raw_reply(c, "GET", "k")))
        c.close()
        c = srv.connect()
        r = None
        try:
            r = c.command("HELLO", "3", "AUTH", "default", "secret")
        except Exception as e:
            out.append(("HELLO 3 AUTH default secret", "<%r>" % e))
        if r is not None:
            keys = [k.value for k, _ in (r.as_pairs() or [])]
            out.append(("HELLO 3 AUTH default secret", (r.kind, keys)))
        out.append(("GET after HELLO AUTH (RESP3)", raw_reply(c, "GET", "k")))
        c.close()
        # Before authentication, Redis accepts only small requests.
        c = srv.connect()
        out.append(("unauthenticated 11-arg multibulk",
                    raw_send(c, harness.encode_command(["ECHO"] + ["x"] * 10))))
        out.append(("connection closed after it", c.wait_closed(2)))
        c.close()
        c = srv.connect()
        out.append(("unauthenticated 10-arg multibulk",
                    raw_send(c, harness.encode_command(["ECHO"] + ["x"] * 9))))
        out.append(("unauthenticated bulk of 16385 bytes",
                    raw_send(c, b"*2\r\n$4\r\nECHO\r\n$16385\r\n" + b"x" * 16385 + b"\r\n")))
        out.append(("connection closed after the bulk error", c.wait_closed(2)))
        c.close()
        c = srv.connect()
        out.append(("QUIT without AUTH", raw_reply(c, "QUIT")))
        out.append(("closed after QUIT", c.wait_closed(2)))
        c.close()
    return out


def scen_config_file(ctx, which):
    out = []
    d = tempfile.mkdtemp(prefix="grabkv-conf-")
    path = os.path.join(d, "test.conf")
    with open(path, "w") as f:
        f.write("# grabkv test config\n"
                "databases 4\n"
                "maxclients 77\n"
                "requirepass \"from file\"\n"
                "timeout 0\n")
    try:
        with ctx.server(which, config_file=path) as srv:
            c = srv.connect()
            out.append(("NOAUTH before AUTH", raw_reply(c, "PING")))
            out.append(("AUTH with password from file", raw_reply(c, "AUTH", "from file")))
            out.append(("CONFIG GET databases", raw_reply(c, "CONFIG", "GET", "databases")))
            out.append(("CONFIG GET maxclients", raw_reply(c, "CONFIG", "GET", "maxclients")))
            out.append(("SELECT 3", raw_reply(c, "SELECT", "3")))
            out.append(("SELECT 4", raw_reply(c, "SELECT", "4")))
            out.append(("SWAPDB 0 4", raw_reply(c, "SWAPDB", "0", "4")))
            c.close()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return out


def scen_databases_flag(ctx, which):
    out = []
    with ctx.server(which, extra=["--databases", "2"]) as srv:
        c = srv.connect()
        out.append(("SELECT 1", raw_reply(c, "SELECT", "1")))
        out.append(("SELECT 2", raw_reply(c, "SELECT", "2")))
        out.append(("CONFIG GET databases", raw_reply(c, "CONFIG", "GET", "databases")))
        c.close()
    return out


def scen_port_in_use(ctx, which):
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind((harness.HOST, 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    srv = ctx.server(which, port=port, wait_ready=False)
    try:
        srv.start()
        try:
            code = srv.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = "still running after 10s"
        text = srv.log_text()
        return [("exit code is non-zero", code != 0 and code != "still running after 10s"),
                ("output says 'Address already in use'", "Address already in use" in text)]
    finally:
        srv.stop()
        holder.close()


def scen_sigterm(ctx, which):
    with ctx.server(which) as srv:
        c = srv.connect()
        c.command("SET", "k", "v")
        srv.proc.send_signal(signal.SIGTERM)
        try:
            code = srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = "<still running 5s after SIGTERM>"
        closed = c.wait_closed(2)
        c.close()
        return [("exit code after SIGTERM", code), ("client connection closed", closed)]


def scen_shutdown(ctx, which):
    out = []
    with ctx.server(which) as srv:
        c = srv.connect()
        out.append(("SHUTDOWN with a bad option", raw_reply(c, "SHUTDOWN", "FOO")))
        out.append(("SHUTDOWN NOSAVE SAVE", raw_reply(c, "SHUTDOWN", "NOSAVE", "SAVE")))
        out.append(("alive after bad SHUTDOWN", srv.alive()))
        other = srv.connect()
        out.append(("SHUTDOWN NOSAVE", raw_reply(c, "SHUTDOWN", "NOSAVE")))
        try:
            code = srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = "<still running 5s after SHUTDOWN>"
        out.append(("exit code", code))
        out.append(("other client closed", other.wait_closed(2)))
        c.close()
        other.close()
    return out


def scen_maxclients(ctx, which):
    out = []
    with ctx.server(which, extra=["--maxclients", "2"]) as srv:
        # The readiness probe's connection must be gone first.
        def only_probe_gone():
            try:
                c = srv.connect()
            except OSError:
                return False
            n = raw_reply(c, "CLIENT", "LIST")
            c.close()
            return count_clients(n) == 1
        harness.wait_for(only_probe_gone, timeout=5)
        time.sleep(0.1)
        c1, c2 = srv.connect(), srv.connect()
        out.append(("client 1 PING", raw_reply(c1, "PING")))
        out.append(("client 2 PING", raw_reply(c2, "PING")))
        c3 = srv.connect()
        try:
            r = c3.read_reply(timeout=3).raw
        except ConnectionClosed:
            r = "<closed without a reply>"
        except ReplyTimeout:
            r = "<no reply>"
        out.append(("client 3 greeted with", r))
        out.append(("client 3 closed", c3.wait_closed(2)))
        c3.close()
        out.append(("client 1 still works", raw_reply(c1, "PING")))
        c1.close()
        ok = harness.wait_for(lambda: count_clients(raw_reply(c2, "CLIENT", "LIST")) == 1, 5)
        out.append(("slot freed after a client left", ok))
        c4 = srv.connect()
        out.append(("new client after one left", raw_reply(c4, "PING")))
        c4.close()
        c2.close()
    return out


def scen_output_buffer_limit(ctx, which, explicit_limit=True):
    """A client pipelines GET of a 1 MB value without reading replies: with
    an explicit `client-output-buffer-limit normal 64mb 0 0` the server must
    disconnect it instead of buffering gigabytes, and keep serving others
    (real Redis has no limit for normal clients by default, so both servers
    get the explicit one). Without it (grabkv's default), grabkv stops
    executing the client's commands once 64 MB of output is pending, so
    memory stays bounded without a disconnect: see
    scen_output_buffer_default."""
    extra = ["--client-output-buffer-limit", "normal 64mb 0 0"] if explicit_limit else []
    out = []
    with ctx.server(which, extra=extra) as srv:
        a = srv.connect()
        a.command("SETRANGE", "big", str(1024 * 1024 - 1), "x")
        a.command("CLIENT", "SETNAME", "watcher")
        base_rss = srv.rss_kb()
        b = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        b.settimeout(harness.SOCKET_TIMEOUT)
        b.connect((harness.HOST, srv.port))
        batch = harness.encode_command(["GET", "big"]) * 32
        peak = 0
        disconnected = False
        limit_kb = 1536 * 1024  # 1.5 GB of growth means "unbounded"
        deadline = time.time() + 30
        sent = 0
        while sent < 4096 and time.time() < deadline:
            try:
                b.sendall(batch)
                sent += 32
            except OSError:
                disconnected = True
                break
            time.sleep(0.002)
            rss = srv.rss_kb()
            peak = max(peak, rss - base_rss)
            if peak > limit_kb:
                break
            if sent % 256 == 0:
                if count_clients(raw_reply(a, "CLIENT", "LIST")) == 1:
                    disconnected = True
                    break
        if not disconnected:
            def gone():
                return count_clients(raw_reply(a, "CLIENT", "LIST")) == 1
            disconnected = harness.wait_for(gone, timeout=5)
        peak = max(peak, srv.rss_kb() - base_rss)
        b.close()
        if explicit_limit:
            out.append(("non-reading client disconnected", disconnected))
            out.append(("memory growth bounded (< 1.5 GB)", peak < limit_kb))
        else:
            out.append(("memory growth bounded (< 256 MB) by back-pressure",
                        peak < 256 * 1024))
        out.append(("other client keeps working", raw_reply(a, "PING")))
        out.append(("big value intact", raw_reply(a, "STRLEN", "big")))
        a.close()
        print("  output buffer scenario on %s: %d GETs sent, peak RSS growth %d MB"
              % (which, sent, peak // 1024))
    return out


def main():
    args, rep = harness.begin(__doc__.split("\n")[0], 300)
    ctx = Ctx(args, rep)
    steps = [
        ("logging", lambda: check_logging(ctx)),
        ("port 0", lambda: check_port_zero(ctx)),
        ("default bind", lambda: check_default_bind(ctx)),
        ("protected mode", lambda: check_protected_mode(ctx)),
        ("version", lambda: check_version(ctx)),
        ("requirepass", lambda: ctx.differential("--requirepass secret", scen_requirepass, {
            "PING before AUTH": b"-NOAUTH Authentication required.\r\n",
            "AUTH wrong password":
                b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
            "AUTH secret": b"+OK\r\n",
            "PING after AUTH": b"+PONG\r\n"})),
        ("config file", lambda: ctx.differential("config file as first argument",
                                                 scen_config_file)),
        ("databases", lambda: ctx.differential("--databases 2", scen_databases_flag)),
        ("port in use", lambda: ctx.differential("port already in use", scen_port_in_use, {
            "exit code is non-zero": True, "output says 'Address already in use'": True})),
        ("sigterm", lambda: ctx.differential("SIGTERM", scen_sigterm, {
            "exit code after SIGTERM": 0, "client connection closed": "closed"})),
        ("shutdown", lambda: ctx.differential("SHUTDOWN", scen_shutdown, {
            "exit code": 0, "SHUTDOWN NOSAVE": "<closed>"})),
        ("maxclients", lambda: ctx.differential("--maxclients 2", scen_maxclients, {
            "client 3 greeted with": b"-ERR max number of clients reached\r\n",
            "client 3 closed": "closed"})),
        ("output buffer", lambda: ctx.differential(
            "client output buffer limit", scen_output_buffer_limit, {
                "non-reading client disconnected": True,
                "memory growth bounded (< 1.5 GB)": True,
                "other client keeps working": b"+PONG\r\n"})),
        ("output buffer default", lambda: ctx.sut_only(
            "default output back-pressure",
            lambda c, w: scen_output_buffer_limit(c, w, explicit_limit=False), {
                "memory growth bounded (< 256 MB) by back-pressure": True,
                "other client keeps working": b"+PONG\r\n"})),
    ]
    try:
        for name, fn in steps:
            try:
                fn()
            except harness.ServerStartError as e:
                rep.fail(name, str(e))
            except Exception:
                rep.fail(name, "exception: %s" % traceback.format_exc(limit=4))
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
