// The string command family: GET/SET and friends, counters, ranges.
//
// Each command is split into argument parsing (Cmd*), an operation on the
// keyspace (Op*, which reports a status and never writes a reply) and the
// reply. Replies and errors are byte-identical to Redis 7.0 (t_string.c);
// the order of the checks (which error wins) follows Redis too, e.g. INCRBY
// parses its increment before looking at the key, SET validates the expire
// before GET looks at the old value.
//
// Every write goes through a storage::KeyWrite, which reports it once (with
// Redis's event name and number of changes) when it ends.
//
// Propagation (the append-only file) follows Redis 7.0's rewrites, so that a
// replay reproduces the data whatever the clock says then: a relative or
// absolute expiry becomes SET key value PXAT ms (GETEX: PEXPIREAT key ms),
// INCRBYFLOAT becomes SET key result KEEPTTL, GETSET becomes SET, GETDEL and
// an expiry already past become DEL (UNLINK with lazy freeing), and SET's GET
// option is dropped.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/string_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/value.h"

namespace grabkv::server {

namespace {

using storage::Db;
using storage::Value;

using storage::EventClass;
using storage::KeyEvent;
using storage::KeyWrite;
namespace events = storage::events;

constexpr KeyEvent kIncrByEvent{"incrby", EventClass::kString};
constexpr KeyEvent kIncrByFloatEvent{"incrbyfloat", EventClass::kString};
constexpr KeyEvent kAppendEvent{"append", EventClass::kString};
constexpr KeyEvent kSetRangeEvent{"setrange", EventClass::kString};

OpArgs MakeOpArgs(CommandContext& ctx) { return ctx.op_args(); }

// Room for any int64 in decimal.
struct IntBuf {
  char data[24];
};

// The bytes of a string value without allocating: an int is formatted into
// `buf`. REQUIRES: v.is_string().
std::string_view StringBytes(const Value& v, IntBuf* buf) {
  if (v.is_int()) {
    auto res = std::to_chars(buf->data, buf->data + sizeof(buf->data), v.int_value());
    return {buf->data, static_cast<size_t>(res.ptr - buf->data)};
  }
  std::string unused;  // only written for ints
  return v.GetString(&unused);
}

void ReplyStringValue(protocol::ReplyBuilder& reply, const Value& v) {
  IntBuf buf;
  reply.Bulk(StringBytes(v, &buf));
}

void ReplyStatus(CommandContext& ctx, OpStatus st) {
  if (IsError(st)) server::ReplyStatus(ctx.reply, st);
}

// Redis addReplyErrorExpireTime: names the command as it is registered.
void ReplyInvalidExpire(CommandContext& ctx) {
  std::string msg = "ERR invalid expire time in '";
  msg += ctx.spec->name;
  msg += "' command";
  ctx.reply.Error(msg);
}


// Writes `s` the way Redis's createStringObject does (embstr up to 44
// bytes, raw above; never int): the INCRBYFLOAT result.
void SetCreatedString(Value& v, std::string_view s) { v.SetEmbstr(s); }

// ---------------------------------------------------------------------------
// Expiry arguments (Redis getExpireMillisecondsOrReply).

enum class ExpireStatus { kOk, kNotInteger, kInvalid };

// Converts an EX/PX/EXAT/PXAT argument into absolute ms, with Redis 7.0's
// checks: positive, seconds * 1000 must not overflow, relative + now must
// not overflow.
ExpireStatus ParseExpireArg(std::string_view arg, bool seconds, bool relative, int64_t now_ms,
                            int64_t* when_ms) {
  int64_t v;
  if (!ParseInt64(arg, &v)) return ExpireStatus::kNotInteger;
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) return ExpireStatus::kInvalid;
  if (seconds) v *= 1000;
  if (relative && __builtin_add_overflow(v, now_ms, &v)) return ExpireStatus::kInvalid;
  if (v <= 0) return ExpireStatus::kInvalid;
  *when_ms = v;
  return ExpireStatus::kOk;
}

// Replies with the error for a failed ParseExpireArg.
void ReplyExpireError(CommandContext& ctx, ExpireStatus st) {
  if (st == ExpireStatus::kNotInteger) {
    ctx.reply.Error(errors::kNotInteger);
  } else {
    ReplyInvalidExpire(ctx);
  }
}

// "DEL" or "UNLINK", as Redis propagates a deletion made with or without
// lazy freeing.
std::string_view DelCommand(bool lazy) { return lazy ? "UNLINK" : "DEL"; }

// ---------------------------------------------------------------------------
// SET / GETEX options (Redis parseExtendedStringArgumentsOrReply).

enum SetFlag : uint32_t {
  kSetNx = 1 << 0,
  kSetXx = 1 << 1,
  kSetGet = 1 << 2,
  kSetKeepTtl = 1 << 3,
  kSetPersist = 1 << 4,
  kSetEx = 1 << 5,
  kSetPx = 1 << 6,
  kSetExat = 1 << 7,
  kSetPxat = 1 << 8,
};
constexpr uint32_t kSetAnyExpire = kSetEx | kSetPx | kSetExat | kSetPxat;

struct ExtendedOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT argument, if any
};

// Parses options from args[first] on. `for_set` selects SET's options
// (NX XX GET KEEPTTL) over GETEX's (PERSIST). Returns false on a syntax
// error. The same option may repeat (the last value wins); conflicting ones
// are a syntax error, exactly where Redis reports them.
bool ParseExtendedOptions(Args args, size_t first, bool for_set, ExtendedOptions* out) {
  uint32_t& f = out->flags;
  for (size_t j = first; j < args.size(); ++j) {
    std::string_view opt = AsCString(args[j]);
    const bool has_next = j + 1 < args.size();
    uint32_t expire_flag = 0;
    if (EqualsIgnoreCase(opt, "nx") && for_set && !(f & kSetXx)) {
      f |= kSetNx;
    } else if (EqualsIgnoreCase(opt, "xx") && for_set && !(f & kSetNx)) {
      f |= kSetXx;
    } else if (EqualsIgnoreCase(opt, "get") && for_set) {
      f |= kSetGet;
    } else if (EqualsIgnoreCase(opt, "keepttl") && for_set && !(f & (kSetPersist | kSetAnyExpire))) {
      f |= kSetKeepTtl;
    } else if (EqualsIgnoreCase(opt, "persist") && !for_set && !(f & (kSetAnyExpire | kSetKeepTtl))) {
      f |= kSetPersist;
    } else if (EqualsIgnoreCase(opt, "ex")) {
      expire_flag = kSetEx;
    } else if (EqualsIgnoreCase(opt, "px")) {
      expire_flag = kSetPx;
    } else if (EqualsIgnoreCase(opt, "exat")) {
      expire_flag = kSetExat;
    } else if (EqualsIgnoreCase(opt, "pxat")) {
      expire_flag = kSetPxat;
    } else {
      return false;
    }
    if (expire_flag != 0) {
      // Another expire kind (not the same one again), KEEPTTL or PERSIST
      // conflict; the value must follow.
      const uint32_t conflicts = (kSetAnyExpire & ~expire_flag) | kSetKeepTtl | kSetPersist;
      if ((f & conflicts) || !has_next) return false;
      f |= expire_flag;
      out->expire = args[++j];
    }
  }
  return true;
}

// Absolute expiry from parsed options. REQUIRES: opts.flags & kSetAnyExpire.
ExpireStatus ExpireFromOptions(const ExtendedOptions& opts, int64_t now_ms, int64_t* when_ms) {
  const bool seconds = opts.flags & (kSetEx | kSetExat);
  const bool relative = opts.flags & (kSetEx | kSetPx);
  return ParseExpireArg(opts.expire, seconds, relative, now_ms, when_ms);
}

}  // namespace

// ---------------------------------------------------------------------------
// Operations (string_ops.h).

// A string value for reading (hits/misses counted): *out is nullptr when the
// key is missing.
OpStatus OpGet(const OpArgs& op, std::string_view key, const Value** out) {
  Db::Entry* e = op.db.FindRead(key, op.now_ms);
  if (e == nullptr) {
    *out = nullptr;
    return OpStatus::kOk;
  }
  if (!e->value.is_string()) return OpStatus::kWrongType;
  *out = &e->value;
  return OpStatus::kOk;
}

// SET: stores `val` (encoded like Redis's tryObjectEncoding) unless NX/XX
// says otherwise; kSkipped when it did not.
OpStatus OpSet(const OpArgs& op, std::string_view key, std::string_view val, const SetParams& p) {
  KeyWrite w(op.db, key, op.now_ms);
  if ((p.nx && w) || (p.xx && !w)) return OpStatus::kSkipped;
  if (p.keep_ttl && w) {
    w.value().SetString(val);
  } else {
    Value v;
    v.SetString(val);
    w.Replace(std::move(v));
  }
  w.Note(events::kSet);
  if (p.expire_at_ms > 0) {
    w.SetExpire(p.expire_at_ms);
    w.Note(events::kExpire, 0);  // Redis counts SET EX as one change
  }
  return OpStatus::kOk;
}

// MSET / MSETNX. `kv` alternates keys and values. With nx, sets nothing
// (kSkipped) when any key exists.
OpStatus OpMSet(const OpArgs& op, Args kv, bool nx) {
  if (nx) {
    for (size_t i = 0; i < kv.size(); i += 2) {
      if (op.db.Find(kv[i], op.now_ms) != nullptr) return OpStatus::kSkipped;
    }
  }
  for (size_t i = 0; i < kv.size(); i += 2) {
    Value v;
    v.SetString(kv[i + 1]);
    op.db.Set(kv[i], std::move(v), op.now_ms);  // reports "set", one change
  }
  return OpStatus::kOk;
}

bool OpDel(const OpArgs& op, std::string_view key) { return op.db.Delete(key, op.now_ms); }

// INCRBY and friends: the key keeps its TTL; the result is int-encoded.
OpStatus OpIncrBy(const OpArgs& op, std::string_view key, int64_t delta, int64_t* result) {
  KeyWrite w(op.db, key, op.now_ms);
  Db::Entry* e = w.entry();
  int64_t cur = 0;
  if (e != nullptr) {
    if (!e->value.is_string()) return OpStatus::kWrongType;
    if (e->value.is_int()) {
      cur = e->value.int_value();
    } else {
      std::string unused;
      if (!ParseInt64(e->value.GetString(&unused), &cur)) return OpStatus::kNotInteger;
    }
  }
  int64_t next;
  if (__builtin_add_overflow(cur, delta, &next)) return OpStatus::kOverflow;
  if (e != nullptr) {
    e->value.SetInt(next);
  } else {
    Value v;
    v.SetInt(next);
    w.Create(std::move(v));
  }
  w.Note(kIncrByEvent);
  *result = next;
  return OpStatus::kOk;
}

// INCRBYFLOAT: the key keeps its TTL. `incr_arg` is parsed after the stored
// value (Redis's order of errors). On success *result holds the reply text.
OpStatus OpIncrByFloat(const OpArgs& op, std::string_view key, std::string_view incr_arg,
                       std::string* result) {
  KeyWrite w(op.db, key, op.now_ms);
  Db::Entry* e = w.entry();
  long double cur = 0;
  if (e != nullptr) {
    if (!e->value.is_string()) return OpStatus::kWrongType;
    if (e->value.is_int()) {
      cur = static_cast<long double>(e->value.int_value());
    } else {
      std::string unused;
      if (!ParseLongDouble(e->value.GetString(&unused), &cur)) return OpStatus::kNotFloat;
    }
  }
  long double incr;
  if (!ParseLongDouble(incr_arg, &incr)) return OpStatus::kNotFloat;
  cur += incr;
  if (std::isnan(cur) || std::isinf(cur)) return OpStatus::kIncrNan;
  *result = FormatLongDouble(cur);
  if (e != nullptr) {
    SetCreatedString(e->value, *result);
  } else {
    Value v;
    SetCreatedString(v, *result);
    w.Create(std::move(v));
  }
  w.Note(kIncrByFloatEvent);
  return OpStatus::kOk;
}

// Redis checkStringLength: would `size + append` bytes exceed the limit?
static bool ExceedsMaxSize(uint64_t size, uint64_t append, int64_t max) {
  uint64_t total = size + append;
  return total < size || total > static_cast<uint64_t>(max);
}

// APPEND: a new key is stored like SET; an existing one becomes raw.
OpStatus OpAppend(const OpArgs& op, std::string_view key, std::string_view tail, int64_t max_len,
                  size_t* new_len) {
  KeyWrite w(op.db, key, op.now_ms);
  Db::Entry* e = w.entry();
  if (e == nullptr) {
    Value v;
    v.SetString(tail);
    w.Create(std::move(v));
    *new_len = tail.size();
  } else {
    if (!e->value.is_string()) return OpStatus::kWrongType;
    if (ExceedsMaxSize(e->value.StringLength(), tail.size(), max_len)) return OpStatus::kTooBig;
    std::string* s = e->value.MutableRawString();
    s->append(tail);
    *new_len = s->size();
  }
  w.Note(kAppendEvent);
  return OpStatus::kOk;
}

// SETRANGE. REQUIRES: offset >= 0. An empty `part` changes nothing and
// creates nothing; *new_len is then the current length (0 when missing).
OpStatus OpSetRange(const OpArgs& op, std::string_view key, int64_t offset, std::string_view part,
                    int64_t max_len, size_t* new_len) {
  KeyWrite w(op.db, key, op.now_ms);
  Db::Entry* e = w.entry();
  if (e != nullptr && !e->value.is_string()) return OpStatus::kWrongType;
  if (part.empty()) {
    *new_len = e != nullptr ? e->value.StringLength() : 0;
    return OpStatus::kOk;
  }
  if (ExceedsMaxSize(static_cast<uint64_t>(offset), part.size(), max_len)) return OpStatus::kTooBig;
  const size_t end = static_cast<size_t>(offset) + part.size();
  if (e == nullptr) {
    Value v;
    std::string* s = v.MutableRawString();
    s->resize(end);  // zero-filled up to offset
    std::memcpy(s->data() + offset, part.data(), part.size());
    *new_len = s->size();
    w.Create(std::move(v));
  } else {
    std::string* s = e->value.MutableRawString();
    if (s->size() < end) s->resize(end);
    std::memcpy(s->data() + offset, part.data(), part.size());
    *new_len = s->size();
  }
  w.Note(kSetRangeEvent);
  return OpStatus::kOk;
}

namespace {

// GETRANGE index rules (Redis getrangeCommand): negative indexes count from
// the end, both ends are clamped, an empty range gives "".
std::string_view Substring(std::string_view s, int64_t start, int64_t end) {
  const int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

// ---------------------------------------------------------------------------
// Commands.

// Replies with the value of `key` like Redis's getGenericCommand; false
// (after replying WRONGTYPE) when the key holds another type.
bool GetGeneric(CommandContext& ctx, const OpArgs& op, std::string_view key) {
  const Value* v;
  if (OpGet(op, key, &v) != OpStatus::kOk) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  if (v == nullptr) {
    ctx.reply.Null();
  } else {
    ReplyStringValue(ctx.reply, *v);
  }
  return true;
}

void CmdGet(CommandContext& ctx) { GetGeneric(ctx, MakeOpArgs(ctx), ctx.arg(1)); }

// Records SET as sent minus its GET options, which a replay does not need
// (Redis skips every "get" from the fourth argument on).
void PropagateWithoutGet(CommandContext& ctx) {
  std::vector<std::string_view> argv;
  argv.reserve(ctx.argc());
  for (size_t j = 0; j < ctx.argc(); ++j) {
    if (j >= 3 && EqualsIgnoreCase(AsCString(ctx.arg(j)), "get")) continue;
    argv.push_back(ctx.arg(j));
  }
  ctx.Propagate(Args(argv));
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]
void CmdSet(CommandContext& ctx) {
  ExtendedOptions opts;
  if (!ParseExtendedOptions(ctx.args, 3, /*for_set=*/true, &opts)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  OpArgs op = MakeOpArgs(ctx);
  SetParams p;
  p.nx = opts.flags & kSetNx;
  p.xx = opts.flags & kSetXx;
  p.keep_ttl = opts.flags & kSetKeepTtl;
  if (opts.flags & kSetAnyExpire) {
    ExpireStatus st = ExpireFromOptions(opts, ctx.now_ms, &p.expire_at_ms);
    if (st != ExpireStatus::kOk) return ReplyExpireError(ctx, st);
  }
  const bool get = opts.flags & kSetGet;
  // With GET the reply is the old value, sent before the key changes.
  if (get && !GetGeneric(ctx, op, ctx.arg(1))) return;
  OpStatus st = OpSet(op, ctx.arg(1), ctx.arg(2), p);
  if (st == OpStatus::kSkipped) {
    ctx.PropagateNothing();
  } else if (ctx.propagating() && p.expire_at_ms > 0) {
    // Redis: exactly SET key value PXAT ms (NX/XX/GET are not needed).
    const std::string ms = std::to_string(p.expire_at_ms);
    ctx.Propagate({"SET", ctx.arg(1), ctx.arg(2), "PXAT", ms});
  } else if (ctx.propagating() && get) {
    PropagateWithoutGet(ctx);
  }
  if (get) return;
  if (st == OpStatus::kSkipped) {
    ctx.reply.Null();
  } else {
    ctx.reply.Ok();
  }
}

void CmdSetNx(CommandContext& ctx) {
  SetParams p;
  p.nx = true;
  OpStatus st = OpSet(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2), p);
  ctx.reply.Integer(st == OpStatus::kOk ? 1 : 0);
}

// SETEX key seconds value / PSETEX key milliseconds value.
void SetWithExpire(CommandContext& ctx, bool seconds) {
  SetParams p;
  ExpireStatus est = ParseExpireArg(ctx.arg(2), seconds, /*relative=*/true, ctx.now_ms, &p.expire_at_ms);
  if (est != ExpireStatus::kOk) return ReplyExpireError(ctx, est);
  OpSet(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(3), p);
  if (ctx.propagating()) {
    const std::string ms = std::to_string(p.expire_at_ms);
    ctx.Propagate({"SET", ctx.arg(1), ctx.arg(3), "PXAT", ms});
  }
  ctx.reply.Ok();
}

void CmdSetEx(CommandContext& ctx) { SetWithExpire(ctx, /*seconds=*/true); }
void CmdPSetEx(CommandContext& ctx) { SetWithExpire(ctx, /*seconds=*/false); }

void CmdGetSet(CommandContext& ctx) {
  OpArgs op = MakeOpArgs(ctx);
  if (!GetGeneric(ctx, op, ctx.arg(1))) return;
  OpSet(op, ctx.arg(1), ctx.arg(2), SetParams{});
  ctx.Propagate({"SET", ctx.arg(1), ctx.arg(2)});
}

void CmdGetDel(CommandContext& ctx) {
  ctx.PropagateNothing();
  OpArgs op = MakeOpArgs(ctx);
  if (!GetGeneric(ctx, op, ctx.arg(1))) return;
  if (OpDel(op, ctx.arg(1))) {
    ctx.Propagate({DelCommand(ctx.server.config().lazyfree_lazy_user_del), ctx.arg(1)});
  }
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]
void CmdGetEx(CommandContext& ctx) {
  ctx.PropagateNothing();  // unless it changes the key (below)
  ExtendedOptions opts;
  if (!ParseExtendedOptions(ctx.args, 2, /*for_set=*/false, &opts)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  OpArgs op = MakeOpArgs(ctx);
  std::string_view key = ctx.arg(1);
  // Unlike SET, the key is looked up before the expire is validated.
  Db::Entry* e = op.db.FindRead(key, op.now_ms);
  KeyWrite w(op.db, key, op.now_ms);  // finds e again (no second lazy expiry)
  if (e == nullptr) return ctx.reply.Null();
  if (!e->value.is_string()) return ctx.reply.Error(errors::kWrongType);
  int64_t when = 0;
  if (opts.flags & kSetAnyExpire) {
    ExpireStatus st = ExpireFromOptions(opts, op.now_ms, &when);
    if (st != ExpireStatus::kOk) return ReplyExpireError(ctx, st);
  }
  ReplyStringValue(ctx.reply, e->value);
  if ((opts.flags & (kSetExat | kSetPxat)) && when <= op.now_ms && !ctx.loading) {
    // An absolute time already past deletes the key (not while replaying
    // the append-only file, as Redis's checkAlreadyExpired).
    w.Delete();
    ctx.Propagate({DelCommand(ctx.server.config().lazyfree_lazy_expire), key});
  } else if (opts.flags & kSetAnyExpire) {
    w.SetExpire(when);
    w.Note(events::kExpire);
    if (ctx.propagating()) ctx.Propagate({"PEXPIREAT", key, std::to_string(when)});
  } else if (opts.flags & kSetPersist) {
    if (w.Persist()) {
      w.Note(events::kPersist);
      ctx.Propagate({"PERSIST", key});
    }
  }
}

void CmdMGet(CommandContext& ctx) {
  OpArgs op = MakeOpArgs(ctx);
  ctx.reply.ArrayHeader(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Db::Entry* e = op.db.FindRead(ctx.arg(i), op.now_ms);
    if (e == nullptr || !e->value.is_string()) {
      ctx.reply.Null();
    } else {
      ReplyStringValue(ctx.reply, e->value);
    }
  }
}

void MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) return ctx.reply.Error(errors::WrongNumArgs(ctx.spec->name));
  OpStatus st = OpMSet(MakeOpArgs(ctx), ctx.args.subspan(1), nx);
  if (nx) {
    ctx.reply.Integer(st == OpStatus::kOk ? 1 : 0);
  } else {
    ctx.reply.Ok();
  }
}

void CmdMSet(CommandContext& ctx) { MSetGeneric(ctx, /*nx=*/false); }
void CmdMSetNx(CommandContext& ctx) { MSetGeneric(ctx, /*nx=*/true); }

void IncrReply(CommandContext& ctx, int64_t delta) {
  int64_t result;
  OpStatus st = OpIncrBy(MakeOpArgs(ctx), ctx.arg(1), delta, &result);
  if (st == OpStatus::kOk) return ctx.reply.Integer(result);
  ReplyStatus(ctx, st);
}

void CmdIncr(CommandContext& ctx) { IncrReply(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrReply(ctx, -1); }

void CmdIncrBy(CommandContext& ctx) {
  int64_t delta;
  if (!ParseInt64(ctx.arg(2), &delta)) return ctx.reply.Error(errors::kNotInteger);
  IncrReply(ctx, delta);
}

void CmdDecrBy(CommandContext& ctx) {
  int64_t delta;
  if (!ParseInt64(ctx.arg(2), &delta)) return ctx.reply.Error(errors::kNotInteger);
  // Negating INT64_MIN overflows.
  if (delta == INT64_MIN) return ctx.reply.Error("ERR decrement would overflow");
  IncrReply(ctx, -delta);
}

void CmdIncrByFloat(CommandContext& ctx) {
  std::string result;
  OpStatus st = OpIncrByFloat(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2), &result);
  if (st != OpStatus::kOk) return ReplyStatus(ctx, st);
  // The float arithmetic is not replayed: the result is.
  ctx.Propagate({"SET", ctx.arg(1), result, "KEEPTTL"});
  ctx.reply.Bulk(result);
}

void CmdAppend(CommandContext& ctx) {
  size_t len;
  OpStatus st = OpAppend(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2),
                         ctx.server.config().proto_max_bulk_len, &len);
  if (st == OpStatus::kOk) return ctx.reply.Integer(static_cast<int64_t>(len));
  ReplyStatus(ctx, st);
}

void CmdStrLen(CommandContext& ctx) {
  const Value* v;
  if (OpGet(MakeOpArgs(ctx), ctx.arg(1), &v) != OpStatus::kOk) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(v->StringLength()));
}

void CmdGetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end))
    return ctx.reply.Error(errors::kNotInteger);
  const Value* v;
  if (OpGet(MakeOpArgs(ctx), ctx.arg(1), &v) != OpStatus::kOk) return ctx.reply.Error(errors::kWrongType);
  if (v == nullptr) return ctx.reply.Bulk({});
  IntBuf buf;
  ctx.reply.Bulk(Substring(StringBytes(*v, &buf), start, end));
}

void CmdSetRange(CommandContext& ctx) {
  int64_t offset;
  if (!ParseInt64(ctx.arg(2), &offset)) return ctx.reply.Error(errors::kNotInteger);
  if (offset < 0) return ctx.reply.Error(errors::kOffsetOutOfRange);
  size_t len;
  OpStatus st = OpSetRange(MakeOpArgs(ctx), ctx.arg(1), offset, ctx.arg(3),
                           ctx.server.config().proto_max_bulk_len, &len);
  if (st == OpStatus::kOk) return ctx.reply.Integer(static_cast<int64_t>(len));
  ReplyStatus(ctx, st);
}

}  // namespace

// Rows checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterStringFamily(CommandTable& t) {
  CommandFamily f(t, "string", kAclString);
  f.Add({.name = "get", .arity = 2, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGet,
         .summary = "Get the value of a key", .since = "1.0.0"});
  f.Add({.name = "set", .arity = -3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kAccess | kUpdate | kVariableFlags, .notes = "RW and ACCESS due to the optional `GET` argument", .index = 1}}, .handler = CmdSet, .getkeys = SetGetKeys,
         .summary = "Set the string value of a key", .since = "1.0.0"});
  f.Add({.name = "setnx", .arity = 3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kOW | kInsert, .index = 1}}, .handler = CmdSetNx,
         .summary = "Set the value of a key, only if the key does not exist", .since = "1.0.0"});
  f.Add({.name = "setex", .arity = 4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}}, .handler = CmdSetEx,
         .summary = "Set the value and expiration of a key", .since = "2.0.0"});
  f.Add({.name = "psetex", .arity = 4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}}, .handler = CmdPSetEx,
         .summary = "Set the value and expiration in milliseconds of a key", .since = "2.6.0"});
  f.Add({.name = "getset", .arity = 3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdGetSet,
         .summary = "Set the string value of a key and return its old value", .since = "1.0.0"});
  f.Add({.name = "getdel", .arity = 2, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}}, .handler = CmdGetDel,
         .summary = "Get the value of a key and delete the key", .since = "6.2.0"});
  f.Add({.name = "getex", .arity = -2, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .notes = "RW and UPDATE because it changes the TTL", .index = 1}}, .handler = CmdGetEx,
         .summary = "Get the value of a key and optionally set its expiration", .since = "6.2.0"});
  f.Add({.name = "mget", .arity = -2, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1, .lastkey = -1}}, .handler = CmdMGet, .tips = "request_policy:multi_shard",
         .summary = "Get the values of all the given keys", .since = "1.0.0"});
  f.Add({.name = "mset", .arity = -3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1, .lastkey = -1, .keystep = 2}}, .handler = CmdMSet, .tips = "request_policy:multi_shard response_policy:all_succeeded",
         .summary = "Set multiple keys to multiple values", .since = "1.0.1"});
  f.Add({.name = "msetnx", .arity = -3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kInsert, .index = 1, .lastkey = -1, .keystep = 2}}, .handler = CmdMSetNx, .tips = "request_policy:multi_shard response_policy:agg_min",
         .summary = "Set multiple keys to multiple values, only if none of the keys exist", .since = "1.0.1"});
  f.Add({.name = "incr", .arity = 2, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdIncr,
         .summary = "Increment the integer value of a key by one", .since = "1.0.0"});
  f.Add({.name = "decr", .arity = 2, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdDecr,
         .summary = "Decrement the integer value of a key by one", .since = "1.0.0"});
  f.Add({.name = "incrby", .arity = 3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdIncrBy,
         .summary = "Increment the integer value of a key by the given amount", .since = "1.0.0"});
  f.Add({.name = "decrby", .arity = 3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdDecrBy,
         .summary = "Decrement the integer value of a key by the given number", .since = "1.0.0"});
  f.Add({.name = "incrbyfloat", .arity = 3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdIncrByFloat,
         .summary = "Increment the float value of a key by the given amount", .since = "2.6.0"});
  f.Add({.name = "append", .arity = 3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdAppend,
         .summary = "Append a value to a key", .since = "2.0.0"});
  f.Add({.name = "strlen", .arity = 2, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdStrLen,
         .summary = "Get the length of the value stored in a key", .since = "2.2.0"});
  f.Add({.name = "getrange", .arity = 4, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGetRange,
         .summary = "Get a substring of the string stored at a key", .since = "2.4.0"});
  // SUBSTR is GETRANGE's old name, kept by Redis (deprecated since 2.0.0).
  f.Add({.name = "substr", .arity = 4, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGetRange,
         .summary = "Get a substring of the string stored at a key", .since = "1.0.0"});
  f.Add({.name = "setrange", .arity = 4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdSetRange,
         .summary = "Overwrite part of a string at key starting at the specified offset", .since = "2.2.0"});
}

}  // namespace grabkv::server
