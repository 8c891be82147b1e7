// The sandbox every script and function runs in (LuaEngine::BuildSandbox).
//
// Sandbox (Redis 7.0 semantics on stock Lua 5.1):
//  * Only base (minus dofile/loadfile/setfenv/getfenv/newproxy/module/
//    require/print; load and loadstring refuse binary chunks), table,
//    string, math, coroutine, bit, cjson, cmsgpack, struct and redis are
//    reachable. No io, os, package, debug.
//    (Debian's CVE-2022-0543 came from `package` being reachable: it is never
//    opened here, so package.loadlib does not exist.)
//  * Redis 7.0 patches Lua so that tables can be made read-only (even for
//    rawset). Stock Lua cannot refuse rawset on a table, so scripts never see
//    a real library table or the real globals: they see empty proxy tables
//    whose __index is the real table and whose __newindex raises "Attempt to
//    modify a readonly table". The proxies are recorded in a weak registry
//    set, and the only base functions that write to a table without going
//    through metamethods (rawset, setmetatable, table.insert/remove/sort)
//    are replaced with versions that refuse those tables. Each proxy's
//    metatable has a __metatable field, so getmetatable() cannot hand the
//    real metatable (and through it the real tables) to a script.
//  * Compiled scripts get the globals proxy as their environment (setfenv
//    from C); the real globals table carries a metatable whose __index raises
//    "Script attempted to access nonexistent global variable".
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "server/scripting/lua_internal.h"
#include "server/core/server_state.h"

namespace grabkv::server::scripting {

namespace {

constexpr size_t kMaxStringRep = 512ull * 1024 * 1024;  // proto-max-bulk-len

// Raises a plain string error without position (as Redis's patched C API).
int ReadonlyError(lua_State* L) {
  lua_pushstring(L, "Attempt to modify a readonly table");
  return lua_error(L);
}

// __newindex of a proxy: the error carries the script position.
int ProxyNewIndex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

// __index of the real globals: reading an undefined global is an error.
int GlobalsIndex(lua_State* L) {
  if (lua_gettop(L) != 2) return luaL_error(L, "Wrong number of arguments to luaProtectedTableError");
  if (!lua_isstring(L, 2)) {
    return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

int GuardedRawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (IsReadonly(L, 1)) return ReadonlyError(L);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// setmetatable, written out (not a call of the original) so that argument
// errors name 'setmetatable' and the script line, as in Redis.
int GuardedSetmetatable(lua_State* L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
  if (IsReadonly(L, 1)) return ReadonlyError(L);
  if (luaL_getmetafield(L, 1, "__metatable")) return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// table.insert / remove / sort: refuse read-only tables, then call the
// original (upvalue 1). The original's own argument checks are made here
// first: raised from the original (called from C), they would name '?' and
// carry no script position, while Redis's name the function and the line.
template <char kFn>
int GuardedTableFn(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (kFn == 'i') {
    int n = lua_gettop(L);
    if (n != 2 && n != 3) return luaL_error(L, "wrong number of arguments to 'insert'");
    if (n == 3) luaL_checkint(L, 2);
  } else if (kFn == 'r') {
    luaL_optint(L, 2, 0);
  } else if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
  }
  if (IsReadonly(L, 1)) return ReadonlyError(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int GuardedStringRep(lua_State* L) {
  size_t len;
  luaL_checklstring(L, 1, &len);
  // The count as Lua 5.1's string.rep reads it (2^40 wraps to 0 there).
  int n = luaL_checkint(L, 2);
  if (n > 0 && len > 0 && static_cast<double>(n) * static_cast<double>(len) > static_cast<double>(kMaxStringRep)) {
    return luaL_error(L, "resulting string too large");
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

// Lua 5.1's int argument conversion (luaL_checkint on x86-64): the number is
// cast to a 64-bit integer, then truncated to int. Kept so that scripts see
// the same values as under Redis's Lua.
int ToLuaInt(lua_Number d) {
  return static_cast<int>(static_cast<uint32_t>(X86DoubleToInt64(d)));
}

// unpack(t [, i [, j]]) with the range computed without overflow
// (CVE-2025-46817: stock 5.1's `e - i + 1` overflows, the check against it is
// optimised away and the stack is overrun).
int CheckedUnpack(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const int i = lua_isnoneornil(L, 2) ? 1 : ToLuaInt(luaL_checknumber(L, 2));
  const int e = lua_isnoneornil(L, 3) ? static_cast<int>(lua_objlen(L, 1))
                                      : ToLuaInt(luaL_checknumber(L, 3));
  if (i > e) return 0;
  const int64_t n = static_cast<int64_t>(e) - i + 1;
  if (n >= INT32_MAX || !lua_checkstack(L, static_cast<int>(n))) {
    return luaL_error(L, "too many results to unpack");
  }
  for (int64_t k = i; k <= e; ++k) lua_rawgeti(L, 1, static_cast<int>(k));
  return static_cast<int>(n);
}

// math.random / math.randomseed as Redis 7.0 has them: a 48-bit LCG (rand48)
// seeded once when the server starts and never reseeded by EVAL (scripts
// are replicated by effects, so their random numbers are random), and
// math.randomseed(n) restarts the sequence from n.
uint64_t& RandState(lua_State* L) { return *static_cast<uint64_t*>(lua_touserdata(L, lua_upvalueindex(1))); }

// A number in [0, 1): the top 31 bits of the next state, over INT32_MAX.
double NextRandom(uint64_t& x) {
  x = (x * 0x5DEECE66Dull + 0xB) & ((1ull << 48) - 1);
  const uint64_t top31 = x >> 17;
  return static_cast<double>(top31 % INT32_MAX) / static_cast<double>(INT32_MAX);
}

// os.clock(): the one `os` function scripts get (CPU seconds, as Lua's).
int OsClock(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(std::clock()) / CLOCKS_PER_SEC);
  return 1;
}

int MathRandom(lua_State* L) {
  double r = NextRandom(RandState(L));
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomseed(lua_State* L) {
  // The seed is taken as a 32-bit integer, above the fixed low word 0x330E.
  const auto seed = static_cast<uint32_t>(static_cast<int32_t>(luaL_checkint(L, 1)));
  RandState(L) = (static_cast<uint64_t>(seed) << 16) | 0x330E;
  return 0;
}

// --- loadstring / load ----------------------------------------------------
// Redis 7.0 keeps both but its Lua never undumps: a binary chunk (one that
// starts with ESC, "\27Lua") goes to the parser like source text and fails
// with "unexpected symbol near 'char(27)'". Stock Lua 5.1 would load it
// (and bytecode can break out of any sandbox), so a text that starts with
// ESC reaches the parser behind a leading space: the same first token, the
// same error at line 1. Compiling goes through CompileWith (the parser
// hardening); the loaded function runs in its caller's environment (the
// read-only globals), never in the real globals.

// The pieces of a chunk: `next` gives them (nullptr at the end); a leading
// space is slipped in before a first piece that starts with ESC.
struct ChunkReader {
  const char* (*next)(lua_State* L, ChunkReader* r, size_t* size);
  bool started = false;
  std::string_view held;  // a first piece waiting behind the space
  std::string_view text;  // loadstring's whole text
};

const char* ReadChunk(lua_State* L, void* data, size_t* size) {
  auto* r = static_cast<ChunkReader*>(data);
  if (!r->held.empty()) {
    *size = r->held.size();
    const char* p = r->held.data();
    r->held = {};
    return p;
  }
  const char* piece = r->next(L, r, size);
  if (!r->started && piece != nullptr && *size > 0) {
    r->started = true;
    if (piece[0] == '\033') {
      r->held = std::string_view(piece, *size);
      *size = 1;
      return " ";
    }
  }
  return piece;
}

// Compiles through `r`: the function (in the caller's environment), or nil
// and the message.
int LoadChunk(lua_State* L, ChunkReader* r, const char* name) {
  if (CompileWith(L, ReadChunk, r, name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_Debug ar;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "f", &ar)) {
    lua_getfenv(L, -1);
    lua_setfenv(L, -3);
    lua_pop(L, 1);
  }
  return 1;
}

const char* NextOfText(lua_State*, ChunkReader* r, size_t* size) {
  *size = r->text.size();
  const char* p = r->text.data();
  r->text = {};
  return *size != 0 ? p : nullptr;
}

int LoadString(lua_State* L) {
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, text);
  ChunkReader r{NextOfText};
  r.text = std::string_view(text, len);
  return LoadChunk(L, &r, name);
}

// load(fn [, chunkname]): each call of fn (stack slot 1) gives the next
// piece, until nothing, nil or "". Slot 3 keeps the last piece alive while
// the parser reads it. An error raised in fn, or a piece that is no string,
// ends the load (nil and the error), as in Lua.
const char* NextOfFunction(lua_State* L, ChunkReader*, size_t* size) {
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    *size = 0;
    return nullptr;
  }
  if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
  lua_replace(L, 3);
  return lua_tolstring(L, 3, size);
}

int LoadFunction(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  lua_settop(L, 3);
  ChunkReader r{NextOfFunction};
  return LoadChunk(L, &r, name);
}

// Replaces t[name] (t on top of the stack) with a closure of `fn` whose
// upvalue is the original function.
void WrapField(lua_State* L, const char* name, lua_CFunction fn) {
  lua_getfield(L, -1, name);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
}

// Pushes a read-only proxy of the table at `idx`.
void PushProxy(lua_State* L, int idx, int ro_meta_idx) {
  if (idx < 0) idx = lua_gettop(L) + idx + 1;
  lua_newtable(L);                    // proxy
  lua_createtable(L, 0, 3);           // its metatable
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ProxyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, ro_meta_idx);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  MarkReadonly(L, -1);
}

// The msgh of every script call: turns the error into Redis's error table
// {err=..., source=..., line=...}, positioned at the script line that called
// the failing C function.
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
  if (have && strcmp(ar.what, "C") == 0) have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  if (!lua_istable(L, 1)) {
    const char* text;
    switch (lua_type(L, 1)) {
      case LUA_TSTRING:
      case LUA_TNUMBER:
        text = lua_tostring(L, 1);
        break;
      case LUA_TNIL:
        text = "nil";
        break;
      case LUA_TBOOLEAN:
        text = lua_toboolean(L, 1) ? "true" : "false";
        break;
      default:
        text = lua_pushfstring(L, "%s: %p", luaL_typename(L, 1), lua_topointer(L, 1));
    }
    lua_createtable(L, 0, 3);
    lua_pushfstring(L, "ERR %s", text);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
    lua_settop(L, 1);
  }
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  return 1;
}

}  // namespace

void MarkReadonly(lua_State* L, int idx) {
  lua_pushvalue(L, idx);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyTables);
  lua_insert(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

bool IsReadonly(lua_State* L, int idx) {
  lua_pushvalue(L, idx);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyTables);
  lua_insert(L, -2);
  lua_rawget(L, -2);
  bool ro = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return ro;
}

void LuaEngine::BuildSandbox() {
  lua_State* L = lua_;
  lua_pushlightuserdata(L, this);
  lua_setfield(L, LUA_REGISTRYINDEX, "grabkv.engine");
  // Weak-keyed set of read-only tables.
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kReadonlyTables);

  const luaL_Reg libs[] = {{"", luaopen_base},
                           {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string},
                           {LUA_MATHLIBNAME, luaopen_math}};
  for (const luaL_Reg& lib : libs) {
    lua_pushcfunction(L, lib.func);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 0);
  }
  lua_pushvalue(L, LUA_GLOBALSINDEX);  // G: the real globals (stack 1)
  int g = lua_gettop(L);
  for (const char* name : {"dofile", "loadfile", "setfenv", "getfenv", "newproxy", "module",
                           "require", "print"}) {
    lua_pushnil(L);
    lua_setfield(L, g, name);
  }
  PushBitLib(L);
  lua_setfield(L, g, "bit");
  PushCjsonLib(L);
  lua_setfield(L, g, "cjson");
  PushStructLib(L);
  lua_setfield(L, g, "struct");
  PushCmsgpackLib(L);
  lua_setfield(L, g, "cmsgpack");
  OpenRedisApi(L, this);  // sets G.redis
  // `os` holds only clock(): Redis 7.0.15 has no `os` at all, but timing a
  // script is harmless and asked for; execute/exit/getenv stay out of reach.
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, OsClock);
  lua_setfield(L, -2, "clock");
  lua_setfield(L, g, "os");

  lua_pushcfunction(L, LoadString);
  lua_setfield(L, g, "loadstring");
  lua_pushcfunction(L, LoadFunction);
  lua_setfield(L, g, "load");

  // Guarded writers.
  lua_pushcfunction(L, GuardedRawset);
  lua_setfield(L, g, "rawset");
  lua_pushcfunction(L, CheckedUnpack);
  lua_setfield(L, g, "unpack");
  lua_pushcfunction(L, GuardedSetmetatable);
  lua_setfield(L, g, "setmetatable");
  lua_getfield(L, g, "table");
  WrapField(L, "insert", GuardedTableFn<'i'>);
  WrapField(L, "remove", GuardedTableFn<'r'>);
  WrapField(L, "sort", GuardedTableFn<'s'>);
  lua_pop(L, 1);
  lua_getfield(L, g, "string");
  WrapField(L, "rep", GuardedStringRep);
  lua_pop(L, 1);
  lua_getfield(L, g, "math");
  auto* seed = static_cast<uint64_t*>(lua_newuserdata(L, sizeof(uint64_t)));
  *seed = 0x1234ABCD330Eull;  // rand48's initial state, as Redis starts with
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, MathRandom, 1);
  lua_setfield(L, -3, "random");
  lua_pushcclosure(L, MathRandomseed, 1);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  // The error handler lives in the registry (scripts cannot reach it).
  lua_pushcfunction(L, ErrorHandler);
  errh_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);

  // An empty read-only table: every proxy's __metatable, i.e. what
  // getmetatable() returns for a protected table. It is itself protected so
  // that scripts cannot use it to pass state to each other.
  lua_newtable(L);
  int ro_meta = lua_gettop(L);
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, ProxyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, ro_meta);
  MarkReadonly(L, ro_meta);
  // Replace each library table in G by its proxy.
  for (const char* name :
       {"string", "table", "math", "coroutine", "bit", "cjson", "struct", "cmsgpack", "redis", "os"}) {
    lua_getfield(L, g, name);
    PushProxy(L, lua_gettop(L), ro_meta);
    lua_setfield(L, g, name);
    lua_pop(L, 1);
  }
  // CVE-2025-46818: the metatable shared by all strings (the only basic type
  // with one; setmetatable takes tables only and `debug` is not reachable)
  // must not be changeable, or one script could hijack s:method() calls of
  // later scripts. Redis makes it read-only; scripts here never get the real
  // one: getmetatable('') returns a read-only proxy whose __index is the
  // `string` proxy, so getmetatable('').__index == string as under Redis, and
  // every write fails with Redis's "Attempt to modify a readonly table".
  // (A deliberate difference: rawget(getmetatable(''), '__index') is nil.)
  lua_pushstring(L, "");
  lua_getmetatable(L, -1);
  lua_createtable(L, 0, 1);  // the fields scripts see
  lua_getfield(L, g, "string");
  lua_setfield(L, -2, "__index");
  PushProxy(L, -1, ro_meta);
  lua_setfield(L, -3, "__metatable");
  lua_pop(L, 3);

  // Functions: the load-time API table and the functions' environment.
  lua_newtable(L);  // LG
  int lg = lua_gettop(L);
  lua_newtable(L);  // its redis table
  lua_getfield(L, g, "redis");
  for (const char* f : {"register_function", "log", "setresp", "LOG_DEBUG", "LOG_VERBOSE",
                        "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, f);
    lua_setfield(L, -3, f);
  }
  lua_pop(L, 1);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, GlobalsIndex);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  PushProxy(L, -1, ro_meta);
  lua_setfield(L, lg, "redis");
  lua_pop(L, 1);
  for (const char* name : {"string", "table", "math", "bit", "cjson", "struct", "cmsgpack"}) {
    lua_getfield(L, g, name);
    lua_setfield(L, lg, name);
  }
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, GlobalsIndex);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, lg);
  lua_setfield(L, LUA_REGISTRYINDEX, "grabkv.loadG");
  PushProxy(L, g, ro_meta);
  lua_getmetatable(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "grabkv.fenv_mt");
  lua_setfield(L, LUA_REGISTRYINDEX, "grabkv.fenv");

  // The globals proxy: the environment of every script.
  PushProxy(L, g, ro_meta);
  lua_pushvalue(L, -1);
  lua_setfield(L, g, "_G");
  env_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  // Reading a missing global raises.
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, GlobalsIndex);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, g);
  lua_pop(L, 2);  // ro_meta, G

  lua_newtable(L);
  functions_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookInstructions);
}


}  // namespace grabkv::server::scripting
