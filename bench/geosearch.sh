#!/usr/bin/env bash
# GEOSEARCH on a 100k-member geo index, grabkv vs real Redis side by side
# (bench/side_by_side.sh: alternating rounds, medians, server CPU per request).
# The index: 100,000 members m000000000000..m000000099999 spread over a
# 10° x 10° area (8..18 E, 40..50 N, about 36 members per 10 km circle),
# added by one EVAL on each server. Each request searches around a random
# member (redis-benchmark's __rand_int__ over the same 100k names).
# Usage: bench/geosearch.sh [extra side_by_side.sh options, e.g. --rounds 5]
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOAD="EVAL \"for i = 0, 99999 do redis.call('GEOADD', KEYS[1], 8 + ((i * 7919) % 100000) / 10000, 40 + ((i * 104729) % 100000) / 10000, string.format('m%012d', i)) end return redis.call('ZCARD', KEYS[1])\" 1 geo"
exec "$DIR/side_by_side.sh" --tests none --keyspace 100000 --requests 100000 \
  --setup "$LOAD" \
  --custom "radius:GEOSEARCH geo FROMMEMBER m__rand_int__ BYRADIUS 10 km ASC WITHDIST" \
  --custom "box-count:GEOSEARCH geo FROMMEMBER m__rand_int__ BYBOX 40 40 km ASC COUNT 10" \
  "$@"
