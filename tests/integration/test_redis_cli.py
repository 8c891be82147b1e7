#!/usr/bin/python3
"""redis-cli against the server under test: scripted commands (output
compared with the same commands against a real redis-server, plus expected
output), --pipe mass insertion, -x/-r/-n/--raw/--no-raw/--csv/-3, and an
interactive session through a pseudo-terminal.

  /usr/bin/python3 test_redis_cli.py --server build/server/grabkv-server
"""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerProcess  # noqa: E402

CLI_TIMEOUT = 10


def cli_env(home):
    env = dict(os.environ)
    env["HOME"] = home
    env["REDISCLI_HISTFILE"] = "/dev/null"
    env.pop("REDISCLI_AUTH", None)
    return env


class Cli:
    def __init__(self, binary, server, home):
        self.binary = binary
        self.server = server
        self.env = cli_env(home)

    def run(self, args, stdin=b""):
        cmd = [self.binary, "-h", harness.HOST, "-p", str(self.server.port)] + list(args)
        try:
            p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=self.env,
                               timeout=CLI_TIMEOUT)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            return None, b"", b"<redis-cli timed out>"


# Scripted steps: (redis-cli args, stdin, expected stdout or None).
# Every step runs against both servers in the same order; the outputs must
# match each other and, where given, the expected bytes.
SCRIPT = [
    (["FLUSHALL"], b"", b"OK\n"),
    (["SET", "a", "b"], b"", b"OK\n"),
    (["GET", "a"], b"", b"b\n"),
    (["--raw", "GET", "a"], b"", b"b\n"),
    (["--no-raw", "GET", "a"], b"", b'"b"\n'),
    (["GET", "missing"], b"", b"\n"),
    (["--no-raw", "GET", "missing"], b"", b"(nil)\n"),
    (["INCR", "counter"], b"", b"1\n"),
    (["INCR", "counter"], b"", b"2\n"),
    (["--no-raw", "INCR", "counter"], b"", b"(integer) 3\n"),
    (["INCRBY", "counter", "10"], b"", b"13\n"),
    (["-r", "3", "INCR", "counter"], b"", b"14\n15\n16\n"),
    (["-n", "2", "SET", "x", "in-db-2"], b"", b"OK\n"),
    (["-n", "2", "GET", "x"], b"", b"in-db-2\n"),
    (["GET", "x"], b"", b"\n"),
    (["-n", "2", "DBSIZE"], b"", b"1\n"),
    (["MSET", "k1", "v1", "k2", "v2"], b"", b"OK\n"),
    (["MGET", "k1", "k2", "missing"], b"", b"v1\nv2\n\n"),
    (["--no-raw", "MGET", "k1", "k2", "missing"], b"", b'1) "v1"\n2) "v2"\n3) (nil)\n'),
    (["--csv", "MGET", "k1", "k2"], b"", b'"v1","v2"\n'),
    (["-x", "SET", "fromstdin"], b"hello\nworld", b"OK\n"),
    (["GET", "fromstdin"], b"", b"hello\nworld\n"),
    (["SET", "spaced", "a b  c"], b"", b"OK\n"),
    (["--no-raw", "GET", "spaced"], b"", b'"a b  c"\n'),
    (["SET", "bin", "\u00e9\t"], b"", b"OK\n"),
    (["--no-raw", "GET", "bin"], b"", b'"\\xc3\\xa9\\t"\n'),
    (["--raw", "GET", "bin"], b"", "\u00e9\t\n".encode()),
    (["EXPIRE", "a", "100"], b"", b"1\n"),
    (["TTL", "a"], b"", b"100\n"),
    (["PING"], b"", b"PONG\n"),
    (["PING", "hi"], b"", b"hi\n"),
    (["ECHO", "hello"], b"", b"hello\n"),
    (["EXISTS", "a", "k1", "nope"], b"", b"2\n"),
    (["GET"], b"", b"ERR wrong number of arguments for 'get' command\n\n"),
    (["NOSUCHCOMMAND", "x"], b"", None),
    (["--no-raw", "INCR", "a"], b"", b"(error) ERR value is not an integer or out of range\n"),
    (["DEL", "a", "k1", "k2"], b"", b"3\n"),
    # commands read from standard input, one per line
    ([], b"SET s1 1\nINCR s1\nGET s1\nPING\n", b"OK\n2\n2\nPONG\n"),
    # RESP3 (redis-cli sends HELLO 3 first)
    (["-3", "GET", "missing"], b"", b"\n"),
    (["-3", "--no-raw", "GET", "missing"], b"", b"(nil)\n"),
    (["-3", "SET", "r3", "v"], b"", b"OK\n"),
    (["-3", "GET", "r3"], b"", b"v\n"),
    (["-3", "INCR", "r3n"], b"", b"1\n"),
    (["-3", "--no-raw", "INCRBYFLOAT", "f", "1.5"], b"", b'"1.5"\n'),
    (["-3", "CONFIG", "GET", "maxclients"], b"", None),
    (["-3", "--no-raw", "CONFIG", "GET", "maxclients"], b"", b'1# "maxclients" => "10000"\n'),
    (["-3", "--no-raw", "MGET", "r3", "missing"], b"", b'1) "v"\n2) (nil)\n'),
    (["DBSIZE"], b"", None),
]


def pipe_payload(n):
    parts = []
    for i in range(n):
        k = b"pipe:%d" % i
        v = b"value-%d" % i
        parts.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
    for i in range(100):
        parts.append(b"*2\r\n$4\r\nINCR\r\n$9\r\npipe:incr\r\n")
    return b"".join(parts), n + 100


def check_pipe(rep, label, cli, server, n=5000):
    payload, nreplies = pipe_payload(n)
    rc, out, err = cli.run(["--pipe"], stdin=payload)
    text = out.decode("utf-8", "replace")
    want = "errors: 0, replies: %d" % nreplies
    rep.check("%s --pipe of %d commands: summary '%s'" % (label, nreplies, want),
              rc == 0 and want in text,
              "rc=%r stdout=%r stderr=%r" % (rc, text[-300:], err[-300:]))
    c = server.connect()
    try:
        size = c.command("DBSIZE").value
        incr = c.command("GET", "pipe:incr").value
        last = c.command("GET", "pipe:%d" % (n - 1)).value
    finally:
        c.close()
    rep.check("%s --pipe data landed" % label,
              size >= n + 1 and incr == b"100" and last == b"value-%d" % (n - 1),
              "DBSIZE=%r pipe:incr=%r last=%r" % (size, incr, last))
    # An error inside the pipe is counted by redis-cli's summary.
    rc, out, err = cli.run(["--pipe"], stdin=b"SET a 1\r\nGET\r\nINCR a\r\n")
    text = out.decode("utf-8", "replace")
    rep.check("%s --pipe counts error replies" % label,
              "errors: 1, replies: 3" in text, "stdout=%r stderr=%r" % (text, err))


# --------------------------------------------------------------------------
# Interactive mode through a pty

ANSI_RE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


class PtySession:
    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid != 0:
            # A real window size, so that linenoise does not have to ask the
            # terminal; it may still ask for the cursor position (answered
            # in read_until).
            try:
                fcntl.ioctl(self.fd, termios.TIOCSWINSZ,
                            struct.pack("HHHH", 50, 200, 0, 0))
            except OSError:
                pass
        if self.pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.out = b""
        self.mark = 0

    def read_until(self, pattern, timeout=5.0):
        """Reads until the cleaned output (escape sequences removed)
        matches the regex `pattern` (bytes); returns True/False."""
        deadline = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            if rx.search(ANSI_RE.sub(b"", self.out)):
                return True
            remaining = deadline - time.time()
            if remaining <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], remaining)
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return bool(rx.search(ANSI_RE.sub(b"", self.out)))
            if not chunk:
                return bool(rx.search(ANSI_RE.sub(b"", self.out)))
            if b"\x1b[6n" in chunk:  # cursor position request
                os.write(self.fd, b"\x1b[1;1R")
                chunk = chunk.replace(b"\x1b[6n", b"")
            self.out += chunk

    def send_line(self, text):
        self.mark = len(self.out)
        os.write(self.fd, text.encode() + b"\r")

    def clean_since_mark(self):
        return ANSI_RE.sub(b"", self.out[self.mark:]).decode("utf-8", "replace")

    def wait_exit(self, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = None
                return status
            try:
                r, _, _ = select.select([self.fd], [], [], 0.05)
                if r:
                    self.out += os.read(self.fd, 4096)
            except OSError:
                time.sleep(0.05)
        return None

    def kill(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = None
        try:
            os.close(self.fd)
        except OSError:
            pass


def check_interactive(rep, label, cli_bin, server, home, resp3=False):
    env = cli_env(home)
    env["TERM"] = "xterm"
    argv = [cli_bin, "-h", harness.HOST, "-p", str(server.port)]
    if resp3:
        argv.append("-3")
    tag = "%s interactive%s" % (label, " -3" if resp3 else "")
    prompt = ("%s:%d> " % (harness.HOST, server.port)).encode()
    s = PtySession(argv, env)
    try:
        ok = s.read_until(re.escape(prompt))
        if not rep.check("%s: prompt shown" % tag, ok, "output: %r" % s.out[-300:]):
            return
        steps = [
            ("SET x 1", rb"OK\n.*" + re.escape(prompt)),
            ("GET x", rb'"1"\n.*' + re.escape(prompt)),
            ("INCR x", rb"\(integer\) 2\n.*" + re.escape(prompt)),
            ("PING", rb"PONG\n.*" + re.escape(prompt)),
            ("GET nosuchkey", rb"\(nil\)\n.*" + re.escape(prompt)),
            ("NOSUCHCMD", rb"\(error\) ERR unknown command.*\n.*" + re.escape(prompt)),
            ("SELECT 2", rb"OK\n.*" + re.escape(prompt[:-2]) + rb"\[2\]> "),
            # Each step waits for the next prompt, so that a reply can never be
            # consumed by the previous step's read (seen under load).
            ("SET y \"two words\"", rb"OK\n.*" + re.escape(prompt[:-2]) + rb"\[2\]> "),
            ("GET y", rb'"two words"\n.*' + re.escape(prompt[:-2]) + rb"\[2\]> "),
            ("SELECT 0", rb"OK\n.*" + re.escape(prompt)),
        ]
        if resp3:
            steps.append(("CONFIG GET maxclients",
                          rb'1# "maxclients" => "\d+"\n.*' + re.escape(prompt)))
        for cmd, want in steps:
            s.out = b""  # a pattern must match this command's output only
            s.send_line(cmd)
            got = s.read_until(want)
            rep.check("%s: %s" % (tag, cmd), got,
                      "output since command: %r" % s.clean_since_mark()[-300:])
            if not got:
                return
        s.send_line("quit")
        status = s.wait_exit()
        rep.check("%s: quit exits" % tag,
                  status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
                  "wait status %r, output %r" % (status, s.out[-200:]))
    finally:
        s.kill()


def main():
    args, rep = harness.begin(__doc__.split("\n")[0], 240)
    if not os.access(args.redis_cli, os.X_OK):
        rep.fail("redis-cli present", "%s not executable" % args.redis_cli)
        return rep.finish()
    home = tempfile.mkdtemp(prefix="grabkv-cli-home-")
    ref = ServerProcess(args.redis, name="redis-server (reference)", keep_logs=args.keep_logs)
    sut = ServerProcess(args.server, name="server under test", keep_logs=args.keep_logs)
    try:
        ref.start()
        sut.start()
        cref = Cli(args.redis_cli, ref, home)
        csut = Cli(args.redis_cli, sut, home)
        sut_hung = False
        for argv, stdin, want in SCRIPT:
            name = "redis-cli %s%s" % (" ".join(argv) or "<commands on stdin>",
                                       "  <<< %r" % stdin if stdin and argv else "")
            ra = cref.run(argv, stdin)
            if sut_hung:
                rep.fail(name, "not run: redis-cli timed out on an earlier step")
                continue
            rb = csut.run(argv, stdin)
            sut_hung = rb[0] is None
            problems = []
            if ra[:2] != rb[:2]:
                problems.append("differs from redis-server:\n  redis:  rc=%r %r\n"
                                "  grabkv: rc=%r %r" % (ra[0], ra[1], rb[0], rb[1]))
            if want is not None and rb[1] != want:
                problems.append("expected %r, got %r (stderr %r)" % (want, rb[1], rb[2]))
            if want is not None and ra[1] != want:
                problems.append("test bug: redis-server itself gives %r" % (ra[1],))
            rep.check(name, not problems, "\n".join(problems))
        if sut_hung:
            sut.restart()
        for name, fn, fargs in [
                ("grabkv --pipe", check_pipe, (rep, "grabkv", csut, sut)),
                ("redis --pipe", check_pipe, (rep, "redis (reference)", cref, ref)),
                ("grabkv interactive", check_interactive,
                 (rep, "grabkv", args.redis_cli, sut, home)),
                ("grabkv interactive -3", check_interactive,
                 (rep, "grabkv", args.redis_cli, sut, home, True)),
                ("redis interactive", check_interactive,
                 (rep, "redis (reference)", args.redis_cli, ref, home))]:
            try:
                fn(*fargs)
            except Exception as e:
                rep.fail(name, "exception: %r" % e)
        rep.check("server under test still running", sut.alive(), sut.log_tail())
    except harness.ServerStartError as e:
        rep.fail("server start", str(e))
    finally:
        ref.stop()
        sut.stop()
        shutil.rmtree(home, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
