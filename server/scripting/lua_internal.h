// Pieces of the scripting engine shared between its .cc files. Not a public
// interface: only server/scripting/ includes this.
#pragma once

#include <lua5.1/lua.hpp>

#include <cstdint>
#include <string_view>

#include "protocol/reply_builder.h"
#include "server/scripting/lua_engine.h"

namespace grabkv::server::scripting {

// Walks the space-separated words of a "#!" line (a script's shebang or a
// library's metadata line), as Redis 7.0 splits them: calls
// fn(word, is_first) for each; stops and returns false as soon as fn does.
template <typename Fn>
bool ForEachShebangWord(std::string_view line, Fn&& fn) {
  bool first = true;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    std::string_view part = line.substr(i, j - i);
    i = j;
    if (!fn(part, first)) return false;
    first = false;
  }
  return true;
}

// Registry keys.
inline constexpr const char* kReadonlyTables = "grabkv.readonly";

// Pushes Redis's error table {err="<CODE> <msg>"}: `msg` starting with '-'
// carries its own code (the first word), otherwise "ERR " is prepended.
void PushError(lua_State* L, std::string_view msg);

// Decodes one RESP reply from buf[*pos] as a Lua value (Redis 7.0's
// conversion rules) and advances *pos.
void PushReply(lua_State* L, std::string_view buf, size_t* pos);
// Converts the Lua value on top of the stack to a reply (Redis 7.0 rules).
// `script_resp` is the protocol selected with redis.setresp. Pops nothing.
void WriteReply(lua_State* L, protocol::ReplyBuilder& reply, int script_resp);

// Installs the `redis` table (call, pcall, ...) into the table on top of the
// stack's field "redis".
void OpenRedisApi(lua_State* L, LuaEngine* engine);
// redis.register_function (functions.cc); upvalue 1 is the engine.
int LuaRegisterFunction(lua_State* L);
// Each pushes its library table.
void PushBitLib(lua_State* L);
void PushCjsonLib(lua_State* L);
void PushStructLib(lua_State* L);
void PushCmsgpackLib(lua_State* L);

// C casts of a Lua number as Redis (built with GCC for x86-64) does them.
// A plain static_cast of a NaN or out-of-range double is undefined
// behaviour; the x86 conversion instructions give these results:
// (int) and (long long): the "integer indefinite" INT_MIN / INT64_MIN;
// (unsigned long long): exact below 2^64, 0 at or above 2^64 (and +inf),
// negatives and NaN as through (long long).
inline int64_t X86DoubleToInt64(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}
inline int X86DoubleToInt(double d) {
  if (!(d > -2147483649.0 && d < 2147483648.0)) return INT32_MIN;
  return static_cast<int>(d);
}
inline uint64_t X86DoubleToUint64(double d) {
  if (!(d >= 9223372036854775808.0)) return static_cast<uint64_t>(X86DoubleToInt64(d));
  if (d < 18446744073709551616.0) return static_cast<uint64_t>(d);
  return 0;
}

// luaL_loadbuffer with the parser hardening of lua_engine.cc (chunk name
// anchored, collector stopped while compiling). Same result and stack effect.
int CompileChunk(lua_State* L, std::string_view code, const char* chunkname);
// The same over a lua_Reader (load(fn) feeds the parser piece by piece).
int CompileWith(lua_State* L, lua_Reader reader, void* data, const char* chunkname);

// Marks the table at `idx` read-only for the sandbox's guarded functions.
void MarkReadonly(lua_State* L, int idx);
bool IsReadonly(lua_State* L, int idx);

}  // namespace grabkv::server::scripting

namespace grabkv::server::scripting {

// A FUNCTION LOAD in progress (what redis.register_function records).
struct LuaEngine::LoadState {
  std::string library;
  std::vector<FunctionEntry> functions;
  int table_ref = 0;  // registry ref: function name -> callback
  int64_t start_ms = 0;
};

// Letters, digits and '_' only, at least one character (library and
// function names).
bool ValidFunctionName(std::string_view name);

}  // namespace grabkv::server::scripting

namespace grabkv::server::scripting {
// The instruction-count hook (lua_engine.cc), installed every kHookInstructions.
inline constexpr int kHookInstructions = 100000;
void CountHook(lua_State* L, lua_Debug* ar);
}  // namespace grabkv::server::scripting
