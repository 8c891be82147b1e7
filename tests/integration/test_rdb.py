"""RDB snapshots and DUMP/RESTORE against real Redis 7.0 (issue 17).

  redis2grabkv  redis-server writes dump.rdb of every type and encoding
                (two databases, TTLs, a function library); grabkv loads it:
                every key, type, value, encoding and PEXPIRETIME equal.
  grabkv2redis  the reverse: grabkv's SAVE, redis-check-rdb accepts it
                (with and without rdbcompression/rdbchecksum), redis-server
                loads it, everything equal.
  dump          DUMP on each server RESTOREd on the other, for every key.
  bgsave        BGSAVE / LASTSAVE / INFO rdb_*; SIGKILL of the BGSAVE child
                leaves the previous dump.rdb byte for byte (no temp file
                left), rdb_last_bgsave_status:err and -MISCONF under a save
                schedule, cleared by the next good save; SIGKILL of the
                server during BGSAVE, then a start loads the previous file.
  corrupt       a truncated or bit-flipped dump.rdb: the server refuses to
                start, naming the byte offset / the checksum.
  lifecycle     SHUTDOWN (save points set) / SHUTDOWN NOSAVE / SIGTERM,
                DEBUG RELOAD, appendonly yes takes precedence over dump.rdb,
                BGREWRITEAOF still rewrites the AOF.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

try:
    import redis  # Debian's python3-redis
except ImportError:  # pragma: no cover
    redis = None

LIB = ("#!lua name=rdblib\n"
       "redis.register_function('rdbf', function(keys, args) return 42 end)")
CHECK_RDB = "/usr/bin/redis-check-rdb"


def populate(r):
    """Every type in every encoding Redis 7.0 and grabkv share."""
    r.function_load(LIB, replace=True)
    r.set("s:short", "hello")
    r.set("s:int", "12345")
    r.set("s:neg", "-9223372036854775808")
    r.set("s:big", "x" * 5000)
    r.set("s:bin", bytes(range(256)) * 3)
    r.set("s:float", "3.14")
    r.set("s:ttl", "v", px=3600_000)
    r.rpush("l:small", "a", "1", "-5000", "70000", "10000000000", "")
    r.rpush("l:big", *[("e%d" % i) * (i % 13 + 1) for i in range(5000)])
    r.rpush("l:huge", "y" * 20000, "z")
    r.hset("h:lp", mapping={"f1": "v1", "f2": "2", "f3": ""})
    r.hset("h:ht", mapping={"f%d" % i: "v%d" % i for i in range(1000)})
    r.hset("h:long", mapping={"a": "b" * 100})
    r.sadd("set:int", 1, 2, 3, -5, 70000, 2**40)
    r.sadd("set:ht", "a", "b", "c", "1")
    r.sadd("set:bigint", *range(600))
    r.zadd("z:lp", {"a": 1, "b": 2.5, "c": -3, "d": float("inf"), "e": float("-inf"), "f": 0.1})
    r.zadd("z:sl", {"m%d" % i: i * 0.37 for i in range(300)})
    r.zadd("z:long", {"q" * 100: 7})
    r.expire("z:sl", 7200)
    r.pexpireat("h:ht", int(time.time() * 1000) + 86400_000)
    r.execute_command("SELECT", 3)
    r.set("db3:key", "in db 3")
    r.lpush("db3:list", "x", "y")
    r.expire("db3:list", 500)
    r.execute_command("SELECT", 0)


def value_of(r, key, typ):
    if typ == "string":
        return r.get(key)
    if typ == "list":
        return r.lrange(key, 0, -1)
    if typ == "hash":
        return r.hgetall(key)
    if typ == "set":
        return sorted(r.smembers(key))
    if typ == "zset":
        return r.zrange(key, 0, -1, withscores=True)
    return None


def snapshot(port, dbs=(0, 3)):
    """{(db, key): (type, encoding, pexpiretime, value)} plus the functions."""
    out = {}
    for db in dbs:
        r = redis.Redis(host=harness.HOST, port=port, db=db)
        for key in r.scan_iter(count=1000):
            typ = r.type(key).decode()
            out[(db, key)] = (typ, r.object("encoding", key), r.execute_command("PEXPIRETIME", key),
                              value_of(r, key, typ))
        r.close()
    r = redis.Redis(host=harness.HOST, port=port)
    libs = [(lib[b"library_name"] if isinstance(lib, dict) else lib[1], )
            for lib in r.execute_command("FUNCTION", "LIST", "WITHCODE")]
    r.close()
    return out, sorted(str(x) for x in libs)


def compare(rep, name, a, b):
    ka, fa = a
    kb, fb = b
    rep.check("%s: same key set" % name, set(ka) == set(kb),
              "only left: %r only right: %r" % (sorted(set(ka) - set(kb))[:5], sorted(set(kb) - set(ka))[:5]))
    bad = [k for k in ka if k in kb and ka[k] != kb[k]]
    rep.check("%s: every key's type, encoding, TTL and value equal (%d keys)" % (name, len(ka)),
              not bad, "first differences: %r" % [(k, ka[k][:3], kb[k][:3]) for k in bad[:3]])
    rep.check("%s: function libraries equal" % name, fa == fb, "%r vs %r" % (fa, fb))


class Ctx:
    def __init__(self, args, rep):
        self.args = args
        self.rep = rep
        self.servers = []

    def start(self, binary, extra=(), tmpdir=None, wait=True):
        s = harness.ServerProcess(binary, extra_args=list(extra), keep_logs=self.args.keep_logs,
                                  wait_ready=wait)
        s.tmpdir = tmpdir
        s.start()
        self.servers.append(s)
        return s

    def grabkv(self, extra=(), tmpdir=None, wait=True):
        return self.start(self.args.server, extra, tmpdir, wait)

    def redis(self, extra=(), tmpdir=None):
        return self.start(self.args.redis, extra, tmpdir)

    def stop_all(self):
        for s in self.servers:
            s.stop()
        self.servers = []


def client(s):
    return redis.Redis(host=harness.HOST, port=s.port, socket_timeout=30)


def with_file(path):
    """A fresh directory holding a copy of `path` as dump.rdb."""
    import tempfile
    d = tempfile.mkdtemp(prefix="grabkv-rdb-")
    shutil.copy(path, os.path.join(d, "dump.rdb"))
    return d


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def scenario_redis2grabkv(ctx):
    rep = ctx.rep
    rs = ctx.redis()
    r = client(rs)
    populate(r)
    rep.check("redis2grabkv: redis SAVE", r.save())
    want = snapshot(rs.port)
    d = with_file(os.path.join(rs.tmpdir, "dump.rdb"))
    g = ctx.grabkv(tmpdir=d)
    compare(rep, "redis2grabkv", want, snapshot(g.port))
    info = client(g).info("persistence")
    rep.check("redis2grabkv: rdb_last_load_keys_loaded", info["rdb_last_load_keys_loaded"] == len(want[0]),
              "%r" % info)
    rep.check("redis2grabkv: loaded functions run", client(g).fcall("rdbf", 0) == 42)
    ctx.stop_all()


def scenario_grabkv2redis(ctx):
    rep = ctx.rep
    for opts in ([], ["--rdbcompression", "no"], ["--rdbchecksum", "no"]):
        label = "grabkv2redis %s" % (" ".join(opts) or "defaults")
        g = ctx.grabkv(opts)
        c = client(g)
        populate(c)
        rep.check("%s: SAVE" % label, c.save())
        path = os.path.join(g.tmpdir, "dump.rdb")
        want = snapshot(g.port)
        chk = subprocess.run([CHECK_RDB, path], capture_output=True, text=True, timeout=60)
        rep.check("%s: redis-check-rdb accepts the file" % label,
                  chk.returncode == 0 and "RDB looks OK" in chk.stdout, chk.stdout[-800:] + chk.stderr[-400:])
        with open(path, "rb") as f:
            rep.check("%s: magic REDIS0010" % label, f.read(9) == b"REDIS0010")
        rs = ctx.redis(tmpdir=with_file(path))
        compare(rep, label, want, snapshot(rs.port))
        ctx.stop_all()


def scenario_dump(ctx):
    rep = ctx.rep
    rs = ctx.redis()
    g = ctx.grabkv()
    r, c = client(rs), client(g)
    populate(r)
    populate(c)
    for src, dst, name in ((r, c, "redis->grabkv"), (c, r, "grabkv->redis")):
        bad = []
        for key in src.scan_iter(count=1000):
            payload = src.dump(key)
            pttl = src.pttl(key)
            try:
                dst.restore(b"copy:" + key, pttl if pttl > 0 else 0, payload)
            except redis.ResponseError as e:
                bad.append((key, str(e)))
                continue
            t = src.type(key).decode()
            if (value_of(src, key, t) != value_of(dst, b"copy:" + key, t) or
                    src.object("encoding", key) != dst.object("encoding", b"copy:" + key)):
                bad.append((key, "differs"))
        rep.check("dump %s: every key RESTOREs equal (value, encoding)" % name, not bad, repr(bad[:5]))
    ctx.stop_all()


def child_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def wait_bgsave_done(c, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if c.info("persistence")["rdb_bgsave_in_progress"] == 0:
            return True
        time.sleep(0.05)
    return False


def scenario_bgsave(ctx):
    rep = ctx.rep
    g = ctx.grabkv()
    c = client(g)
    populate(c)
    t0 = c.lastsave()
    time.sleep(1.1)
    rep.check("bgsave: BGSAVE started", c.execute_command("BGSAVE") in (b"Background saving started",
                                                                       "Background saving started", True))
    rep.check("bgsave: finishes", wait_bgsave_done(c))
    info = c.info("persistence")
    rep.check("bgsave: LASTSAVE advances", c.lastsave() > t0)
    rep.check("bgsave: INFO rdb_last_bgsave_status:ok, rdb_saves, changes 0",
              info["rdb_last_bgsave_status"] == "ok" and info["rdb_saves"] >= 1 and
              info["rdb_changes_since_last_save"] == 0, repr(info))
    path = os.path.join(g.tmpdir, "dump.rdb")
    good = sha(path)
    # A dataset big enough for the child to be caught writing.
    for base in range(0, 100000, 50000):
        c.eval("for i = ARGV[1], ARGV[1] + 49999 do "
               "redis.call('set', 'bulk:' .. i, string.rep('v', 200) .. i) end", 0, base)
    killed = False
    for attempt in range(5):
        c.execute_command("BGSAVE")
        kid = None
        for _ in range(200):
            kid = child_of(g.pid())
            if kid:
                break
            time.sleep(0.005)
        if kid:
            os.kill(kid, signal.SIGKILL)
            killed = True
            break
        wait_bgsave_done(c)
    rep.check("bgsave: caught the child", killed)
    wait_bgsave_done(c)
    time.sleep(0.3)
    rep.check("bgsave: SIGKILLed child left dump.rdb intact", sha(path) == good)
    leftovers = [f for f in os.listdir(g.tmpdir) if f.startswith("temp-")]
    rep.check("bgsave: no temp file left", not leftovers, repr(leftovers))
    info = c.info("persistence")
    rep.check("bgsave: rdb_last_bgsave_status:err", info["rdb_last_bgsave_status"] == "err", repr(info))
    rep.check("bgsave: writes allowed without save points", c.set("w", "1"))
    c.config_set("save", "3600 1")
    try:
        c.set("w", "2")
        rep.fail("bgsave: -MISCONF under a save schedule", "write accepted")
    except redis.ResponseError as e:
        rep.check("bgsave: -MISCONF under a save schedule",
                  str(e).startswith("MISCONF Redis is configured to save RDB snapshots"), str(e))
    rep.check("bgsave: reads still work", c.get("s:short") == b"hello")
    c.config_set("stop-writes-on-bgsave-error", "no")
    rep.check("bgsave: stop-writes-on-bgsave-error no allows writes", c.set("w", "3"))
    c.config_set("stop-writes-on-bgsave-error", "yes")
    rep.check("bgsave: SAVE succeeds", c.save())
    rep.check("bgsave: writes allowed again after a good save", c.set("w", "4"))
    c.config_set("save", "")
    # BGSAVE SCHEDULE / errors.
    c.execute_command("BGSAVE")
    try:
        c.execute_command("BGSAVE")
        rep.fail("bgsave: second BGSAVE refused", "accepted")
    except redis.ResponseError as e:
        rep.check("bgsave: second BGSAVE refused", "Background save already in progress" in str(e), str(e))
    r2 = c.execute_command("BGREWRITEAOF")
    rep.check("bgsave: BGREWRITEAOF during BGSAVE is scheduled",
              r2 in (True, b"Background append only file rewriting scheduled",
                     "Background append only file rewriting scheduled"), repr(r2))
    wait_bgsave_done(c)
    deadline = time.time() + 60
    while time.time() < deadline and (c.info("persistence")["aof_rewrite_in_progress"] or
                                      c.info("persistence")["aof_rewrite_scheduled"]):
        time.sleep(0.1)
    rep.check("bgsave: the scheduled rewrite ran", c.info("persistence")["aof_rewrites"] >= 1)
    good = sha(path)
    want = snapshot(g.port)
    # The server itself SIGKILLed during a BGSAVE: its child dies with it.
    c.set("after", "x")
    c.execute_command("BGSAVE")
    g.stop(remove=False, sig=signal.SIGKILL)
    time.sleep(0.5)
    rep.check("bgsave: server SIGKILLed during BGSAVE left dump.rdb intact", sha(path) == good)
    g.start()
    got = snapshot(g.port)
    compare(rep, "bgsave: restart loads the previous file", want, got)
    ctx.stop_all()


def scenario_corrupt(ctx):
    rep = ctx.rep
    g = ctx.grabkv()
    c = client(g)
    populate(c)
    c.save()
    path = os.path.join(g.tmpdir, "dump.rdb")
    with open(path, "rb") as f:
        data = f.read()
    ctx.stop_all()
    import tempfile
    cases = [("truncated", data[:len(data) // 2], "offset"),
             ("bit-flipped", data[:100] + bytes([data[100] ^ 0x40]) + data[101:], ""),
             ("bad magic", b"REDIX" + data[5:], "Wrong signature"),
             ("future version", b"REDIS0011" + data[9:], "Can't handle RDB format version 11"),
             ("empty", b"", "")]
    for name, blob, needle in cases:
        d = tempfile.mkdtemp(prefix="grabkv-rdb-")
        with open(os.path.join(d, "dump.rdb"), "wb") as f:
            f.write(blob)
        s = harness.ServerProcess(ctx.args.server, wait_ready=False)
        s.tmpdir = d
        s.start()
        try:
            s.proc.wait(timeout=30)
            rc = s.proc.returncode
        except subprocess.TimeoutExpired:
            rc = None
        log = s.log_text()
        rep.check("corrupt %s: refuses to start" % name, rc not in (None, 0), "rc=%r %s" % (rc, log[-500:]))
        rep.check("corrupt %s: says why" % name, needle in log and ("offset" in log or "checksum" in log
                                                                      or needle), log[-500:])
        s.stop()
    # A flipped byte in a value is found by the checksum.
    d = tempfile.mkdtemp(prefix="grabkv-rdb-")
    mid = len(data) // 2
    with open(os.path.join(d, "dump.rdb"), "wb") as f:
        f.write(data[:mid] + bytes([data[mid] ^ 1]) + data[mid + 1:])
    s = harness.ServerProcess(ctx.args.server, wait_ready=False)
    s.tmpdir = d
    s.start()
    try:
        s.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    log = s.log_text()
    rep.check("corrupt mid-file flip: refused (checksum or offset)",
              s.proc.returncode not in (None, 0) and ("checksum" in log or "offset" in log), log[-400:])
    s.stop()


def scenario_lifecycle(ctx):
    rep = ctx.rep
    g = ctx.grabkv(["--save", "3600 1"])
    c = client(g)
    populate(c)
    want = snapshot(g.port)
    path = os.path.join(g.tmpdir, "dump.rdb")
    rep.check("lifecycle: DEBUG RELOAD", c.execute_command("DEBUG", "RELOAD") in (b"OK", "OK", True))
    compare(rep, "lifecycle: after DEBUG RELOAD", want, snapshot(g.port))
    c.set("extra", "1")
    want = snapshot(g.port)
    try:
        c.shutdown()
    except redis.ConnectionError:
        pass
    g.proc.wait(timeout=30)
    rep.check("lifecycle: SHUTDOWN with save points exits 0", g.proc.returncode == 0)
    g.start()
    compare(rep, "lifecycle: SHUTDOWN saved", want, snapshot(g.port))
    c = client(g)
    c.set("lost", "1")
    try:
        c.shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    g.proc.wait(timeout=30)
    g.start()
    rep.check("lifecycle: SHUTDOWN NOSAVE did not save", client(g).get("lost") is None)
    c = client(g)
    c.set("sigterm", "1")
    g.proc.send_signal(signal.SIGTERM)
    g.proc.wait(timeout=30)
    g.start()
    rep.check("lifecycle: SIGTERM saves under save points", client(g).get("sigterm") == b"1")
    # appendonly yes: the AOF alone is loaded, as Redis does.
    g.stop(remove=False)
    g.extra_args = ["--appendonly", "yes"]
    g.start()
    rep.check("lifecycle: appendonly yes ignores dump.rdb", client(g).dbsize() == 0)
    ctx.stop_all()


SCENARIOS = [
    ("redis2grabkv", scenario_redis2grabkv),
    ("grabkv2redis", scenario_grabkv2redis),
    ("dump", scenario_dump),
    ("bgsave", scenario_bgsave),
    ("corrupt", scenario_corrupt),
    ("lifecycle", scenario_lifecycle),
]


def run_main(doc, scenarios):
    """main() of the scripts built on Ctx (this one and test_migrate.py):
    runs the scenarios (--only picks some), stopping their servers after each."""
    p = harness.common_arg_parser(doc)
    p.add_argument("--only", default="", help="comma-separated scenario names")
    args, rep = harness.begin(doc, 580, p)
    if redis is None:
        rep.fail("python3-redis is required")
        return rep.finish()
    ctx = Ctx(args, rep)
    only = {x for x in args.only.split(",") if x}

    def run(fn):
        try:
            fn(ctx)
        finally:
            ctx.stop_all()
    harness.run_scenarios(rep, scenarios, only, run)
    return rep.finish()


def main():
    return run_main(__doc__, SCENARIOS)


if __name__ == "__main__":
    sys.exit(main())
