// The set command family: SADD/SREM/SISMEMBER/SMISMEMBER/SMEMBERS/SCARD,
// SPOP, SRANDMEMBER, SMOVE and SSCAN over storage::Set (storage/set.h). The
// set algebra (SINTER/SUNION/SDIFF, their STORE forms and SINTERCARD) is in
// set_algebra.cc.
//
// Each command is split into argument parsing (Cmd*), an operation on the
// keyspace (Op*, which returns a status and never writes a reply) and the
// reply. Replies and errors are byte-identical to Redis 7.0 (t_set.c),
// including which error wins: SPOP and SRANDMEMBER parse their count before
// looking at the key, SSCAN checks the cursor, then the key, then its
// options.
//
// Every write goes through a storage::KeyWrite, which reports it once per
// key when it ends, with Redis's event ("sadd", "srem", "spop", plus "del"
// when a set emptied and its key went) and number of changes.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/rand_scan.h"
#include "server/commands/set_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/set.h"
#include "storage/value.h"

namespace grabkv::server {

// server/set_algebra.cc.
void RegisterSetAlgebra(CommandFamily& f);

namespace {

using storage::Db;
using storage::EventClass;
using storage::KeyEvent;
using storage::KeyWrite;
using storage::Set;
using storage::SetLimits;
using storage::ValueType;

constexpr KeyEvent kSAddEvent{"sadd", EventClass::kSet};
constexpr KeyEvent kSRemEvent{"srem", EventClass::kSet};
constexpr KeyEvent kSPopEvent{"spop", EventClass::kSet};

// What a write operation needs: the selected db and the command's "now"
// (OpArgs), and the encoding limits.
struct SetOpArgs {
  OpArgs op;
  SetLimits limits;
};

SetOpArgs MakeOpArgs(CommandContext& ctx) {
  return SetOpArgs{ctx.op_args(), SetLimitsOf(ctx.server.config())};
}

// A read lookup (counts a keyspace hit or miss). nullptr when the key is
// missing; *wrong_type is set when it holds another type.
Set* FindSetRead(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  *wrong_type = false;
  Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);
  if (e == nullptr) return nullptr;
  if (e->value.type() != ValueType::kSet) {
    *wrong_type = true;
    return nullptr;
  }
  return e->value.As<Set>();
}

// The set of a write (Redis lookupKeyWrite: no hit/miss accounting).
// nullptr when missing; *wrong_type is set when it holds another type.
Set* FindSetWrite(const KeyWrite& w, bool* wrong_type) {
  *wrong_type = false;
  if (!w) return nullptr;
  if (w.value().type() != ValueType::kSet) {
    *wrong_type = true;
    return nullptr;
  }
  return w.value().As<Set>();
}

// Redis setTypeCreate: creates the missing key of `w` as a set whose
// starting encoding the first member picks.
Set* CreateSet(KeyWrite& w, std::string_view first_member) {
  storage::Value v;
  v.SetContainer(Set::CreateFor(first_member));
  return w.Create(std::move(v))->value.As<Set>();
}

// ---------------------------------------------------------------------------
// Operations.

OpStatus OpAdd(const SetOpArgs& a, std::string_view key, Args members, int64_t* added) {
  *added = 0;
  KeyWrite w(a.op.db, key, a.op.now_ms);
  bool wrong_type;
  Set* s = FindSetWrite(w, &wrong_type);
  if (wrong_type) return OpStatus::kWrongType;
  if (s == nullptr) s = CreateSet(w, members[0]);
  int64_t n = 0;
  for (std::string_view m : members) n += s->Add(m, a.limits);
  if (n > 0) w.Note(kSAddEvent, static_cast<uint64_t>(n));
  *added = n;
  return OpStatus::kOk;
}

OpStatus OpRem(const SetOpArgs& a, std::string_view key, Args members, int64_t* removed) {
  *removed = 0;
  KeyWrite w(a.op.db, key, a.op.now_ms);
  bool wrong_type;
  Set* s = FindSetWrite(w, &wrong_type);
  if (wrong_type) return OpStatus::kWrongType;
  if (s == nullptr) return OpStatus::kOk;
  int64_t n = 0;
  for (std::string_view m : members) {
    if (s->Remove(m)) {
      ++n;
      if (s->Length() == 0) break;  // Redis stops once the set is gone
    }
  }
  // An emptied set is deleted when the write ends ("srem", then "del").
  if (n > 0) w.Note(kSRemEvent, static_cast<uint64_t>(n));
  *removed = n;
  return OpStatus::kOk;
}

// Redis reports the source's write ("srem", and "del" when it emptied)
// before the destination's ("sadd"); a move is one change, two when the
// destination gained the member.
OpStatus OpMove(const SetOpArgs& a, std::string_view src_key, std::string_view dst_key,
                std::string_view member, bool* moved) {
  *moved = false;
  KeyWrite sw(a.op.db, src_key, a.op.now_ms);
  bool src_wrong, dst_wrong = false;
  Set* src = FindSetWrite(sw, &src_wrong);
  // Redis: a missing source answers 0 before any type check.
  if (src == nullptr && !src_wrong) return OpStatus::kOk;
  // src == dst: a membership test (one KeyWrite per key).
  if (src_key == dst_key) {
    if (src_wrong) return OpStatus::kWrongType;
    *moved = src->Contains(member);
    return OpStatus::kOk;
  }
  KeyWrite dw(a.op.db, dst_key, a.op.now_ms);
  Set* dst = FindSetWrite(dw, &dst_wrong);
  if (src_wrong || dst_wrong) return OpStatus::kWrongType;
  if (!src->Remove(member)) return OpStatus::kOk;
  sw.Note(kSRemEvent);
  sw.Commit();  // reported first; deletes the source if it emptied
  if (dst == nullptr) dst = CreateSet(dw, member);
  if (dst->Add(member, a.limits)) dw.Note(kSAddEvent);
  *moved = true;
  return OpStatus::kOk;
}

// ---------------------------------------------------------------------------
// Commands.

void CmdSAdd(CommandContext& ctx) {
  int64_t added;
  if (OpAdd(MakeOpArgs(ctx), ctx.arg(1), ctx.args.subspan(2), &added) != OpStatus::kOk) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Integer(added);
}

void CmdSRem(CommandContext& ctx) {
  int64_t removed;
  if (OpRem(MakeOpArgs(ctx), ctx.arg(1), ctx.args.subspan(2), &removed) != OpStatus::kOk) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Integer(removed);
}

void CmdSMove(CommandContext& ctx) {
  bool moved;
  if (OpMove(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2), ctx.arg(3), &moved) != OpStatus::kOk) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Integer(moved ? 1 : 0);
}

void CmdSIsMember(CommandContext& ctx) {
  bool wrong_type;
  const Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(s != nullptr && s->Contains(ctx.arg(2)) ? 1 : 0);
}

void CmdSMIsMember(CommandContext& ctx) {
  bool wrong_type;
  const Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Integer(s != nullptr && s->Contains(ctx.arg(i)) ? 1 : 0);
  }
}

void CmdSCard(CommandContext& ctx) {
  bool wrong_type;
  const Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(s != nullptr ? static_cast<int64_t>(s->Length()) : 0);
}

void CmdSMembers(CommandContext& ctx) {
  bool wrong_type;
  const Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (s == nullptr) return ctx.reply.SetHeader(0);
  ctx.reply.SetHeader(s->Length());
  s->ForEach([&ctx](std::string_view m) { ctx.reply.Bulk(m); });
}

// ---------------------------------------------------------------------------
// SPOP / SRANDMEMBER

// SPOP key count. Replies a set. Propagated as Redis 7.0 does it: DEL key
// when the whole set goes, else one SREM key member per popped member (the
// batch is wrapped in MULTI/EXEC).
void SPopWithCount(CommandContext& ctx) {
  // Redis getPositiveLongFromObjectOrReply: one message for every failure.
  int64_t count;
  if (!ParseInt64(ctx.arg(2), &count) || count < 0) {
    return ctx.reply.Error(errors::kMustBePositive);
  }
  const SetOpArgs a = MakeOpArgs(ctx);
  KeyWrite w(a.op.db, ctx.arg(1), a.op.now_ms);
  bool wrong_type;
  Set* s = FindSetWrite(w, &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (s == nullptr || count == 0) return ctx.reply.SetHeader(0);

  const size_t size = s->Length();
  if (static_cast<uint64_t>(count) >= size) {
    // The whole set. Redis replies it through a union into a fresh set, so
    // a table holding only a few integers comes out as a sorted intset:
    // rebuild small tables the same way to reply in the same order.
    ctx.reply.SetHeader(size);
    auto bulk = [&ctx](std::string_view m) { ctx.reply.Bulk(m); };
    if (!s->is_intset() && size <= a.limits.max_intset_entries) {
      Set fresh;
      s->ForEach([&](std::string_view m) { fresh.Add(m, a.limits); });
      fresh.ForEach(bulk);
    } else {
      s->ForEach(bulk);
    }
    // "spop" then "del"; Redis counts one change per member, the deletion's
    // included.
    w.Note(kSPopEvent, size - 1);
    w.Delete();
    ctx.Propagate({"DEL", ctx.arg(1)});
    return;
  }
  ctx.reply.SetHeader(static_cast<size_t>(count));
  std::string member;
  const bool propagating = ctx.propagating();
  for (int64_t i = 0; i < count; ++i) {
    s->PopRandom(ctx.server.rng(), &member);
    ctx.reply.Bulk(member);
    if (propagating) ctx.Propagate({"SREM", ctx.arg(1), member});
  }
  w.Note(kSPopEvent, static_cast<uint64_t>(count));
}

// SPOP key: propagated as SREM key member (the choice is random).
void CmdSPop(CommandContext& ctx) {
  ctx.PropagateNothing();  // unless it pops (below)
  if (ctx.argc() == 3) return SPopWithCount(ctx);
  if (ctx.argc() > 3) return ctx.reply.Error(errors::kSyntax);
  KeyWrite w(ctx.db(), ctx.arg(1), ctx.now_ms);
  bool wrong_type;
  Set* s = FindSetWrite(w, &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (s == nullptr) return ctx.reply.Null();
  std::string member;
  s->PopRandom(ctx.server.rng(), &member);
  w.Note(kSPopEvent);  // and "del" when the set emptied
  ctx.Propagate({"SREM", ctx.arg(1), member});
  ctx.reply.Bulk(member);
}

void CmdSRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(errors::kSyntax);
  if (ctx.argc() == 2) {
    bool wrong_type;
    Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
    if (wrong_type) return ctx.reply.Error(errors::kWrongType);
    if (s == nullptr) return ctx.reply.Null();
    Set::MemberBuf buf;
    ctx.reply.Bulk(s->Random(ctx.server.rng(), &buf));
    return;
  }
  int64_t l;
  bool with_none;
  if (!ParseRandCountArgs(ctx, {}, &l, &with_none)) return;
  bool wrong_type;
  Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (s == nullptr || l == 0) return ctx.reply.ArrayHeader(0);

  const bool distinct = l > 0;
  const size_t count = distinct ? static_cast<size_t>(l) : static_cast<size_t>(-l);
  auto bulk = [&ctx](std::string_view m) { ctx.reply.Bulk(m); };
  if (distinct) {
    ctx.reply.ArrayHeader(std::min(count, s->Length()));
    s->RandomMembers(count, true, ctx.server.rng(), bulk);
    return;
  }
  if (RandCountTooLarge(count, false, ctx.server.config().proto_max_bulk_len)) {
    return ctx.reply.Error(kRandCountTooLargeErr);  // see util.h
  }
  ctx.reply.ArrayHeader(count);
  PickInBatches(ctx, count, [&](size_t step) { s->RandomMembers(step, false, ctx.server.rng(), bulk); });
}

// ---------------------------------------------------------------------------
// SSCAN

void CmdSScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply.Error("ERR invalid cursor");
  bool wrong_type;
  Set* s = FindSetRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (s == nullptr) return ReplyEmptyScan(ctx);
  ScanOptions opts;
  if (const char* err = ParseScanOptions(ctx.args, 3, &opts)) return ctx.reply.Error(err);
  const int64_t count = opts.count;
  const std::optional<std::string_view>& pattern = opts.pattern;
  // Intset members are formatted into a scratch buffer during the callback:
  // keep copies. (Collect first, filter after: Redis filters the collected
  // members too.)
  std::vector<std::string> members;
  const uint64_t next = s->Scan(cursor, static_cast<size_t>(count), [&](std::string_view m) {
    if (!pattern || GlobMatch(*pattern, m)) members.emplace_back(m);
  });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(members.size());
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

}  // namespace

void RegisterSetFamily(CommandTable& t) {
  CommandFamily f(t, "set", kAclSet);
  f.Add({.name = "sadd", .arity = -3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdSAdd,
         .summary = "Add one or more members to a set", .since = "1.0.0"});
  f.Add({.name = "srem", .arity = -3, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdSRem,
         .summary = "Remove one or more members from a set", .since = "1.0.0"});
  f.Add({.name = "sismember", .arity = 3, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdSIsMember,
         .summary = "Determine if a given value is a member of a set", .since = "1.0.0"});
  f.Add({.name = "smismember", .arity = -3, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdSMIsMember,
         .summary = "Returns the membership associated with the given elements for a set", .since = "6.2.0"});
  f.Add({.name = "smembers", .arity = 2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdSMembers, .tips = "nondeterministic_output_order",
         .summary = "Get all the members in a set", .since = "1.0.0"});
  f.Add({.name = "scard", .arity = 2, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdSCard,
         .summary = "Get the number of members in a set", .since = "1.0.0"});
  f.Add({.name = "spop", .arity = -2, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}}, .handler = CmdSPop, .tips = "nondeterministic_output",
         .summary = "Remove and return one or multiple random members from a set", .since = "1.0.0"});
  f.Add({.name = "srandmember", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdSRandMember, .tips = "nondeterministic_output",
         .summary = "Get one or multiple random members from a set", .since = "1.0.0"});
  f.Add({.name = "smove", .arity = 4, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kRW | kInsert, .index = 2}}, .handler = CmdSMove,
         .summary = "Move a member from one set to another", .since = "1.0.0"});
  f.Add({.name = "sscan", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdSScan, .tips = "nondeterministic_output",
         .summary = "Incrementally iterate Set elements", .since = "2.8.0"});
  RegisterSetAlgebra(f);
}

}  // namespace grabkv::server
