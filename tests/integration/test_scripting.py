"""Lua scripting under real clients and real concurrency (redis-py).

  * Redisson RLock: 100 threads contend for one lock with Redisson's
    published tryLock / unlock / renewal scripts, sent the way Redisson
    sends them (EVALSHA first, EVAL on -NOSCRIPT). Inside the critical
    section each thread checks it is alone: never two holders at once.
  * compare-and-delete unlock: a holder whose lease expired and was taken
    over by another client must not delete the new holder's lock (50 pairs
    in parallel), and 100 threads locking with SET NX PX + the unlock script
    never see two holders either.
  * sandbox escapes over TCP all end in an error reply and the server keeps
    serving.
  * an endless-loop script: other clients get -BUSY past
    busy-reply-threshold and SCRIPT KILL recovers. This needs the IO layer
    to serve clients while a script runs; when it does not (no reply within
    a few seconds), the check is reported as skipped and the server killed.

Every workload also runs against real redis-server as a control.
"""

import hashlib
import os
import random
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import redis  # noqa: E402

# Redisson's RedissonLock scripts (tryLockInnerAsync, unlockInnerAsync,
# renewExpirationAsync), as published.
TRY_LOCK = (
    "if (redis.call('exists', KEYS[1]) == 0) then "
    "redis.call('hincrby', KEYS[1], ARGV[2], 1); "
    "redis.call('pexpire', KEYS[1], ARGV[1]); "
    "return nil; "
    "end; "
    "if (redis.call('hexists', KEYS[1], ARGV[2]) == 1) then "
    "redis.call('hincrby', KEYS[1], ARGV[2], 1); "
    "redis.call('pexpire', KEYS[1], ARGV[1]); "
    "return nil; "
    "end; "
    "return redis.call('pttl', KEYS[1]);")
UNLOCK = (
    "if (redis.call('hexists', KEYS[1], ARGV[3]) == 0) then "
    "return nil;"
    "end; "
    "local counter = redis.call('hincrby', KEYS[1], ARGV[3], -1); "
    "if (counter > 0) then "
    "redis.call('pexpire', KEYS[1], ARGV[2]); "
    "return 0; "
    "else "
    "redis.call('del', KEYS[1]); "
    "redis.call('publish', KEYS[2], ARGV[1]); "
    "return 1; "
    "end; "
    "return nil;")
RENEW = (
    "if (redis.call('hexists', KEYS[1], ARGV[2]) == 1) then "
    "redis.call('pexpire', KEYS[1], ARGV[1]); "
    "return 1; "
    "end; "
    "return 0;")
CAD_UNLOCK = ("if redis.call('get',KEYS[1]) == ARGV[1] then "
              "return redis.call('del',KEYS[1]) else return 0 end")


def evalsha_first(r, script, sha, numkeys, *args):
    """Redisson's way: EVALSHA, and EVAL when the script is not cached."""
    try:
        return r.evalsha(sha, numkeys, *args)
    except redis.exceptions.NoScriptError:
        return r.eval(script, numkeys, *args)


class Section:
    """Counts holders inside a critical section."""

    def __init__(self):
        self.lock = threading.Lock()
        self.inside = 0
        self.max_inside = 0
        self.entries = 0

    def enter(self):
        with self.lock:
            self.inside += 1
            self.entries += 1
            self.max_inside = max(self.max_inside, self.inside)

    def leave(self):
        with self.lock:
            self.inside -= 1


def redisson_contention(port, threads=100, rounds=3):
    pool = redis.BlockingConnectionPool(host=harness.HOST, port=port,
                                        max_connections=threads, timeout=60)
    r = redis.Redis(connection_pool=pool)
    r.script_flush()
    shas = {s: hashlib.sha1(s.encode()).hexdigest() for s in (TRY_LOCK, UNLOCK, RENEW)}
    sec = Section()
    server_side_overlap = []

    def worker(i):
        owner = "%s:%d" % (uuid.uuid4(), i)
        for _ in range(rounds):
            while True:
                ttl = evalsha_first(r, TRY_LOCK, shas[TRY_LOCK], 1, "rlock", 30000, owner)
                if ttl is None:
                    break
                time.sleep(random.uniform(0.0005, 0.003))
            # Reentrancy: taking it again while held must succeed at once.
            assert evalsha_first(r, TRY_LOCK, shas[TRY_LOCK], 1, "rlock", 30000, owner) is None
            sec.enter()
            if r.incr("holders") != 1:
                server_side_overlap.append(owner)
            assert evalsha_first(r, RENEW, shas[RENEW], 1, "rlock", 30000, owner) == 1
            time.sleep(random.uniform(0, 0.001))
            r.decr("holders")
            sec.leave()
            assert evalsha_first(r, UNLOCK, shas[UNLOCK], 2, "rlock",
                                 "redisson_lock__channel:{rlock}", 0, 30000, owner) == 0
            assert evalsha_first(r, UNLOCK, shas[UNLOCK], 2, "rlock",
                                 "redisson_lock__channel:{rlock}", 0, 30000, owner) == 1
        return True

    results, errors = harness.run_threads(threads, worker, 180)
    exists = r.exists("rlock")
    pool.disconnect()
    return sec, server_side_overlap, errors, exists, sum(1 for x in results if x)


def cad_takeover(port, pairs=50):
    """A's lease expires, B takes the lock, A's unlock must not delete it."""
    pool = redis.BlockingConnectionPool(host=harness.HOST, port=port,
                                        max_connections=2 * pairs, timeout=60)
    r = redis.Redis(connection_pool=pool)
    unlock = r.register_script(CAD_UNLOCK)
    wrong = []

    def pair(i):
        key = "lock:%d" % i
        a, b = "a-%s" % uuid.uuid4(), "b-%s" % uuid.uuid4()
        assert r.set(key, a, nx=True, px=100)
        time.sleep(0.25)  # A is slow: its lease runs out
        assert r.set(key, b, nx=True, px=10000), "B could not take the expired lock"
        if unlock(keys=[key], args=[a]) != 0:
            wrong.append(key)
        if r.get(key) != b.encode():
            wrong.append(key)
        assert unlock(keys=[key], args=[b]) == 1
        return r.exists(key) == 0

    results, errors = harness.run_threads(pairs, pair, 180)
    pool.disconnect()
    return wrong, errors, sum(1 for x in results if x)


def cad_contention(port, threads=100, rounds=5):
    pool = redis.BlockingConnectionPool(host=harness.HOST, port=port,
                                        max_connections=threads, timeout=60)
    r = redis.Redis(connection_pool=pool)
    unlock = r.register_script(CAD_UNLOCK)
    sec = Section()

    def worker(i):
        for _ in range(rounds):
            token = "%d-%s" % (i, uuid.uuid4())
            while not r.set("cadlock", token, nx=True, px=30000):
                time.sleep(random.uniform(0.0005, 0.003))
            sec.enter()
            time.sleep(random.uniform(0, 0.001))
            sec.leave()
            assert unlock(keys=["cadlock"], args=[token]) == 1
        return True

    results, errors = harness.run_threads(threads, worker, 180)
    pool.disconnect()
    return sec, errors


SANDBOX = [
    "return package.loadlib('/lib/x86_64-linux-gnu/liblua5.1.so.0','luaopen_io')",
    "return os.execute('touch /tmp/grabkv_pwned')",
    "return io.open('/etc/passwd'):read('*a')",
    "return require('io')",
    "return debug.getregistry()",
    "setmetatable(_G, nil)",
    "rawset(_G, 'x', 1)",
    "redis.call = nil",
    "local function f() return 1 + f() end return f()",
    "return dofile('/etc/passwd')",
]


# Only sent to grabkv: real Redis would try to allocate the 10 GB.
HUGE = ["return string.rep(string.rep('x', 1000000), 10000)"]


def sandbox(port, grabkv):
    r = redis.Redis(host=harness.HOST, port=port)
    bad = []
    for script in SANDBOX + (HUGE if grabkv else []):
        try:
            r.eval(script, 0)
            bad.append(script)
        except redis.exceptions.ResponseError:
            pass
    alive = r.ping()
    r.close()
    return bad, alive


def busy_and_kill(port):
    """Returns (status, detail): status is 'ok', 'fail' or 'skip'."""
    admin = redis.Redis(host=harness.HOST, port=port, socket_timeout=5)
    admin.config_set("busy-reply-threshold", 200)
    runner = redis.Redis(host=harness.HOST, port=port, socket_timeout=60)
    outcome = {}

    def run():
        try:
            runner.eval("local i = 0 while true do i = i + 1 end", 0)
            outcome["reply"] = "no error"
        except Exception as e:
            outcome["reply"] = str(e)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.5)
    other = redis.Redis(host=harness.HOST, port=port, socket_timeout=4)
    try:
        other.ping()
        return "fail", "PING answered normally while a script loops"
    except redis.exceptions.BusyLoadingError as e:
        busy = str(e)
    except redis.exceptions.ResponseError as e:
        busy = str(e)
    except (redis.exceptions.TimeoutError, redis.exceptions.ConnectionError):
        return "skip", "no reply while the script runs: the IO layer does not serve clients during scripts"
    if "Redis is busy running a script" not in busy:
        return "fail", "unexpected reply: %s" % busy
    if other.script_kill() is not True:
        return "fail", "SCRIPT KILL did not answer OK"
    t.join(10)
    if "Script killed by user with SCRIPT KILL" not in outcome.get("reply", ""):
        return "fail", "script reply: %r" % outcome.get("reply")
    if not other.ping():
        return "fail", "server not serving after SCRIPT KILL"
    return "ok", ""


def main():
    args, rep = harness.begin(__doc__, 500)
    try:
        for name, srv in harness.each_server(args, extra_args=["--maxclients", "2000"]):
            sec, overlap, errors, exists, done = redisson_contention(srv.port)
            rep.check("%s redisson: no thread errors" % name, not errors, "; ".join(errors[:5]))
            rep.check("%s redisson: never two holders" % name,
                      sec.max_inside == 1 and not overlap,
                      "max_inside=%d overlap=%d" % (sec.max_inside, len(overlap)))
            rep.check("%s redisson: every thread got the lock 3 times" % name,
                      done == 100 and sec.entries == 300, "done=%d entries=%d" % (done, sec.entries))
            rep.check("%s redisson: lock released at the end" % name, exists == 0)

            wrong, errors, done = cad_takeover(srv.port)
            rep.check("%s cad unlock: no thread errors" % name, not errors, "; ".join(errors[:5]))
            rep.check("%s cad unlock: never deletes another's lock" % name, not wrong,
                      repr(wrong[:5]))
            rep.check("%s cad unlock: all pairs done" % name, done == 50, "done=%d" % done)

            sec, errors = cad_contention(srv.port)
            rep.check("%s cad contention: no thread errors" % name, not errors,
                      "; ".join(errors[:5]))
            rep.check("%s cad contention: never two holders" % name,
                      sec.max_inside == 1 and sec.entries == 500,
                      "max_inside=%d entries=%d" % (sec.max_inside, sec.entries))

            bad, alive = sandbox(srv.port, name == "grabkv")
            rep.check("%s sandbox: every escape is an error" % name, not bad, repr(bad))
            rep.check("%s sandbox: server still serving" % name, alive)
            rep.check("%s sandbox: os.execute did nothing" % name,
                      not os.path.exists("/tmp/grabkv_pwned"))

            status, detail = busy_and_kill(srv.port)
            if status == "skip":
                rep.skip("%s busy script: BUSY and SCRIPT KILL" % name, detail)
            else:
                rep.check("%s busy script: BUSY and SCRIPT KILL" % name, status == "ok", detail)
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
