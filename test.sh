#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite twice: on the
# Release build and on an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Unit tests, the redis-cli / redis-py integration tests and the differential
# test against a real redis-server are all ctest tests; each starts its own
# servers on free ports.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

scripts/build.sh release
(cd build && ctest --output-on-failure -j"$jobs")

scripts/build.sh sanitize
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs")
