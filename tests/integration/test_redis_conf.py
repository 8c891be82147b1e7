#!/usr/bin/python3
"""An existing redis.conf starts grabkv unchanged.

Debian's /etc/redis/redis.conf (from the redis-server package) is copied to a
temporary directory with a few lines appended (later lines win, as in Redis)
so it runs in the foreground on a free port. grabkv must start with it,
answer PING, and CONFIG GET must give what a real redis-server reports when
started with the same file. Also: a directive asking for something grabkv
does not do yet (replicaof) refuses to start naming it, an unknown directive
gets Redis's "Bad directive" error and exit status 1, and `include` works.

  /usr/bin/python3 test_redis_conf.py --server build/server/grabkv-server
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DEBIAN_CONF = "/etc/redis/redis.conf"

# Directives CONFIG GET compares between the two servers (a sample across
# kinds: ones grabkv applies, ones it accepts without effect, aliases).
SAMPLE = [
    "bind", "protected-mode", "tcp-backlog", "timeout", "tcp-keepalive",
    "daemonize", "supervised", "loglevel", "databases", "always-show-logo",
    "set-proc-title", "proc-title-template", "stop-writes-on-bgsave-error",
    "rdbcompression", "rdbchecksum", "dbfilename", "rdb-del-sync-files",
    "replica-serve-stale-data", "slave-read-only", "repl-diskless-sync",
    "repl-diskless-sync-delay", "repl-diskless-load", "replica-priority",
    "acllog-max-len", "lazyfree-lazy-eviction", "lazyfree-lazy-user-flush",
    "oom-score-adj", "oom-score-adj-values", "disable-thp", "appendonly",
    "appendfilename", "appenddirname", "appendfsync",
    "auto-aof-rewrite-min-size", "aof-timestamp-enabled",
    "slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold",
    "notify-keyspace-events", "hash-max-listpack-entries",
    "hash-max-ziplist-value", "list-max-listpack-size", "hll-sparse-max-bytes",
    "stream-node-max-bytes", "stream-node-max-entries",
    "client-output-buffer-limit", "hz", "dynamic-hz",
    "rdb-save-incremental-fsync", "jemalloc-bg-thread", "io-threads",
    "enable-debug-command", "enable-protected-configs", "maxmemory-clients",
    "latency-tracking-info-percentiles", "unixsocketperm", "replicaof",
    "tls-port", "cluster-enabled", "aclfile", "save", "port",
]


def write_conf(tmp, port, extra=()):
    path = os.path.join(tmp, "redis.conf")
    shutil.copy(DEBIAN_CONF, path)
    with open(path, "a") as f:
        f.write("\n# appended by test_redis_conf.py\n")
        for line in ("daemonize no", "supervised no", "port %d" % port,
                     "dir %s" % tmp, 'logfile ""',
                     "pidfile %s" % os.path.join(tmp, "x.pid")) + tuple(extra):
            f.write(line + "\n")
    return path


start = harness.start_with_conf
stop = harness.kill_and_output


def config_get(conn, name):
    conn.send_command("CONFIG", "GET", name)
    return conn.read_reply().raw


def run_debian_conf(rep, server, redis):
    tmp_g = tempfile.mkdtemp(prefix="grabkv-conf-")
    tmp_r = tempfile.mkdtemp(prefix="redis-conf-")
    pg, pr = harness.free_port(), harness.free_port()
    # Two servers cannot share a port: "port" is compared with each one's own.
    # Several save lines add up (the first replaces the default).
    extra = ["save 900 1", "save 300 10"]
    gproc, gconn = start(server, write_conf(tmp_g, pg, extra), pg)
    rproc, rconn = start(redis, write_conf(tmp_r, pr, extra), pr)
    try:
        if not rep.check("debian redis.conf: grabkv starts", gconn is not None,
                         stop(gproc) if gconn is None else ""):
            return
        if not rep.check("debian redis.conf: redis-server starts", rconn is not None,
                         stop(rproc) if rconn is None else ""):
            return
        gconn.send_command("PING")
        rep.check("debian redis.conf: PING", gconn.read_reply().raw == b"+PONG\r\n")
        for name in SAMPLE:
            g, r = config_get(gconn, name), config_get(rconn, name)
            if name == "port":
                r = r.replace(str(pr).encode(), str(pg).encode())
            rep.check("debian redis.conf: CONFIG GET %s" % name, g == r,
                      "grabkv %r\nredis  %r" % (g, r))
    finally:
        log = stop(gproc)
        stop(rproc)
        if not harness.is_real_redis(server):
            rep.check("debian redis.conf: one 'accepted without effect' log line",
                      log.count("accepted without effect") == 1
                      and "jemalloc-bg-thread" in log, log[-2000:])
        shutil.rmtree(tmp_g, ignore_errors=True)
        shutil.rmtree(tmp_r, ignore_errors=True)


def run_refused(rep, server, extra, needle, label):
    tmp = tempfile.mkdtemp(prefix="grabkv-conf-")
    port = harness.free_port()
    try:
        proc, conn = start(server, write_conf(tmp, port, extra), port, timeout=5)
        if conn is not None:
            conn.close()
        out = stop(proc)
        rep.check("%s: exits with status 1" % label, proc.returncode == 1,
                  "status %s, output:\n%s" % (proc.returncode, out[-1500:]))
        rep.check("%s: names the directive" % label, needle in out, out[-1500:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_include(rep, server):
    tmp = tempfile.mkdtemp(prefix="grabkv-conf-")
    port = harness.free_port()
    inc = os.path.join(tmp, "extra.conf")
    with open(inc, "w") as f:
        f.write("slowlog-max-len 77\nhz 17\n")
    try:
        proc, conn = start(server, write_conf(tmp, port, ["include %s" % inc]), port)
        if rep.check("include: starts", conn is not None, stop(proc) if conn is None else ""):
            rep.check("include: applied",
                      config_get(conn, "slowlog-max-len") == b"*2\r\n$15\r\nslowlog-max-len\r\n$2\r\n77\r\n"
                      and config_get(conn, "hz") == b"*2\r\n$2\r\nhz\r\n$2\r\n17\r\n")
            stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    args, rep = harness.begin(__doc__, 120)
    args.server = os.path.abspath(args.server)
    if not os.path.exists(DEBIAN_CONF):
        print("FAIL %s is missing (install Debian's redis-server package)" % DEBIAN_CONF)
        return 1
    run_debian_conf(rep, args.server, args.redis)
    run_refused(rep, args.server, ["frobnicate-everything yes"],
                "Bad directive or wrong number of arguments", "unknown directive")
    run_refused(rep, args.server, ["frobnicate-everything yes"], "frobnicate-everything",
                "unknown directive (named)")
    if not harness.is_real_redis(args.server):
        # redis-server does all of these; grabkv refuses them for now.
        run_refused(rep, args.server, ["replicaof 127.0.0.1 1"], "replicaof", "replicaof")
        run_refused(rep, args.server, ["tls-port 6390"], "tls-port", "tls-port")
        run_refused(rep, args.server, ["cluster-enabled yes"], "cluster-enabled", "cluster-enabled")
        run_refused(rep, args.server, ["rename-command FLUSHALL \"\""], "rename-command",
                    "rename-command")
    run_include(rep, args.server)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
