// The `struct` library (Roberto Ierusalimschy's interface): struct.pack,
// struct.unpack and struct.size over binary strings. Written for grabkv.
//
// Format: '<' little endian, '>' big endian, '=' native, '!n' max alignment
// (default 1: no padding), 'x' a zero byte, 'b'/'B' char, 'h'/'H' short,
// 'l'/'L' long (8 bytes), 'T' size_t, 'i'/'I'[n] integer of n bytes
// (default 4), 'f' float, 'd' double, 's' zero-terminated string, 'c'[n]
// fixed string (c0: the whole string when packing; when unpacking, the length
// is the previous value read), ' ' ignored.
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/scripting/lua_internal.h"

namespace grabkv::server::scripting {

namespace {

constexpr int kMaxIntSize = 32;  // Redis's MAXINTSIZE: wider integers are zero-padded

struct Fmt {
  bool little = true;
  int align = 1;
};

// A count in the format. CVE-2020-14147: the count must not overflow an int
// (it became a negative size); Redis raises "integral size overflow".
int ReadNum(lua_State* L, const char** fmt, int def) {
  if (!isdigit(static_cast<unsigned char>(**fmt))) return def;
  int a = 0;
  do {
    int digit = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
    a = a * 10 + digit;
    ++*fmt;
  } while (isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

// Size of the option `opt` (already consumed from fmt; its count follows).
int OptSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': return 8;
    case 'T': return static_cast<int>(sizeof(size_t));
    case 'f': return static_cast<int>(sizeof(float));
    case 'd': return static_cast<int>(sizeof(double));
    case 'x': return 1;
    case 'c': return ReadNum(L, fmt, 1);
    case 'i': case 'I': {
      int sz = ReadNum(L, fmt, 4);
      if (sz > kMaxIntSize) luaL_error(L, "integral size %d is larger than limit of %d", sz, kMaxIntSize);
      return sz;
    }
    default: return 0;
  }
}

int Padding(const Fmt& h, size_t len, int size) {
  int align = size < h.align ? size : h.align;
  if (align <= 1 || (align & (align - 1)) != 0) return 0;
  return static_cast<int>((align - (len & (align - 1))) & (align - 1));
}

// Handles the options that change state; returns true if consumed.
bool Control(lua_State* L, char opt, const char** fmt, Fmt* h) {
  switch (opt) {
    case ' ': return true;
    case '>': h->little = false; return true;
    case '<': h->little = true; return true;
    case '=': h->little = true; return true;
    case '!': {
      int a = ReadNum(L, fmt, 8);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return true;
    }
    default: return false;
  }
}

// Pack's output. It lives in a luaL_Buffer (memory owned by Lua) because
// every argument check in Pack may raise a Lua error, which longjmps past
// this frame: a std::string here leaked its heap buffer on each such error
// (found by lua_fuzz: a script could leak memory in a loop).
class Out {
 public:
  explicit Out(lua_State* L) { luaL_buffinit(L, &b_); }
  void append(const char* s, size_t n) {
    luaL_addlstring(&b_, s, n);
    size_ += n;
  }
  void append(size_t n, char c) {
    for (size_t i = 0; i < n; ++i) push_back(c);
  }
  void push_back(char c) {
    luaL_addchar(&b_, c);
    ++size_;
  }
  size_t size() const { return size_; }
  void Push() { luaL_pushresult(&b_); }

 private:
  luaL_Buffer b_;
  size_t size_ = 0;
};

void PutInt(Out* out, uint64_t v, bool little, int size) {
  char buf[kMaxIntSize];
  for (int i = 0; i < size; ++i) {
    buf[little ? i : size - 1 - i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, static_cast<size_t>(size));
}

uint64_t GetInt(const char* p, bool little, int size) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) {
    v = (v << 8) | static_cast<unsigned char>(p[little ? size - 1 - i : i]);
  }
  return v;
}

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Fmt h;
  int arg = 2;
  Out out(L);
  while (*fmt) {
    char opt = *fmt++;
    if (Control(L, opt, &fmt, &h)) continue;
    int size = OptSize(L, opt, &fmt);
    out.append(static_cast<size_t>(Padding(h, out.size(), size)), '\0');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        // Redis: (unsigned long long) of the number (or of (long long) for a
        // negative one): out-of-range values as x86 converts them.
        lua_Number n = luaL_checknumber(L, arg++);
        PutInt(&out, X86DoubleToUint64(n), h.little, size);
        break;
      }
      case 'x':
        out.push_back('\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        uint32_t bits;
        memcpy(&bits, &f, 4);
        PutInt(&out, bits, h.little, 4);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        uint64_t bits;
        memcpy(&bits, &d, 8);
        PutInt(&out, bits, h.little, 8);
        break;
      }
      case 'c': case 's': {
        size_t l;
        const char* s = luaL_checklstring(L, arg, &l);
        if (opt == 'c' && size != 0) {
          // Redis names the argument after the string (its arg counter has moved on).
          if (l < static_cast<size_t>(size)) luaL_argerror(L, arg + 1, "string too short");
          l = static_cast<size_t>(size);
        }
        out.append(s, l);
        if (opt == 's') out.push_back('\0');
        ++arg;
        break;
      }
      default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    }
  }
  out.Push();
  return 1;
}

int Unpack(lua_State* L) {
  size_t ld;
  const char* data = luaL_checklstring(L, 2, &ld);
  const char* fmt = luaL_checkstring(L, 1);
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1)) - 1;
  luaL_argcheck(L, pos <= ld, 3, "offset must be 1 or greater");
  Fmt h;
  int n = 0;
  while (*fmt) {
    char opt = *fmt++;
    if (Control(L, opt, &fmt, &h)) continue;
    int size = OptSize(L, opt, &fmt);
    pos += static_cast<size_t>(Padding(h, pos, size));
    luaL_argcheck(L, pos + static_cast<size_t>(size) <= ld, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b': case 'h': case 'l': case 'i': {
        uint64_t v = GetInt(data + pos, h.little, size);
        if (size < 8) {
          uint64_t sign = uint64_t{1} << (size * 8 - 1);
          v = (v ^ sign) - sign;
        }
        lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v)));
        ++n;
        break;
      }
      case 'B': case 'H': case 'L': case 'T': case 'I':
        lua_pushnumber(L, static_cast<lua_Number>(GetInt(data + pos, h.little, size)));
        ++n;
        break;
      case 'x':
        break;
      case 'f': {
        uint32_t bits = static_cast<uint32_t>(GetInt(data + pos, h.little, 4));
        float f;
        memcpy(&f, &bits, 4);
        lua_pushnumber(L, f);
        ++n;
        break;
      }
      case 'd': {
        uint64_t bits = GetInt(data + pos, h.little, 8);
        double d;
        memcpy(&d, &bits, 8);
        lua_pushnumber(L, d);
        ++n;
        break;
      }
      case 'c': {
        if (size == 0) {
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          // The previous value may be any number (negative, NaN, 1e300):
          // Redis takes it as a size_t, so -1 and NaN are "too short" and
          // +inf is 0. Checked as a 64-bit count against what is left, never
          // added to pos first (that could wrap around).
          uint64_t want = X86DoubleToUint64(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --n;
          luaL_argcheck(L, want <= ld - pos, 2, "data string too short");
          lua_pushlstring(L, data + pos, static_cast<size_t>(want));
          ++n;
          pos += static_cast<size_t>(want);
          continue;
        }
        lua_pushlstring(L, data + pos, static_cast<size_t>(size));
        ++n;
        break;
      }
      case 's': {
        const char* e = static_cast<const char*>(memchr(data + pos, '\0', ld - pos));
        if (e == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<int>(e - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, static_cast<size_t>(size - 1));
        ++n;
        break;
      }
      default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    }
    pos += static_cast<size_t>(size);
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int Size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Fmt h;
  size_t pos = 0;
  while (*fmt) {
    char opt = *fmt++;
    if (Control(L, opt, &fmt, &h)) continue;
    int size = OptSize(L, opt, &fmt);
    if (opt == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
    if (opt == 'c' && size == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
    if (size == 0 && opt != 'c') luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    pos += static_cast<size_t>(Padding(h, pos, size)) + static_cast<size_t>(size);
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

void PushStructLib(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, Size);
  lua_setfield(L, -2, "size");
}

}  // namespace grabkv::server::scripting
