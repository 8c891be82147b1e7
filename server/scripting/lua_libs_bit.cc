// The `bit` library (LuaBitOp's interface): 32-bit operations on Lua
// numbers. Written for grabkv; results are signed 32-bit integers as in
// LuaBitOp (bit.tobit(0xffffffff) == -1).
#include <cmath>
#include <cstdint>
#include <cstring>

#include "server/scripting/lua_internal.h"

namespace grabkv::server::scripting {

namespace {

// A number's 32 bits exactly as LuaBitOp's barg() takes them: add 2^52+2^51
// and keep the low word of the double. That rounds half to even and wraps
// modulo 2^32 below 2^51; beyond that (1e300, inf, NaN) it is whatever the
// low mantissa bits are (inf and NaN give 0), and no cast of an
// out-of-range double is ever made.
uint32_t Arg(lua_State* L, int i) {
  double d = luaL_checknumber(L, i) + 6755399441055744.0;
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  return static_cast<uint32_t>(bits);
}

int Push(lua_State* L, uint32_t v) {
  lua_pushnumber(L, static_cast<lua_Number>(static_cast<int32_t>(v)));
  return 1;
}

int Tobit(lua_State* L) { return Push(L, Arg(L, 1)); }
int Bnot(lua_State* L) { return Push(L, ~Arg(L, 1)); }

template <int kOp>
int Fold(lua_State* L) {
  uint32_t v = Arg(L, 1);
  for (int i = lua_gettop(L); i > 1; --i) {
    uint32_t x = Arg(L, i);
    if (kOp == 0) v &= x;
    if (kOp == 1) v |= x;
    if (kOp == 2) v ^= x;
  }
  return Push(L, v);
}

int Lshift(lua_State* L) {
  uint32_t v = Arg(L, 1), n = Arg(L, 2) & 31;
  return Push(L, v << n);
}
int Rshift(lua_State* L) {
  uint32_t v = Arg(L, 1), n = Arg(L, 2) & 31;
  return Push(L, v >> n);
}
int Arshift(lua_State* L) {
  uint32_t v = Arg(L, 1), n = Arg(L, 2) & 31;
  return Push(L, static_cast<uint32_t>(static_cast<int32_t>(v) >> n));
}
int Rol(lua_State* L) {
  uint32_t v = Arg(L, 1), n = Arg(L, 2) & 31;
  return Push(L, n == 0 ? v : (v << n) | (v >> (32 - n)));
}
int Ror(lua_State* L) {
  uint32_t v = Arg(L, 1), n = Arg(L, 2) & 31;
  return Push(L, n == 0 ? v : (v >> n) | (v << (32 - n)));
}
int Bswap(lua_State* L) {
  uint32_t v = Arg(L, 1);
  v = (v >> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24);
  return Push(L, v);
}

// bit.tohex(x [, n]): n hex digits (default 8), upper case when n < 0.
int Tohex(lua_State* L) {
  uint32_t v = Arg(L, 1);
  int n = lua_isnone(L, 2) ? 8 : static_cast<int>(static_cast<int32_t>(Arg(L, 2)));
  const char* digits = "0123456789abcdef";
  // Redis's lua_bit.c (the CVE-2024-31449 fix): INT32_MIN would stay
  // negative after negation.
  if (n == INT32_MIN) n = INT32_MIN + 1;
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  char buf[8];
  for (int i = n - 1; i >= 0; --i) {
    buf[i] = digits[v & 15];
    v >>= 4;
  }
  lua_pushlstring(L, buf, static_cast<size_t>(n));
  return 1;
}

}  // namespace

void PushBitLib(lua_State* L) {
  const luaL_Reg fns[] = {{"tobit", Tobit},   {"bnot", Bnot},       {"band", Fold<0>},
                          {"bor", Fold<1>},   {"bxor", Fold<2>},    {"lshift", Lshift},
                          {"rshift", Rshift}, {"arshift", Arshift}, {"rol", Rol},
                          {"ror", Ror},       {"bswap", Bswap},     {"tohex", Tohex},
                          {nullptr, nullptr}};
  lua_newtable(L);
  for (const luaL_Reg* f = fns; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
}

}  // namespace grabkv::server::scripting
