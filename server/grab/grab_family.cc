// GRAB.* — native, atomic, idempotent issuing commands.
//
// Each command is one atomic operation on ordinary keys: a list of items
// (`stock`), a hash of claims (`claims[user] = item` or the units taken) and
// an integer counter, plus an optional outbox list of JSON entries for a
// worker to drain (reliable-queue pattern). Because the data stays ordinary
// Redis types, LRANGE/HGETALL/GET/EXPIRE and existing scripts keep working.
//
// Idempotency: a user who already holds a claim gets the same answer again
// and nothing changes (a retry after a lost reply is safe); only state
// changes produce outbox entries.
//
// Propagation (the append-only file) records each command's effects as
// plain Redis commands, in the order they happen, so that real Redis can
// load the file too: GRAB.POP = LPOP stock, HSET claims user item; GRAB.UNDO
// = HDEL claims user, LPUSH stock item; GRAB.TAKE = DECRBY counter n, HSET
// claims user n; GRAB.UNTAKE = HDEL claims user, INCRBY counter n; each then
// RPUSH outbox <entry> with OUTBOX; GRAB.SPLIT = RPUSH stock <shares> in
// chunks. The Propagator wraps several effects in MULTI/EXEC. A replayed or
// sold-out grab (and an error) records nothing.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/grab/grab_rng.h"
#include "server/commands/hash_ops.h"
#include "server/commands/list_ops.h"
#include "server/commands/string_ops.h"
#include "server/core/errors.h"
#include "server/core/log.h"
#include "server/core/notify.h"
#include "server/core/server_state.h"
#include "server/grab/grab_state.h"
#include "server/core/util.h"
#include "storage/hash.h"
#include "storage/list.h"

namespace grabkv::server {

namespace {

using storage::Db;
using storage::Hash;
using storage::List;
using storage::ValueType;


// --- argument parsing --------------------------------------------------------

struct GrabArgs {
  std::string_view outbox;  // empty view with has_outbox false when absent
  bool has_outbox = false;
  int64_t count = 1;
  bool has_count = false;
};

// Parses the options after the fixed arguments. `allow_count` for TAKE.
bool ParseOptions(CommandContext& ctx, size_t from, bool allow_count, GrabArgs* out) {
  for (size_t i = from; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "OUTBOX") && more) {
      out->outbox = ctx.arg(++i);
      out->has_outbox = true;
    } else if (allow_count && EqualsIgnoreCase(opt, "COUNT") && more) {
      int64_t n;
      if (!ParseInt64(ctx.arg(++i), &n) || n < 1) {
        ctx.reply.Error("ERR COUNT must be a positive integer");
        return false;
      }
      out->count = n;
      out->has_count = true;
    } else {
      ctx.reply.Error("ERR syntax error");
      return false;
    }
  }
  return true;
}

// --- typed access (all type checks happen before anything changes) -------

// Looks up a key that must hold `type` when present. Sets *wrong on a type
// mismatch; returns nullptr when missing.
Db::Entry* Lookup(CommandContext& ctx, std::string_view key, ValueType type, bool* wrong) {
  Db::Entry* e = ctx.db().Find(key, ctx.now_ms);
  if (e != nullptr && e->value.type() != type) *wrong = true;
  return e;
}

// Looks up the OUTBOX list, if any. It cannot also be the claims hash or the
// counter string, even while those keys are missing: the command would
// create them as another type (WRONGTYPE, like any type clash).
void LookupOutbox(CommandContext& ctx, const GrabArgs& a, std::string_view claims_key,
                  std::optional<std::string_view> counter_key, bool* wrong) {
  if (!a.has_outbox) return;
  if (a.outbox == claims_key || a.outbox == counter_key) *wrong = true;
  Lookup(ctx, a.outbox, ValueType::kList, wrong);
}

// The writes below are the families' own operations (list_ops.h,
// hash_ops.h, string_ops.h): each reports itself (event, change count,
// deletion of an emptied container) exactly as LPOP/HSET/DECRBY... would.
// Every type and number was checked first, so none of them can fail
// half-way; if one ever did (a missed check), say so in the log rather than
// stop the server.
void Checked(OpStatus st) {
  if (st != OpStatus::kOk) {
    Log(LogLevel::kWarning, "GRAB.*: an operation failed after its checks passed (%.*s)",
        static_cast<int>(StatusError(st).size()), StatusError(st).data());
  }
}

// --- outbox entries ------------------------------------------------------------

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// {"op":"pop","stock":"rp:9","user":"u42","item":"88","ms":1763700000123}
std::string OutboxEntry(std::string_view op, std::string_view source_field,
                        std::string_view source, std::string_view user,
                        std::string_view item_field, std::string_view item, bool item_is_number,
                        int64_t ms) {
  std::string j = "{\"op\":";
  AppendJsonString(&j, op);
  j += ",\"";
  j += source_field;
  j += "\":";
  AppendJsonString(&j, source);
  j += ",\"user\":";
  AppendJsonString(&j, user);
  j += ",\"";
  j += item_field;
  j += "\":";
  if (item_is_number) {
    j += item;
  } else {
    AppendJsonString(&j, item);
  }
  j += ",\"ms\":";
  j += std::to_string(ms);
  j += '}';
  return j;
}

void PushOutbox(CommandContext& ctx, const GrabArgs& a, const std::string& entry) {
  if (!a.has_outbox) return;
  std::string_view element = entry;
  size_t len;
  Checked(OpPush(ctx.op_args(), a.outbox, /*front=*/false, /*only_existing=*/false,
               Args(&element, 1), &len));
  ctx.Propagate({"RPUSH", a.outbox, entry});
}

// A grab that changed state notifies its own event (class g, generic: a grab
// spans several types) on its first key, after the events of its effects
// (lpop, hset, rpush ... as the write path reported them).
void NotifyGrab(CommandContext& ctx, const char* event, std::string_view key) {
  if (ctx.server.config().notify_keyspace_flags == 0) return;  // off: one branch
  NotifyKeyspaceEvent(ctx.server, kNotifyGeneric, event, key, ctx.client.db_index());
}

// --- GRAB.POP / GRAB.UNDO -------------------------------------------------------

void CmdGrabPop(CommandContext& ctx) {
  ctx.PropagateNothing();  // never recorded as sent: real Redis cannot load it
  std::string_view stock_key = ctx.arg(1), claims_key = ctx.arg(2), user = ctx.arg(3);
  GrabArgs a;
  if (!ParseOptions(ctx, 4, false, &a)) return;
  bool wrong = false;
  Db::Entry* claims_e = Lookup(ctx, claims_key, ValueType::kHash, &wrong);
  Db::Entry* stock_e = Lookup(ctx, stock_key, ValueType::kList, &wrong);
  LookupOutbox(ctx, a, claims_key, std::nullopt, &wrong);
  if (wrong) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  GrabStats& st = GrabStatsOf(ctx.server);
  if (claims_e != nullptr) {
    if (auto held = claims_e->value.As<Hash>()->Get(user)) {
      st.replayed++;
      ctx.reply.Bulk(*held);
      return;
    }
  }
  if (stock_e == nullptr) {
    st.sold_out++;
    ctx.reply.Null();
    return;
  }
  const OpArgs op = ctx.op_args();
  std::string item;
  Checked(OpPopOne(op, stock_key, /*front=*/true, &item));
  ctx.Propagate({"LPOP", stock_key});
  Checked(OpHSetField(op, claims_key, user, item, HashLimitsOf(ctx.server.config())));
  ctx.Propagate({"HSET", claims_key, user, item});
  PushOutbox(ctx, a, OutboxEntry("pop", "stock", stock_key, user, "item", item, false, ctx.now_ms));
  NotifyGrab(ctx, "grab.pop", stock_key);
  st.issued++;
  ctx.reply.Bulk(item);
}

void CmdGrabUndo(CommandContext& ctx) {
  ctx.PropagateNothing();  // effects below
  std::string_view stock_key = ctx.arg(1), claims_key = ctx.arg(2), user = ctx.arg(3);
  GrabArgs a;
  if (!ParseOptions(ctx, 4, false, &a)) return;
  bool wrong = false;
  Db::Entry* claims_e = Lookup(ctx, claims_key, ValueType::kHash, &wrong);
  Lookup(ctx, stock_key, ValueType::kList, &wrong);
  LookupOutbox(ctx, a, claims_key, std::nullopt, &wrong);
  if (wrong) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  if (claims_e == nullptr) {
    ctx.reply.Null();
    return;
  }
  Hash* claims = claims_e->value.As<Hash>();
  auto held = claims->Get(user);
  if (!held) {
    ctx.reply.Null();
    return;
  }
  std::string item(*held);
  const OpArgs op = ctx.op_args();
  Checked(OpHDelField(op, claims_key, user));
  ctx.Propagate({"HDEL", claims_key, user});
  // Back to the head: the returned item is the next one issued.
  std::string_view element = item;
  size_t len;
  Checked(OpPush(op, stock_key, /*front=*/true, /*only_existing=*/false, Args(&element, 1), &len));
  ctx.Propagate({"LPUSH", stock_key, item});
  PushOutbox(ctx, a, OutboxEntry("undo", "stock", stock_key, user, "item", item, false, ctx.now_ms));
  NotifyGrab(ctx, "grab.undo", stock_key);
  GrabStatsOf(ctx.server).undone++;
  ctx.reply.Bulk(item);
}

// --- GRAB.TAKE / GRAB.UNTAKE -----------------------------------------------------

// Reads the integer counter (missing = 0). Replies the error and returns
// false when the key is not an integer string.
bool ReadCounter(CommandContext& ctx, Db::Entry* e, int64_t* out) {
  *out = 0;
  if (e == nullptr) return true;
  if (e->value.is_int()) {
    *out = e->value.int_value();
    return true;
  }
  std::string scratch;
  if (!ParseInt64(e->value.GetString(&scratch), out)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  return true;
}

// GRAB.TAKE/UNTAKE counter claims user [...]: parses the options and finds
// the counter and the claims hash (checking the outbox's type too). The
// effects are recorded by the caller. False when an error was replied.
bool CounterGrabPrologue(CommandContext& ctx, bool take, GrabArgs* a, Db::Entry** claims_e,
                         Db::Entry** counter_e) {
  ctx.PropagateNothing();
  if (!ParseOptions(ctx, 4, take, a)) return false;
  bool wrong = false;
  *claims_e = Lookup(ctx, ctx.arg(2), ValueType::kHash, &wrong);
  *counter_e = Lookup(ctx, ctx.arg(1), ValueType::kString, &wrong);
  LookupOutbox(ctx, *a, ctx.arg(2), ctx.arg(1), &wrong);
  if (wrong) ctx.reply.Error(errors::kWrongType);
  return !wrong;
}

// The units a claim of GRAB.TAKE records; replies the error and returns false
// when the claim is not a positive integer.
bool HeldUnits(CommandContext& ctx, std::string_view held, int64_t* units) {
  if (!ParseInt64(held, units) || *units < 1) {
    ctx.reply.Error("ERR claim is not a number of units taken");
    return false;
  }
  return true;
}

void CmdGrabTake(CommandContext& ctx) {
  std::string_view counter_key = ctx.arg(1), claims_key = ctx.arg(2), user = ctx.arg(3);
  GrabArgs a;
  Db::Entry *claims_e, *counter_e;
  if (!CounterGrabPrologue(ctx, /*take=*/true, &a, &claims_e, &counter_e)) return;
  GrabStats& st = GrabStatsOf(ctx.server);
  if (claims_e != nullptr) {
    if (auto held = claims_e->value.As<Hash>()->Get(user)) {
      // A retry answers the units taken before; a claim that is not a
      // number of units (e.g. an item GRAB.POP recorded in the same hash) is
      // an error, as for GRAB.UNTAKE, never a silent 0.
      int64_t n;
      if (!HeldUnits(ctx, *held, &n)) return;
      st.replayed++;
      ctx.reply.Integer(n);
      return;
    }
  }
  int64_t have;
  if (!ReadCounter(ctx, counter_e, &have)) return;
  if (have < a.count) {
    st.sold_out++;
    ctx.reply.Integer(0);
    return;
  }
  const OpArgs op = ctx.op_args();
  int64_t left;
  Checked(OpIncrBy(op, counter_key, -a.count, &left));  // DECRBY: keeps the TTL
  std::string n = std::to_string(a.count);
  ctx.Propagate({"DECRBY", counter_key, n});
  Checked(OpHSetField(op, claims_key, user, n, HashLimitsOf(ctx.server.config())));
  ctx.Propagate({"HSET", claims_key, user, n});
  PushOutbox(ctx, a, OutboxEntry("take", "counter", counter_key, user, "count", n, true, ctx.now_ms));
  NotifyGrab(ctx, "grab.take", counter_key);
  st.taken++;
  ctx.reply.Integer(a.count);
}

void CmdGrabUntake(CommandContext& ctx) {
  std::string_view counter_key = ctx.arg(1), claims_key = ctx.arg(2), user = ctx.arg(3);
  GrabArgs a;
  Db::Entry *claims_e, *counter_e;
  if (!CounterGrabPrologue(ctx, /*take=*/false, &a, &claims_e, &counter_e)) return;
  std::optional<std::string_view> held;
  if (claims_e != nullptr) held = claims_e->value.As<Hash>()->Get(user);
  if (!held) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t units;
  if (!HeldUnits(ctx, *held, &units)) return;
  int64_t have;
  if (!ReadCounter(ctx, counter_e, &have)) return;
  if (have > INT64_MAX - units) {
    ctx.reply.Error("ERR increment or decrement would overflow");
    return;
  }
  std::string n(*held);
  const OpArgs op = ctx.op_args();
  Checked(OpHDelField(op, claims_key, user));
  ctx.Propagate({"HDEL", claims_key, user});
  int64_t now_have;
  Checked(OpIncrBy(op, counter_key, units, &now_have));
  ctx.Propagate({"INCRBY", counter_key, n});
  PushOutbox(ctx, a, OutboxEntry("untake", "counter", counter_key, user, "count", n, true, ctx.now_ms));
  NotifyGrab(ctx, "grab.untake", counter_key);
  GrabStatsOf(ctx.server).untaken++;
  ctx.reply.Integer(units);
}

// --- GRAB.SPLIT ------------------------------------------------------------------

constexpr int64_t kMaxShares = 1000000;

// Shares per recorded RPUSH: keeps each command of the file small.
constexpr size_t kSharesPerPush = 1024;

// Records the new list as RPUSH stock s1 s2 ... (the split is random).
void PropagateShares(CommandContext& ctx, std::string_view stock_key,
                     const std::vector<int64_t>& shares) {
  if (!ctx.propagating()) return;
  std::vector<std::string> text;
  std::vector<std::string_view> argv;
  for (size_t from = 0; from < shares.size(); from += kSharesPerPush) {
    const size_t to = std::min(shares.size(), from + kSharesPerPush);
    text.clear();
    for (size_t i = from; i < to; ++i) text.push_back(std::to_string(shares[i]));
    argv.assign({"RPUSH", stock_key});
    argv.insert(argv.end(), text.begin(), text.end());
    ctx.Propagate(Args(argv));
  }
}

void CmdGrabSplit(CommandContext& ctx) {
  ctx.PropagateNothing();  // effects below
  std::string_view stock_key = ctx.arg(1);
  int64_t total, count, min = 1;
  uint64_t seed = 0;
  bool has_seed = false;
  if (!ParseInt64(ctx.arg(2), &total) || !ParseInt64(ctx.arg(3), &count)) {
    ctx.reply.Error("ERR value is not an integer or out of range");
    return;
  }
  for (size_t i = 4; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    bool more = i + 1 < ctx.argc();
    int64_t v;
    if (EqualsIgnoreCase(opt, "MIN") && more) {
      if (!ParseInt64(ctx.arg(++i), &v) || v < 1) {
        ctx.reply.Error("ERR MIN must be a positive integer");
        return;
      }
      min = v;
    } else if (EqualsIgnoreCase(opt, "SEED") && more) {
      if (!ParseInt64(ctx.arg(++i), &v)) {
        ctx.reply.Error("ERR value is not an integer or out of range");
        return;
      }
      seed = static_cast<uint64_t>(v);
      has_seed = true;
    } else {
      ctx.reply.Error("ERR syntax error");
      return;
    }
  }
  if (count < 1 || count > kMaxShares) {
    ctx.reply.Error("ERR count must be between 1 and 1000000");
    return;
  }
  // total < count * min, without overflowing.
  if (total < 0 || min > total / count) {
    ctx.reply.Error("ERR total is less than count * MIN");
    return;
  }
  if (ctx.db().Find(stock_key, ctx.now_ms) != nullptr) {
    // A retried create must not double an envelope.
    ctx.reply.Error("ERR stock key already exists");
    return;
  }
  std::vector<int64_t> shares =
      SplitDoubleAverage(total, count, min, has_seed ? seed : ctx.server.rng()());
  auto list = std::make_unique<List>();
  for (int64_t s : shares) list->PushBack(std::to_string(s));
  storage::Value v;
  v.SetContainer(std::move(list));
  {
    storage::KeyWrite w(ctx.db(), stock_key, ctx.now_ms);
    w.Create(std::move(v));
    w.Note(kRPushEvent, static_cast<uint64_t>(count));  // as RPUSH of the shares
  }
  PropagateShares(ctx, stock_key, shares);
  NotifyGrab(ctx, "grab.split", stock_key);
  GrabStatsOf(ctx.server).split++;
  ctx.reply.ArrayHeader(shares.size());
  for (int64_t s : shares) ctx.reply.Integer(s);
}

constexpr uint32_t kGrabFlags = kWrite | kDenyOom;

// The optional OUTBOX list: the key right after the OUTBOX option (the
// options start at argument 4). Cluster clients and proxies route by every
// key, the outbox included; COMMAND GETKEYS finds it from this spec.
constexpr KeySpec kOutboxKey{.flags = kRW | kInsert, .keyword = "OUTBOX", .startfrom = 4};

}  // namespace

void GrabState::AppendInfo(std::string* out) const {
  const GrabStats& g = stats;
  out->append("# Grab\r\n");
  const std::pair<const char*, uint64_t> fields[] = {
      {"grab_issued", g.issued}, {"grab_replayed", g.replayed}, {"grab_sold_out", g.sold_out},
      {"grab_undone", g.undone}, {"grab_taken", g.taken},       {"grab_untaken", g.untaken},
      {"grab_split", g.split}};
  for (const auto& [name, value] : fields) {
    out->append(name);
    out->push_back(':');
    out->append(std::to_string(value));
    out->append("\r\n");
  }
}

namespace {
void RegisterGrabFamily(CommandTable& t);
}  // namespace

void InstallGrab(ServerState& s) {
  s.AddExtension(std::make_unique<GrabState>());
  RegisterGrabFamily(s.mutable_commands());
}

namespace {
void RegisterGrabFamily(CommandTable& t) {
  // GRAB.* work on several types each: every row names its own.
  CommandFamily f(t, "grab");
  f.Add({.name = "grab.pop",
         .arity = -4,
         .flags = kGrabFlags | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1},  // stock: pops its head
                  {.flags = kRW | kAccess | kUpdate, .index = 2},  // claims
                  kOutboxKey},
         .handler = CmdGrabPop,
         .acl = kAclList | kAclHash,
         .summary = "Issues the head of a stock list to a user once (idempotent).",
         .since = "0.1.0"});
  f.Add({.name = "grab.undo",
         .arity = -4,
         .flags = kGrabFlags | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1},            // stock: the item goes back
                  {.flags = kRW | kAccess | kDelete, .index = 2},  // claims
                  kOutboxKey},
         .handler = CmdGrabUndo,
         .acl = kAclList | kAclHash,
         .summary = "Returns a user's issued item to the head of the stock list.",
         .since = "0.1.0"});
  f.Add({.name = "grab.take",
         .arity = -4,
         .flags = kGrabFlags | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1},  // counter
                  {.flags = kRW | kAccess | kUpdate, .index = 2},  // claims
                  kOutboxKey},
         .handler = CmdGrabTake,
         .acl = kAclString | kAclHash,
         .summary = "Takes units from a counter for a user once (idempotent).",
         .since = "0.1.0"});
  f.Add({.name = "grab.untake",
         .arity = -4,
         .flags = kGrabFlags | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1},  // counter
                  {.flags = kRW | kAccess | kDelete, .index = 2},  // claims
                  kOutboxKey},
         .handler = CmdGrabUntake,
         .acl = kAclString | kAclHash,
         .summary = "Gives a user's taken units back to the counter.",
         .since = "0.1.0"});
  // Creates the stock list only if it does not exist (like SETNX).
  f.Add({.name = "grab.split", .arity = -4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kInsert, .index = 1}}, .handler = CmdGrabSplit, .acl = kAclList,
         .summary = "Splits a total into shares by the double-average rule into a new list.", .since = "0.1.0"});
}

}  // namespace

}  // namespace grabkv::server
