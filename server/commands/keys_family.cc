// The generic keys commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN,
// RANDOMKEY, RENAME(NX), COPY, MOVE, the EXPIRE family, TTL family, PERSIST,
// TOUCH and OBJECT. Replies follow Redis 7.0 byte for byte (db.c, expire.c,
// object.c); where grabkv cannot reproduce a Redis detail the comment at the
// handler says so. All of them propagate as sent, except the EXPIRE family
// (an absolute PEXPIREAT, or DEL for a time already past).
//
// Each command is split into parsing (Cmd*), an operation on storage (Op*,
// no reply) and the reply. Every write reports itself with Redis's keyspace
// event names (db.h): "del", "expire", "persist", "rename_from"/"rename_to",
// "move_from"/"move_to", "copy_to"; the Db or a KeyWrite counts Redis's
// dirty increments, never the handler.

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/value.h"

namespace grabkv::server {
namespace {

using storage::Db;
using storage::EventClass;
using storage::KeyEvent;
using storage::KeyWrite;
using storage::Value;
using storage::ValueType;

// Redis's events of the two-key commands (db.c): the source's event, then
// the destination's; the overwritten destination gets no "del" of its own.
constexpr KeyEvent kRenameFrom{"rename_from", EventClass::kGeneric};
constexpr KeyEvent kRenameTo{"rename_to", EventClass::kGeneric};
constexpr KeyEvent kMoveFrom{"move_from", EventClass::kGeneric};
constexpr KeyEvent kMoveTo{"move_to", EventClass::kGeneric};
constexpr KeyEvent kCopyTo{"copy_to", EventClass::kGeneric};

// Redis LAZYFREE_THRESHOLD: values whose free effort is above this are freed
// on the helper thread.
constexpr size_t kLazyFreeThreshold = 64;

// Redis lazyfreeGetFreeEffort: 1 for strings and compact encodings (one
// allocation), the node count of a quicklist (nodes hold up to 8 KB with the
// default list-max-listpack-size, so memory / 8 KB estimates it), and the
// element count of hashtables and skiplists.
size_t FreeEffort(const Value& v) {
  if (v.is_string()) return 1;
  const storage::Container* c = v.container();
  const std::string_view enc = c->encoding();
  if (enc == "listpack" || enc == "intset" || enc == "ziplist") return 1;
  if (enc == "quicklist") return c->MemoryUsage() / 8192 + 1;
  return c->Length();
}

// Frees an entry detached from a Db (Db::Unlink), off the loop thread when
// that is worth it.
void FreeDetached(ServerState& server, Db::Entry* e) {
  if (FreeEffort(e->value) > kLazyFreeThreshold) {
    server.lazy_free().Submit([e] { Db::Table::FreeEntry(e); });
  } else {
    Db::Table::FreeEntry(e);
  }
}

// Frees the old value of an overwritten key, off the loop thread when
// `lazy` and that is worth it (Redis's dbDelete of the destination under
// lazyfree-lazy-server-del).
void FreeReplaced(ServerState& server, Value v, bool lazy) {
  if (lazy && FreeEffort(v) > kLazyFreeThreshold) {
    auto* p = new Value(std::move(v));
    server.lazy_free().Submit([p] { delete p; });
  }
}

// Redis dbSyncDelete / dbAsyncDelete. Returns whether a live key was deleted
// (reported by the Db as "del", one change).
bool DeleteKey(ServerState& server, Db& db, std::string_view key, int64_t now_ms, bool lazy) {
  if (!lazy) return db.Delete(key, now_ms);
  Db::Entry* e = db.Unlink(key, now_ms);
  if (e == nullptr) return false;
  FreeDetached(server, e);
  return true;
}

const char* TypeName(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kHash:
      return "hash";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
  }
  return "none";
}

// Redis getIntFromObjectOrReply: a canonical integer that fits an int.
// Returns the error text, empty on success; Redis words "not an integer" and
// "does not fit an int" differently.
std::string_view ParseInt32(std::string_view s, int* out) {
  int64_t v;
  if (!ParseInt64(s, &v)) return errors::kNotInteger;
  if (v < INT_MIN || v > INT_MAX) return errors::kNotInt32;
  *out = static_cast<int>(v);
  return {};
}

bool ValidDbIndex(ServerState& server, int index) {
  return index >= 0 && static_cast<size_t>(index) < server.dbs().size();
}

// --- DEL / UNLINK / EXISTS / TOUCH / TYPE ---

// "del" and one change per deleted key.
int64_t OpDelete(ServerState& server, Db& db, Args keys, int64_t now_ms, bool lazy) {
  int64_t deleted = 0;
  for (std::string_view key : keys) {
    if (DeleteKey(server, db, key, now_ms, lazy)) ++deleted;
  }
  return deleted;
}

void CmdDel(CommandContext& ctx) {
  const bool lazy = ctx.server.config().lazyfree_lazy_user_del;
  ctx.reply.Integer(OpDelete(ctx.server, ctx.db(), ctx.args.subspan(1), ctx.now_ms, lazy));
}

void CmdUnlink(CommandContext& ctx) {
  ctx.reply.Integer(OpDelete(ctx.server, ctx.db(), ctx.args.subspan(1), ctx.now_ms, true));
}

// EXISTS and TOUCH: live keys among `keys`, repeats counted (a read lookup
// each, so keyspace hits/misses are counted as Redis counts them). Only
// TOUCH records an access (Redis's EXISTS looks up with LOOKUP_NOTOUCH).
int64_t OpCountLive(Db& db, Args keys, int64_t now_ms, bool touch = false) {
  int64_t n = 0;
  for (std::string_view key : keys) {
    if (db.FindRead(key, now_ms, true, touch) != nullptr) ++n;
  }
  return n;
}

void CmdExists(CommandContext& ctx) {
  ctx.reply.Integer(OpCountLive(ctx.db(), ctx.args.subspan(1), ctx.now_ms));
}

// Records an access of each key (its LRU time / LFU counter), as a read.
void CmdTouch(CommandContext& ctx) {
  ctx.reply.Integer(OpCountLive(ctx.db(), ctx.args.subspan(1), ctx.now_ms, /*touch=*/true));
}

void CmdType(CommandContext& ctx) {
  // Like Redis, TYPE does not count as an access (LOOKUP_NOTOUCH).
  const Db::Entry* e = ctx.db().FindRead(ctx.arg(1), ctx.now_ms, true, /*touch=*/false);
  ctx.reply.SimpleString(e == nullptr ? "none" : TypeName(e->value));
}

// --- KEYS / SCAN / RANDOMKEY ---

// Redis 7.0 keysCommand skips logically expired keys without deleting them
// (keyIsExpired, not expireIfNeeded).
void CmdKeys(CommandContext& ctx) {
  Db& db = ctx.db();
  const std::string_view pattern = ctx.arg(1);
  const bool all = pattern == "*";
  const size_t token = ctx.reply.DeferArray();
  size_t n = 0;
  db.table().ForEach([&](Db::Entry* e) {
    if (!all && !GlobMatch(pattern, e->key())) return;
    if (db.IsExpired(e, ctx.now_ms)) return;
    ctx.reply.Bulk(e->key());
    ++n;
  });
  ctx.reply.SetDeferredArray(token, n);
}

struct ScanArgs {
  uint64_t cursor = 0;
  int64_t count = 10;
  std::optional<std::string_view> pattern;  // unset for no MATCH or MATCH *
  std::optional<std::string_view> type;
};

// Returns the error text, empty on success.
std::string_view ParseScan(Args args, ScanArgs* out) {
  if (!ParseScanCursor(args[1], &out->cursor)) return "ERR invalid cursor";
  for (size_t i = 2; i < args.size(); i += 2) {
    const bool has_value = i + 1 < args.size();
    if (has_value && EqualsIgnoreCase(args[i], "count")) {
      if (!ParseInt64(args[i + 1], &out->count)) return errors::kNotInteger;
      if (out->count < 1) return errors::kSyntax;
    } else if (has_value && EqualsIgnoreCase(args[i], "match")) {
      out->pattern = args[i + 1];
      if (*out->pattern == "*") out->pattern.reset();
    } else if (has_value && EqualsIgnoreCase(args[i], "type")) {
      out->type = args[i + 1];
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// Redis scanGenericCommand on the keyspace: visit buckets until COUNT keys
// were collected (at most 10*COUNT dictScan calls), then filter.
uint64_t OpScan(Db& db, const ScanArgs& a, int64_t now_ms, std::vector<std::string>* keys) {
  uint64_t cursor = a.cursor;
  int64_t max_iterations = a.count > INT64_MAX / 10 ? INT64_MAX : a.count * 10;
  do {
    cursor = db.table().Scan(cursor, [keys](Db::Entry* e) { keys->emplace_back(e->key()); });
  } while (cursor != 0 && max_iterations-- > 0 && keys->size() < static_cast<uint64_t>(a.count));

  size_t kept = 0;
  for (size_t i = 0; i < keys->size(); ++i) {
    std::string& key = (*keys)[i];
    bool filter = a.pattern.has_value() && !GlobMatch(*a.pattern, key);
    if (!filter && a.type.has_value()) {
      // Redis looks the key up (expiring it, counting a hit or miss) and
      // calls a missing key "none".
      const Db::Entry* e = db.FindRead(key, now_ms);
      filter = !EqualsIgnoreCase(*a.type, e == nullptr ? "none" : TypeName(e->value));
    }
    if (!filter) {
      // expireIfNeeded: deletes an expired key. A key the TYPE lookup just
      // expired is no longer there and so is not filtered: Redis 7.0's
      // "SCAN 0 TYPE none" returns the names of expired keys it removed.
      Db::Entry* e = db.table().Find(key);
      if (e != nullptr && db.IsExpired(e, now_ms)) {
        db.Find(key, now_ms);
        filter = true;
      }
    }
    if (filter) continue;
    if (kept != i) (*keys)[kept] = std::move(key);  // never self-move: it empties
    ++kept;
  }
  keys->resize(kept);
  return cursor;
}

void CmdScan(CommandContext& ctx) {
  ScanArgs a;
  if (std::string_view err = ParseScan(ctx.args, &a); !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  std::vector<std::string> keys;
  const uint64_t cursor = OpScan(ctx.db(), a, ctx.now_ms, &keys);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(cursor));
  ctx.reply.ArrayHeader(keys.size());
  for (const std::string& k : keys) ctx.reply.Bulk(k);
}

void CmdRandomKey(CommandContext& ctx) {
  Db& db = ctx.db();
  // Db::RandomKey gives up after a bounded number of tries, deleting the
  // expired keys it meets; Redis (as a master) keeps looking until it finds
  // a live key or the db is empty. Each failed round deleted keys, so this
  // terminates.
  Db::Entry* e = nullptr;
  while (db.size() > 0 && (e = db.RandomKey(ctx.now_ms, ctx.server.rng())) == nullptr) {
  }
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->key());
  }
}

// --- RENAME / RENAMENX / COPY / MOVE ---

// Moves the value and TTL of `src` to `dst` in the same db, replacing dst
// unless nx. kNoSuchKey when src is missing; kSkipped when nx and dst
// exists. src == dst on a live key is a no-op that succeeds (RENAME) or
// reports dst as existing (RENAMENX), like Redis. Reports "rename_from" on
// src, then "rename_to" on dst: one change in all.
OpStatus OpRename(ServerState& server, const OpArgs& op, std::string_view src,
                  std::string_view dst, bool nx) {
  Db& db = op.db;
  Db::Entry* e = db.Find(src, op.now_ms);
  if (e == nullptr) return OpStatus::kNoSuchKey;
  if (src == dst) return nx ? OpStatus::kSkipped : OpStatus::kOk;
  const int64_t expire = db.GetExpire(e);
  KeyWrite to(db, dst, op.now_ms);
  if (to && nx) return OpStatus::kSkipped;
  Value replaced;
  if (to) replaced = std::move(to.value());
  // Redis deletes an existing dst and adds it again: "new" comes first.
  to.ReportCreatedNow();
  // Entry pointers survive inserts and erasures of other keys, so `to`
  // stays valid while src is detached; the move never touches a freed entry.
  Db::Entry* old = db.Unlink(src, op.now_ms, kRenameFrom);
  to.Replace(std::move(old->value));
  if (expire != -1) to.SetExpire(expire);
  to.Note(kRenameTo, 0);
  Db::Table::FreeEntry(old);  // its value was moved out: cheap
  FreeReplaced(server, std::move(replaced), server.config().lazyfree_lazy_server_del);
  return OpStatus::kOk;
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  const OpStatus st = OpRename(ctx.server, ctx.op_args(), ctx.arg(1), ctx.arg(2), nx);
  if (IsError(st)) {
    ReplyStatus(ctx.reply, st);
  } else if (st == OpStatus::kSkipped) {
    ctx.reply.Integer(0);
  } else if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Ok();
  }
}

void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void CmdRenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// Returns whether the key was copied ("copy_to" on dst, one change).
bool OpCopy(ServerState& server, Db& src_db, std::string_view src, Db& dst_db,
            std::string_view dst, bool replace, int64_t now_ms) {
  const Db::Entry* e = src_db.FindRead(src, now_ms);
  if (e == nullptr) return false;
  const int64_t expire = src_db.GetExpire(e);
  KeyWrite to(dst_db, dst, now_ms);
  if (to && !replace) return false;
  Value replaced;
  if (to) replaced = std::move(to.value());
  to.ReportCreatedNow();  // Redis deletes a replaced dst and adds it again: "new"
  to.Replace(e->value.Clone());
  if (expire != -1) to.SetExpire(expire);
  to.Note(kCopyTo);
  FreeReplaced(server, std::move(replaced), server.config().lazyfree_lazy_server_del);
  return true;
}

// COPY source destination [DB n] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  const int src_index = ctx.client.db_index();
  int dst_index = src_index;
  bool replace = false;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const bool has_value = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(j), "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(j), "db") && has_value) {
      if (std::string_view err = ParseInt32(ctx.arg(j + 1), &dst_index); !err.empty()) {
        ctx.reply.Error(err);
        return;
      }
      if (!ValidDbIndex(ctx.server, dst_index)) {
        ctx.reply.Error(errors::kDbIndexOutOfRange);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (src_index == dst_index && ctx.arg(1) == ctx.arg(2)) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  const bool copied = OpCopy(ctx.server, ctx.server.db(src_index), ctx.arg(1),
                             ctx.server.db(dst_index), ctx.arg(2), replace, ctx.now_ms);
  ctx.reply.Integer(copied ? 1 : 0);
}

// Returns whether the key was moved: "move_from" in src_db, then "move_to"
// in dst_db, one change in all.
bool OpMove(Db& src_db, Db& dst_db, std::string_view key, int64_t now_ms) {
  const Db::Entry* e = src_db.Find(key, now_ms);
  if (e == nullptr) return false;
  const int64_t expire = src_db.GetExpire(e);
  KeyWrite to(dst_db, key, now_ms);
  if (to) return false;
  to.ReportCreatedNow();  // "new" in dst_db before "move_from", as Redis adds first
  Db::Entry* old = src_db.Unlink(key, now_ms, kMoveFrom);
  to.Create(std::move(old->value));
  if (expire != -1) to.SetExpire(expire);
  to.Note(kMoveTo, 0);
  Db::Table::FreeEntry(old);
  return true;
}

// MOVE key db
void CmdMove(CommandContext& ctx) {
  int dst_index;
  if (std::string_view err = ParseInt32(ctx.arg(2), &dst_index); !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  if (!ValidDbIndex(ctx.server, dst_index)) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  const int src_index = ctx.client.db_index();
  if (src_index == dst_index) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  const bool moved =
      OpMove(ctx.server.db(src_index), ctx.server.db(dst_index), ctx.arg(1), ctx.now_ms);
  ctx.reply.Integer(moved ? 1 : 0);
}

// --- EXPIRE family ---

enum ExpireFlag : unsigned { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

// Redis parseExtendedExpireArgumentsOrReply. Returns the error, empty if ok.
std::string ParseExpireFlags(Args args, unsigned* flags) {
  for (size_t j = 3; j < args.size(); ++j) {
    const std::string_view opt = args[j];
    if (EqualsIgnoreCase(opt, "nx")) {
      *flags |= kExpireNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      *flags |= kExpireXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      *flags |= kExpireGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      *flags |= kExpireLt;
    } else {
      // "%s" of the C string: stops at an embedded NUL.
      return "ERR Unsupported option " + std::string(opt.substr(0, opt.find('\0')));
    }
  }
  if ((*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    return "ERR NX and XX, GT or LT options at the same time are not compatible";
  }
  if ((*flags & kExpireGt) && (*flags & kExpireLt)) {
    return "ERR GT and LT options at the same time are not compatible";
  }
  return {};
}

// Sets the TTL ("expire"), or deletes the key when `when_ms` has passed
// ("del", as Redis's expireGenericCommand: not "expired"); one change either
// way. Not while loading: Redis's checkAlreadyExpired keeps the TTL then,
// for the file's own DELs or active expiry to act on. The value says whether
// the key was deleted; kKeyNotFound when it is missing, kSkipped when a flag
// condition failed.
OpResult<bool> OpExpire(ServerState& server, const OpArgs& op, std::string_view key,
                        int64_t when_ms, unsigned flags, bool loading) {
  Db& db = op.db;
  Db::Entry* e = db.Find(key, op.now_ms);
  if (e == nullptr) return OpStatus::kKeyNotFound;
  if (flags != 0) {
    const int64_t current = db.GetExpire(e);  // -1: no TTL, i.e. infinite
    if ((flags & kExpireNx) && current != -1) return OpStatus::kSkipped;
    if ((flags & kExpireXx) && current == -1) return OpStatus::kSkipped;
    if ((flags & kExpireGt) && (current == -1 || when_ms <= current)) return OpStatus::kSkipped;
    if ((flags & kExpireLt) && current != -1 && when_ms >= current) return OpStatus::kSkipped;
  }
  if (when_ms <= op.now_ms && !loading) {
    DeleteKey(server, db, key, op.now_ms, server.config().lazyfree_lazy_expire);
    return true;
  }
  db.SetExpire(e, when_ms);
  return false;
}

// Redis propagates a TTL as an absolute time, PEXPIREAT key ms followed by
// the NX/XX/GT/LT options as sent; PEXPIREAT itself is kept as sent. A key
// deleted for a past time becomes DEL (UNLINK with lazyfree-lazy-expire).
void PropagateExpire(CommandContext& ctx, const OpResult<bool>& r, bool rewrite, int64_t when_ms) {
  if (!r.ok()) return ctx.PropagateNothing();
  if (r.value()) {
    return ctx.Propagate(
        {ctx.server.config().lazyfree_lazy_expire ? "UNLINK" : "DEL", ctx.arg(1)});
  }
  if (!rewrite) return ctx.Propagate(ctx.args);
  if (!ctx.propagating()) return;
  const std::string when = std::to_string(when_ms);
  std::vector<std::string_view> argv(ctx.args.begin(), ctx.args.end());
  argv[0] = "PEXPIREAT";
  argv[2] = when;
  ctx.Propagate(Args(argv));
}

// `relative`: the time is added to now (EXPIRE/PEXPIRE); `seconds`: the time
// is in seconds (EXPIRE/EXPIREAT).
void ExpireGeneric(CommandContext& ctx, bool relative, bool seconds) {
  unsigned flags = 0;
  if (std::string err = ParseExpireFlags(ctx.args, &flags); !err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  int64_t when;
  if (!ParseInt64(ctx.arg(2), &when)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  const int64_t base = relative ? ctx.now_ms : 0;
  bool overflow = false;
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      overflow = true;
    } else {
      when *= 1000;
    }
  }
  if (!overflow && when > INT64_MAX - base) overflow = true;
  if (overflow) {
    // Redis prints the command's full name, lower case.
    ctx.reply.Error(std::string("ERR invalid expire time in '") + ctx.spec->name + "' command");
    return;
  }
  when += base;
  const OpResult<bool> r =
      OpExpire(ctx.server, ctx.op_args(), ctx.arg(1), when, flags, ctx.loading);
  PropagateExpire(ctx, r, /*rewrite=*/relative || seconds, when);
  ctx.reply.Integer(r.ok() ? 1 : 0);
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, true, true); }
void CmdPExpire(CommandContext& ctx) { ExpireGeneric(ctx, true, false); }
void CmdExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, false, true); }
void CmdPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, false, false); }

// --- TTL family / PERSIST ---

// Redis ttlGenericCommand: -2 missing, -1 no TTL; seconds are rounded.
void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  Db& db = ctx.db();
  const Db::Entry* e = db.FindRead(ctx.arg(1), ctx.now_ms);
  if (e == nullptr) {
    ctx.reply.Integer(-2);
    return;
  }
  const int64_t expire = db.GetExpire(e);
  if (expire == -1) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t t = absolute ? expire : expire - ctx.now_ms;
  if (t < 0) t = 0;
  // Unsigned so that rounding a TTL near INT64_MAX does not overflow; this
  // gives what Redis's build prints (EXPIRETIME after PEXPIREAT k INT64_MAX
  // is 9223372036854776).
  const uint64_t rounded_s = (static_cast<uint64_t>(t) + 500) / 1000;
  ctx.reply.Integer(ms ? t : static_cast<int64_t>(rounded_s));
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void CmdExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void CmdPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

// "persist" and one change when there was a TTL to remove.
void CmdPersist(CommandContext& ctx) {
  Db& db = ctx.db();
  Db::Entry* e = db.Find(ctx.arg(1), ctx.now_ms);
  ctx.reply.Integer(e != nullptr && db.Persist(e) ? 1 : 0);
}

// --- OBJECT ---

// Redis objectCommandLookup: a read lookup (counts hits/misses) that sends
// no keymiss event; a missing key replies null.
const Db::Entry* ObjectLookupOrReply(CommandContext& ctx) {
  const Db::Entry* e =
      ctx.db().FindRead(ctx.arg(2), ctx.now_ms, /*report_miss=*/false, /*touch=*/false);
  if (e == nullptr) ctx.reply.Null();
  return e;
}

bool LfuPolicy(const Config& c) { return IsLfu(c.maxmemory_policy); }

void CmdObjectEncoding(CommandContext& ctx) {
  if (const Db::Entry* e = ObjectLookupOrReply(ctx)) ctx.reply.Bulk(e->value.EncodingName());
}

// Redis shares the integer objects 0..9999 (refcount INT_MAX) for int-encoded
// strings unless maxmemory is set with an LRU/LFU policy; every other value
// has refcount 1. grabkv has no shared objects, so this uses the current
// policy, and a value COPY made from a shared integer (1 in Redis) reports
// INT_MAX here.
void CmdObjectRefcount(CommandContext& ctx) {
  const Db::Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  const Config& c = ctx.server.config();
  const bool no_shared = c.maxmemory != 0 && (LfuPolicy(c) || IsLru(c.maxmemory_policy));
  const bool shared =
      !no_shared && e->value.is_int() && e->value.int_value() >= 0 && e->value.int_value() < 10000;
  ctx.reply.Integer(shared ? INT_MAX : 1);
}

// Seconds since the key's last access (Redis's LRU clock resolution).
void CmdObjectIdletime(CommandContext& ctx) {
  const Db::Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  if (LfuPolicy(ctx.server.config())) {
    ctx.reply.Error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(storage::LruIdleMs(Db::AccessMeta(e), ctx.now_ms) / 1000));
}

// The key's logarithmic access counter after its decay (no access counted).
void CmdObjectFreq(CommandContext& ctx) {
  const Db::Entry* e = ObjectLookupOrReply(ctx);
  if (e == nullptr) return;
  if (!LfuPolicy(ctx.server.config())) {
    ctx.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
    return;
  }
  ctx.reply.Integer(ctx.server.access_tracker().LfuCounter(Db::AccessMeta(e), ctx.now_ms));
}

// Redis addReplyHelp: the header names the command as sent, upper-cased.
void CmdObjectHelp(CommandContext& ctx) {
  static constexpr const char* kHelp[] = {
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kHelp) + 1);
  ctx.reply.SimpleString(ToUpper(ctx.arg(0)) +
                         " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (const char* line : kHelp) ctx.reply.SimpleString(line);
}

}  // namespace

void RegisterKeysFamily(CommandTable& t) {
  constexpr uint32_t kW = kWrite;
  constexpr uint32_t kR = kReadonly;
  CommandFamily f(t, "generic", kAclKeyspace);
  f.Add({.name = "del", .arity = -2, .flags = kW,
         .keys = {{.flags = kRM | kDelete, .index = 1, .lastkey = -1}}, .handler = CmdDel, .tips = "request_policy:multi_shard response_policy:agg_sum",
         .summary = "Delete a key", .since = "1.0.0"});
  f.Add({.name = "unlink", .arity = -2, .flags = kW | kFast,
         .keys = {{.flags = kRM | kDelete, .index = 1, .lastkey = -1}}, .handler = CmdUnlink, .tips = "request_policy:multi_shard response_policy:agg_sum",
         .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, " "but non blocking.", .since = "4.0.0"});
  f.Add({.name = "exists", .arity = -2, .flags = kR | kFast,
         .keys = {{.flags = kRO, .index = 1, .lastkey = -1}}, .handler = CmdExists, .tips = "request_policy:multi_shard response_policy:agg_sum",
         .summary = "Determine if a key exists", .since = "1.0.0"});
  f.Add({.name = "type", .arity = 2, .flags = kR | kFast,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdType,
         .summary = "Determine the type stored at key", .since = "1.0.0"});
  f.Add({.name = "keys", .arity = 2, .flags = kR,
         .handler = CmdKeys, .acl = kAclDangerous, .tips = "request_policy:all_shards nondeterministic_output_order",
         .summary = "Find all keys matching the given pattern", .since = "1.0.0"});
  f.Add({.name = "scan", .arity = -2, .flags = kR,
         .handler = CmdScan, .tips = "nondeterministic_output request_policy:special",
         .summary = "Incrementally iterate the keys space", .since = "2.8.0"});
  f.Add({.name = "randomkey", .arity = 1, .flags = kR,
         .handler = CmdRandomKey, .tips = "request_policy:all_shards nondeterministic_output",
         .summary = "Return a random key from the keyspace", .since = "1.0.0"});
  f.Add({.name = "rename", .arity = 3, .flags = kW,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kOW | kUpdate, .index = 2}}, .handler = CmdRename,
         .summary = "Rename a key", .since = "1.0.0"});
  f.Add({.name = "renamenx", .arity = 3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kOW | kInsert, .index = 2}}, .handler = CmdRenameNx,
         .summary = "Rename a key, only if the new key does not exist", .since = "1.0.0"});
  f.Add({.name = "copy", .arity = -3, .flags = kW | kDenyOom,
         .keys = {{.flags = kRO | kAccess, .index = 1}, {.flags = kOW | kUpdate, .index = 2}}, .handler = CmdCopy,
         .summary = "Copy a key", .since = "6.2.0"});
  f.Add({.name = "move", .arity = 3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdMove,
         .summary = "Move a key to another database", .since = "1.0.0"});
  f.Add({.name = "expire", .arity = -3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdExpire,
         .summary = "Set a key's time to live in seconds", .since = "1.0.0"});
  f.Add({.name = "pexpire", .arity = -3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdPExpire,
         .summary = "Set a key's time to live in milliseconds", .since = "2.6.0"});
  f.Add({.name = "expireat", .arity = -3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdExpireAt,
         .summary = "Set the expiration for a key as a UNIX timestamp", .since = "1.2.0"});
  f.Add({.name = "pexpireat", .arity = -3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdPExpireAt,
         .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds", .since = "2.6.0"});
  f.Add({.name = "ttl", .arity = 2, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdTtl, .tips = "nondeterministic_output",
         .summary = "Get the time to live for a key in seconds", .since = "1.0.0"});
  f.Add({.name = "pttl", .arity = 2, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdPTtl, .tips = "nondeterministic_output",
         .summary = "Get the time to live for a key in milliseconds", .since = "2.6.0"});
  f.Add({.name = "expiretime", .arity = 2, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdExpireTime,
         .summary = "Get the expiration Unix timestamp for a key", .since = "7.0.0"});
  f.Add({.name = "pexpiretime", .arity = 2, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdPExpireTime,
         .summary = "Get the expiration Unix timestamp for a key in milliseconds", .since = "7.0.0"});
  f.Add({.name = "persist", .arity = 2, .flags = kW | kFast,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdPersist,
         .summary = "Remove the expiration from a key", .since = "2.2.0"});
  f.Add({.name = "touch", .arity = -2, .flags = kR | kFast,
         .keys = {{.flags = kRO, .index = 1, .lastkey = -1}}, .handler = CmdTouch, .tips = "request_policy:multi_shard response_policy:agg_sum",
         .summary = "Alters the last access time of a key(s). Returns the number of existing keys " "specified.", .since = "3.2.1"});
  f.Add(
      {.name = "object",
       .arity = -2,
       .summary = "A container for object introspection commands",
       .since = "2.2.3",
       .subcommands = {{.name = "object|encoding",
                        .arity = 3,
                        .flags = kR,
                        .keys = {{.flags = kRO, .index = 2}},
                        .handler = CmdObjectEncoding,
                        .tips = "nondeterministic_output",
                        .summary = "Inspect the internal encoding of a Redis object",
                        .since = "2.2.3"},
                       {.name = "object|help", .arity = 2, .flags = kLoading | kStale,
                        .handler = CmdObjectHelp,
                        .summary = "Show helpful text about the different subcommands", .since = "6.2.0"},
                       {.name = "object|freq", .arity = 3, .flags = kR,
                        .keys = {{.flags = kRO, .index = 2}}, .handler = CmdObjectFreq, .tips = "nondeterministic_output",
                        .summary = "Get the logarithmic access frequency counter of a Redis object", .since = "4.0.0"},
                       {.name = "object|idletime", .arity = 3, .flags = kR,
                        .keys = {{.flags = kRO, .index = 2}}, .handler = CmdObjectIdletime, .tips = "nondeterministic_output",
                        .summary = "Get the time since a Redis object was last accessed", .since = "2.2.3"},
                       {.name = "object|refcount", .arity = 3, .flags = kR,
                        .keys = {{.flags = kRO, .index = 2}}, .handler = CmdObjectRefcount, .tips = "nondeterministic_output",
                        .summary = "Get the number of references to the value of the key", .since = "2.2.3"}}});
}

}  // namespace grabkv::server
