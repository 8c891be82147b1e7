// The bitmap command family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD and BITFIELD_RO, on string values in place.
//
// Replies, errors and the order in which errors are found follow Redis 7.0
// (bitops.c): e.g. BITCOUNT and BITPOS look the key up before parsing their
// range, so a missing key answers 0 (-1) whatever the range says; BITFIELD
// parses every operation before touching the key. Bit routines are pure
// data operations in storage/bitops.h.
//
// Writes: SETBIT and BITFIELD work on the stored bytes (an int-encoded
// string becomes raw first, as Redis's dbUnshareStringValue), growing the
// string with zero bytes; they report "setbit". BITOP replaces the
// destination ("set", TTL removed) or deletes it when the result is empty
// ("del"). All are recorded in the append-only file as sent, and only when
// they changed something (a SETBIT of a bit already so changes nothing).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/bitops.h"
#include "storage/db.h"
#include "storage/value.h"

namespace grabkv::server {

namespace {

namespace bits = storage::bits;
using storage::Db;
using storage::EventClass;
using storage::KeyEvent;
using storage::KeyWrite;
using storage::Value;

constexpr KeyEvent kSetBitEvent{"setbit", EventClass::kString};

constexpr std::string_view kBadOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBadBit = "ERR bit is not an integer or out of range";
constexpr std::string_view kBadBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";

// A bit offset argument (Redis getBitOffsetFromArgument). With `hash`, the
// form "#N" means N * width. The offset's byte must stay below
// proto-max-bulk-len, except when replaying the append-only file.
bool ParseBitOffset(const CommandContext& ctx, std::string_view arg, bool hash, unsigned width,
                    uint64_t* out) {
  const bool use_hash = hash && width > 0 && !arg.empty() && arg[0] == '#';
  int64_t v;
  if (!ParseInt64(use_hash ? arg.substr(1) : arg, &v)) return false;
  // Redis multiplies in a long long; the product wraps like it does there.
  if (use_hash) v = static_cast<int64_t>(static_cast<uint64_t>(v) * width);
  if (v < 0) return false;
  if (!ctx.loading && (v >> 3) >= ctx.server.config().proto_max_bulk_len) return false;
  *out = static_cast<uint64_t>(v);
  return true;
}

// The string of a key for a bit write (Redis lookupStringForBitCommand):
// created (raw, zero-filled) or grown so that bit `max_bit` exists. Sets
// *grown when the key was created or lengthened. nullptr: wrong type.
std::string* StringForBitWrite(KeyWrite& w, uint64_t max_bit, bool* grown) {
  const size_t need = static_cast<size_t>(max_bit >> 3) + 1;
  if (!w) {
    Value v;
    v.MutableRawString()->resize(need);
    w.Create(std::move(v));
    *grown = true;
    return w.value().MutableRawString();
  }
  if (!w.value().is_string()) return nullptr;
  std::string* s = w.value().MutableRawString();
  *grown = s->size() < need;
  if (*grown) s->resize(need);
  return s;
}

// A string key for reading (hits/misses counted). Returns false after
// replying WRONGTYPE; *found is nullptr for a missing key. An int-encoded
// value is formatted into *scratch.
bool ReadString(CommandContext& ctx, std::string_view key, std::string* scratch,
                std::string_view* bytes, bool* found) {
  Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);
  *found = e != nullptr;
  if (e == nullptr) return true;
  if (!e->value.is_string()) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  *bytes = e->value.GetString(scratch);
  return true;
}

// ---------------------------------------------------------------------------
// SETBIT / GETBIT

void CmdSetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.arg(2), false, 0, &offset)) return ctx.reply.Error(kBadOffset);
  int64_t on;
  if (!ParseInt64(ctx.arg(3), &on) || (on & ~int64_t{1}) != 0) return ctx.reply.Error(kBadBit);
  KeyWrite w(ctx.db(), ctx.arg(1), ctx.now_ms);
  bool grown;
  std::string* s = StringForBitWrite(w, offset, &grown);
  if (s == nullptr) return ctx.reply.Error(errors::kWrongType);
  const bool old = bits::SetBit(reinterpret_cast<unsigned char*>(s->data()), offset, on != 0);
  // A bit already so, in a string that did not grow, changes nothing.
  if (grown || old != (on != 0)) w.Note(kSetBitEvent);
  ctx.reply.Integer(old ? 1 : 0);
}

void CmdGetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.arg(2), false, 0, &offset)) return ctx.reply.Error(kBadOffset);
  std::string scratch;
  std::string_view s;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &scratch, &s, &found)) return;
  ctx.reply.Integer(found && bits::GetBit(s, offset) ? 1 : 0);
}

// ---------------------------------------------------------------------------
// BITCOUNT / BITPOS ranges

// Parses BYTE|BIT.
bool ParseUnit(std::string_view arg, bool* is_bit) {
  if (EqualsIgnoreCase(arg, "bit")) {
    *is_bit = true;
  } else if (EqualsIgnoreCase(arg, "byte")) {
    *is_bit = false;
  } else {
    return false;
  }
  return true;
}

// Turns start/end (negative from the end, in bytes or bits) into an
// inclusive bit range clamped to the string. False: the range is empty.
bool ClampBitRange(size_t len, int64_t start, int64_t end, bool is_bit, uint64_t* first,
                   uint64_t* last) {
  const int64_t total = static_cast<int64_t>(len) * (is_bit ? 8 : 1);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return false;
  *first = is_bit ? static_cast<uint64_t>(start) : static_cast<uint64_t>(start) * 8;
  *last = is_bit ? static_cast<uint64_t>(end) : static_cast<uint64_t>(end) * 8 + 7;
  return true;
}

void CmdBitCount(CommandContext& ctx) {
  std::string scratch;
  std::string_view s;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &scratch, &s, &found)) return;
  if (!found) return ctx.reply.Integer(0);
  int64_t start = 0, end = -1;
  bool is_bit = false;
  const size_t argc = ctx.argc();
  if (argc == 4 || argc == 5) {
    if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end))
      return ctx.reply.Error(errors::kNotInteger);
    // Both from the end and in the wrong order: empty before BYTE|BIT is read.
    if (start < 0 && end < 0 && start > end) return ctx.reply.Integer(0);
    if (argc == 5 && !ParseUnit(ctx.arg(4), &is_bit)) return ctx.reply.Error(errors::kSyntax);
  } else if (argc != 2) {
    return ctx.reply.Error(errors::kSyntax);
  }
  uint64_t first, last;
  if (!ClampBitRange(s.size(), start, end, is_bit, &first, &last)) return ctx.reply.Integer(0);
  ctx.reply.Integer(static_cast<int64_t>(bits::CountRange(s, first, last)));
}

void CmdBitPos(CommandContext& ctx) {
  int64_t bit;
  if (!ParseInt64(ctx.arg(2), &bit)) return ctx.reply.Error(errors::kNotInteger);
  if (bit != 0 && bit != 1) return ctx.reply.Error("ERR The bit argument must be 1 or 0.");
  std::string scratch;
  std::string_view s;
  bool found;
  if (!ReadString(ctx, ctx.arg(1), &scratch, &s, &found)) return;
  // A missing key is an endless run of zero bits.
  if (!found) return ctx.reply.Integer(bit ? -1 : 0);
  int64_t start = 0, end = -1;
  bool is_bit = false, end_given = false;
  const size_t argc = ctx.argc();
  if (argc >= 4 && argc <= 6) {
    if (!ParseInt64(ctx.arg(3), &start)) return ctx.reply.Error(errors::kNotInteger);
    if (argc == 6 && !ParseUnit(ctx.arg(5), &is_bit)) return ctx.reply.Error(errors::kSyntax);
    if (argc >= 5) {
      if (!ParseInt64(ctx.arg(4), &end)) return ctx.reply.Error(errors::kNotInteger);
      end_given = true;
    }
  } else if (argc != 3) {
    return ctx.reply.Error(errors::kSyntax);
  }
  uint64_t first, last;
  if (!ClampBitRange(s.size(), start, end, is_bit, &first, &last)) return ctx.reply.Integer(-1);
  int64_t pos = bits::FindBit(s, bit != 0, first, last);
  // Looking for a 0 without an explicit end, the string continues with
  // zeros: the first bit after it.
  if (pos < 0 && bit == 0 && !end_given) pos = static_cast<int64_t>(last + 1);
  ctx.reply.Integer(pos);
}

// ---------------------------------------------------------------------------
// BITOP

void CmdBitOp(CommandContext& ctx) {
  const std::string_view name = ctx.arg(1);
  bits::BitOp op;
  if (EqualsIgnoreCase(name, "and")) {
    op = bits::BitOp::kAnd;
  } else if (EqualsIgnoreCase(name, "or")) {
    op = bits::BitOp::kOr;
  } else if (EqualsIgnoreCase(name, "xor")) {
    op = bits::BitOp::kXor;
  } else if (EqualsIgnoreCase(name, "not")) {
    op = bits::BitOp::kNot;
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  if (op == bits::BitOp::kNot && ctx.argc() != 4)
    return ctx.reply.Error("ERR BITOP NOT must be called with a single source key.");

  const size_t n = ctx.argc() - 3;
  std::vector<std::string> scratch(n);  // int-encoded sources, formatted
  std::vector<std::string_view> srcs(n);
  for (size_t i = 0; i < n; ++i) {
    bool found;
    if (!ReadString(ctx, ctx.arg(3 + i), &scratch[i], &srcs[i], &found)) return;
    // A short string lives inside its Value, which a later lookup's lazy
    // expiry may move (table shrink): keep a copy.
    if (srcs[i].size() <= Value::kInlineMax && srcs[i].data() != scratch[i].data()) {
      scratch[i].assign(srcs[i]);
      srcs[i] = scratch[i];
    }
  }
  std::string result = bits::Combine(op, srcs);
  const int64_t len = static_cast<int64_t>(result.size());

  KeyWrite w(ctx.db(), ctx.arg(2), ctx.now_ms);
  if (len > 0) {
    Value v;
    *v.MutableRawString() = std::move(result);
    w.Replace(std::move(v));
    w.Note(storage::events::kSet);
  } else {
    w.Delete();
  }
  ctx.reply.Integer(len);
}

// ---------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO

struct FieldOp {
  enum Kind : uint8_t { kGet, kSet, kIncrBy } kind;
  bool is_signed;
  unsigned width;
  bits::Overflow overflow;
  uint64_t offset;
  int64_t value;  // SET value or INCRBY increment
};

// "i1".."i64" or "u1".."u63" (Redis getBitfieldTypeFromArgument; the text
// is read as a C string, up to a NUL byte).
bool ParseFieldType(std::string_view arg, bool* is_signed, unsigned* width) {
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u')) return false;
  *is_signed = arg[0] == 'i';
  std::string_view digits = arg.substr(1);
  digits = digits.substr(0, digits.find('\0'));
  int64_t w;
  if (!ParseInt64(digits, &w) || w < 1 || w > (*is_signed ? 64 : 63)) return false;
  *width = static_cast<unsigned>(w);
  return true;
}

// Parses the operations; false after replying the error.
bool ParseFieldOps(CommandContext& ctx, std::vector<FieldOp>* ops, uint64_t* max_write_bit) {
  bits::Overflow overflow = bits::Overflow::kWrap;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t more = ctx.argc() - j - 1;
    const std::string_view sub = ctx.arg(j);
    FieldOp op{};
    if (EqualsIgnoreCase(sub, "get") && more >= 2) {
      op.kind = FieldOp::kGet;
    } else if (EqualsIgnoreCase(sub, "set") && more >= 3) {
      op.kind = FieldOp::kSet;
    } else if (EqualsIgnoreCase(sub, "incrby") && more >= 3) {
      op.kind = FieldOp::kIncrBy;
    } else if (EqualsIgnoreCase(sub, "overflow") && more >= 1) {
      const std::string_view how = ctx.arg(++j);
      if (EqualsIgnoreCase(how, "wrap")) {
        overflow = bits::Overflow::kWrap;
      } else if (EqualsIgnoreCase(how, "sat")) {
        overflow = bits::Overflow::kSat;
      } else if (EqualsIgnoreCase(how, "fail")) {
        overflow = bits::Overflow::kFail;
      } else {
        ctx.reply.Error("ERR Invalid OVERFLOW type specified");
        return false;
      }
      continue;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
    if (!ParseFieldType(ctx.arg(j + 1), &op.is_signed, &op.width)) {
      ctx.reply.Error(kBadBitfieldType);
      return false;
    }
    if (!ParseBitOffset(ctx, ctx.arg(j + 2), true, op.width, &op.offset)) {
      ctx.reply.Error(kBadOffset);
      return false;
    }
    if (op.kind != FieldOp::kGet) {
      *max_write_bit = std::max(*max_write_bit, op.offset + op.width - 1);
      if (!ParseInt64(ctx.arg(j + 3), &op.value)) {
        ctx.reply.Error(errors::kNotInteger);
        return false;
      }
    }
    op.overflow = overflow;
    ops->push_back(op);
    j += op.kind == FieldOp::kGet ? 2 : 3;
  }
  return true;
}

// Runs one SET or INCRBY on `s` and replies its result (nil when OVERFLOW
// FAIL refused it). Returns whether it wrote.
bool RunFieldWrite(CommandContext& ctx, const FieldOp& op, std::string* s) {
  auto* p = reinterpret_cast<unsigned char*>(s->data());
  const uint64_t raw = bits::GetField(*s, op.offset, op.width);
  const bool incr = op.kind == FieldOp::kIncrBy;
  int overflow;
  uint64_t store;
  int64_t reply;
  if (op.is_signed) {
    const int64_t old = bits::SignExtend(raw, op.width);
    int64_t limit = 0;
    overflow = incr ? bits::CheckSignedOverflow(old, op.value, op.width, op.overflow, &limit)
                    : bits::CheckSignedOverflow(op.value, 0, op.width, op.overflow, &limit);
    const int64_t next = overflow ? limit : (incr ? old + op.value : op.value);
    store = static_cast<uint64_t>(next);
    reply = incr ? next : old;
  } else {
    uint64_t limit = 0;
    const uint64_t value = static_cast<uint64_t>(op.value);
    overflow = incr ? bits::CheckUnsignedOverflow(raw, op.value, op.width, op.overflow, &limit)
                    : bits::CheckUnsignedOverflow(value, 0, op.width, op.overflow, &limit);
    const uint64_t next = overflow ? limit : (incr ? raw + value : value);
    store = next;
    reply = static_cast<int64_t>(incr ? next : raw);
  }
  if (overflow != 0 && op.overflow == bits::Overflow::kFail) {
    ctx.reply.Null();
    return false;
  }
  bits::SetField(p, op.offset, op.width, store);
  ctx.reply.Integer(reply);
  return true;
}

void ReplyFieldGet(CommandContext& ctx, const FieldOp& op, std::string_view s) {
  const uint64_t raw = bits::GetField(s, op.offset, op.width);
  ctx.reply.Integer(op.is_signed ? bits::SignExtend(raw, op.width) : static_cast<int64_t>(raw));
}

void BitFieldGeneric(CommandContext& ctx, bool read_only_command) {
  std::vector<FieldOp> ops;
  uint64_t max_write_bit = 0;
  if (!ParseFieldOps(ctx, &ops, &max_write_bit)) return;
  bool writes = false;
  for (const FieldOp& op : ops) writes |= op.kind != FieldOp::kGet;

  if (!writes) {
    std::string scratch;
    std::string_view s;
    bool found;
    if (!ReadString(ctx, ctx.arg(1), &scratch, &s, &found)) return;
    ctx.reply.ArrayHeader(ops.size());
    for (const FieldOp& op : ops) ReplyFieldGet(ctx, op, s);
    return;
  }
  if (read_only_command) return ctx.reply.Error("ERR BITFIELD_RO only supports the GET subcommand");

  KeyWrite w(ctx.db(), ctx.arg(1), ctx.now_ms);
  bool grown;
  std::string* s = StringForBitWrite(w, max_write_bit, &grown);
  if (s == nullptr) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ops.size());
  uint64_t changes = 0;
  for (const FieldOp& op : ops) {
    if (op.kind == FieldOp::kGet) {
      ReplyFieldGet(ctx, op, *s);
    } else {
      if (RunFieldWrite(ctx, op, s)) ++changes;  // OVERFLOW FAIL writes nothing
    }
  }
  if (changes > 0) {
    w.Note(kSetBitEvent, changes);
  } else if (grown) {
    // Every write refused by OVERFLOW FAIL, yet the key was created or
    // lengthened. Redis 7.0 reports nothing then (no event, no dirty, not
    // propagated), leaving a replica or the append-only file without the
    // bytes; grabkv counts the growth as one change without an event, so
    // that it is recorded (deliberate difference).
    w.AddChanges(1);
  }
}

// BITFIELD's key flags depend on its operations (Redis bitfieldGetKeys):
// RO access when it only GETs, else RW access update (also when the
// arguments do not parse).
size_t BitFieldGetKeys(Args argv, std::vector<KeyRef>* out) {
  bool read_only = true;
  for (size_t i = 2; i < argv.size(); ++i) {
    const size_t more = argv.size() - i - 1;
    if (EqualsIgnoreCase(argv[i], "get") && more >= 2) {
      i += 2;
    } else if (EqualsIgnoreCase(argv[i], "overflow") && more >= 1) {
      i += 1;
    } else {
      read_only = false;  // SET/INCRBY, or a syntax error: assume a write
      break;
    }
  }
  out->push_back({1, read_only ? kRO | kAccess : kRW | kAccess | kUpdate});
  return 1;
}

void CmdBitField(CommandContext& ctx) { BitFieldGeneric(ctx, false); }
void CmdBitFieldRo(CommandContext& ctx) { BitFieldGeneric(ctx, true); }

}  // namespace

// Rows checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterBitmapFamily(CommandTable& t) {
  CommandFamily f(t, "bitmap", kAclBitmap);
  f.Add({.name = "setbit", .arity = 4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdSetBit,
         .summary = "Sets or clears the bit at offset in the string value stored at key", .since = "2.2.0"});
  f.Add({.name = "getbit", .arity = 3, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdGetBit,
         .summary = "Returns the bit value at offset in the string value stored at key", .since = "2.2.0"});
  f.Add({.name = "bitcount", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdBitCount,
         .summary = "Count set bits in a string", .since = "2.6.0"});
  f.Add({.name = "bitpos", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdBitPos,
         .summary = "Find first bit set or clear in a string", .since = "2.8.7"});
  f.Add({.name = "bitop", .arity = -4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 2}, {.flags = kRO | kAccess, .index = 3, .lastkey = -1}}, .handler = CmdBitOp,
         .summary = "Perform bitwise operations between strings", .since = "2.6.0"});
  f.Add({.name = "bitfield", .arity = -2, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kUpdate | kAccess | kVariableFlags, .notes = "This command allows both access and modification of the key", .index = 1}}, .handler = CmdBitField, .getkeys = BitFieldGetKeys,
         .summary = "Perform arbitrary bitfield integer operations on strings", .since = "3.2.0"});
  f.Add({.name = "bitfield_ro", .arity = -2, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdBitFieldRo,
         .summary = "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", .since = "6.0.0"});
}

}  // namespace grabkv::server
