#!/usr/bin/python3
"""COMMAND INFO and COMMAND GETKEYS/GETKEYSANDFLAGS for every command grabkv
has, against a real redis-server 7.0.

For each command in grabkv's COMMAND LIST:
  - COMMAND INFO name, in RESP2 and RESP3, byte for byte: name, arity,
    flags, first/last/step, ACL categories, tips, key specs (with notes),
    and each of grabkv's subcommands (a container's subcommand list holds
    only the subcommands grabkv has; those must each be Redis's entry, and
    no subcommand may be one Redis 7.0 lacks unless listed in GRABKV_ONLY);
  - COMMAND GETKEYS and GETKEYSANDFLAGS over a set of generated argument
    lists (right and wrong counts, numeric and keyword arguments in every
    position): the same keys, flags and errors as Redis;
  - COMMAND DOCS: the group and since of every command;
  - COMMAND LIST FILTERBY ACLCAT, for each category: grabkv's commands in
    it are the ones Redis puts there.
GRAB.* commands are grabkv's own: they are checked for self-consistency
instead (GETKEYS finds the stock, claims and OUTBOX keys; the flags and
legacy key range agree with the key specs).

  /usr/bin/python3 test_command_info.py --server build/server/grabkv-server
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn, ServerProcess  # noqa: E402

# Subcommands grabkv has that Redis 7.0 does not (CLIENT SETINFO is 7.2's).
GRABKV_ONLY = {"client|setinfo"}

ACL_CATEGORIES = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
                  "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
                  "blocking", "dangerous", "connection", "transaction", "scripting"]

# Argument values the generated GETKEYS calls use besides plain key names:
# counts (clean, zero, negative, and the atoi-only "2x"), and the keywords
# some key specs or getkeys procs look for.
SPECIAL = ["2", "1", "0", "-1", "2x", "GET", "get", "OUTBOX", "STREAMS"]


def connect(port, resp):
    c = RespConn(harness.HOST, port)
    if resp == 3:
        r = c.command("HELLO", "3")
        assert not r.is_error(), r
    return c


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def sub_entries(reply):
    """{name: raw bytes} of the subcommand entries of one COMMAND INFO entry."""
    entry = reply.value[0]
    subs = entry.value[9].value or []
    return {text(s.value[0].value): s.raw for s in subs}


def head_raw(reply):
    """The raw bytes of the first nine fields of the one COMMAND INFO entry
    (all but the subcommands)."""
    entry = reply.value[0]
    return b"".join(x.raw for x in entry.value[:9])


def argv_variants(name, arity):
    """Argument lists (after the command name) to ask GETKEYS about."""
    n = abs(arity) - 1  # arguments after the name
    lengths = [n] if arity > 0 else [n, n + 1, n + 2, n + 4]
    out = []
    for length in lengths:
        if length <= 0:
            continue
        base = ["k%d" % i for i in range(1, length + 1)]
        out.append(list(base))
        for pos in range(min(length, 4)):
            for v in SPECIAL:
                a = list(base)
                a[pos] = v
                out.append(a)
        # A keyword near the end, followed by a key.
        if length >= 3:
            for kw in ("GET", "OUTBOX", "STREAMS"):
                a = list(base)
                a[-2] = kw
                out.append(a)
    # One wrong count below the arity, for the error text.
    if n >= 1:
        out.append(["k%d" % i for i in range(1, n)])
    uniq = []
    seen = set()
    for a in out:
        t = tuple(a)
        if t not in seen:
            seen.add(t)
            uniq.append(a)
    return uniq


def check_grab(rep, g):
    """GRAB.*: grabkv's own commands, checked against their own key specs."""
    def keys(*args):
        r = g.command("COMMAND", "GETKEYS", *args)
        return r.to_py() if not r.is_error() else r.value

    for cmd in ("GRAB.POP", "GRAB.UNDO", "GRAB.TAKE", "GRAB.UNTAKE"):
        rep.check("grab getkeys: %s with OUTBOX" % cmd,
                  keys(cmd, "stock", "claims", "u1", "OUTBOX", "ob") == [b"stock", b"claims", b"ob"],
                  repr(keys(cmd, "stock", "claims", "u1", "OUTBOX", "ob")))
        rep.check("grab getkeys: %s without OUTBOX" % cmd,
                  keys(cmd, "stock", "claims", "u1") == [b"stock", b"claims"],
                  repr(keys(cmd, "stock", "claims", "u1")))
        # The user argument is not an option, even when it reads OUTBOX.
        rep.check("grab getkeys: %s user named OUTBOX" % cmd,
                  keys(cmd, "stock", "claims", "OUTBOX") == [b"stock", b"claims"],
                  repr(keys(cmd, "stock", "claims", "OUTBOX")))
    got = keys("GRAB.TAKE", "ctr", "claims", "u1", "COUNT", "2", "OUTBOX", "ob")
    rep.check("grab getkeys: GRAB.TAKE with COUNT and OUTBOX",
              got == [b"ctr", b"claims", b"ob"], repr(got))
    got = keys("GRAB.SPLIT", "env", "100", "10")
    rep.check("grab getkeys: GRAB.SPLIT", got == [b"env"], repr(got))

    for cmd in ("grab.pop", "grab.undo", "grab.take", "grab.untake", "grab.split"):
        info = g.command("COMMAND", "INFO", cmd).to_py()[0]
        flags = [text(f) for f in info[2]]
        # RESP2 maps are flat arrays of keys and values.
        specs = [{text(k): v for k, v in zip(sp[::2], sp[1::2])} for sp in info[8]]
        rep.check("grab info: %s has key specs" % cmd, len(specs) >= 1, repr(specs))
        movable = any(text(s["begin_search"][1]) != "index" or text(s["find_keys"][1]) != "range"
                      for s in specs)
        rep.check("grab info: %s movablekeys iff a spec is not a plain range" % cmd,
                  ("movablekeys" in flags) == movable, repr(flags))
        rep.check("grab info: %s legacy range starts at the stock" % cmd,
                  info[3] == 1 and info[5] == 1, repr(info[3:6]))
        # GETKEYSANDFLAGS gives each key its spec's flags.
        args = [cmd, "stock", "claims", "u1"] if cmd != "grab.split" else [cmd, "env", "100", "10"]
        if cmd != "grab.split":
            args += ["OUTBOX", "ob"]
        kf = g.command("COMMAND", "GETKEYSANDFLAGS", *args).to_py()
        spec_flags = [sorted(text(f) for f in s["flags"]) for s in specs]
        got_flags = [sorted(text(f) for f in k[1]) for k in kf]
        rep.check("grab getkeysandflags: %s flags are the key specs'" % cmd,
                  got_flags == spec_flags, "keys %r, specs %r" % (got_flags, spec_flags))


def main():
    args, rep = harness.begin(__doc__, 300)
    real = harness.is_real_redis(args.server)
    try:
        gs = ServerProcess(args.server)
        gs.start()
        rs = ServerProcess(args.redis)
        rs.start()
        conns = {(side, resp): connect(srv.port, resp)
                 for side, srv in (("g", gs), ("r", rs)) for resp in (2, 3)}
        g2, r2 = conns[("g", 2)], conns[("r", 2)]

        names = sorted(text(n) for n in g2.command("COMMAND", "LIST").to_py())
        top = [n for n in names if "|" not in n]
        rep.check("command list: not empty", len(top) > 100, "%d commands" % len(top))
        grab = [n for n in top if n.startswith("grab.")]
        if not real:
            rep.check("command list: has the GRAB.* commands", len(grab) == 5, repr(grab))
        compared = 0
        missing_subs = []
        for name in top:
            if name.startswith("grab."):
                continue
            for resp in (2, 3):
                g, r = conns[("g", resp)], conns[("r", resp)]
                gi = g.command("COMMAND", "INFO", name)
                ri = r.command("COMMAND", "INFO", name)
                what = "COMMAND INFO %s (RESP%d)" % (name, resp)
                if ri.value[0].is_null():
                    rep.fail(what, "Redis 7.0 has no such command")
                    continue
                gsubs = sub_entries(gi)
                if not gsubs:
                    rep.check(what, gi.raw == ri.raw,
                              "\n  grabkv %r\n  redis  %r" % (gi.raw, ri.raw))
                    compared += 1
                    continue
                rsubs = sub_entries(ri)
                rep.check(what + " fields", head_raw(gi) == head_raw(ri),
                          "\n  grabkv %r\n  redis  %r" % (head_raw(gi), head_raw(ri)))
                for sub, raw in sorted(gsubs.items()):
                    if sub in GRABKV_ONLY:
                        continue
                    rep.check("%s subcommand %s" % (what, sub), raw == rsubs.get(sub),
                              "\n  grabkv %r\n  redis  %r" % (raw, rsubs.get(sub)))
                    # The same entry asked for by its full name.
                    gs_ = g.command("COMMAND", "INFO", sub)
                    rs_ = r.command("COMMAND", "INFO", sub)
                    rep.check("COMMAND INFO %s (RESP%d)" % (sub, resp), gs_.raw == rs_.raw,
                              "\n  grabkv %r\n  redis  %r" % (gs_.raw, rs_.raw))
                extra = set(gsubs) - set(rsubs) - GRABKV_ONLY
                rep.check(what + " no subcommands Redis lacks", not extra, repr(sorted(extra)))
                if resp == 2:
                    missing_subs += sorted(set(rsubs) - set(gsubs))
                compared += 1
        rep.check("command info: compared every command", compared == 2 * (len(top) - len(grab)),
                  "%d of %d" % (compared, 2 * (len(top) - len(grab))))

        # GETKEYS / GETKEYSANDFLAGS over generated arguments.
        calls = 0
        for name in names:
            if name.startswith("grab.") or name in GRABKV_ONLY:
                continue
            info = g2.command("COMMAND", "INFO", name).to_py()[0]
            arity = info[1]
            prefix = name.split("|")
            # The arity counts the subcommand name too.
            k = len(prefix) - 1
            variants = argv_variants(name, arity - k if arity > 0 else arity + k)
            if not info[8]:
                variants = variants[:1]  # no keys: only the error to compare
            for argv in variants:
                for sub in ("GETKEYS", "GETKEYSANDFLAGS"):
                    full = ["COMMAND", sub] + prefix + argv
                    for resp in (2, 3):
                        ga = conns[("g", resp)].command(*full)
                        ra = conns[("r", resp)].command(*full)
                        calls += 1
                        if ga.raw != ra.raw:
                            rep.fail("%s (RESP%d)" % (" ".join(full), resp),
                                     "\n  grabkv %r\n  redis  %r" % (ga.raw, ra.raw))
        rep.ok("getkeys: %d calls compared" % calls)

        # COMMAND DOCS: the group (the family's) and since of every command.
        g3, r3 = conns[("g", 3)], conns[("r", 3)]
        for name in names:
            if name.startswith("grab.") or name in GRABKV_ONLY:
                continue
            gd = g3.command("COMMAND", "DOCS", name).to_py().get(name.encode(), {})
            rd = r3.command("COMMAND", "DOCS", name).to_py().get(name.encode(), {})
            for field in (b"group", b"since"):
                rep.check("COMMAND DOCS %s %s" % (name, field.decode()),
                          gd.get(field) == rd.get(field),
                          "grabkv %r, redis %r" % (gd.get(field), rd.get(field)))

        # ACL categories as COMMAND LIST filters by them.
        ours = set(names) - GRABKV_ONLY
        for cat in ACL_CATEGORIES:
            gl = {text(x) for x in g2.command("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat).to_py()}
            rl = {text(x) for x in r2.command("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat).to_py()}
            gl = {n for n in gl if not n.startswith("grab.")} - GRABKV_ONLY
            want = rl & ours
            rep.check("command list aclcat %s" % cat, gl == want,
                      "only grabkv %r, only redis %r" % (sorted(gl - want), sorted(want - gl)))

        if not real:
            check_grab(rep, g2)
        if missing_subs and args.verbose:
            print("subcommands Redis has and grabkv does not: %s" % " ".join(missing_subs))
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
