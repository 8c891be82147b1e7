// The `cjson` library scripts expect (lua-cjson's interface as Redis ships
// it): cjson.encode, cjson.decode, cjson.null. Written for grabkv.
//
// Encoding follows lua-cjson's defaults: numbers with 14 significant digits,
// NaN/Inf refused, '/' escaped, a table is an array when all its keys are
// positive integers and it is not excessively sparse (max index > 2 x the
// number of items and > 10), an empty table encodes as {}.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "server/scripting/lua_internal.h"

namespace grabkv::server::scripting {

namespace {

constexpr int kMaxDepth = 1000;
// The encoder's output is a C++ string, outside the Lua allocator and its
// memory cap (LuaEngine::Alloc). CVE-2022-24834 was lua-cjson's buffer size
// overflowing on huge strings; here the size is checked before each string
// is appended (worst case 6 bytes per input byte), and past the same 1 GiB
// that caps Lua's own memory the encode fails as a Lua allocation would
// ("not enough memory"), instead of taking the server's memory. Redis 7.0
// has no such cap (it would grow until the allocator fails).
constexpr size_t kMaxEncodedBytes = 1024ull * 1024 * 1024;
constexpr const char* kNoMemory = "not enough memory";

// Errors are raised after the C++ string holding partial output is gone:
// Encode works into a buffer owned by a Lua userdata.
struct Encoder {
  lua_State* L;
  std::string* out;
};

const char* const kEscapes[32] = {
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"};

bool AppendString(std::string* out, const char* s, size_t len) {
  if (len > kMaxEncodedBytes / 6 || out->size() + len * 6 + 2 > kMaxEncodedBytes) {
    // Exact check only when the worst case does not fit.
    size_t need = 2;
    for (size_t i = 0; i < len; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      need += c < 32 || c == 127 ? 6 : (c == '"' || c == '\\' || c == '/') ? 2 : 1;
    }
    if (out->size() + need > kMaxEncodedBytes) return false;
  }
  out->push_back('"');
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 32) out->append(kEscapes[c]);
    else if (c == '"') out->append("\\\"");
    else if (c == '\\') out->append("\\\\");
    else if (c == '/') out->append("\\/");
    else if (c == 127) out->append("\\u007f");
    else out->push_back(static_cast<char>(c));
  }
  out->push_back('"');
  return true;
}

// Returns nullptr or an error text (static or pushed on the Lua stack).
const char* AppendNumber(std::string* out, double d) {
  if (std::isnan(d) || std::isinf(d)) return "Cannot serialise number: must not be NaN or Inf";
  char buf[64];
  int n = snprintf(buf, sizeof(buf), "%.14g", d);
  out->append(buf, static_cast<size_t>(n));
  return nullptr;
}

// Array length per lua-cjson, -1 = not an array.
int ArrayLength(lua_State* L, int idx) {
  double max = 0;
  int items = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      double k = lua_tonumber(L, -1);
      if (std::floor(k) == k && k >= 1) {
        if (k > max) max = k;
        ++items;
        continue;
      }
    }
    lua_pop(L, 1);
    return -1;
  }
  if (max > 10 && max > items * 2.0) return -2;  // excessively sparse
  return static_cast<int>(max);
}

const char* EncodeValue(lua_State* L, std::string* out, int depth);

const char* EncodeTable(lua_State* L, std::string* out, int depth) {
  if (depth > kMaxDepth) return "Cannot serialise, excessive nesting (1001)";
  if (!lua_checkstack(L, 4)) return "Cannot serialise, stack exhausted";
  int idx = lua_gettop(L);
  int len = ArrayLength(L, idx);
  if (len == -2) return "Cannot serialise table: excessively sparse array";
  if (len > 0) {
    out->push_back('[');
    for (int i = 1; i <= len; ++i) {
      if (i > 1) out->push_back(',');
      lua_rawgeti(L, idx, i);
      const char* err = EncodeValue(L, out, depth);
      lua_pop(L, 1);
      if (err) return err;
    }
    out->push_back(']');
    return nullptr;
  }
  out->push_back('{');
  bool first = true;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (!first) out->push_back(',');
    first = false;
    int kt = lua_type(L, -2);
    if (kt == LUA_TSTRING) {
      size_t klen;
      const char* k = lua_tolstring(L, -2, &klen);
      if (!AppendString(out, k, klen)) return kNoMemory;
    } else if (kt == LUA_TNUMBER) {
      out->push_back('"');
      if (const char* err = AppendNumber(out, lua_tonumber(L, -2))) return err;
      out->push_back('"');
    } else {
      return "Cannot serialise table: table key must be a number or string";
    }
    out->push_back(':');
    const char* err = EncodeValue(L, out, depth);
    lua_pop(L, 1);
    if (err) return err;
  }
  out->push_back('}');
  return nullptr;
}

const char* EncodeValue(lua_State* L, std::string* out, int depth) {
  // Numbers, literals and brackets are small, but a table can reference the
  // same subtable many times: the total is checked here too.
  if (out->size() > kMaxEncodedBytes) return kNoMemory;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      return AppendString(out, s, len) ? nullptr : kNoMemory;
    }
    case LUA_TNUMBER:
      return AppendNumber(out, lua_tonumber(L, -1));
    case LUA_TBOOLEAN:
      out->append(lua_toboolean(L, -1) ? "true" : "false");
      return nullptr;
    case LUA_TNIL:
      out->append("null");
      return nullptr;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, -1) == nullptr) {
        out->append("null");
        return nullptr;
      }
      break;
    case LUA_TTABLE:
      return EncodeTable(L, out, depth + 1);
    default:
      break;
  }
  return "Cannot serialise: type not supported";
}

int Encode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  const char* err;
  {
    std::string out;
    err = EncodeValue(L, &out, 0);
    if (err == nullptr) {
      lua_pushlstring(L, out.data(), out.size());
      return 1;
    }
  }
  return luaL_error(L, "%s", err);
}

// --- decoding ---------------------------------------------------------------

struct Decoder {
  const char* s;
  size_t len;
  size_t pos = 0;
  int depth = 0;
  char error[160] = {};
};

void SkipWs(Decoder& d) {
  while (d.pos < d.len && (d.s[d.pos] == ' ' || d.s[d.pos] == '\t' || d.s[d.pos] == '\n' || d.s[d.pos] == '\r')) ++d.pos;
}

bool Fail(Decoder& d, const char* expected, const char* found) {
  snprintf(d.error, sizeof(d.error), "Expected %s but found %s at character %zu", expected, found, d.pos + 1);
  return false;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Hex4(Decoder& d, size_t at, uint32_t* v) {
  if (at + 4 > d.len) return false;
  *v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = d.s[i];
    int h = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (h < 0) return false;
    *v = (*v << 4) | static_cast<uint32_t>(h);
  }
  return true;
}

bool DecodeString(lua_State* L, Decoder& d) {
  std::string out;
  ++d.pos;  // opening quote
  while (true) {
    if (d.pos >= d.len) return Fail(d, "value", "unexpected end of string");
    char c = d.s[d.pos];
    if (c == '"') break;
    if (c != '\\') {
      out.push_back(c);
      ++d.pos;
      continue;
    }
    if (d.pos + 1 >= d.len) return Fail(d, "value", "invalid escape code");
    char e = d.s[d.pos + 1];
    d.pos += 2;
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!Hex4(d, d.pos, &cp)) return Fail(d, "value", "invalid unicode escape code");
        d.pos += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (d.pos + 6 > d.len || d.s[d.pos] != '\\' || d.s[d.pos + 1] != 'u' || !Hex4(d, d.pos + 2, &lo) ||
              lo < 0xDC00 || lo > 0xDFFF) {
            return Fail(d, "value", "invalid unicode escape code");
          }
          d.pos += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        AppendUtf8(&out, cp);
        break;
      }
      default:
        return Fail(d, "value", "invalid escape code");
    }
  }
  ++d.pos;
  lua_pushlstring(L, out.data(), out.size());
  return true;
}

bool DecodeValue(lua_State* L, Decoder& d) {
  SkipWs(d);
  if (d.pos >= d.len) return Fail(d, "value", "the end");
  if (!lua_checkstack(L, 3)) return Fail(d, "value", "too deep nesting");
  char c = d.s[d.pos];
  if (c == '{' || c == '[') {
    if (++d.depth > kMaxDepth) {
      snprintf(d.error, sizeof(d.error), "Found too many nested data structures (%d) at character %zu", d.depth, d.pos + 1);
      return false;
    }
    bool obj = c == '{';
    char close = obj ? '}' : ']';
    ++d.pos;
    lua_newtable(L);
    SkipWs(d);
    if (d.pos < d.len && d.s[d.pos] == close) {
      ++d.pos;
      --d.depth;
      return true;
    }
    for (int i = 1;; ++i) {
      if (obj) {
        SkipWs(d);
        if (d.pos >= d.len || d.s[d.pos] != '"') return Fail(d, "object key string", "invalid token");
        if (!DecodeString(L, d)) return false;
        SkipWs(d);
        if (d.pos >= d.len || d.s[d.pos] != ':') return Fail(d, "colon", "invalid token");
        ++d.pos;
        if (!DecodeValue(L, d)) return false;
        lua_rawset(L, -3);
      } else {
        if (!DecodeValue(L, d)) return false;
        lua_rawseti(L, -2, i);
      }
      SkipWs(d);
      if (d.pos < d.len && d.s[d.pos] == ',') {
        ++d.pos;
        continue;
      }
      if (d.pos < d.len && d.s[d.pos] == close) {
        ++d.pos;
        --d.depth;
        return true;
      }
      return Fail(d, obj ? "comma or object end" : "comma or array end", "invalid token");
    }
  }
  if (c == '"') return DecodeString(L, d);
  auto word = [&](const char* w) {
    size_t n = strlen(w);
    return d.len - d.pos >= n && memcmp(d.s + d.pos, w, n) == 0;
  };
  if (word("true")) {
    d.pos += 4;
    lua_pushboolean(L, 1);
    return true;
  }
  if (word("false")) {
    d.pos += 5;
    lua_pushboolean(L, 0);
    return true;
  }
  if (word("null")) {
    d.pos += 4;
    lua_pushlightuserdata(L, nullptr);
    return true;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    std::string num;
    size_t p = d.pos;
    while (p < d.len && strchr("+-0123456789.eE", d.s[p]) != nullptr) num.push_back(d.s[p++]);
    char* end;
    double v = strtod(num.c_str(), &end);
    if (end == num.c_str()) return Fail(d, "value", "invalid number");
    d.pos += static_cast<size_t>(end - num.c_str());
    lua_pushnumber(L, v);
    return true;
  }
  return Fail(d, "value", "invalid token");
}

int Decode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  Decoder d;
  d.s = luaL_checklstring(L, 1, &d.len);
  bool ok = DecodeValue(L, d);
  if (ok) {
    SkipWs(d);
    if (d.pos < d.len) ok = Fail(d, "the end", "invalid token");
  }
  if (ok) return 1;
  return luaL_error(L, "%s", d.error);
}

// Configuration calls are accepted for compatibility; settings are fixed.
int ConfigNoop(lua_State* L) { return 0; }

}  // namespace

void PushCjsonLib(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Encode);
  lua_setfield(L, -2, "encode");
  lua_pushcfunction(L, Decode);
  lua_setfield(L, -2, "decode");
  for (const char* name : {"encode_sparse_array", "encode_max_depth", "decode_max_depth",
                           "encode_number_precision", "encode_keep_buffer",
                           "encode_invalid_numbers", "decode_invalid_numbers"}) {
    lua_pushcfunction(L, ConfigNoop);
    lua_setfield(L, -2, name);
  }
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "null");
  lua_pushstring(L, "cjson");
  lua_setfield(L, -2, "_NAME");
  lua_pushstring(L, "2.1.0");
  lua_setfield(L, -2, "_VERSION");
}

}  // namespace grabkv::server::scripting
