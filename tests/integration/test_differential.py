#!/usr/bin/python3
"""Differential test: the same command sequences go to grabkv and to a real
redis-server; the raw reply bytes must be identical (real Redis is the
specification). The sequences live in cases/*.txt; the format is described
in cases/README.md.

  /usr/bin/python3 test_differential.py --server build/server/grabkv-server
  ... --cases 'cases/strings*.txt'   run only these files (PENDING ignored)
  ... --only expire                  run only cases whose name contains this
  ... --server /usr/bin/redis-server validates the cases: redis vs redis

Unit of the final "N passed, M failed" line: one case (a case passes when
every line of it matches).
"""

import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (ConnectionClosed, ProtocolViolation, ReplyTimeout,  # noqa: E402
                     ServerProcess, split_args)

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, "cases")

FUZZY = {"skip", "type", "any-int", "near", "shape", "sorted", "map-except",
         "fields", "contains", "cmdinfo", "errcode", "expect"}
OTHER_DIRECTIVES = {"replies"}
BANG = {"sleep", "raw", "closed", "open", "scan", "close", "read"}


# --------------------------------------------------------------------------
# Case files

class Line:
    def __init__(self, path, lineno, text, conn, directives, bang, args):
        self.path = path
        self.lineno = lineno
        self.text = text
        self.conn = conn
        self.directives = directives  # list of (name, value-or-None)
        self.bang = bang              # None for a plain command
        self.args = args              # list of bytes

    def where(self):
        return "%s:%d" % (os.path.basename(self.path), self.lineno)

    def fuzzy(self):
        return [d for d in self.directives if d[0] in FUZZY]

    def get(self, name, default=None):
        for k, v in self.directives:
            if k == name:
                return v
        return default


class Case:
    def __init__(self, path, lineno, name):
        self.path = path
        self.lineno = lineno
        self.name = name
        self.lines = []

    def title(self):
        return "%s: %s" % (os.path.basename(self.path), self.name)


def parse_case_file(path):
    """Returns (cases, lint_errors)."""
    cases, errors = [], []
    cur = None
    prev_kind = None  # 'comment', 'fuzzy', 'plain'
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.rstrip("\n").rstrip("\r")
            stripped = text.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                prev_kind = "comment"
                continue
            if stripped.startswith("---"):
                cur = Case(path, lineno, stripped[3:].strip() or "line %d" % lineno)
                cases.append(cur)
                prev_kind = None
                continue
            where = "%s:%d" % (os.path.basename(path), lineno)
            if cur is None:
                errors.append("%s: command before the first '--- name' line" % where)
                continue
            try:
                toks = split_args(stripped)
            except ValueError as e:
                errors.append("%s: %s" % (where, e))
                continue
            conn, directives = 1, []
            while toks and toks[0][:1] in (b"@", b"~"):
                t = toks.pop(0).decode("utf-8", "surrogateescape")
                if t[0] == "@":
                    if not t[1:].isdigit():
                        errors.append("%s: bad connection %r" % (where, t))
                    else:
                        conn = int(t[1:])
                else:
                    name, _, val = t[1:].partition("=")
                    if name not in FUZZY and name not in OTHER_DIRECTIVES:
                        errors.append("%s: unknown directive ~%s" % (where, name))
                    directives.append((name, val if _ else None))
            if not toks:
                errors.append("%s: no command" % where)
                continue
            bang = None
            if toks[0].startswith(b"!"):
                bang = toks.pop(0)[1:].decode()
                if bang not in BANG:
                    errors.append("%s: unknown !%s" % (where, bang))
                    continue
            line = Line(path, lineno, stripped, conn, directives, bang, toks)
            if line.fuzzy():
                # Every fuzzy comparison must be justified by a comment right
                # above it (or above the group of fuzzy lines it belongs to).
                if prev_kind not in ("comment", "fuzzy"):
                    errors.append("%s: fuzzy directive without a justifying "
                                  "comment line right above it" % where)
                prev_kind = "fuzzy"
            else:
                prev_kind = "plain"
            cur.lines.append(line)
    return cases, errors


def case_files(pattern):
    if pattern:
        files = []
        for p in pattern.split(","):
            if not os.path.isabs(p) and not glob.glob(p):
                p = os.path.join(HERE, p)
            files += sorted(glob.glob(p))
        return files, []
    pending = set()
    pending_path = os.path.join(CASES_DIR, "PENDING")
    if os.path.exists(pending_path):
        with open(pending_path) as f:
            for ln in f:
                ln = ln.split("#", 1)[0].strip()
                if ln:
                    pending.add(ln)
    files = sorted(glob.glob(os.path.join(CASES_DIR, "*.txt")))
    return ([f for f in files if os.path.basename(f) not in pending],
            sorted(pending))


# --------------------------------------------------------------------------
# Comparison

def short(raw, limit=400):
    if isinstance(raw, str):
        return raw
    r = repr(raw)
    return r if len(r) <= limit else r[:limit] + "...(%d bytes)" % len(raw)


def scalar_number(r):
    if r.kind == ":":
        return r.value
    if r.kind in "$+," and r.value is not None:
        try:
            return float(r.value)
        except ValueError:
            return None
    return None


def same_shape(a, b):
    if a.kind != b.kind:
        return False
    if a.is_aggregate():
        if (a.value is None) != (b.value is None):
            return False
        ea, eb = a.elements(), b.elements()
        return len(ea) == len(eb) and all(same_shape(x, y) for x, y in zip(ea, eb))
    if a.kind in "$!=":
        return (a.value is None) == (b.value is None)
    return True


def near(a, b, tol):
    if a.kind != b.kind:
        return False
    if a.is_aggregate():
        ea, eb = a.elements(), b.elements()
        return len(ea) == len(eb) and all(near(x, y, tol) for x, y in zip(ea, eb))
    if a.raw == b.raw:
        return True
    x, y = scalar_number(a), scalar_number(b)
    return x is not None and y is not None and abs(x - y) <= tol


def text_of(r):
    if r.kind in "$=+-!" and r.value is not None:
        t = r.value.decode("utf-8", "replace")
        if r.kind == "=":
            t = t[4:]  # "txt:" prefix of verbatim strings
        return t
    return None


def contains_text(r):
    """What ~contains matches: a string reply's text; for an array (EXEC's
    replies, say) its string elements' texts, one per line."""
    t = text_of(r)
    if t is None and r.kind in "*~>" and r.value is not None:
        parts = [contains_text(x) for x in r.value]
        t = "\n".join(p for p in parts if p is not None)
    return t


def field_names(text):
    return [[kv.split("=", 1)[0] for kv in ln.split(" ") if kv]
            for ln in text.replace("\r", "").split("\n") if ln.strip()]


def cmdinfo_view(r, n):
    """First n elements of each COMMAND INFO entry, flags as a sorted set."""
    if r.kind not in "*" or r.value is None:
        return r.raw
    out = []
    for e in r.value:
        if e.kind != "*" or e.value is None:
            out.append(e.raw)
            continue
        items = []
        for i, x in enumerate(e.value[:n]):
            if i == 2 and x.kind in "*~":
                items.append(("flags", sorted(y.raw for y in x.value or [])))
            else:
                items.append(x.raw)
        out.append(items)
    return out


def compare(line, ra, rb):
    """Returns None when the replies match under the line's directives,
    else a short reason. ra is redis (reference), rb is the server under test."""
    d = dict(line.directives)
    if "skip" in d:
        return None
    if "expect" in d:
        # A deliberate difference: grabkv's reply is checked against a
        # literal; the reference reply is only printed on failure.
        want = d["expect"].encode("utf-8", "surrogateescape")
        return None if rb.raw == want else "grabkv reply is not %r" % want
    if "type" in d:
        return None if ra.kind == rb.kind else "reply types differ"
    if "errcode" in d:
        if not (ra.is_error() and rb.is_error()):
            return "both replies should be errors"
        ca = ra.value.split(b" ", 1)[0] if ra.value else b""
        cb = rb.value.split(b" ", 1)[0] if rb.value else b""
        return None if ca == cb else "error codes differ"
    if "any-int" in d:
        return None if ra.kind == ":" and rb.kind == ":" else "both should be integers"
    if "near" in d:
        tol = float(d["near"] or 1)
        return None if near(ra, rb, tol) else "values not within %g" % tol
    if "shape" in d:
        return None if same_shape(ra, rb) else "reply shapes differ"
    if "sorted" in d:
        if ra.kind != rb.kind or not ra.is_aggregate():
            return None if ra.raw == rb.raw else "replies differ"
        ea = sorted(x.raw for x in ra.elements())
        eb = sorted(x.raw for x in rb.elements())
        return None if ea == eb else "element multisets differ"
    if "map-except" in d:
        skip = set((d["map-except"] or "").split(","))
        pa, pb = ra.as_pairs(), rb.as_pairs()
        if ra.kind != rb.kind or pa is None or pb is None:
            return None if ra.raw == rb.raw else "replies differ"
        ka = [k.raw for k, _ in pa]
        kb = [k.raw for k, _ in pb]
        if ka != kb:
            return "map keys differ: %r vs %r" % (ka, kb)
        for (k, va), (_, vb) in zip(pa, pb):
            name = k.value.decode("utf-8", "replace") if isinstance(k.value, bytes) else ""
            if name in skip:
                if va.kind != vb.kind:
                    return "type of field %r differs" % name
            elif va.raw != vb.raw:
                return "field %r differs" % name
        return None
    if "fields" in d:
        ta, tb = text_of(ra), text_of(rb)
        if ta is None or tb is None or ra.kind != rb.kind:
            return None if ra.raw == rb.raw else "replies differ"
        # Unique field-name sequences: CLIENT LIST may still show a
        # connection of the previous case that the server has not reaped.
        fa = sorted(set(tuple(x) for x in field_names(ta)))
        fb = sorted(set(tuple(x) for x in field_names(tb)))
        return None if fa == fb else "field names differ: %r vs %r" % (fa, fb)
    if "contains" in d:
        if ra.kind != rb.kind:
            return "reply types differ"
        for k, v in line.directives:
            if k != "contains":
                continue
            for who, r in (("redis", ra), ("grabkv", rb)):
                t = contains_text(r)
                if t is None or not re.search(v, t, re.M):
                    return "%s reply does not match /%s/" % (who, v)
        return None
    if "cmdinfo" in d:
        n = int(d["cmdinfo"] or 6)
        return None if cmdinfo_view(ra, n) == cmdinfo_view(rb, n) else \
            "COMMAND INFO entries differ (first %d fields)" % n
    return None if ra.raw == rb.raw else "replies differ"


# --------------------------------------------------------------------------
# Running

class Side:
    """One server and the connections of the current case."""

    def __init__(self, label, server):
        self.label = label
        self.server = server
        self.conns = {}

    def conn(self, n):
        c = self.conns.get(n)
        if c is None or c.closed_by_peer:
            if c is not None:
                c.close()
            c = self.server.connect()
            self.conns[n] = c
        return c

    def close_all(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}


class Outcome:
    """A reply, or what happened instead of one."""

    def __init__(self, replies=None, event=None):
        self.replies = replies or []
        self.event = event  # None, 'timeout', 'closed', 'protocol: ...'

    def describe(self):
        parts = [short(r.raw) for r in self.replies]
        if self.event:
            parts.append("<%s>" % self.event)
        return " ".join(parts) if parts else "<nothing>"


REPEAT_RE = re.compile(rb"^\{(\d+)\}$")


def decode_raw_segments(args):
    """Concatenates the segments; a token {N} repeats the previous segment
    so that it appears N times in total."""
    out = bytearray()
    last = b""
    for a in args:
        m = REPEAT_RE.match(a)
        if m and last:
            out += last * (int(m.group(1)) - 1)
            last = b""
        else:
            out += a
            last = a
    return bytes(out)


CID_RE = re.compile(rb"^\{cid:(\d+)\}$")


def client_id_of(side, n):
    """CLIENT ID of connection n of this side (asked once per connection)."""
    c = side.conn(n)
    if getattr(c, "client_id", None) is None:
        c.client_id = c.command(b"CLIENT", b"ID").value
    return c.client_id


def substitute_ids(side, args):
    """An argument {cid:N} becomes the CLIENT ID of connection N (ids differ
    between the two servers: CLIENT TRACKING ... REDIRECT {cid:2})."""
    out = []
    for a in args:
        m = CID_RE.match(a)
        out.append(str(client_id_of(side, int(m.group(1)))).encode() if m else a)
    return out


def run_one(side, line):
    """Performs one line on one side; returns an Outcome (or str for
    !closed/!open/!scan results)."""
    nreplies = int(line.get("replies", 1) or 1) if line.get("replies") != "0" else 0
    args = substitute_ids(side, line.args) if line.bang is None else line.args
    c = side.conn(line.conn)
    try:
        if line.bang == "raw":
            c.send(decode_raw_segments(line.args))
        elif line.bang == "read":
            pass
        else:
            c.send(harness.encode_command(args))
        replies = []
        for _ in range(nreplies):
            replies.append(c.read_reply())
        return Outcome(replies)
    except ReplyTimeout:
        return Outcome(event="timeout")
    except ConnectionClosed:
        return Outcome(event="closed")
    except (ProtocolViolation, ValueError) as e:
        return Outcome(event="protocol violation: %s" % e)
    except OSError as e:
        c.closed_by_peer = True
        return Outcome(event="socket error: %s" % e)


def run_scan(side, line):
    """Full iteration; returns a sorted tuple of elements, or an error raw."""
    args = list(line.args)
    cmd = args[0].upper()
    cpos = 1 if cmd == b"SCAN" else 2
    pairs = cmd in (b"HSCAN", b"ZSCAN")
    c = side.conn(line.conn)
    seen = set()
    cursor = b"0"
    for _ in range(10000):
        args[cpos] = cursor
        try:
            r = c.command(*args)
        except (ReplyTimeout, ConnectionClosed, ProtocolViolation, OSError) as e:
            return "<%s>" % type(e).__name__
        if r.kind != "*" or not r.value or len(r.value) != 2:
            return r.raw
        cursor = r.value[0].value
        items = [x.raw for x in r.value[1].value or []]
        if pairs:
            items = [items[i] + items[i + 1] for i in range(0, len(items) - 1, 2)]
        seen.update(items)  # a SCAN may return an element twice: a set
        if cursor == b"0":
            return tuple(sorted(seen))
    return "<cursor never returned to 0>"


def connection_state(side, n, wait):
    c = side.conns.get(n)
    if c is None:
        return "never opened"
    if c.closed_by_peer:
        return "closed"
    return c.wait_closed(wait)


def run_case(case, ref, sut, verbose):
    """Returns a list of failure descriptions (empty when the case passed)."""
    failures = []
    for side in (ref, sut):
        side.close_all()
        if not side.server.alive():
            failures.append("%s was not running at case start (died earlier); "
                            "restarted\n%s" % (side.label, side.server.log_tail()))
            side.server.restart()
    for side in (ref, sut):
        try:
            r = side.conn(1).command("FLUSHALL")
            if r.raw != b"+OK\r\n":
                failures.append("FLUSHALL on %s replied %s" % (side.label, short(r.raw)))
        except Exception as e:
            failures.append("FLUSHALL on %s failed: %r" % (side.label, e))
    if failures:
        return failures
    ncmds = 0
    for line in case.lines:
        if line.bang == "sleep":
            time.sleep(float(line.args[0]))
            continue
        if line.bang == "close":
            for side in (ref, sut):
                c = side.conns.pop(line.conn, None)
                if c:
                    c.close()
            continue
        if line.bang in ("closed", "open"):
            if line.bang == "open":
                time.sleep(0.3)  # both servers get the same 0.3s at once
            wait = 2.0 if line.bang == "closed" else 0.01
            sa, sb = [connection_state(side, line.conn, wait) for side in (ref, sut)]
            expected = "closed" if line.bang == "closed" else "open"
            if sa != expected or sb != expected:
                failures.append("%s  %s\n    expected the connection %s: redis: %s, "
                                "grabkv: %s" % (line.where(), line.text, expected, sa, sb))
            for side in (ref, sut):
                c = side.conns.get(line.conn)
                if c is not None and (sa == "closed" if side is ref else sb == "closed"):
                    c.closed_by_peer = True
            continue
        ncmds += 1
        if line.bang == "scan":
            a, b = run_scan(ref, line), run_scan(sut, line)
            if a != b:
                failures.append("%s  %s\n    full SCAN results differ\n    redis:  %s\n"
                                "    grabkv: %s" % (line.where(), line.text, short(repr(a)),
                                                    short(repr(b))))
            continue
        oa, ob = run_one(ref, line), run_one(sut, line)
        reason = None
        if oa.event or ob.event or len(oa.replies) != len(ob.replies):
            if oa.event != ob.event or len(oa.replies) != len(ob.replies):
                reason = "different outcome"
            else:
                pairs = list(zip(oa.replies, ob.replies))
                reason = next((x for x in (compare(line, p, q) for p, q in pairs) if x), None)
        else:
            for p, q in zip(oa.replies, ob.replies):
                reason = compare(line, p, q)
                if reason:
                    break
        if reason:
            failures.append("%s  %s\n    %s\n    redis:  %s\n    grabkv: %s" %
                            (line.where(), line.text, reason, oa.describe(), ob.describe()))
        elif verbose:
            print("    ok %s  %s" % (line.where(), short(oa.describe(), 120)))
        if ob.event == "timeout" or oa.event == "timeout":
            failures.append("%s: a server did not answer within %ss; rest of case "
                            "skipped" % (line.where(), harness.SOCKET_TIMEOUT))
            break
    for side in (ref, sut):
        side.close_all()
    return failures


def main():
    p = harness.common_arg_parser(__doc__.split("\n")[0])
    p.add_argument("--cases", default=None,
                   help="comma-separated globs of case files (default: "
                        "cases/*.txt minus the files named in cases/PENDING)")
    p.add_argument("--only", default=None,
                   help="run only cases whose name contains this text")
    p.add_argument("--max-detail", type=int, default=4,
                   help="differences printed per failing case")
    args = p.parse_args()
    harness.install_guard(540)
    rep = harness.Reporter(args.verbose)

    files, pending = case_files(args.cases)
    if pending:
        print("not run (listed in cases/PENDING): %s" % ", ".join(pending))
    cases, lint = [], []
    for f in files:
        c, e = parse_case_file(f)
        cases += c
        lint += e
    for e in lint:
        rep.fail("case file syntax", e)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    if not cases:
        rep.fail("no cases", "no case selected from %s" % files)
        return rep.finish()

    ref_srv = ServerProcess(args.redis, name="redis-server (reference)",
                            keep_logs=args.keep_logs)
    sut_srv = ServerProcess(args.server, name="server under test",
                            keep_logs=args.keep_logs)
    t0 = time.time()
    try:
        ref_srv.start()
        sut_srv.start()
        ref, sut = Side("redis", ref_srv), Side("grabkv", sut_srv)
        ncmd = 0
        hung_in_a_row = 0
        jemalloc = None
        for case in cases:
            if os.path.basename(case.path).endswith("_jemalloc.txt"):
                # Cases of jemalloc's own interface (DEBUG MALLCTL...): only a
                # server linked with it can answer as Redis does; the
                # sanitizer build uses the sanitizer's allocator.
                if jemalloc is None:
                    info = subprocess.run(
                        [args.redis_cli, "-p", str(sut_srv.port), "INFO", "memory"],
                        capture_output=True, text=True, timeout=10).stdout
                    jemalloc = "mem_allocator:jemalloc" in info
                if not jemalloc:
                    rep.skip(case.title(), "the server under test is not linked with jemalloc")
                    continue
            ncmd += sum(1 for l in case.lines if l.bang not in ("sleep", "close"))
            if hung_in_a_row >= 3:
                rep.fail(case.title(), "not run: the servers stopped answering "
                         "in 3 cases in a row")
                continue
            try:
                failures = run_case(case, ref, sut, args.verbose)
            except Exception as e:  # a harness problem must not stop the run
                failures = ["runner exception: %r" % e]
            if any("did not answer within" in f or "FLUSHALL on" in f for f in failures):
                hung_in_a_row += 1
                # A hung server would make every later case wait for
                # timeouts: start both afresh.
                for side in (ref, sut):
                    side.close_all()
                    side.server.restart()
            else:
                hung_in_a_row = 0
            if failures:
                detail = "\n".join(failures[:args.max_detail])
                if len(failures) > args.max_detail:
                    detail += "\n(... %d more differences in this case)" % (
                        len(failures) - args.max_detail)
                rep.fail(case.title() + "  (line %d)" % case.lineno, detail)
            else:
                rep.ok(case.title())
        if not sut_srv.alive():
            rep.fail("server under test still running at the end",
                     sut_srv.log_tail())
        print("%d cases, %d command lines, %d files, %.1fs" %
              (len(cases), ncmd, len(files), time.time() - t0))
    except harness.ServerStartError as e:
        rep.fail("server start", str(e))
    finally:
        ref_srv.stop()
        sut_srv.stop()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
