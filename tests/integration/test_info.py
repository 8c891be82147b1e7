#!/usr/bin/python3
"""INFO against a real redis-server 7.0: after the same commands on both
servers, every section of `INFO everything` has the same field names in the
same order, the values that do not depend on timing, memory or the host are
equal, the others have Redis's form (an integer where Redis prints one, two
decimals where Redis prints two, ...), and the section arguments (none,
default, all, everything, several names, unknown names, any case) select the
same sections.

  /usr/bin/python3 test_info.py --server build/server/grabkv-server
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerProcess  # noqa: E402

# Deliberate differences, each with its reason.
EXTRA_FIELDS = {
    # Which grabkv build answers; redis_version holds the Redis version that
    # grabkv is compatible with, so tools that check it are satisfied.
    ("server", "grabkv_version"),
}
# grabkv's own section (GRAB.* statistics), printed like a Redis module's
# section: for `everything` and when named, never for default or `all`.
EXTRA_SECTIONS = {"grab"}

# Sections whose fields come from a hash table in Redis (dict iteration order
# under a random seed): compared as sets.
UNORDERED = {"commandstats", "latencystats"}

# Fields whose values differ between any two runs or any two programs
# (time, memory, the host, ids, the binary): only their form is compared.
VARYING = {
    "server": {"redis_build_id", "os", "gcc_version", "process_id", "run_id",
               "tcp_port", "server_time_usec", "uptime_in_seconds", "lru_clock",
               "executable", "monotonic_clock"},
    "clients": {"client_recent_max_input_buffer", "client_recent_max_output_buffer"},
    "memory": "*",
    "persistence": {"rdb_last_save_time", "aof_current_size", "aof_base_size",
                    "aof_buffer_length"},
    "stats": {"total_net_input_bytes", "total_net_output_bytes",
              "instantaneous_ops_per_sec", "instantaneous_input_kbps",
              "instantaneous_output_kbps", "total_reads_processed",
              "total_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands",
              "expire_cycle_cpu_milliseconds"},
    "replication": {"master_replid"},
    "cpu": "*",
    "latencystats": "*",
}
# Fields of a "*" section that are nonetheless the same in any run with the
# AOF, replication and cluster off (the "default" run): compared by value.
FIXED_IN_VARYING = {
    "memory": {"mem_aof_buffer", "mem_not_counted_for_evict", "mem_replication_backlog",
               "mem_total_replication_buffers", "mem_clients_slaves", "mem_cluster_links",
               "maxmemory", "maxmemory_human", "maxmemory_policy", "lazyfree_pending_objects",
               "lazyfreed_objects"},
}
# Values that are text rather than numbers: their exact form is not compared.
TEXT_VALUES = {"os", "executable", "redis_build_id", "mem_allocator"}


def parse_info(text):
    """[(section, [(field, value)])] in order; section names lower case."""
    sections = []
    for line in text.split("\r\n"):
        if line.startswith("# "):
            sections.append((line[2:].lower(), []))
        elif line:
            field, _, value = line.partition(":")
            sections[-1][1].append((field, value))
    return sections


def shape(value):
    """A value's form: digit runs become 9 ("1.08" and "13.91" alike); a
    40-digit hex id is just that; a *_human size is a number and a unit
    (which unit depends on the size: "1000.41K" and "1.11M" alike)."""
    if re.fullmatch(r"[0-9a-f]{40}", value):
        return "hex40"
    if re.fullmatch(r"\d+(\.\d\d)?[BKMGTPE]", value):
        return "size"
    return re.sub(r"\d+", "9", value)


# Values with a part that depends on timing: that part is blanked out.
TIMED_PARTS = {
    # cmdstat_x:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=..
    "commandstats": (r"usec=\d+,usec_per_call=[\d.]+", "usec=U"),
    # dbN:keys=..,expires=..,avg_ttl=.. (avg_ttl is estimated by the expire cycle)
    "keyspace": (r"avg_ttl=\d+", "avg_ttl=T"),
}


def info_text(conn, *args):
    return conn.command("INFO", *args).to_py().decode()


def workload(c):
    """The same commands on both servers, touching what INFO counts."""
    c.command("SET", "k1", "v")
    c.command("SET", "k2", "v", "EX", "1000")
    c.command("SELECT", "3")
    c.command("RPUSH", "l", "a", "b")
    c.command("SELECT", "0")
    c.command("GET", "k1")
    c.command("GET", "missing")
    c.command("LPUSH", "k1", "x")      # WRONGTYPE
    c.command("NOSUCHCOMMAND")         # ERR unknown command
    c.command("INCR", "k1")            # ERR not an integer
    c.command("EVAL", "return 1", "0")
    c.command("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
    c.command("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.9")


def observe(binary, extra_args=()):
    srv = ServerProcess(binary, extra_args=extra_args)
    srv.start()
    seen = {}
    try:
        c = srv.connect()
        workload(c)
        seen["everything"] = parse_info(info_text(c, "everything"))
        # Which sections each form of the arguments selects.
        variants = [(), ("default",), ("all",), ("everything",), ("server",), ("SERVER",),
                    ("cpu", "server"), ("clients", "memory", "keyspace"),
                    ("commandstats",), ("latencystats",), ("errorstats",), ("module_list",),
                    ("modules",), ("cluster",), ("replication",), ("persistence",), ("stats",),
                    ("nosuchsection",), ("nosuchsection", "cpu"), ("default", "commandstats"),
                    ("all", "server"), ("everything", "nosuchsection"), ("Keyspace",),
                    ("server", "server")]
        seen["sections"] = {}
        for v in variants:
            secs = [name for name, _ in parse_info(info_text(c, *v))]
            seen["sections"][v] = [name for name in secs if name not in EXTRA_SECTIONS]
        seen["empty reply"] = c.command("INFO", "nosuchsection").raw
        r3 = srv.connect()
        r3.command("HELLO", "3")
        seen["resp3 frame"] = r3.command("INFO", "cluster").raw
        seen["run_id"] = dict(seen["everything"][0][1])["run_id"]
        seen["replid"] = dict(dict(seen["everything"])["replication"])["master_replid"]
    finally:
        srv.stop()
    return seen


def compare(rep, label, want, got):
    want_secs = [name for name, _ in want["everything"]]
    got_all = dict(got["everything"])
    got_secs = [name for name, _ in got["everything"] if name not in EXTRA_SECTIONS]
    rep.check("%s: sections in Redis's order" % label, got_secs == want_secs,
              "\n  grabkv %r\n  redis  %r" % (got_secs, want_secs))
    for section, wfields in want["everything"]:
        gfields = [(f, v) for f, v in got_all.get(section, [])
                   if (section, f) not in EXTRA_FIELDS]
        wnames = [f for f, _ in wfields]
        gnames = [f for f, _ in gfields]
        if section in UNORDERED:
            ok = sorted(gnames) == sorted(wnames)
        else:
            ok = gnames == wnames
        missing = [f for f in wnames if f not in gnames]
        extra = [f for f in gnames if f not in wnames]
        rep.check("%s: %s field names" % (label, section), ok,
                  "missing %r\n extra %r\n grabkv %r\n redis %r" % (missing, extra, gnames, wnames))
        varying = VARYING.get(section, set())
        gvalues = dict(gfields)
        for f, wv in wfields:
            if f not in gvalues:
                continue
            gv = gvalues[f]
            if section in TIMED_PARTS:
                pattern, blank = TIMED_PARTS[section]
                gv, wv = re.sub(pattern, blank, gv), re.sub(pattern, blank, wv)
            fixed = FIXED_IN_VARYING.get(section, ()) if label == "default" else ()
            if (varying == "*" and f not in fixed) or f in varying:
                if f in TEXT_VALUES:
                    continue
                rep.check("%s: %s.%s form" % (label, section, f), shape(gv) == shape(wv),
                          "grabkv %r redis %r" % (gv, wv))
            else:
                rep.check("%s: %s.%s value" % (label, section, f), gv == wv,
                          "grabkv %r redis %r" % (gv, wv))
    for v, wsecs in want["sections"].items():
        rep.check("%s: INFO %s selects" % (label, " ".join(v)), got["sections"][v] == wsecs,
                  "\n  grabkv %r\n  redis  %r" % (got["sections"][v], wsecs))
    rep.check("%s: unknown section gives an empty bulk" % label,
              got["empty reply"] == want["empty reply"],
              "grabkv %r redis %r" % (got["empty reply"], want["empty reply"]))
    rep.check("%s: RESP3 verbatim frame" % label, got["resp3 frame"] == want["resp3 frame"],
              "grabkv %r redis %r" % (got["resp3 frame"], want["resp3 frame"]))
    rep.check("%s: master_replid is 40 hex digits apart from run_id" % label,
              re.fullmatch(r"[0-9a-f]{40}", got["replid"]) is not None
              and got["replid"] != got["run_id"], got["replid"])


def main():
    p = harness.common_arg_parser(__doc__)
    args = p.parse_args()
    harness.install_guard(240)
    rep = harness.Reporter(args.verbose)
    try:
        replids = []
        for label, extra in (("default", ()), ("appendonly", ("--appendonly", "yes"))):
            want = observe(args.redis, extra)
            got = observe(args.server, extra)
            compare(rep, label, want, got)
            replids.append(got["replid"])
        rep.check("master_replid is drawn anew at each start", replids[0] != replids[1],
                  repr(replids))
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
