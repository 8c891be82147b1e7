"""A subscriber that stops reading is disconnected at the pub/sub output
buffer limit (Redis's default `client-output-buffer-limit pubsub 32mb 8mb
60`) instead of growing the server's memory, on grabkv and on real Redis
alike; publishers and other clients are unaffected."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def scenario(binary, name, rep):
    with harness.ServerProcess(binary, name=name) as srv:
        sub = socket.create_connection((harness.HOST, srv.port))
        sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sub.sendall(harness.encode_command(["SUBSCRIBE", "news"]))
        time.sleep(0.2)  # confirmation arrives; then the subscriber stops reading
        pub = srv.connect(timeout=10)
        base_rss = srv.rss_kb()
        payload = "x" * (1024 * 1024)
        receivers_after = None
        for i in range(200):  # 200 MB offered; the limit is 32 MB
            r = pub.command("PUBLISH", "news", payload)
            if r.value == 0:
                receivers_after = i
                break
        grew_kb = srv.rss_kb() - base_rss
        rep.check("%s: non-reading subscriber dropped at the limit" % name,
                  receivers_after is not None and receivers_after < 120,
                  "still receiving after 200 MB")
        rep.check("%s: memory stayed bounded" % name, grew_kb < 200 * 1024,
                  "rss grew %d MB" % (grew_kb // 1024))
        rep.check("%s: publisher keeps working" % name, pub.command("PING").raw == b"+PONG\r\n")
        numsub = pub.command("PUBSUB", "NUMSUB", "news").value
        rep.check("%s: subscription gone" % name, numsub[1].value == 0, repr(numsub))
        pub.close()
        sub.close()


def main():
    args, rep = harness.begin(__doc__, 120)
    try:
        scenario(args.server, "grabkv", rep)
        scenario(args.redis, "redis", rep)
    finally:
        harness.stop_all_servers()
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
