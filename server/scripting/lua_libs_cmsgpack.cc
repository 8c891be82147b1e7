// The `cmsgpack` library as Redis 7.0 bundles it (lua-cmsgpack 0.4.0's
// interface and encoding choices), written for grabkv:
//
//   cmsgpack.pack(v1, v2, ...)        the MessagePack encodings, concatenated
//   cmsgpack.unpack(s)                every value in s
//   cmsgpack.unpack_one(s [, off])    next offset (-1 at the end), one value
//   cmsgpack.unpack_limit(s, n [, off])  next offset, up to n values
//
// Encoding: nil, booleans; a number that is an int64 exactly as the smallest
// integer form (fixnum, uint/int 8..64), else float 32 when the float holds
// it exactly, else float 64; strings as fixstr/str8/str16/str32; a table
// whose keys are exactly 1..n as an array, any other as a map (in `next`
// order); a table nested 16 deep, functions, userdata and threads as nil.
// Decoding knows the same types (bin and ext are "Bad data format"); uint 64
// and int 64 are read as a signed 64-bit integer made a Lua number.
//
// The stack checks are where Redis has them, so a payload too wide or too
// deep fails with the same "stack overflow (...)" error at the same point.
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/scripting/lua_internal.h"

namespace grabkv::server::scripting {

namespace {

constexpr int kMaxNesting = 16;

// --- encoding ---------------------------------------------------------------

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutTagged(std::string* out, uint8_t tag, uint64_t v, int bytes) {
  out->push_back(static_cast<char>(tag));
  PutBigEndian(out, v, bytes);
}

void EncodeInt(std::string* out, int64_t n) {
  const auto u = static_cast<uint64_t>(n);
  if (n >= 0) {
    if (n <= 127) {
      out->push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      PutTagged(out, 0xcc, u, 1);
    } else if (n <= 0xffff) {
      PutTagged(out, 0xcd, u, 2);
    } else if (n <= 0xffffffffLL) {
      PutTagged(out, 0xce, u, 4);
    } else {
      PutTagged(out, 0xcf, u, 8);
    }
  } else if (n >= -32) {
    out->push_back(static_cast<char>(n));  // negative fixnum: 111xxxxx
  } else if (n >= -128) {
    PutTagged(out, 0xd0, u, 1);
  } else if (n >= -32768) {
    PutTagged(out, 0xd1, u, 2);
  } else if (n >= -2147483648LL) {
    PutTagged(out, 0xd2, u, 4);
  } else {
    PutTagged(out, 0xd3, u, 8);
  }
}

void EncodeNumber(std::string* out, double d) {
  // An integer when the value survives the trip through int64 (never inf).
  if (!std::isinf(d) && X86DoubleToInt64(d) == d) {
    EncodeInt(out, X86DoubleToInt64(d));
    return;
  }
  const auto f = static_cast<float>(d);  // inf when out of float's range
  if (static_cast<double>(f) == d) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    PutTagged(out, 0xca, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof(bits));
    PutTagged(out, 0xcb, bits, 8);
  }
}

void EncodeString(std::string* out, const char* s, size_t len) {
  if (len < 32) {
    out->push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    PutTagged(out, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    PutTagged(out, 0xda, len, 2);
  } else {
    PutTagged(out, 0xdb, len, 4);
  }
  out->append(s, len);
}

// A header with a "fix" form for up to 15 entries, then 16 and 32 bits.
void EncodeCount(std::string* out, uint8_t fix, uint8_t tag16, size_t n) {
  if (n <= 15) {
    out->push_back(static_cast<char>(fix | n));
  } else if (n <= 0xffff) {
    PutTagged(out, tag16, n, 2);
  } else {
    PutTagged(out, tag16 + 1, n, 4);
  }
}

// True when the table on top has only the keys 1..n (positive numbers that
// are ints; an empty table counts as an array).
bool IsArray(lua_State* L) {
  const int top = lua_gettop(L);
  int count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    double n = 0;
    if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 ||
        X86DoubleToInt(n) != n) {
      lua_settop(L, top);
      return false;
    }
    if (n > max) max = X86DoubleToInt(n);
    ++count;
  }
  lua_settop(L, top);
  return max == count;
}

void EncodeValue(lua_State* L, std::string* out, int level);

void EncodeTable(lua_State* L, std::string* out, int level) {
  if (IsArray(L)) {
    const size_t len = lua_objlen(L, -1);
    EncodeCount(out, 0x90, 0xdc, len);
    luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
    for (size_t i = 1; i <= len; ++i) {
      lua_pushnumber(L, static_cast<lua_Number>(i));
      lua_gettable(L, -2);
      EncodeValue(L, out, level + 1);
    }
    return;
  }
  luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
  size_t len = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++len;
  }
  EncodeCount(out, 0x80, 0xde, len);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);  // key value key
    EncodeValue(L, out, level + 1);  // the key (popped)
    EncodeValue(L, out, level + 1);  // the value (popped)
  }
}

// Encodes and pops the value on top of the stack.
void EncodeValue(lua_State* L, std::string* out, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeString(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out->push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER:
      EncodeNumber(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      EncodeTable(L, out, level);
      break;
    default:
      out->push_back(static_cast<char>(0xc0));
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  std::string out;
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function mp_check");
    lua_pushvalue(L, i);
    EncodeValue(L, &out, 0);
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// --- decoding ---------------------------------------------------------------

enum class CursorError { kNone, kEof, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  CursorError err = CursorError::kNone;

  // False (and the error set) when fewer than n bytes are left.
  bool Need(size_t n) {
    if (left >= n) return true;
    err = CursorError::kEof;
    return false;
  }
  void Consume(size_t n) {
    p += n;
    left -= n;
  }
  uint64_t BigEndian(size_t at, int bytes) const {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[at + i];
    return v;
  }
};

void DecodeValue(lua_State* L, Cursor* c);

void DecodeArray(lua_State* L, Cursor* c, size_t len) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= len; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    DecodeValue(L, c);
    if (c->err != CursorError::kNone) return;
    lua_settable(L, -3);
  }
}

void DecodeMap(lua_State* L, Cursor* c, size_t len) {
  lua_newtable(L);
  while (len-- > 0) {
    DecodeValue(L, c);  // key
    if (c->err != CursorError::kNone) return;
    DecodeValue(L, c);  // value
    if (c->err != CursorError::kNone) return;
    lua_settable(L, -3);  // "table index is nil/NaN" for such keys
  }
}

// A string of `len` bytes after a header of `hdr` bytes.
void DecodeString(lua_State* L, Cursor* c, size_t hdr, size_t len) {
  if (!c->Need(hdr + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p + hdr), len);
  c->Consume(hdr + len);
}

// A count of `bytes` bytes after the tag, then the entries.
template <void (*Entries)(lua_State*, Cursor*, size_t)>
void DecodeCounted(lua_State* L, Cursor* c, int bytes) {
  if (!c->Need(1 + bytes)) return;
  const size_t len = c->BigEndian(1, bytes);
  c->Consume(1 + bytes);
  Entries(L, c, len);
}

// Pushes the next value (nothing when c->err is set on return).
void DecodeValue(lua_State* L, Cursor* c) {
  if (!c->Need(1)) return;
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  const unsigned char tag = c->p[0];
  switch (tag) {
    case 0xcc:
    case 0xcd:
    case 0xce: {  // uint 8/16/32
      const int bytes = 1 << (tag - 0xcc);
      if (!c->Need(1 + bytes)) return;
      lua_pushnumber(L, static_cast<lua_Number>(c->BigEndian(1, bytes)));
      c->Consume(1 + bytes);
      return;
    }
    case 0xd0:
      if (!c->Need(1 + 1)) return;
      lua_pushnumber(L, static_cast<int8_t>(c->p[1]));
      c->Consume(2);
      return;
    case 0xd1:
      if (!c->Need(1 + 2)) return;
      lua_pushnumber(L, static_cast<int16_t>(c->BigEndian(1, 2)));
      c->Consume(3);
      return;
    case 0xd2:
      if (!c->Need(1 + 4)) return;
      lua_pushnumber(L, static_cast<int32_t>(c->BigEndian(1, 4)));
      c->Consume(5);
      return;
    case 0xcf:    // uint 64: read as signed, like Redis
    case 0xd3: {  // int 64
      if (!c->Need(1 + 8)) return;
      lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(c->BigEndian(1, 8))));
      c->Consume(9);
      return;
    }
    case 0xc0:
      lua_pushnil(L);
      c->Consume(1);
      return;
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, tag == 0xc3);
      c->Consume(1);
      return;
    case 0xca: {
      if (!c->Need(1 + 4)) return;
      const auto bits = static_cast<uint32_t>(c->BigEndian(1, 4));
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      lua_pushnumber(L, f);
      c->Consume(5);
      return;
    }
    case 0xcb: {
      if (!c->Need(1 + 8)) return;
      const uint64_t bits = c->BigEndian(1, 8);
      double d;
      std::memcpy(&d, &bits, sizeof(d));
      lua_pushnumber(L, d);
      c->Consume(9);
      return;
    }
    case 0xd9:
    case 0xda:
    case 0xdb: {  // str 8/16/32
      const int bytes = 1 << (tag - 0xd9);
      if (!c->Need(1 + bytes)) return;
      DecodeString(L, c, 1 + bytes, c->BigEndian(1, bytes));
      return;
    }
    case 0xdc:
      DecodeCounted<DecodeArray>(L, c, 2);
      return;
    case 0xdd:
      DecodeCounted<DecodeArray>(L, c, 4);
      return;
    case 0xde:
      DecodeCounted<DecodeMap>(L, c, 2);
      return;
    case 0xdf:
      DecodeCounted<DecodeMap>(L, c, 4);
      return;
    default:
      break;
  }
  if ((tag & 0x80) == 0) {  // positive fixnum
    lua_pushnumber(L, tag);
    c->Consume(1);
  } else if ((tag & 0xe0) == 0xe0) {  // negative fixnum
    lua_pushnumber(L, static_cast<int8_t>(tag));
    c->Consume(1);
  } else if ((tag & 0xe0) == 0xa0) {  // fixstr
    DecodeString(L, c, 1, tag & 0x1f);
  } else if ((tag & 0xf0) == 0x90) {  // fixarray
    c->Consume(1);
    DecodeArray(L, c, tag & 0x0f);
  } else if ((tag & 0xf0) == 0x80) {  // fixmap
    c->Consume(1);
    DecodeMap(L, c, tag & 0x0f);
  } else {  // bin, ext, 0xc1
    c->err = CursorError::kBadFormat;
  }
}

// Decodes up to `limit` values from byte `offset` (limit 0 and offset 0:
// every value, and no offset is returned). Otherwise the next offset (-1
// when the input is used up) comes first, then the values.
// Limit and offset are Lua integers (64 bits); the messages print their low
// 32 bits, as Redis's %d does.
int UnpackFull(lua_State* L, int64_t limit, int64_t offset) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // Redis prints the input length where it says "limit".
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<uint64_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int count = 0;
  for (; c.left > 0 && static_cast<int64_t>(count) < limit; ++count) {
    DecodeValue(L, &c);
    if (c.err == CursorError::kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == CursorError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (all) return count;
  luaL_checkstack(L, 1, "in function mp_unpack_full");
  lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
  lua_insert(L, 2);
  return count + 1;
}

int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

int UnpackOne(lua_State* L) {
  const int64_t offset = luaL_optinteger(L, 2, 0);
  lua_settop(L, 1);
  return UnpackFull(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  const int64_t limit = luaL_checkinteger(L, 2);
  const int64_t offset = luaL_optinteger(L, 3, 0);
  lua_settop(L, 1);
  return UnpackFull(L, limit, offset);
}

}  // namespace

void PushCmsgpackLib(lua_State* L) {
  lua_newtable(L);
  const luaL_Reg fns[] = {{"pack", Pack},
                          {"unpack", Unpack},
                          {"unpack_one", UnpackOne},
                          {"unpack_limit", UnpackLimit}};
  for (const luaL_Reg& fn : fns) {
    lua_pushcfunction(L, fn.func);
    lua_setfield(L, -2, fn.name);
  }
  // The fields scripts can read, as Redis's bundled library has them.
  const char* const info[][2] = {{"_NAME", "cmsgpack"},
                                 {"_VERSION", "lua-cmsgpack 0.4.0"},
                                 {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
                                 {"_DESCRIPTION", "MessagePack C implementation for Lua"}};
  for (const auto& kv : info) {
    lua_pushstring(L, kv[1]);
    lua_setfield(L, -2, kv[0]);
  }
}

}  // namespace grabkv::server::scripting
