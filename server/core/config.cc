#include "server/core/config.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/core/config_directives.h"
#include "server/core/config_row.h"
#include "server/core/log.h"
#include "server/core/notify.h"
#include "server/core/util.h"

namespace grabkv::server {

using Kind = ConfigKind;

namespace {
std::string RenderLimit(const OutputBufferLimit& l) {
  return std::to_string(l.hard) + " " + std::to_string(l.soft) + " " +
         std::to_string(l.soft_seconds);
}
}  // namespace

namespace {

// Splits "a, b, c" (DirectiveSpec::choices) into words kept in storage.
std::vector<const char*> SplitChoices(const char* list, std::deque<std::string>& storage) {
  std::vector<const char*> out;
  std::string_view rest(list);
  while (!rest.empty()) {
    size_t comma = rest.find(", ");
    storage.emplace_back(rest.substr(0, comma));
    out.push_back(storage.back().c_str());
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return out;
}

// maxmemory-clients: a memory value, or "<n>%" with n <= 100 (0% reads back
// as "0", as in Redis).
std::string ApplyMemOrPercent(std::string_view value, std::string* out) {
  int64_t v;
  if (!value.empty() && value.back() == '%') {
    if (!ParseInt64(value.substr(0, value.size() - 1), &v) || v < 0) {
      return "argument must be a memory or percent value";
    }
    if (v > 100) return "percentage argument must be less or equal to 100";
    *out = v == 0 ? "0" : std::to_string(v) + "%";
    return "";
  }
  if (!ParseMemory(value, &v) || v < 0) return "argument must be a memory or percent value";
  *out = std::to_string(v);
  return "";
}

// latency-tracking-info-percentiles: doubles in [0, 100], printed like %f
// without trailing zeros.
std::string ApplyPercentiles(std::string_view value, std::string* out) {
  std::vector<std::string> parts;
  if (!SplitArgs(value, &parts)) return "Invalid latency-tracking-info-percentiles parameters";
  std::string text;
  for (const std::string& p : parts) {
    char* end = nullptr;
    double d = std::strtod(p.c_str(), &end);
    if (p.empty() || *end != '\0') return "Invalid latency-tracking-info-percentiles parameters";
    if (!(d >= 0.0 && d <= 100.0)) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%f", d);
    std::string one = buf;
    if (one.find('.') != std::string::npos) {
      one.erase(one.find_last_not_of('0') + 1);
      if (one.back() == '.') one.pop_back();
    }
    if (!text.empty()) text += ' ';
    text += one;
  }
  *out = text;
  return "";
}

// oom-score-adj-values: three integers in [-2000, 2000].
std::string ApplyOomValues(std::string_view value, std::string* out) {
  std::vector<std::string> parts;
  if (!SplitArgs(value, &parts) || parts.size() != 3) return "wrong number of arguments";
  std::string text;
  for (const std::string& p : parts) {
    int64_t v;
    if (!ParseInt64(p, &v) || v < -2000 || v > 2000) {
      return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
    }
    if (!text.empty()) text += ' ';
    text += std::to_string(v);
  }
  *out = text;
  return "";
}

}  // namespace

namespace {

// A row for a typed enum setting: the enum's values index its names.
template <typename E, size_t N>
ConfigTable::Row EnumRow(const char* name, E* field, const char* const (&names)[N]) {
  ConfigTable::Row r{name, "", Kind::kEnum, true, nullptr};
  r.choices.assign(names, names + N);
  r.get_enum = [field] { return static_cast<int>(*field); };
  r.set_enum = [field](int v) { *field = static_cast<E>(v); };
  return r;
}

}  // namespace

std::vector<ConfigTable::Row> ConfigTable::OwnRows(Config* c) {
  return {
      {"port", "", Kind::kInt, false, &c->port, 0, 65535},
      {"bind", "", Kind::kString, false, &c->bind},
      {"protected-mode", "", Kind::kBool, true, &c->protected_mode},
      {"requirepass", "", Kind::kString, true, &c->requirepass},
      {"databases", "", Kind::kInt, false, &c->databases, 1, INT_MAX},
      EnumRow("loglevel", &c->loglevel, kLogLevelNames),
      {"logfile", "", Kind::kString, false, &c->logfile},
      {"maxclients", "", Kind::kInt, true, &c->maxclients, 1, UINT_MAX},
      {"timeout", "", Kind::kInt, true, &c->timeout, 0, INT_MAX},
      {"tcp-keepalive", "", Kind::kInt, true, &c->tcp_keepalive, 0, INT_MAX},
      {"tcp-backlog", "", Kind::kInt, false, &c->tcp_backlog, 0, INT_MAX},
      {"hz", "", Kind::kInt, true, &c->hz, 0, INT_MAX},
      {"proto-max-bulk-len", "", Kind::kMemory, true, &c->proto_max_bulk_len, 1024 * 1024,
       LONG_MAX},
      {"client-query-buffer-limit", "", Kind::kMemory, true, &c->client_query_buffer_limit,
       1024 * 1024, LONG_MAX},
      {"save", "", Kind::kString, true, &c->save},
      {"appendonly", "", Kind::kBool, true, &c->appendonly},
      {"appendfilename", "", Kind::kString, false, &c->appendfilename},
      {"appenddirname", "", Kind::kString, false, &c->appenddirname},
      EnumRow("appendfsync", &c->appendfsync, kAppendFsyncNames),
      {"aof-load-truncated", "", Kind::kBool, true, &c->aof_load_truncated},
      {"auto-aof-rewrite-percentage", "", Kind::kInt, true, &c->auto_aof_rewrite_percentage, 0,
       INT_MAX},
      {"auto-aof-rewrite-min-size", "", Kind::kMemory, true, &c->auto_aof_rewrite_min_size, 0,
       LLONG_MAX},
      {"aof-use-rdb-preamble", "", Kind::kBool, true, &c->aof_use_rdb_preamble},
      {"aof-rewrite-incremental-fsync", "", Kind::kBool, true, &c->aof_rewrite_incremental_fsync},
      {"no-appendfsync-on-rewrite", "", Kind::kBool, true, &c->no_appendfsync_on_rewrite},
      {"aof-timestamp-enabled", "", Kind::kBool, true, &c->aof_timestamp_enabled},
      {"dir", "", Kind::kString, true, &c->dir},
      {"dbfilename", "", Kind::kString, true, &c->dbfilename},
      {"rdbcompression", "", Kind::kBool, true, &c->rdbcompression},
      {"rdbchecksum", "", Kind::kBool, false, &c->rdbchecksum},
      {"stop-writes-on-bgsave-error", "", Kind::kBool, true, &c->stop_writes_on_bgsave_error},
      {"pidfile", "", Kind::kString, false, &c->pidfile},
      {"daemonize", "", Kind::kBool, false, &c->daemonize},
      {"maxmemory", "", Kind::kMemory, true, &c->maxmemory, 0, LLONG_MAX},
      EnumRow("maxmemory-policy", &c->maxmemory_policy, kMaxmemoryPolicyNames),
      {"maxmemory-samples", "", Kind::kInt, true, &c->maxmemory_samples, 1, INT_MAX},
      {"maxmemory-eviction-tenacity", "", Kind::kInt, true, &c->maxmemory_eviction_tenacity, 0,
       100},
      {"lfu-log-factor", "", Kind::kInt, true, &c->lfu_log_factor, 0, INT_MAX},
      {"lfu-decay-time", "", Kind::kInt, true, &c->lfu_decay_time, 0, INT_MAX},
      {"lazyfree-lazy-eviction", "", Kind::kBool, true, &c->lazyfree_lazy_eviction},
      {"lazyfree-lazy-user-del", "", Kind::kBool, true, &c->lazyfree_lazy_user_del},
      {"lazyfree-lazy-user-flush", "", Kind::kBool, true, &c->lazyfree_lazy_user_flush},
      {"lazyfree-lazy-expire", "", Kind::kBool, true, &c->lazyfree_lazy_expire},
      {"lazyfree-lazy-server-del", "", Kind::kBool, true, &c->lazyfree_lazy_server_del},
      {"activerehashing", "", Kind::kBool, true, &c->activerehashing},
      {"notify-keyspace-events", "", Kind::kKeyspaceEvents, true, &c->notify_keyspace_events},
      {"busy-reply-threshold", "lua-time-limit", Kind::kInt, true, &c->busy_reply_threshold, 0,
       LONG_MAX},
      {"slow-command-log-threshold", "", Kind::kInt, true, &c->slow_command_log_threshold, 0,
       LONG_MAX},
      {"client-output-buffer-limit", "", Kind::kSpecial, true, nullptr},
      {"active-expire-effort", "", Kind::kInt, true, &c->active_expire_effort, 1, 10},
      {"unixsocket", "", Kind::kString, false, &c->unixsocket},
      {"unixsocketperm", "", Kind::kOctal, false, &c->unixsocketperm, 0, 0777},
      {"hash-max-listpack-entries", "hash-max-ziplist-entries", Kind::kInt, true,
       &c->hash_max_listpack_entries, 0, LONG_MAX},
      {"hash-max-listpack-value", "hash-max-ziplist-value", Kind::kMemory, true,
       &c->hash_max_listpack_value, 0, LONG_MAX},
      {"set-max-intset-entries", "", Kind::kInt, true, &c->set_max_intset_entries, 0,
       LONG_MAX},
      {"zset-max-listpack-entries", "zset-max-ziplist-entries", Kind::kInt, true,
       &c->zset_max_listpack_entries, 0, LONG_MAX},
      {"zset-max-listpack-value", "zset-max-ziplist-value", Kind::kMemory, true,
       &c->zset_max_listpack_value, 0, LONG_MAX},
      {"list-max-listpack-size", "list-max-ziplist-size", Kind::kInt, true,
       &c->list_max_listpack_size, INT_MIN, INT_MAX},
      {"list-compress-depth", "", Kind::kInt, true, &c->list_compress_depth, 0, INT_MAX},
      {"hll-sparse-max-bytes", "", Kind::kMemory, true, &c->hll_sparse_max_bytes, 0, LLONG_MAX},
      {"slowlog-log-slower-than", "", Kind::kInt, true, &c->slowlog_log_slower_than, -1,
       LLONG_MAX},
      {"slowlog-max-len", "", Kind::kInt, true, &c->slowlog_max_len, 0, LLONG_MAX},
      {"latency-monitor-threshold", "", Kind::kInt, true, &c->latency_monitor_threshold, 0,
       LLONG_MAX},
      {"latency-tracking", "", Kind::kBool, true, &c->latency_tracking},
      {"latency-tracking-info-percentiles", "", Kind::kPercentiles, true,
       &c->latency_tracking_info_percentiles},
      {"tracking-table-max-keys", "", Kind::kInt, true, &c->tracking_table_max_keys, 0, LLONG_MAX},
  };
}

ConfigTable::ConfigTable(Config* c) : cfg_(c) {
  rows_ = OwnRows(c);
  {
    // Defaults: the same rows over a default-constructed Config.
    Config d;
    std::vector<Row> def_rows = OwnRows(&d);
    for (size_t k = 0; k < rows_.size(); ++k) rows_[k].def = RenderRow(def_rows[k], d);
  }
  for (const DirectiveSpec& d : PassiveDirectives()) {
    PassiveValue& v = passive_.emplace_back();
    Row r{d.name, d.alias, d.kind, d.mutable_, nullptr, d.min, d.max};
    switch (d.kind) {
      case Kind::kBool: r.field = &v.b; break;
      case Kind::kInt:
      case Kind::kMemory:
      case Kind::kOctal: r.field = &v.i; break;
      default: r.field = &v.s; break;
    }
    if (d.kind == Kind::kEnum) {
      r.choices = SplitChoices(d.choices, choice_words_);
      r.field = nullptr;
      int64_t* index = &v.i;
      r.get_enum = [index] { return static_cast<int>(*index); };
      r.set_enum = [index](int k) { *index = k; };
    }
    r.passive = true;
    r.unsupported = d.unsupported;
    r.def = d.def;
    rows_.push_back(std::move(r));
    auto it = c->passive.find(d.name);
    ApplyValue(rows_.back(), it != c->passive.end() ? std::string_view(it->second) : d.def);
  }
  for (Row& r : rows_) {
    std::string_view n = r.name;
    // grabkv listens on 127.0.0.1 by default, redis-server on "* -::*": the
    // rewritten file names the address, so either server reads it the same.
    if (n == "bind") r.def = "* -::*";
    // Redis 7.0's PROTECTED_CONFIG settings.
    r.protected_ = n == "dir" || n == "dbfilename";
    // Redis writes these on every CONFIG REWRITE, default or not.
    r.always_rewrite = n == "dir" || n == "save" || n == "latency-tracking-info-percentiles";
    // Redis 7.0's EMPTY_STRING_IS_NULL strings (and requirepass, unset).
    r.empty_is_null =
        r.kind == Kind::kString &&
        (n == "pidfile" || n == "unixsocket" || n == "requirepass" || n == "masteruser" ||
         n == "masterauth" || n == "cluster-announce-ip" || n == "cluster-announce-hostname" ||
         n == "replica-announce-ip" || n == "bind-source-addr" || n.substr(0, 4) == "tls-" ||
         n.ends_with("_cpulist"));
    // Like a Redis built without its own jemalloc (Debian's), grabkv cannot
    // defragment; the file may still say yes, as Redis only checks at run time.
    if (n == "activedefrag") {
      r.check = [](const std::string& v) -> std::string {
        if (v != "yes") return "";
        return "Active defragmentation cannot be enabled: it requires a Redis server compiled "
               "with a modified Jemalloc like the one shipped by default with the Redis source "
               "distribution";
      };
    }
    // A directive grabkv does not do yet may only keep its default.
    if (r.unsupported != nullptr) {
      const char* why = r.unsupported;
      std::string def = r.def;
      r.check = [why, def](const std::string& v) -> std::string { return v == def ? "" : why; };
    }
  }
}

ConfigTable::~ConfigTable() = default;

const ConfigTable::Row* ConfigTable::FindRow(std::string_view name) const {
  for (const Row& r : rows_) {
    if (EqualsIgnoreCase(name, r.name) || (*r.alias && EqualsIgnoreCase(name, r.alias)))
      return &r;
  }
  return nullptr;
}

std::string ConfigTable::Canonical(std::string_view name) const {
  const Row* r = FindRow(name);
  return r ? r->name : "";
}

void ConfigTable::SetHook(std::string_view name, ConfigHook hook) {
  for (Row& r : rows_) {
    if (name == r.name) {
      r.hook = std::move(hook);
      return;
    }
  }
}

std::string ConfigTable::RenderRow(const Row& r, const Config& cfg) {
  switch (r.kind) {
    case Kind::kBool:
      return *static_cast<bool*>(r.field) ? "yes" : "no";
    case Kind::kInt:
    case Kind::kMemory:
      return std::to_string(*static_cast<int64_t*>(r.field));
    case Kind::kEnum:
      return r.choices[static_cast<size_t>(r.get_enum())];
    case Kind::kOctal: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%llo",
                    static_cast<unsigned long long>(*static_cast<int64_t*>(r.field)));
      return buf;
    }
    case Kind::kString:
    case Kind::kMemOrPercent:
    case Kind::kPercentiles:
    case Kind::kOomValues:
    case Kind::kReplicaof:
    case Kind::kKeyspaceEvents:
      return *static_cast<std::string*>(r.field);
    case Kind::kSpecial:
      return "normal " + RenderLimit(cfg.obuf_normal) + " slave " +
             RenderLimit(cfg.obuf_replica) + " pubsub " + RenderLimit(cfg.obuf_pubsub);
  }
  return "";
}

std::string ConfigTable::Render(std::string_view canonical) const {
  const Row* r = FindRow(canonical);
  return r == nullptr ? "" : RenderRow(*r, *cfg_);
}

std::string ConfigTable::Apply(const Row& r, std::string_view value) {
  std::string err = ApplyValue(r, value);
  // Passive values live in Config so the server's own table (built from the
  // loaded Config) shows what the config file set.
  if (err.empty() && r.passive) cfg_->passive[r.name] = Render(r.name);
  return err;
}

std::string ConfigTable::ApplyValue(const Row& r, std::string_view value) {
  switch (r.kind) {
    case Kind::kBool: {
      if (EqualsIgnoreCase(value, "yes")) {
        *static_cast<bool*>(r.field) = true;
      } else if (EqualsIgnoreCase(value, "no")) {
        *static_cast<bool*>(r.field) = false;
      } else {
        return "argument must be 'yes' or 'no'";
      }
      return "";
    }
    case Kind::kInt:
    case Kind::kMemory: {
      int64_t v;
      bool ok = r.kind == Kind::kMemory ? ParseMemory(value, &v) : ParseInt64(value, &v);
      if (!ok) {
        return r.kind == Kind::kMemory ? "argument must be a memory value"
                                       : "argument couldn't be parsed into an integer";
      }
      if (v < r.min || v > r.max) {
        return "argument must be between " + std::to_string(r.min) + " and " +
               std::to_string(r.max) + " inclusive";
      }
      *static_cast<int64_t*>(r.field) = v;
      return "";
    }
    case Kind::kString:
      static_cast<std::string*>(r.field)->assign(value);
      return "";
    case Kind::kEnum: {
      for (size_t k = 0; k < r.choices.size(); ++k) {
        if (EqualsIgnoreCase(value, r.choices[k])) {
          // oom-score-adj: "relative" is Redis's other name for "yes".
          if (std::string_view(r.choices[k]) == "relative") k = 1;
          r.set_enum(static_cast<int>(k));
          return "";
        }
      }
      std::string msg = "argument(s) must be one of the following: ";
      for (size_t i = 0; i < r.choices.size(); ++i) {
        if (i) msg += ", ";
        msg += r.choices[i];
      }
      return msg;
    }
    case Kind::kOctal: {
      char* end = nullptr;
      std::string text(value);
      long long v = text.empty() ? -1 : std::strtoll(text.c_str(), &end, 8);
      if (v < 0 || *end != '\0') return "argument couldn't be parsed as an octal number";
      *static_cast<int64_t*>(r.field) = v;
      return "";
    }
    case Kind::kMemOrPercent:
      return ApplyMemOrPercent(value, static_cast<std::string*>(r.field));
    case Kind::kPercentiles:
      return ApplyPercentiles(value, static_cast<std::string*>(r.field));
    case Kind::kOomValues:
      return ApplyOomValues(value, static_cast<std::string*>(r.field));
    case Kind::kKeyspaceEvents: {
      const int flags = ParseKeyspaceEvents(value);
      if (flags == -1) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
      cfg_->notify_keyspace_flags = flags;
      *static_cast<std::string*>(r.field) = KeyspaceEventsToString(flags);
      return "";
    }
    case Kind::kReplicaof: {
      std::vector<std::string> parts;
      if (!SplitArgs(value, &parts) || parts.size() != 2) return "wrong number of arguments";
      bool none = EqualsIgnoreCase(parts[0], "no") && EqualsIgnoreCase(parts[1], "one");
      *static_cast<std::string*>(r.field) = none ? "" : parts[0] + " " + parts[1];
      return "";
    }
    case Kind::kSpecial: {
      // client-output-buffer-limit: groups of "<class> <hard> <soft> <secs>".
      std::vector<std::string> parts;
      if (!SplitArgs(value, &parts) || parts.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
      OutputBufferLimit normal = cfg_->obuf_normal, replica = cfg_->obuf_replica,
                        pubsub = cfg_->obuf_pubsub;
      for (size_t i = 0; i < parts.size(); i += 4) {
        OutputBufferLimit* l;
        if (EqualsIgnoreCase(parts[i], "normal")) {
          l = &normal;
        } else if (EqualsIgnoreCase(parts[i], "slave") ||
                   EqualsIgnoreCase(parts[i], "replica")) {
          l = &replica;
        } else if (EqualsIgnoreCase(parts[i], "pubsub")) {
          l = &pubsub;
        } else {
          return "Invalid client class specified in buffer limit configuration.";
        }
        int64_t hard, soft, secs;
        if (!ParseMemory(parts[i + 1], &hard) || !ParseMemory(parts[i + 2], &soft) ||
            !ParseInt64(parts[i + 3], &secs) || hard < 0 || soft < 0 || secs < 0) {
          return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        }
        *l = {static_cast<uint64_t>(hard), static_cast<uint64_t>(soft), secs};
      }
      cfg_->obuf_normal = normal;
      cfg_->obuf_replica = replica;
      cfg_->obuf_pubsub = pubsub;
      return "";
    }
  }
  return "";
}

std::string ConfigTable::SetFromFile(std::string_view name, const std::vector<std::string>& values) {
  // Directives that only exist in config files; each turns on something
  // grabkv does not do yet, so starting without it would be wrong.
  for (const char* refused : {"rename-command", "user", "loadmodule"}) {
    if (EqualsIgnoreCase(name, refused)) {
      return "'" + std::string(refused) + "' is not supported by grabkv yet";
    }
  }
  const Row* r = FindRow(name);
  if (r == nullptr) return "Bad directive or wrong number of arguments";
  given_.insert(r->name);
  std::string joined;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) joined += ' ';
    joined += values[i];
  }
  // "save" may be given on several lines: the first one replaces the
  // default, later ones add to it, and `save ""` clears (as in Redis).
  if (std::string_view(r->name) == "save" && save_lines_++ > 0 && !joined.empty() &&
      !cfg_->save.empty()) {
    joined = cfg_->save + " " + joined;
  }
  return Apply(*r, joined);
}

std::string ConfigTable::SetAll(
    const std::vector<std::pair<std::string_view, std::string_view>>& pairs) {
  struct Change {
    const Row* row;
    std::string lower;  // the name as given, lower-cased (Redis's error names it so)
    std::string old_value;
    bool changed = false;
  };
  std::vector<Change> changes;
  std::string lower;
  // 1. Names. Like Redis, the first invalid name (unknown, immutable,
  // protected, duplicate) is reported, and nothing is applied.
  for (const auto& [name, value] : pairs) {
    const Row* r = FindRow(name);
    if (r == nullptr) {
      return "ERR Unknown option or number of arguments for CONFIG SET - '" + std::string(name) +
             "'";
    }
    std::string why;
    // "local" is treated like "yes": CONFIG SET does not know the client here.
    if (!r->mutable_) {
      why = "can't set immutable config";
    } else if (r->protected_ && Render("enable-protected-configs") == "no") {
      why = "can't set protected config";
    }
    // A name and its alias are two entries to Redis, not a duplicate.
    ToLower(name, &lower);
    for (const Change& prev : changes) {
      if (why.empty() && prev.lower == lower) why = "duplicate parameter";
    }
    if (!why.empty()) {
      return "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) +
             "') - " + why;
    }
    Change& ch = changes.emplace_back();
    ch.row = r;
    ch.lower = lower;
    ch.old_value = RenderRow(*r, *cfg_);
  }
  auto restore = [&](size_t count) {
    for (size_t j = 0; j < count; ++j) Apply(*changes[j].row, changes[j].old_value);
  };
  // 2. Values: each parsed, checked and stored; hooks have not run yet.
  for (size_t k = 0; k < changes.size(); ++k) {
    const Row& r = *changes[k].row;
    std::string err = Apply(r, pairs[k].second);
    if (err.empty() && r.check) err = r.check(RenderRow(r, *cfg_));
    if (!err.empty()) {
      restore(k + 1);
      return "ERR CONFIG SET failed (possibly related to argument '" + changes[k].lower +
             "') - " + err;
    }
    changes[k].changed = RenderRow(r, *cfg_) != changes[k].old_value;
  }
  // 3. Hooks of the settings whose value changed, in order. On a failure
  // every value goes back and the hooks run again to apply the old values.
  for (size_t k = 0; k < changes.size(); ++k) {
    const Row& r = *changes[k].row;
    if (!changes[k].changed || !r.hook) continue;
    std::string err = r.hook();
    if (err.empty()) continue;
    Log(LogLevel::kWarning,
        "Failed applying new configuration. Possibly related to new %s setting. Restoring "
        "previous settings.",
        changes[k].lower.c_str());
    restore(changes.size());
    for (const Change& ch : changes) {
      if (ch.changed && ch.row->hook && !ch.row->hook().empty()) {
        Log(LogLevel::kWarning, "Failed applying restored configuration setting.");
      }
    }
    return "ERR CONFIG SET failed (possibly related to argument '" + changes[k].lower + "') - " +
           err;
  }
  return "";
}

std::string ConfigTable::CheckUnsupported() const {
  for (const Row& r : rows_) {
    if (r.unsupported != nullptr && Render(r.name) != r.def) {
      return "'" + std::string(r.name) + " " + Render(r.name) + "': " + r.unsupported;
    }
  }
  return "";
}

std::vector<std::string> ConfigTable::GivenWithoutEffect() const {
  std::vector<std::string> out;
  for (const Row& r : rows_) {
    if (r.passive && given_.count(r.name)) out.push_back(r.name);
  }
  return out;
}

void ConfigTable::Get(std::string_view pattern,
                      std::vector<std::pair<std::string, std::string>>* out) const {
  bool has_glob = pattern.find_first_of("*?[") != std::string_view::npos;
  for (const Row& r : rows_) {
    bool hit = has_glob ? GlobMatch(pattern, r.name, true) : EqualsIgnoreCase(pattern, r.name);
    bool alias_hit = *r.alias && (has_glob ? GlobMatch(pattern, r.alias, true)
                                           : EqualsIgnoreCase(pattern, r.alias));
    if (hit) out->emplace_back(r.name, Render(r.name));
    if (alias_hit) out->emplace_back(r.alias, Render(r.name));
  }
}

}  // namespace grabkv::server
