#include "server/core/config.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/core/config_directives.h"
#include "server/core/util.h"

namespace grabkv::server {

using Kind = ConfigKind;

struct ConfigTable::Row {
  const char* name;
  const char* alias;  // "" when none
  Kind kind;
  bool mutable_;
  void* field;
  int64_t min = 0, max = INT64_MAX;
  std::vector<const char*> choices = {};
  // Accepted for redis.conf compatibility without any effect in grabkv.
  bool passive = false;
  // See DirectiveSpec::unsupported; def is the value that stays allowed.
  const char* unsupported = nullptr;
  const char* def = "";
};

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

ConfigTable::ConfigTable(Config* c) : cfg_(c) {
  rows_ = {
      {"port", "", Kind::kInt, false, &c->port, 0, 65535},
      {"bind", "", Kind::kString, false, &c->bind},
      {"protected-mode", "", Kind::kBool, true, &c->protected_mode},
      {"requirepass", "", Kind::kString, true, &c->requirepass},
      {"databases", "", Kind::kInt, false, &c->databases, 1, INT_MAX},
      {"loglevel", "", Kind::kEnum, true, &c->loglevel, 0, 0,
       {"debug", "verbose", "notice", "warning"}},
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
      {"appendfsync", "", Kind::kEnum, true, &c->appendfsync, 0, 0,
       {"always", "everysec", "no"}},
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
      {"pidfile", "", Kind::kString, false, &c->pidfile},
      {"daemonize", "", Kind::kBool, false, &c->daemonize},
      {"maxmemory", "", Kind::kMemory, true, &c->maxmemory, 0, LLONG_MAX},
      {"maxmemory-policy", "", Kind::kEnum, true, &c->maxmemory_policy, 0, 0,
       {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
        "allkeys-lfu", "allkeys-random", "noeviction"}},
      {"lazyfree-lazy-user-del", "", Kind::kBool, true, &c->lazyfree_lazy_user_del},
      {"lazyfree-lazy-user-flush", "", Kind::kBool, true, &c->lazyfree_lazy_user_flush},
      {"lazyfree-lazy-expire", "", Kind::kBool, true, &c->lazyfree_lazy_expire},
      {"lazyfree-lazy-server-del", "", Kind::kBool, true, &c->lazyfree_lazy_server_del},
      {"activerehashing", "", Kind::kBool, true, &c->activerehashing},
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
  };
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
    if (d.kind == Kind::kEnum) r.choices = SplitChoices(d.choices, choice_words_);
    r.passive = true;
    r.unsupported = d.unsupported;
    r.def = d.def;
    rows_.push_back(std::move(r));
    auto it = c->passive.find(d.name);
    ApplyValue(rows_.back(), it != c->passive.end() ? std::string_view(it->second) : d.def);
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

bool ConfigTable::IsMutable(std::string_view canonical) const {
  const Row* r = FindRow(canonical);
  return r && r->mutable_;
}

std::string ConfigTable::Render(std::string_view canonical) const {
  const Row* r = FindRow(canonical);
  if (r == nullptr) return "";
  switch (r->kind) {
    case Kind::kBool:
      return *static_cast<bool*>(r->field) ? "yes" : "no";
    case Kind::kInt:
    case Kind::kMemory:
      return std::to_string(*static_cast<int64_t*>(r->field));
    case Kind::kString:
    case Kind::kEnum:
      return *static_cast<std::string*>(r->field);
    case Kind::kOctal: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%llo",
                    static_cast<unsigned long long>(*static_cast<int64_t*>(r->field)));
      return buf;
    }
    case Kind::kMemOrPercent:
    case Kind::kPercentiles:
    case Kind::kOomValues:
    case Kind::kReplicaof:
      return *static_cast<std::string*>(r->field);
    case Kind::kSpecial:
      return "normal " + RenderLimit(cfg_->obuf_normal) + " slave " +
             RenderLimit(cfg_->obuf_replica) + " pubsub " + RenderLimit(cfg_->obuf_pubsub);
  }
  return "";
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
      for (const char* c : r.choices) {
        if (EqualsIgnoreCase(value, c)) {
          // oom-score-adj: "relative" is Redis's other name for "yes".
          *static_cast<std::string*>(r.field) = std::string_view(c) == "relative" ? "yes" : c;
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
      Config tmp = *cfg_;
      for (size_t i = 0; i < parts.size(); i += 4) {
        OutputBufferLimit* l;
        if (EqualsIgnoreCase(parts[i], "normal")) {
          l = &tmp.obuf_normal;
        } else if (EqualsIgnoreCase(parts[i], "slave") ||
                   EqualsIgnoreCase(parts[i], "replica")) {
          l = &tmp.obuf_replica;
        } else if (EqualsIgnoreCase(parts[i], "pubsub")) {
          l = &tmp.obuf_pubsub;
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
      cfg_->obuf_normal = tmp.obuf_normal;
      cfg_->obuf_replica = tmp.obuf_replica;
      cfg_->obuf_pubsub = tmp.obuf_pubsub;
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

std::string ConfigTable::Set(std::string_view name, std::string_view value, bool* unknown) {
  const Row* r = FindRow(name);
  *unknown = r == nullptr;
  if (r == nullptr) return "";
  if (!r->mutable_) return "can't set immutable config";
  // Redis 7.0's protected configs change only with enable-protected-configs.
  // "local" is treated like "yes": CONFIG SET does not know the client here.
  for (const char* prot : {"dir", "dbfilename"}) {
    if (std::string_view(r->name) == prot && Render("enable-protected-configs") == "no") {
      return "can't set protected config";
    }
  }
  // Like a Redis built without its own jemalloc (Debian's), grabkv cannot
  // defragment; the file may still say yes, as Redis only checks at run time.
  if (std::string_view(r->name) == "activedefrag" && EqualsIgnoreCase(value, "yes")) {
    return "Active defragmentation cannot be enabled: it requires a Redis server compiled "
           "with a modified Jemalloc like the one shipped by default with the Redis source "
           "distribution";
  }
  if (r->unsupported == nullptr) return Apply(*r, value);
  std::string before = Render(r->name);
  std::string err = Apply(*r, value);
  if (err.empty() && Render(r->name) != r->def) {
    Apply(*r, before);
    err = r->unsupported;
  }
  return err;
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
