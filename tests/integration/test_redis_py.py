#!/usr/bin/python3
"""redis-py (Debian's python3-redis) against the server under test:
strings, pipelines, expiry, scan_iter, decode_responses, RESP2, a threaded
connection pool, client names, info, config, flushall, and RESP3 when the
installed redis-py supports it.

  /usr/bin/python3 test_redis_py.py --server build/server/grabkv-server
"""

import datetime
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import eq, raises  # noqa: E402

redis = harness.import_redis_py()  # None is reported as a failure in main()


# --------------------------------------------------------------------------
# Checks: each gets a factory making a redis.Redis for the server

def t_ping_echo(mk):
    r = mk()
    eq(r.ping(), True, "ping")
    eq(r.echo("hello"), b"hello", "echo")
    # redis-py's PING callback turns any reply but PONG into False
    eq(r.execute_command("PING", "x"), False, "ping x")


def t_strings(mk):
    r = mk()
    eq(r.set("a", "1"), True, "set")
    eq(r.get("a"), b"1", "get")
    eq(r.get("missing"), None, "get missing")
    eq(r.incr("a"), 2, "incr")
    eq(r.incrby("a", 10), 12, "incrby")
    eq(r.decr("a"), 11, "decr")
    eq(r.decrby("a", 5), 6, "decrby")
    eq(r.incrbyfloat("f", 1.5), 1.5, "incrbyfloat")
    eq(r.incrbyfloat("f", 0.25), 1.75, "incrbyfloat 2")
    eq(r.append("s", "hello"), 5, "append new")
    eq(r.append("s", " world"), 11, "append")
    eq(r.strlen("s"), 11, "strlen")
    eq(r.getrange("s", 0, 4), b"hello", "getrange")
    eq(r.getrange("s", -5, -1), b"world", "getrange negative")
    eq(r.setrange("s", 6, "WORLD"), 11, "setrange")
    eq(r.get("s"), b"hello WORLD", "after setrange")
    eq(r.getset("s", "new"), b"hello WORLD", "getset")
    eq(r.getdel("s"), b"new", "getdel")
    eq(r.exists("s"), 0, "exists after getdel")
    eq(r.setnx("nx", "1"), True, "setnx new")
    eq(r.setnx("nx", "2"), False, "setnx existing")
    eq(r.mset({"m1": "v1", "m2": "v2"}), True, "mset")
    eq(r.mget("m1", "m2", "missing"), [b"v1", b"v2", None], "mget")
    eq(r.msetnx({"m2": "x", "m3": "y"}), False, "msetnx existing")
    eq(r.msetnx({"m3": "y", "m4": "z"}), True, "msetnx new")
    eq(r.set("k", "v", nx=True), True, "set nx")
    eq(r.set("k", "v2", nx=True), None, "set nx on existing")
    eq(r.set("k", "v3", xx=True), True, "set xx")
    eq(r.set("k", "v4", get=True), b"v3", "set get")
    eq(r.set("nokey", "v", xx=True), None, "set xx missing")
    binary = bytes(range(256))
    r.set("bin", binary)
    eq(r.get("bin"), binary, "binary value round trip")
    e = raises(redis.ResponseError, r.incr, "k")
    eq(str(e), "value is not an integer or out of range", "incr error text")
    r.set("max", 9223372036854775807)
    raises(redis.ResponseError, r.incr, "max", contains="overflow")


def t_lock_pattern(mk):
    # The oversell-guard lock of DESIGN.md: SET key id NX PX 30000.
    r = mk()
    eq(r.set("lock:order", "owner-1", nx=True, px=30000), True, "take lock")
    eq(r.set("lock:order", "owner-2", nx=True, px=30000), None, "lock is held")
    ttl = r.pttl("lock:order")
    if not 29000 < ttl <= 30000:
        raise AssertionError("lock pttl %r" % ttl)
    eq(r.get("lock:order"), b"owner-1", "lock owner")
    eq(r.delete("lock:order"), 1, "release")


def t_decode_responses(mk):
    r = mk(decode_responses=True)
    r.set("greeting", "héllo wörld")
    eq(r.get("greeting"), "héllo wörld", "decoded get")
    r.mset({"d1": "1", "d2": "2"})
    eq(r.mget("d1", "d2"), ["1", "2"], "decoded mget")
    eq(sorted(r.keys("d*")), ["d1", "d2"], "decoded keys")
    eq(r.type("d1"), "string", "type")
    eq(r.type("missing"), "none", "type none")
    eq(r.client_getname(), None, "no name")


def t_keys(mk):
    r = mk()
    r.mset({"ka": 1, "kb": 2, "kc": 3})
    eq(r.exists("ka", "kb", "missing"), 2, "exists")
    eq(r.delete("ka", "missing"), 1, "delete")
    eq(r.unlink("kb"), 1, "unlink")
    eq(r.rename("kc", "kd"), True, "rename")
    eq(r.renamenx("kd", "ke"), True, "renamenx")
    r.set("kf", 1)
    eq(r.renamenx("ke", "kf"), False, "renamenx existing")
    raises(redis.ResponseError, r.rename, "missing", "x", contains="no such key")
    eq(r.copy("kf", "kg"), True, "copy")
    eq(r.get("kg"), b"1", "copied value")
    eq(r.move("kg", 1), True, "move")
    eq(r.exists("kg"), 0, "moved away")
    eq(r.touch("kf", "ke", "missing"), 2, "touch")
    eq(r.randomkey() in (b"kf", b"ke"), True, "randomkey")
    eq(r.object("encoding", "kf"), b"int", "object encoding")
    eq(r.dbsize(), 2, "dbsize")


def t_expiry(mk):
    r = mk()
    r.set("e1", "v", ex=100)
    t = r.ttl("e1")
    if not 98 <= t <= 100:
        raise AssertionError("ttl %r" % t)
    r.set("e2", "v", px=300)
    pt = r.pttl("e2")
    if not 0 < pt <= 300:
        raise AssertionError("pttl %r" % pt)
    eq(r.ttl("missing"), -2, "ttl missing")
    r.set("e3", "v")
    eq(r.ttl("e3"), -1, "ttl no expiry")
    eq(r.expire("e3", 50), True, "expire")
    eq(r.persist("e3"), True, "persist")
    eq(r.ttl("e3"), -1, "ttl after persist")
    eq(r.pexpire("e3", 60000), True, "pexpire")
    when = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
    eq(r.expireat("e3", when), True, "expireat datetime")
    eq(r.execute_command("EXPIRETIME", "e3"), 4102444800, "expiretime")
    eq(r.pexpireat("e3", 4102444800123), True, "pexpireat")
    eq(r.execute_command("PEXPIRETIME", "e3"), 4102444800123, "pexpiretime")
    r.setex("e4", 100, "v")
    r.psetex("e5", 50, "v")
    eq(r.getex("e4", persist=True), b"v", "getex persist")
    eq(r.ttl("e4"), -1, "ttl after getex persist")
    eq(r.getex("e4", ex=10), b"v", "getex ex")
    time.sleep(0.5)
    eq(r.get("e2"), None, "px key expired")
    eq(r.get("e5"), None, "psetex key expired")
    eq(r.exists("e2", "e5"), 0, "expired keys do not exist")
    raises(redis.ResponseError, r.set, "bad", "v", ex=0, contains="invalid expire time")


def t_pipeline(mk):
    r = mk()
    p = r.pipeline(transaction=False)
    for i in range(200):
        p.set("p:%d" % i, i)
    for i in range(200):
        p.incr("p:%d" % i)
    p.get("p:199")
    p.incr("p:nonint").get("p:nonint")
    res = p.execute()
    eq(len(res), 403, "pipeline length")
    eq(res[:200], [True] * 200, "pipeline sets")
    eq(res[200:400], list(range(1, 201)), "pipeline incrs")
    eq(res[400], b"200", "pipeline get")
    eq(res[401:], [1, b"1"], "pipeline tail")
    # errors inside a non-transactional pipeline
    r.set("p:str", "abc")
    p = r.pipeline(transaction=False)
    p.incr("p:str")
    p.get("p:str")
    res = p.execute(raise_on_error=False)
    if not isinstance(res[0], redis.ResponseError) or res[1] != b"abc":
        raise AssertionError("pipeline with error: %r" % (res,))
    # context manager form
    with r.pipeline(transaction=False) as p:
        p.mset({"x": 1, "y": 2}).mget("x", "y")
        eq(p.execute(), [True, [b"1", b"2"]], "pipeline context")


def t_scan_iter(mk):
    r = mk()
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.set("scan:%d" % i, i)
    for i in range(30):
        p.set("other:%d" % i, i)
    p.execute()
    got = set(r.scan_iter(match="scan:*", count=50))
    eq(len(got), 1000, "scan_iter match count")
    eq(got, {b"scan:%d" % i for i in range(1000)}, "scan_iter keys")
    got = set(r.scan_iter(match="scan:1?", count=7))
    eq(got, {b"scan:%d" % i for i in range(10, 20)}, "scan_iter pattern ?")
    got = set(r.scan_iter(_type="string"))
    eq(len(got), 1030, "scan_iter type string")
    eq(set(r.scan_iter(match="nomatch*")), set(), "scan_iter no match")
    cursor, keys = r.scan(0, match="other:*", count=10000)
    eq((cursor, len(keys)), (0, 30), "single scan with big count")


def t_select_db(mk):
    r0 = mk()
    r2 = mk(db=2)
    r0.set("dbkey", "zero")
    r2.set("dbkey", "two")
    eq(r0.get("dbkey"), b"zero", "db0")
    eq(r2.get("dbkey"), b"two", "db2")
    eq(r2.dbsize(), 1, "db2 size")
    r0.swapdb(0, 2)
    eq(r0.get("dbkey"), b"two", "after swapdb")
    raises(redis.ResponseError, r0.execute_command, "SELECT", 16,
           contains="DB index is out of range")
    eq(r0.flushdb(), True, "flushdb")
    eq(r2.get("dbkey"), b"zero", "other db untouched")


def t_resp2_default(mk):
    r = mk()
    hello = r.execute_command("HELLO")
    # RESP2: HELLO replies with a flat array of key/value pairs.
    if not isinstance(hello, list) or len(hello) % 2:
        raise AssertionError("HELLO in RESP2 is not a flat array: %r" % (hello,))
    d = dict(zip(hello[::2], hello[1::2]))
    eq(d.get(b"proto"), 2, "proto")
    eq(d.get(b"role"), b"master", "role")
    eq(r.execute_command("GET", "missing"), None, "nil")


def t_pool_threads(mk):
    r = mk(max_connections=60)
    r.set("counter", 0)
    errors = []

    def worker():
        try:
            for _ in range(200):
                r.incr("counter")
        except Exception as e:  # collected and reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if any(t.is_alive() for t in threads):
        raise AssertionError("worker threads still running after 60s")
    if errors:
        raise AssertionError("worker errors: %s" % errors[:3])
    eq(r.get("counter"), b"10000", "counter after 50 x 200 INCR")
    used = len(r.connection_pool._available_connections) + \
        len(r.connection_pool._in_use_connections)
    if used < 2:
        raise AssertionError("the pool used only %d connection(s)" % used)
    r.connection_pool.disconnect()


def t_client_name(mk):
    r = mk()
    eq(r.client_getname(), None, "no name yet")
    eq(r.client_setname("worker-1"), True, "setname")
    eq(r.client_getname(), "worker-1", "getname (redis-py decodes it)")
    raises(redis.ResponseError, r.client_setname, "has space")
    cid = r.client_id()
    if not isinstance(cid, int) or cid <= 0:
        raise AssertionError("client id %r" % cid)
    info = r.client_info()
    eq(info.get("name"), "worker-1", "client info name")
    eq(int(info.get("id")), cid, "client info id")
    names = [c.get("name") for c in r.client_list()]
    if "worker-1" not in names:
        raise AssertionError("client list names %r" % names)


def t_info(mk):
    r = mk()
    r.set("ik", 1)
    r.set("ie", 1, ex=100)
    info = r.info()
    for key in ("redis_version", "connected_clients", "used_memory", "role"):
        if key not in info:
            raise AssertionError("info() lacks %r" % key)
    eq(info["role"], "master", "role")
    ks = r.info("keyspace")
    db0 = ks.get("db0")
    if not isinstance(db0, dict) or db0.get("keys") != 2 or db0.get("expires") != 1:
        raise AssertionError("info keyspace db0 = %r" % (db0,))
    srv = r.info("server")
    if "redis_version" not in srv:
        raise AssertionError("info server = %r" % list(srv)[:10])


def t_config(mk):
    r = mk(decode_responses=True)
    eq(r.config_get("maxclients"), {"maxclients": "10000"}, "config_get maxclients")
    eq(r.config_get("databases"), {"databases": "16"}, "config_get databases")
    eq(r.config_get("appendonly"), {"appendonly": "no"}, "config_get appendonly")
    eq(r.config_set("timeout", 300), True, "config_set timeout")
    eq(r.config_get("timeout"), {"timeout": "300"}, "config_get timeout")
    eq(r.config_set("timeout", 0), True, "config_set timeout back")
    raises(redis.ResponseError, r.config_set, "nosuchparameter", 1)
    eq(r.config_resetstat(), True, "config_resetstat")


def t_flush(mk):
    r = mk()
    r2 = mk(db=3)
    r.set("a", 1)
    r2.set("b", 1)
    eq(r.flushall(), True, "flushall")
    eq((r.dbsize(), r2.dbsize()), (0, 0), "dbsize after flushall")
    r.set("a", 1)
    eq(r.flushall(asynchronous=True), True, "flushall async")
    eq(r.dbsize(), 0, "dbsize after flushall async")
    r.set("a", 1)
    eq(r.flushdb(asynchronous=True), True, "flushdb async")
    eq(r.dbsize(), 0, "dbsize after flushdb async")


def t_time(mk):
    r = mk()
    sec, usec = r.time()
    if abs(sec - time.time()) > 5 or not 0 <= usec < 1000000:
        raise AssertionError("TIME %r vs local %r" % ((sec, usec), time.time()))


def t_errors(mk):
    r = mk()
    e = raises(redis.ResponseError, r.execute_command, "NOSUCHCOMMAND", "a")
    if "unknown command" not in str(e):
        raise AssertionError("unknown command error %r" % str(e))
    raises(redis.ResponseError, r.execute_command, "GET")
    r.set("a", 1)
    eq(r.get("a"), b"1", "connection usable after errors")


def t_resp3(mk, version):
    r = mk(protocol=3)
    eq(r.ping(), True, "ping")
    r.set("r3", "v")
    eq(r.get("r3"), b"v", "get")
    eq(r.get("missing"), None, "null")
    eq(r.config_get("maxclients"), {b"maxclients": b"10000"}, "config_get map")


CHECKS = [
    ("ping and echo", t_ping_echo),
    ("strings", t_strings),
    ("lock with SET NX PX", t_lock_pattern),
    ("decode_responses", t_decode_responses),
    ("keyspace commands", t_keys),
    ("expiry", t_expiry),
    ("pipeline transaction=False", t_pipeline),
    ("scan_iter", t_scan_iter),
    ("db selection", t_select_db),
    ("RESP2 is the default", t_resp2_default),
    ("connection pool, 50 threads x 200 INCR", t_pool_threads),
    ("client setname/getname/id/info/list", t_client_name),
    ("info", t_info),
    ("config get/set", t_config),
    ("flushall/flushdb", t_flush),
    ("time", t_time),
    ("error replies", t_errors),
]


def responsive(server):
    try:
        c = server.connect()
        try:
            return c.command("PING").raw == b"+PONG\r\n"
        finally:
            c.close()
    except Exception:
        return False


def run_one(name, fn, sut, mk):
    mk().flushall()
    fn(mk)


def main():
    if redis is not None:
        print("redis-py %s" % redis.__version__)
    unresponsive = 0

    def before_each(rep, sut, name):
        nonlocal unresponsive
        if unresponsive >= 2:
            rep.fail(name, "not run: the server stopped answering twice")
            return False
        if not responsive(sut):
            unresponsive += 1
            rep.fail("server answers PING before: %s" % name,
                     "no PONG within %ss; restarting it" % harness.SOCKET_TIMEOUT)
            sut.restart()
            if not responsive(sut):
                unresponsive = 2
                rep.fail(name, "not run: the restarted server does not answer")
                return False
        return True

    def after_all(rep, mk):
        if int(redis.__version__.split(".")[0]) >= 5:
            harness.run_check(rep, "protocol=3", run_one, "protocol=3",
                              lambda mk: t_resp3(mk, redis.__version__), None, mk)
        else:
            rep.skip("protocol=3", "redis-py %s has no RESP3 support (needs 5.0+)"
                     % redis.__version__)

    return harness.redis_py_suite(__doc__.split("\n")[0], CHECKS, run_one,
                                  before_each=before_each, after_all=after_all)


if __name__ == "__main__":
    sys.exit(main())
