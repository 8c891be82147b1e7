// DUMP, RESTORE and RESTORE-ASKING: one key's value in Redis's serialization
// (storage/rdb_value.h), so that values move between grabkv and Redis (or
// between two grabkv servers) with Redis's own tools.
//
// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f] checks, in
// Redis's order: the options, an existing key (-BUSYKEY without REPLACE), the
// TTL, the payload's version and checksum, then the value itself; a payload
// that does not decode whole changes nothing ("Bad data format"). A TTL
// already in the past deletes the key (with REPLACE: a "del" event) and
// replies OK. The write reports "new" (also when REPLACE replaces a key, as
// Redis deletes and adds it) and "restore", and is propagated with an
// absolute TTL (ABSTTL).
// IDLETIME sets the key's LRU clock under an LRU (or no) policy, FREQ its LFU
// counter under an LFU policy; each is ignored under the other, as Redis.
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/hash_ops.h"
#include "server/commands/set_ops.h"
#include "server/commands/zset_util.h"
#include "server/core/command.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/rdb_value.h"

namespace grabkv::server {

namespace {

using storage::Db;
using storage::KeyWrite;

constexpr storage::KeyEvent kRestore{"restore", storage::EventClass::kGeneric};

void CmdDump(CommandContext& ctx) {
  const Db::Entry* e = ctx.db().FindRead(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(storage::RdbDumpPayload(e->value, ctx.server.config().rdbcompression));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idletime = -1;
  int64_t freq = -1;
};

// Empty on success, else the error to reply.
std::string_view ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  for (size_t j = 4; j < ctx.argc(); ++j) {
    const bool has_value = j + 1 < ctx.argc();
    std::string_view a = ctx.arg(j);
    if (EqualsIgnoreCase(a, "replace")) {
      o->replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      o->absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && has_value && o->freq == -1) {
      if (!ParseInt64(ctx.arg(j + 1), &o->idletime)) return errors::kNotInteger;
      if (o->idletime < 0) return "ERR Invalid IDLETIME value, must be >= 0";
      ++j;
    } else if (EqualsIgnoreCase(a, "freq") && has_value && o->idletime == -1) {
      if (!ParseInt64(ctx.arg(j + 1), &o->freq)) return errors::kNotInteger;
      if (o->freq < 0 || o->freq > 255) return "ERR Invalid FREQ value, must be >= 0 and <= 255";
      ++j;
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

void CmdRestore(CommandContext& ctx) {
  RestoreOptions o;
  if (std::string_view err = ParseRestoreOptions(ctx, &o); !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  Db& db = ctx.db();
  if (!o.replace && db.Find(ctx.arg(1), ctx.now_ms) != nullptr) {
    ctx.reply.Error(errors::kBusyKey);
    return;
  }
  int64_t ttl;
  if (!ParseInt64(ctx.arg(2), &ttl)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (ttl < 0) {
    ctx.reply.Error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  std::string_view body;
  if (!storage::RdbVerifyPayload(ctx.arg(3), &body)) {
    ctx.reply.Error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  const Config& cfg = ctx.server.config();
  storage::RdbLimits limits{HashLimitsOf(cfg), SetLimitsOf(cfg), zset::LimitsOf(cfg)};
  storage::Value v;
  if (!storage::RdbLoadPayloadBody(body, limits, &v)) {
    ctx.reply.Error("ERR Bad data format");
    return;
  }
  int64_t when = 0;
  if (ttl != 0) when = o.absttl ? ttl : (ttl > INT64_MAX - ctx.now_ms ? INT64_MAX : ttl + ctx.now_ms);
  KeyWrite w(db, ctx.arg(1), ctx.now_ms);
  if (when != 0 && when <= ctx.now_ms && !ctx.loading) {
    // Already expired: the key goes (with REPLACE) and nothing is created.
    if (w && w.Delete()) {
      ctx.Propagate({"DEL", ctx.arg(1)});
    } else {
      ctx.PropagateNothing();
    }
    ctx.reply.Ok();
    return;
  }
  if (w) {
    // Redis deletes the old key and adds the new one: "new", then "restore".
    w.ReportCreatedNow();
    w.Replace(std::move(v));
  } else {
    w.Create(std::move(v));
  }
  if (when != 0) {
    w.SetExpire(when);
    if (!o.absttl && ctx.propagating()) {
      const std::string abs = std::to_string(when);
      std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.end());
      argv[2] = abs;
      argv.push_back("ABSTTL");
      ctx.Propagate(Args(argv));
    }
  }
  if (const storage::AccessTracker* t = db.access_tracker()) {
    Db::SetAccessMeta(w.entry(), t->Restored(o.idletime, o.freq, ctx.now_ms, Db::AccessMeta(w.entry())));
  }
  w.Note(kRestore);
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpFamily(CommandTable& t) {
  CommandFamily f(t, "generic", kAclKeyspace);
  f.Add({.name = "dump", .arity = 2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdDump,
         .tips = "nondeterministic_output",
         .summary = "Return a serialized version of the value stored at the specified key.",
         .since = "2.6.0"});
  f.Add({.name = "restore", .arity = -4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}}, .handler = CmdRestore,
         .acl = kAclDangerous,
         .summary = "Create a key using the provided serialized value, previously obtained using DUMP.",
         .since = "2.6.0"});
  // Redis files RESTORE-ASKING under "server" (cluster internals).
  CommandFamily server(t, "server", kAclKeyspace);
  server.Add({.name = "restore-asking", .arity = -4, .flags = kWrite | kDenyOom | kAsking,
         .keys = {{.flags = kOW | kUpdate, .index = 1}}, .handler = CmdRestore,
         .acl = kAclDangerous,
         .summary = "An internal command for migrating keys in a cluster", .since = "3.0.0"});
}

}  // namespace grabkv::server
