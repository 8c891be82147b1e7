#include "server/core/config.h"

#include <climits>
#include <cstdio>
#include <cstring>

#include "server/core/util.h"

namespace grabkv::server {

enum class Kind { kBool, kInt, kOctal, kMemory, kString, kEnum, kSpecial };

struct ConfigTable::Row {
  const char* name;
  const char* alias;  // "" when none
  Kind kind;
  bool mutable_;
  void* field;
  int64_t min = 0, max = INT64_MAX;
  std::vector<const char*> choices = {};
};

namespace {
std::string RenderLimit(const OutputBufferLimit& l) {
  return std::to_string(l.hard) + " " + std::to_string(l.soft) + " " +
         std::to_string(l.soft_seconds);
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
    case Kind::kOctal: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%llo", static_cast<unsigned long long>(*static_cast<int64_t*>(r->field)));
      return buf;
    }
    case Kind::kString:
    case Kind::kEnum:
      return *static_cast<std::string*>(r->field);
    case Kind::kSpecial:
      return "normal " + RenderLimit(cfg_->obuf_normal) + " slave " +
             RenderLimit(cfg_->obuf_replica) + " pubsub " + RenderLimit(cfg_->obuf_pubsub);
  }
  return "";
}

std::string ConfigTable::Apply(const Row& r, std::string_view value) {
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
    case Kind::kOctal:
    case Kind::kMemory: {
      int64_t v = 0;
      bool ok;
      if (r.kind == Kind::kOctal) {
        ok = !value.empty() && value.size() < 20;
        for (char ch : value) {
          if (ch < '0' || ch > '7') ok = false;
          v = v * 8 + (ch - '0');
        }
      } else {
        ok = r.kind == Kind::kMemory ? ParseMemory(value, &v) : ParseInt64(value, &v);
      }
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
          *static_cast<std::string*>(r.field) = c;
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
  const Row* r = FindRow(name);
  if (r == nullptr) return "Bad directive or wrong number of arguments";
  std::string joined;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) joined += ' ';
    joined += values[i];
  }
  // "save" may be given several times in a file; Redis appends. Keep it simple:
  // the last line wins except that `save ""` clears.
  return Apply(*r, joined);
}

std::string ConfigTable::Set(std::string_view name, std::string_view value, bool* unknown) {
  const Row* r = FindRow(name);
  *unknown = r == nullptr;
  if (r == nullptr) return "";
  if (!r->mutable_) return "can't set immutable config";
  return Apply(*r, value);
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
