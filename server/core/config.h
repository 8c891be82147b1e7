// Config: the settings grabkv supports, as redis-server spells them.
//
// One table row per setting (name, aliases, type, bounds, mutability) serves
// the config file, `--name value` arguments, CONFIG GET and CONFIG SET.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace grabkv::server {

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
  std::string loglevel = "notice";
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
  std::string appendfsync = "everysec";
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
  std::string dbfilename = "dump.rdb";
  std::string pidfile;
  bool daemonize = false;
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool activerehashing = true;
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
  int64_t latency_tracking = 1;
  // Directives accepted without effect (config_directives.cc) that were set,
  // by name, as CONFIG GET prints them.
  std::map<std::string, std::string> passive;
};

class ConfigTable {
 public:
  explicit ConfigTable(Config* cfg);
  ~ConfigTable();
  ConfigTable(const ConfigTable&) = delete;
  ConfigTable& operator=(const ConfigTable&) = delete;

  // Applies one `name value...` setting (config file line or --name value).
  // Returns an empty string on success, else a message for the caller.
  std::string SetFromFile(std::string_view name, const std::vector<std::string>& values);
  // CONFIG SET semantics for one pair: empty on success, else the reason text
  // Redis prints after "CONFIG SET failed (possibly related to argument ...) - ".
  // Sets *unknown when no such setting exists.
  std::string Set(std::string_view name, std::string_view value, bool* unknown);
  // Name/value pairs of the settings matching a glob (CONFIG GET).
  void Get(std::string_view pattern, std::vector<std::pair<std::string, std::string>>* out) const;
  // Canonical name for a name or alias; empty when unknown.
  std::string Canonical(std::string_view name) const;
  // Whether CONFIG SET may change it at run time.
  bool IsMutable(std::string_view canonical) const;
  // The current value as CONFIG GET prints it.
  std::string Render(std::string_view canonical) const;

  // After loading: the reason grabkv cannot start when a directive asks for
  // something it does not do yet (e.g. "replicaof"), else empty.
  std::string CheckUnsupported() const;
  // The directives given in the config (file or arguments) that grabkv
  // accepts without acting on them, for one log line at start.
  std::vector<std::string> GivenWithoutEffect() const;

  // Called after a successful CONFIG SET of that setting (e.g. maxclients).
  void OnChange(std::function<void(std::string_view name)> fn) { on_change_ = std::move(fn); }
  void NotifyChanged(std::string_view name) const {
    if (on_change_) on_change_(name);
  }

 private:
  struct Row;
  const Row* FindRow(std::string_view name) const;
  std::string Apply(const Row& row, std::string_view value);
  std::string ApplyValue(const Row& row, std::string_view value);

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
  std::deque<std::string> choice_words_;
  int save_lines_ = 0;  // "save" lines seen by SetFromFile  // enum choices of passive rows
  std::function<void(std::string_view)> on_change_;
};

}  // namespace grabkv::server
