#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang-14 + ASan + UBSan in
# build-fuzz/ and runs each for the given number of seconds (default 60).
#
#   scripts/fuzz.sh [seconds] [target...]
#   targets: resp_parser_fuzz command_fuzz glob_fuzz lua_fuzz hll_fuzz rdb_payload_fuzz (default: all)
#
# Exit status: 0 when no fuzzer found anything; 1 when one crashed, leaked,
# hit undefined behaviour, timed out on an input or ran out of memory (the
# reproducer's path is printed: re-run it with the same binary, with
# FUZZ_TRACE=1 for command_fuzz to see the commands); 2 on a setup failure.
# Each run is bounded (-max_total_time plus a hard `timeout`), so the script
# suits CI. New corpus entries go to build-fuzz/corpus/<target>/ (not to the
# committed seeds in tests/fuzz/corpus/<target>/).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(resp_parser_fuzz command_fuzz glob_fuzz lua_fuzz hll_fuzz rdb_payload_fuzz)
JOBS="${JOBS:-2}"
BUILD="$ROOT/build-fuzz"

# The project's packages plus clang and libFuzzer (the runtime is in
# libclang-rt-14-dev), installed only when missing.
"$ROOT/scripts/deps.sh" clang-14 libclang-rt-14-dev libfuzzer-14-dev

if ! CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -DGRABKV_FUZZ=ON \
      -DGRABKV_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
   ! cmake --build "$BUILD" -j"$JOBS" --target "${TARGETS[@]}"; then
  echo "fuzz.sh: build failed" >&2
  exit 2
fi

# Per-target options: input size, and for the parser a malloc limit far below
# anything a few KB of input may legitimately need (the parser must check
# declared lengths before allocating).
# Every target also runs with a per-input time limit (-timeout: an input
# slower than that is a failure, reported as a hang with its reproducer) and
# -report_slow_units (inputs slower than that are listed in the log as "Slow
# unit", without failing): fuzzing finds hangs, not only crashes.
opts_for() {
  case "$1" in
    resp_parser_fuzz) echo "-max_len=4096 -malloc_limit_mb=64 -timeout=10 -report_slow_units=2" ;;
    command_fuzz) echo "-max_len=2048 -timeout=20 -report_slow_units=5" ;;
    # Patterns of up to 4 KB: more than Redis's 1000-star nesting limit.
    glob_fuzz) echo "-max_len=4096 -malloc_limit_mb=256 -timeout=5 -report_slow_units=1" ;;
    # Scripts run under an instruction budget (lua_fuzz.cc); one allocation
    # above 1.1 GB would be past the engine's Lua memory cap.
    lua_fuzz) echo "-max_len=4096 -malloc_limit_mb=1100 -timeout=20 -report_slow_units=5" ;;
    # HLL values up to a few sparse-max-bytes settings; a dense one is 12304.
    hll_fuzz) echo "-max_len=16384 -malloc_limit_mb=256 -timeout=10 -report_slow_units=2" ;;
    *) echo "-timeout=30" ;;
  esac
}

status=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/$t"
  seeds="$ROOT/tests/fuzz/corpus/$t"
  corpus="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t/"
  log="$BUILD/$t.log"
  mkdir -p "$corpus" "$artifacts"
  echo "== $t: ${SECONDS_EACH}s (log: $log)"
  set +e
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    timeout --kill-after=30 $((SECONDS_EACH + 120)) \
    "$bin" $(opts_for "$t") -rss_limit_mb=2048 -max_total_time="$SECONDS_EACH" \
      -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "$seeds" >"$log" 2>&1
  rc=$?
  set -e
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$log" | sed 's/^/   /' || true
  grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -1 | sed 's/^/   /' || true
  slow=$(grep -c "Slow unit" "$log" || true)
  echo "   slow units reported: $slow (see $log)"
  if [ $rc -ne 0 ]; then
    status=1
    echo "!! $t failed (exit $rc). Last lines of $log:"
    grep -E "ERROR: |FUZZ_CHECK|FUZZ FAILURE|runtime error|SUMMARY" "$log" | head -5 | sed 's/^/   /' || true
    for f in $(grep -oE "Test unit written to [^ ]+" "$log" | awk '{print $5}'); do
      echo "   reproducer: $f"
      echo "   re-run:     $bin $f"
      [ "$t" = command_fuzz ] && echo "   commands:   FUZZ_TRACE=1 $bin $f"
    done
    [ $rc -eq 124 ] && echo "   (killed by timeout: the fuzzer hung)"
  fi
done
exit $status
