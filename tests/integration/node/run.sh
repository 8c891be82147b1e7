#!/usr/bin/env bash
# Runs the Node.js client tests (ioredis and node-redis) against a server.
#
#   tests/integration/node/run.sh SERVER [--redis [REDIS_SERVER]] [-- NODE_TEST_ARGS...]
#
# SERVER is the grabkv-server binary. With --redis the same tests then run
# against a real redis-server (default /usr/bin/redis-server; skipped with a
# message when it is not installed) to show that the expectations are Redis's.
# Installs the pinned clients with `npm ci` when node_modules is missing or
# was installed from another package-lock.json. Exit status 77 (ctest's
# SKIP_RETURN_CODE) when node or npm is missing or node is older than 20.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { echo "usage: $0 SERVER [--redis [REDIS_SERVER]] [-- NODE_TEST_ARGS...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
server=$(realpath "$1"); shift
redis=""
node_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --redis)
      redis=/usr/bin/redis-server
      if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then redis=$(realpath "$2"); shift; fi
      ;;
    --) shift; node_args=("$@"); break ;;
    *) usage ;;
  esac
  shift
done
[ -x "$server" ] || { echo "not an executable: $server" >&2; exit 2; }

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP node client tests: '$tool' not found (scripts/deps.sh installs it)"
    exit 77
  fi
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "SKIP node client tests: node $(node --version) is too old (ioredis 6 and redis 6 need node >= 20)"
  exit 77
fi

cd "$here"
# npm ci when node_modules does not match package-lock.json. The lock makes
# concurrent runs (ctest in two build directories) take turns.
want=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.grabkv-lock-sha256
(
  flock 9
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "npm ci (node_modules missing or stale)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
) 9>"$here/.npm-ci.lock"

tests=(ioredis.test.js node-redis.test.js)
status=0
echo "=== node client tests against grabkv: $server"
GRABKV_SERVER="$server" node --test --test-reporter=spec "${node_args[@]}" "${tests[@]}" || status=1
if [ -n "$redis" ]; then
  if [ -x "$redis" ]; then
    echo "=== the same tests against real Redis (checks the expectations): $redis"
    GRABKV_SERVER="$redis" node --test --test-reporter=spec "${node_args[@]}" "${tests[@]}" || status=1
  else
    echo "SKIP the run against real Redis: $redis not found"
  fi
fi
exit $status
