// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
//         [AUTH password] [AUTH2 username password] [KEYS key ...]
//
// Moves keys to another server (grabkv or Redis) as Redis 7.0 does: each
// key goes as a RESTORE of its DUMP payload over a connection kept open for
// the next MIGRATE to the same host:port (server/core/target_links.h; the
// socket itself is server/net/'s). The I/O is synchronous, as Redis's: every
// step (connect, each 64 KB written, each reply line) waits at most
// `timeout` ms, and the server serves nothing else meanwhile.
//
// Replies as Redis: +NOKEY when none of the keys exists, -IOERR when the
// target cannot be reached, written to or read from (one retry on a fresh
// connection unless the failure was a timeout or a key already moved),
// "ERR Target instance replied with error: ..." with the target's first
// error. A key the target accepted is deleted here unless COPY (a "del"
// event), and the MIGRATE is propagated as DEL of those keys.
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/propagate.h"
#include "server/core/server_state.h"
#include "server/core/target_links.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/rdb_value.h"

namespace grabkv::server {

namespace {

using storage::Db;

constexpr size_t kWriteChunk = 64 * 1024;  // Redis writes the batch in 64 KB steps
constexpr size_t kMaxReplyLine = 1023;     // Redis reads replies into 1 KB buffers

struct MigrateArgs {
  bool copy = false;
  bool replace = false;
  bool auth = false;
  bool auth2 = false;         // with a username
  std::string_view username;
  std::string_view password;
  int64_t timeout_ms = 0;
  int64_t dbid = 0;
  size_t first_key = 3;
  size_t num_keys = 1;
};

// Redis's order: the options (KEYS ends them), then timeout, then db.
// Empty on success, else the error to reply.
std::string_view ParseMigrate(CommandContext& ctx, MigrateArgs* a) {
  for (size_t j = 6; j < ctx.argc(); ++j) {
    const size_t more = ctx.argc() - 1 - j;
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "copy")) {
      a->copy = true;
    } else if (EqualsIgnoreCase(opt, "replace")) {
      a->replace = true;
    } else if (EqualsIgnoreCase(opt, "auth")) {
      if (more < 1) return errors::kSyntax;
      a->auth = true;
      a->auth2 = false;
      a->password = ctx.arg(++j);
      ctx.RedactArg(j);
    } else if (EqualsIgnoreCase(opt, "auth2")) {
      if (more < 2) return errors::kSyntax;
      a->auth = a->auth2 = true;
      a->username = ctx.arg(++j);
      ctx.RedactArg(j);
      a->password = ctx.arg(++j);
      ctx.RedactArg(j);
    } else if (EqualsIgnoreCase(opt, "keys")) {
      if (!ctx.arg(3).empty()) {
        return "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
      }
      a->first_key = j + 1;
      a->num_keys = ctx.argc() - j - 1;
      break;
    } else {
      return errors::kSyntax;
    }
  }
  if (!ParseInt64(ctx.arg(5), &a->timeout_ms) || !ParseInt64(ctx.arg(4), &a->dbid)) {
    return errors::kNotInteger;
  }
  if (a->timeout_ms <= 0) a->timeout_ms = 1000;
  return {};
}

struct Item {
  std::string_view key;
  int64_t expire_ms;  // -1: none
  std::string payload;
};

// The AUTH, SELECT and RESTOREs to send, as one RESP batch.
std::string BuildBatch(const MigrateArgs& a, bool select, const std::vector<Item>& items,
                       int64_t now_ms, std::vector<const Item*>* sent) {
  std::string out;
  if (a.auth2) {
    Propagator::AppendCommand(&out, std::vector<std::string_view>{"AUTH", a.username, a.password});
  } else if (a.auth) {
    Propagator::AppendCommand(&out, std::vector<std::string_view>{"AUTH", a.password});
  }
  if (select) {
    const std::string db = std::to_string(a.dbid);
    Propagator::AppendCommand(&out, std::vector<std::string_view>{"SELECT", db});
  }
  for (const Item& it : items) {
    int64_t ttl = 0;
    if (it.expire_ms != -1) {
      ttl = it.expire_ms - now_ms;
      if (ttl < 0) continue;  // expired since the lookup: not sent
      if (ttl < 1) ttl = 1;
    }
    const std::string ttl_text = std::to_string(ttl);
    std::vector<std::string_view> argv{"RESTORE", it.key, ttl_text, it.payload};
    if (a.replace) argv.push_back("REPLACE");
    Propagator::AppendCommand(&out, argv);
    sent->push_back(&it);
  }
  return out;
}

enum class Attempt : uint8_t {
  kDone,         // replied (OK or the target's error)
  kWriteFailed,  // socket error before any key moved
  kReadFailed,
};

// One try over `cs`. *timed_out tells a timeout from other socket errors.
Attempt TryMigrate(CommandContext& ctx, const MigrateArgs& a, const std::vector<Item>& items,
                   TargetLinks& links, TargetLinks::Cached* cs, bool may_retry, bool* timed_out) {
  const std::string_view host = ctx.arg(1), port = ctx.arg(2);
  const bool select = cs->last_dbid != a.dbid;
  std::vector<const Item*> sent;
  const std::string batch = BuildBatch(a, select, items, ctx.now_ms, &sent);
  for (size_t pos = 0; pos < batch.size(); pos += kWriteChunk) {
    const LinkIo io = cs->link->Write(std::string_view(batch).substr(pos, kWriteChunk), a.timeout_ms);
    if (io != LinkIo::kOk) {
      *timed_out = io == LinkIo::kTimeout;
      return Attempt::kWriteFailed;
    }
  }
  std::string auth_reply, select_reply, line;
  auto read = [&](std::string* out) {
    const LinkIo io = cs->link->ReadLine(out, kMaxReplyLine, a.timeout_ms);
    *timed_out = io == LinkIo::kTimeout;
    return io == LinkIo::kOk;
  };
  if (a.auth && !read(&auth_reply)) return Attempt::kReadFailed;
  if (select && !read(&select_reply)) return Attempt::kReadFailed;

  bool error_from_target = false;
  bool socket_error = false;
  size_t j = 0;
  std::vector<std::string_view> del_argv{"DEL"};
  Db& db = ctx.db();
  for (; j < sent.size(); ++j) {
    if (!read(&line)) {
      socket_error = true;
      break;
    }
    const std::string* err = nullptr;
    if (a.auth && auth_reply.starts_with('-')) {
      err = &auth_reply;
    } else if (select && select_reply.starts_with('-')) {
      err = &select_reply;
    } else if (line.starts_with('-')) {
      err = &line;
    }
    if (err != nullptr) {
      // The target's first error is the reply; its selected db is unknown.
      if (!error_from_target) {
        cs->last_dbid = -1;
        error_from_target = true;
        ctx.reply.Error("ERR Target instance replied with error: " + err->substr(1));
      }
    } else if (!a.copy) {
      // A key named twice (KEYS k k) is gone the second time; Redis still
      // signals it, so it is reported as deleted either way.
      if (!db.Delete(sent[j]->key, ctx.now_ms, storage::events::kDel)) {
        db.Report(sent[j]->key, storage::events::kDel);
      }
      del_argv.push_back(sent[j]->key);
    }
  }
  // Nothing moved and the connection failed: a cached connection may have
  // been closed by the target, so the caller retries on a fresh one.
  if (!error_from_target && socket_error && j == 0 && may_retry && !*timed_out) {
    return Attempt::kReadFailed;
  }
  if (socket_error) links.Close(host, port);
  if (del_argv.size() > 1) {
    ctx.Propagate(Args(del_argv));
  } else {
    ctx.PropagateNothing();
  }
  if (!error_from_target && socket_error) {
    ctx.reply.Error("IOERR error or timeout reading to target instance");
    return Attempt::kDone;
  }
  if (!error_from_target) {
    cs->last_dbid = a.dbid;
    ctx.reply.Ok();
  }
  return Attempt::kDone;
}

void CmdMigrate(CommandContext& ctx) {
  MigrateArgs a;
  if (std::string_view err = ParseMigrate(ctx, &a); !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  const bool compress = ctx.server.config().rdbcompression;
  std::vector<Item> items;
  Db& db = ctx.db();
  for (size_t j = 0; j < a.num_keys; ++j) {
    std::string_view key = ctx.arg(a.first_key + j);
    const Db::Entry* e = db.FindRead(key, ctx.now_ms);
    if (e == nullptr) continue;
    items.push_back({key, db.GetExpire(e), storage::RdbDumpPayload(e->value, compress)});
  }
  ctx.PropagateNothing();
  if (items.empty()) {
    ctx.reply.SimpleString("NOKEY");
    return;
  }
  TargetLinks* links = ctx.server.extension<TargetLinks>();
  const std::string_view host = ctx.arg(1), port = ctx.arg(2);
  bool may_retry = true;
  while (true) {
    TargetLinks::Cached* cs =
        links == nullptr ? nullptr
                         : links->Get(host, port, a.timeout_ms, ctx.now_ms / 1000, ctx.server.rng()());
    if (cs == nullptr) {
      ctx.reply.Error("IOERR error or timeout connecting to the client");
      return;
    }
    bool timed_out = false;
    const Attempt r = TryMigrate(ctx, a, items, *links, cs, may_retry, &timed_out);
    if (r == Attempt::kDone) return;
    // A socket error: close the connection and try once more on a new one,
    // unless it timed out.
    links->Close(host, port);
    if (!timed_out && may_retry) {
      may_retry = false;
      continue;
    }
    ctx.reply.Error(r == Attempt::kWriteFailed ? "IOERR error or timeout writing to target instance"
                                               : "IOERR error or timeout reading to target instance");
    return;
  }
}

// Redis's migrateGetKeys: argv[3], or what follows KEYS (none when argv[3]
// is not empty then); AUTH's and AUTH2's arguments are not keys.
size_t MigrateGetKeys(Args argv, std::vector<KeyRef>* out) {
  size_t first = 3, num = 1;
  for (size_t i = 6; i < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "auth2")) {
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "auth")) {
      i += 1;
    } else if (EqualsIgnoreCase(argv[i], "keys")) {
      if (!argv[3].empty()) return 0;  // MIGRATE would refuse it: no keys
      first = i + 1;
      num = argv.size() - first;
      break;
    }
  }
  for (size_t i = 0; i < num; ++i) out->push_back({static_cast<int>(first + i), kRW | kAccess | kDelete});
  return num;
}

}  // namespace

void RegisterMigrateFamily(CommandTable& t) {
  CommandFamily f(t, "generic", kAclKeyspace);
  f.Add({.name = "migrate", .arity = -6, .flags = kWrite,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 3},
                  {.flags = kRW | kAccess | kDelete | kIncomplete, .keyword = "KEYS", .startfrom = -2,
                   .lastkey = -1}},
         .handler = CmdMigrate, .acl = kAclDangerous, .tips = "nondeterministic_output",
         .getkeys = MigrateGetKeys,
         .summary = "Atomically transfer a key from a Redis instance to another one.",
         .since = "2.6.0"});
}

}  // namespace grabkv::server
