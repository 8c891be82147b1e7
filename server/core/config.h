// Config: the settings grabkv supports, as redis-server spells them.
//
// One table row per setting (name, aliases, type, bounds, mutability) serves
// the config file, `--name value` arguments, CONFIG GET, CONFIG SET and
// CONFIG REWRITE. Each setting has a type (bool, integer, memory, enum with
// its allowed names, string, or a special parser); the subsystem that owns a
// setting's behaviour may register an on-change hook (SetHook) that CONFIG
// SET runs when the value changed, rolling everything back if it fails.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/log.h"

namespace grabkv::server {

// Typed enum settings; the names are Redis's, in its order, and the enum
// values index them.
enum class AppendFsync : int { kEverysec, kAlways, kNo };
inline constexpr const char* kAppendFsyncNames[] = {"everysec", "always", "no"};

inline constexpr const char* kLogLevelNames[] = {"debug", "verbose", "notice", "warning"};

enum class MaxmemoryPolicy : int {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoeviction,
};
inline constexpr const char* kMaxmemoryPolicyNames[] = {
    "volatile-lru", "volatile-lfu",   "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",    "allkeys-random",  "noeviction"};
inline const char* Name(MaxmemoryPolicy p) { return kMaxmemoryPolicyNames[static_cast<int>(p)]; }
inline bool IsLfu(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLfu || p == MaxmemoryPolicy::kAllkeysLfu;
}
inline bool IsLru(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLru || p == MaxmemoryPolicy::kAllkeysLru;
}

struct OutputBufferLimit {
  uint64_t hard = 0, soft = 0;
  int64_t soft_seconds = 0;
};

struct Config {
  int64_t port = 6379;
  std::string bind = "127.0.0.1";
  bool protected_mode = true;
  std::string requirepass;
  int64_t databases = 16;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;
  int64_t maxclients = 10000;
  int64_t timeout = 0;
  int64_t tcp_keepalive = 300;
  int64_t tcp_backlog = 511;
  int64_t hz = 10;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  std::string save = "3600 1 300 100 60 10000";
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  AppendFsync appendfsync = AppendFsync::kEverysec;
  bool aof_load_truncated = true;
  int64_t auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  // Accepted for redis.conf compatibility; grabkv always writes plain
  // commands (it writes no RDB, so there is no preamble to write).
  bool aof_use_rdb_preamble = true;
  // The child writes with incremental fsync regardless (every 4 MB).
  bool aof_rewrite_incremental_fsync = true;
  // yes: no fsync of the file while a rewrite child runs (everysec/always
  // then behave like "no" meanwhile), as in Redis.
  bool no_appendfsync_on_rewrite = false;
  // yes: a "#TS:<unix time>" annotation line before a batch when the second
  // changed (Redis 7.0's format; loaders skip lines starting with '#').
  bool aof_timestamp_enabled = false;
  std::string dir;  // filled with the cwd at start
  // Not a setting: the absolute path of the config file the server started
  // with (CONFIG REWRITE writes it), empty when it started without one.
  std::string config_file;
  std::string dbfilename = "dump.rdb";
  // RDB files and DUMP payloads: LZF for strings over 20 bytes; a CRC-64
  // trailer (0 = none, not checked on load when written without).
  bool rdbcompression = true;
  bool rdbchecksum = true;
  // A failed background save refuses writes (-MISCONF) until one succeeds.
  bool stop_writes_on_bgsave_error = true;
  std::string pidfile;
  bool daemonize = false;
  int64_t maxmemory = 0;
  MaxmemoryPolicy maxmemory_policy = MaxmemoryPolicy::kNoeviction;
  // Eviction (server/core/eviction.h) and the keys' access metadata
  // (storage/access.h).
  int64_t maxmemory_samples = 5;
  int64_t maxmemory_eviction_tenacity = 10;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool activerehashing = true;
  // notify-keyspace-events as Redis prints it, and its NOTIFY_* bits
  // (server/core/notify.h); 0 = no keyspace notifications.
  std::string notify_keyspace_events;
  int notify_keyspace_flags = 0;
  int64_t busy_reply_threshold = 5000;
  // grabkv's own: a command running longer than this many milliseconds is
  // logged (warning) with its name and client; 0 turns it off.
  int64_t slow_command_log_threshold = 1000;
  OutputBufferLimit obuf_normal{0, 0, 0};
  OutputBufferLimit obuf_replica{256ULL << 20, 64ULL << 20, 60};
  OutputBufferLimit obuf_pubsub{32ULL << 20, 8ULL << 20, 60};
  int64_t active_expire_effort = 1;
  std::string unixsocket;
  int64_t unixsocketperm = 0;  // the mode bits (written in octal); 0 = leave the umask's
  // Compact-encoding thresholds, as Redis 7.0 names them.
  int64_t hash_max_listpack_entries = 512;  // Redis 7.0's compiled-in default
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  // A sparse HyperLogLog longer than this becomes dense (storage/hyperloglog.h).
  int64_t hll_sparse_max_bytes = 3000;
  // SLOWLOG and LATENCY (server/core/latency.h): microseconds (-1: off),
  // entries kept, milliseconds (0: off), per-command histograms.
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;
  bool latency_tracking = true;
  std::string latency_tracking_info_percentiles = "50 99 99.9";
  int64_t tracking_table_max_keys = 1000000;  // client-side caching's key table
  // Directives accepted without effect (config_directives.cc) that were set,
  // by name, as CONFIG GET prints them.
  std::map<std::string, std::string> passive;
};

// Runs after CONFIG SET changed a setting's value, to make the new value take
// effect; returns why it cannot (CONFIG SET then restores every value it
// set and runs the hooks again), else an empty string.
using ConfigHook = std::function<std::string()>;

class ConfigTable {
 public:
  struct Row;  // one setting (config.cc)

  explicit ConfigTable(Config* cfg);
  ~ConfigTable();
  ConfigTable(const ConfigTable&) = delete;
  ConfigTable& operator=(const ConfigTable&) = delete;

  // Applies one `name value...` setting (config file line or --name value).
  // Returns an empty string on success, else a message for the caller.
  std::string SetFromFile(std::string_view name, const std::vector<std::string>& values);
  // CONFIG SET of one or more name/value pairs, all or nothing as in Redis
  // 7.0: names are checked first (unknown, immutable, protected, duplicate),
  // then every value is parsed and stored, then the hooks of the settings
  // whose value changed run; a failure at any step puts all values back.
  // Returns an empty string on success, else the error reply ("ERR ...").
  std::string SetAll(const std::vector<std::pair<std::string_view, std::string_view>>& pairs);
  // Name/value pairs of the settings matching a glob (CONFIG GET).
  void Get(std::string_view pattern, std::vector<std::pair<std::string, std::string>>* out) const;
  // Canonical name for a name or alias; empty when unknown.
  std::string Canonical(std::string_view name) const;
  // The current value as CONFIG GET prints it.
  std::string Render(std::string_view canonical) const;

  // The subsystem owning a setting's behaviour registers what applies a new
  // value (nullptr removes it). REQUIRES: name is a canonical setting name.
  void SetHook(std::string_view name, ConfigHook hook);

  // After loading: the reason grabkv cannot start when a directive asks for
  // something it does not do yet (e.g. "replicaof"), else empty.
  std::string CheckUnsupported() const;
  // The directives given in the config (file or arguments) that grabkv
  // accepts without acting on them, for one log line at start.
  std::vector<std::string> GivenWithoutEffect() const;

  // CONFIG REWRITE: the text of `old_text` (the config file as it is now)
  // rewritten with the current values, by Redis 7.0's rules: comments,
  // `include` lines and the order of lines are kept; the lines of each
  // setting are replaced in place by its current value (a setting with
  // several lines, like save, takes them in order, and lines left over are
  // blanked); a setting not in the file is appended, after the line
  // "# Generated by CONFIG REWRITE", only when it differs from its default.
  // force_all (DEBUG CONFIG-REWRITE-FORCE-ALL): every setting is written,
  // defaults included.
  std::string Rewrite(std::string_view old_text, bool force_all = false) const;

 private:
  // grabkv's own settings over cfg (the passive directives are added apart).
  static std::vector<Row> OwnRows(Config* cfg);
  static std::string RenderRow(const Row& row, const Config& cfg);
  const Row* FindRow(std::string_view name) const;
  std::string Apply(const Row& row, std::string_view value);
  std::string ApplyValue(const Row& row, std::string_view value);
  // The lines CONFIG REWRITE writes for a row (several for save and
  // client-output-buffer-limit), and whether they must be written even when
  // the file does not name the setting.
  void RewriteLines(const Row& row, std::vector<std::pair<std::string, bool>>* lines) const;

  // Storage of the accepted-without-effect directives (stable addresses).
  struct PassiveValue {
    bool b = false;
    int64_t i = 0;
    std::string s;
  };

  Config* cfg_;
  std::vector<Row> rows_;
  std::deque<PassiveValue> passive_;
  std::set<std::string> given_;
  std::deque<std::string> choice_words_;  // enum choices of passive rows
  int save_lines_ = 0;  // "save" lines seen by SetFromFile
};

// CONFIG REWRITE of the file at `path` (read, Rewrite, then written to a
// temporary file in the same folder, fsynced and renamed over it). A missing
// file is written from scratch. On failure *error is strerror's text.
bool RewriteConfigFile(const ConfigTable& table, const std::string& path, std::string* error,
                       bool force_all = false);

}  // namespace grabkv::server
