#!/usr/bin/python3
"""Flash-sale loop throughput, grabkv against real Redis, side by side.

Each round starts both servers fresh (same flags), sets `count` to the stock,
and lets T redis-py threads run WATCH/GET/MULTI/SET/EXEC until the stock is
gone (issue 4's workload). Reports successful EXECs per second and failed
EXECs per success, alternating servers between rounds; prints medians.

  /usr/bin/python3 bench/flash_sale.py [--grabkv PATH] [--stock N] [--threads T] [--rounds R]
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import harness  # noqa: E402
import redis  # noqa: E402


def one_round(port, stock, threads):
    pool = redis.BlockingConnectionPool(host=harness.HOST, port=port,
                                        max_connections=threads, timeout=60)
    r = redis.Redis(connection_pool=pool)
    r.set("count", stock)
    fails = [0]
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def buyer():
        start.wait()
        with r.pipeline() as p:
            while True:
                try:
                    p.watch("count")
                    n = int(p.get("count"))
                    if n <= 0:
                        p.unwatch()
                        return
                    p.multi()
                    p.set("count", n - 1)
                    p.execute()
                except redis.WatchError:
                    with lock:
                        fails[0] += 1

    ts = [threading.Thread(target=buyer) for _ in range(threads)]
    for t in ts:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    assert int(r.get("count")) == 0
    pool.disconnect()
    return stock / elapsed, fails[0] / stock


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--grabkv", default=os.path.join(HERE, "..", "build", "server", "grabkv-server"))
    ap.add_argument("--redis", default="/usr/bin/redis-server")
    ap.add_argument("--stock", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    grabkv = os.path.abspath(a.grabkv)
    res = {"redis": [], "grabkv": []}
    try:
        for _ in range(a.rounds):
            for name, binary in (("redis", a.redis), ("grabkv", grabkv)):
                with harness.ServerProcess(binary, name=name) as srv:
                    res[name].append(one_round(srv.port, a.stock, a.threads))
    finally:
        harness.stop_all_servers()
    print("| server | successful EXEC/s | failed EXECs per success |")
    print("|---|---:|---:|")
    med = {}
    for name in ("redis", "grabkv"):
        rate = statistics.median(x[0] for x in res[name])
        fail = statistics.median(x[1] for x in res[name])
        med[name] = rate
        print("| %s | %.0f | %.2f |" % (name, rate, fail))
    print("\nratio grabkv/redis (successful EXEC/s): %.2f" % (med["grabkv"] / med["redis"]))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print("%s UTC; nproc %d; CPU: %s; %s; command: %s" % (
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S"), os.cpu_count(), cpu,
        subprocess.run([a.redis, "--version"], capture_output=True, text=True).stdout.strip(),
        " ".join(["bench/flash_sale.py"] + sys.argv[1:])))


if __name__ == "__main__":
    main()
