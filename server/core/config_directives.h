// The Redis 7.0 directives grabkv accepts for compatibility but whose
// behaviour it does not have (or does not have yet). Kept apart from
// config.cc so the typed table of settings grabkv uses stays readable.
#pragma once

#include <cstdint>
#include <vector>

namespace grabkv::server {

enum class ConfigKind {
  kBool,
  kInt,
  kMemory,
  kString,
  kEnum,
  kSpecial,       // client-output-buffer-limit
  kOctal,         // unixsocketperm: rendered in octal
  kMemOrPercent,  // maxmemory-clients: "10mb" or "5%"
  kPercentiles,   // latency-tracking-info-percentiles: doubles in [0, 100]
  kOomValues,     // oom-score-adj-values: three ints in [-2000, 2000]
  kReplicaof,     // replicaof/slaveof: "<host> <port>" or "no one"
  kKeyspaceEvents,  // notify-keyspace-events: class letters, printed canonically
};

struct DirectiveSpec {
  const char* name;
  const char* alias;  // "" when none
  ConfigKind kind;
  bool mutable_;      // CONFIG SET may change it
  const char* def;    // Redis 7.0.15's default, as CONFIG GET prints it
  int64_t min, max;   // kInt/kMemory bounds
  const char* choices;  // kEnum: "a, b, c" in Redis's order
  // Non-null: grabkv does not do this yet, so a non-default value refuses
  // to start (and CONFIG SET rejects it) with this reason.
  const char* unsupported;
};

// Every Redis 7.0 directive (CONFIG GET * of redis-server 7.0.15) that is
// not in ConfigTable's own list.
const std::vector<DirectiveSpec>& PassiveDirectives();

}  // namespace grabkv::server
