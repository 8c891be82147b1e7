#!/usr/bin/python3
"""Crash report and runaway-command log (hostile-input issue, items 6 and 7).

DEBUG SEGFAULT / PANIC / ASSERT must kill the server with the signal (SIGSEGV,
SIGABRT) after writing a bug report to the log: the signal, a stack trace,
the command and client being served and a summary of the server's state.
A command slower than slow-command-log-threshold is logged with its name
and client.

  /usr/bin/python3 test_crash_report.py --server build/server/grabkv-server
"""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerProcess  # noqa: E402


def crash_case(rep, binary, sub, want_sig):
    srv = ServerProcess(binary)
    # Under ASan the sanitizer's own SEGV/abort handling must not replace
    # ours: the report is what is tested.
    old = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:detect_leaks=0"
    try:
        srv.start()
    finally:
        if old is None:
            os.environ.pop("ASAN_OPTIONS", None)
        else:
            os.environ["ASAN_OPTIONS"] = old
    try:
        c = srv.connect()
        c.send_command("CLIENT", "SETNAME", "crasher")
        c.read_reply()
        c.send_command("SET", "stock", "42")
        c.read_reply()
        c.send_command("DEBUG", sub)
        try:
            c.read_reply()
        except Exception:
            pass
        rc = srv.proc.wait(timeout=20)
        name = "DEBUG %s" % sub
        rep.check(name + ": killed by " + signal.Signals(want_sig).name,
                  rc == -want_sig, "exit status %s" % rc)
        log = srv.log_text()
        for needle in ("=== GRABKV BUG REPORT START", "crashed by signal: %d" % want_sig,
                       "------ STACK TRACE ------", "------ CURRENT CLIENT INFO ------",
                       "name=crasher", "argv[0]: 'DEBUG'", "argv[1]: '%s'" % sub,
                       "db0:keys=1", "=== GRABKV BUG REPORT END"):
            rep.check(name + ": log has " + needle, needle in log, srv.log_tail(40))
    finally:
        srv.stop()


def slow_command_case(rep, binary):
    srv = ServerProcess(binary, extra_args=["--slow-command-log-threshold", "200"])
    srv.start()
    try:
        c = srv.connect()
        c.send_command("CLIENT", "SETNAME", "sleeper")
        c.read_reply()
        c.send_command("DEBUG", "SLEEP", "0.3")
        rep.check("slow DEBUG SLEEP answered", c.read_reply().text() == "OK")
        c.send_command("PING")
        c.read_reply()
        log = srv.log_text()
        rep.check("slow command logged with its client",
                  "Slow command: 'debug' took" in log and "name=sleeper" in log, srv.log_tail(10))
        rep.check("fast command not logged", "'ping'" not in log, srv.log_tail(10))
        c.send_command("CONFIG", "GET", "slow-command-log-threshold")
        rep.check("CONFIG GET slow-command-log-threshold",
                  c.read_reply().to_py() == [b"slow-command-log-threshold", b"200"])
    finally:
        srv.stop()


def main():
    args, rep = harness.begin(__doc__, 240)
    if harness.is_real_redis(args.server):
        rep.skip("grabkv report format", "the report format is grabkv's own")
        return rep.finish()
    try:
        crash_case(rep, args.server, "SEGFAULT", signal.SIGSEGV)
        crash_case(rep, args.server, "PANIC", signal.SIGABRT)
        crash_case(rep, args.server, "ASSERT", signal.SIGABRT)
        slow_command_case(rep, args.server)
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
