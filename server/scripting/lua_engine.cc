// LuaEngine: the script cache, running scripts and functions, the
// instruction-count hook (busy scripts, SCRIPT KILL). The sandbox is built
// in sandbox.cc.
#include "server/scripting/lua_engine.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "server/scripting/lua_internal.h"
#include "server/scripting/sha1.h"
#include "server/core/server_state.h"

namespace grabkv::server::scripting {

namespace {

constexpr int64_t kLoadTimeoutMs = 500;  // Redis: a library's load code may run this long
constexpr size_t kLuaMemoryLimit = 1024ull * 1024 * 1024;  // a runaway script fails, not the server
// CVE-2025-46819: the lexer's buffer (one byte per '=' of a long bracket)
// must hit the memory cap long before an int count of '='s overflows.
static_assert(kLuaMemoryLimit <= (1ull << 30), "lexer long-bracket level could overflow");

}  // namespace

void CountHook(lua_State* L, lua_Debug*) {
  lua_getfield(L, LUA_REGISTRYINDEX, "grabkv.engine");
  auto* e = static_cast<LuaEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  e->OnHook(L);
}


bool ParseScriptFlag(std::string_view name, uint32_t* flags) {
  if (name == "no-writes") *flags |= kScriptNoWrites;
  else if (name == "allow-oom") *flags |= kScriptAllowOom;
  else if (name == "allow-stale") *flags |= kScriptAllowStale;
  else if (name == "no-cluster") *flags |= kScriptNoCluster;
  else if (name == "allow-cross-slot-keys") *flags |= kScriptAllowCrossSlot;
  else return false;
  return true;
}

void* LuaEngine::Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* e = static_cast<LuaEngine*>(ud);
  if (nsize == 0) {
    free(ptr);
    e->lua_memory_ -= osize;
    return nullptr;
  }
  if (nsize > osize && e->lua_memory_ - osize + nsize > kLuaMemoryLimit) return nullptr;
  void* p = realloc(ptr, nsize);
  if (p != nullptr) e->lua_memory_ = e->lua_memory_ - osize + nsize;
  return p;
}

LuaEngine::LuaEngine(ServerState* server) : server_(server), script_client_(0) {
  script_client_.reply().set_error_sink(server);
  lua_ = lua_newstate(&LuaEngine::Alloc, this);
  BuildSandbox();
  lua_newtable(lua_);
  keys_ref_ = luaL_ref(lua_, LUA_REGISTRYINDEX);
  lua_newtable(lua_);
  argv_ref_ = luaL_ref(lua_, LUA_REGISTRYINDEX);
}

LuaEngine::~LuaEngine() {
  // CVE-2024-46981: Redis runs a full collection before closing the VM so
  // that nothing is finalised while still in use during lua_close.
  if (lua_ != nullptr) {
    lua_gc(lua_, LUA_GCCOLLECT, 0);
    lua_close(lua_);
  }
}

namespace {

// Redis 7.0 evalExtractShebangFlags. Returns false with *err set.
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* err) {
  *flags = kScriptEvalCompat;
  *shebang_len = 0;
  if (body.substr(0, 2) != "#!") return true;
  size_t eol = body.find('\n');
  std::string_view line = body.substr(0, eol == std::string_view::npos ? body.size() : eol);
  *shebang_len = line.size();
  *flags = 0;
  return ForEachShebangWord(line, [&](std::string_view part, bool first) {
    if (first) {
      if (part != "#!lua") {
        *err = "ERR Unexpected engine in script shebang: " + std::string(part);
        return false;
      }
      return true;
    }
    if (part.substr(0, 6) == "flags=") {
      std::string_view list = part.substr(6);
      size_t k = 0;
      while (k <= list.size() && !list.empty()) {
        size_t c = list.find(',', k);
        if (c == std::string_view::npos) c = list.size();
        std::string_view f = list.substr(k, c - k);
        if (!f.empty() && !ParseScriptFlag(f, flags)) {
          *err = "ERR Unexpected flag in script shebang: " + std::string(f);
          return false;
        }
        k = c + 1;
      }
    } else {
      *err = "ERR Unknown lua shebang option: " + std::string(part);
      return false;
    }
    return true;
  });
}

}  // namespace

bool LuaEngine::LoadScript(std::string_view body, std::string* sha, std::string* err) {
  *sha = Sha1Hex(body);
  if (scripts_.find(*sha) != scripts_.end()) return true;
  uint32_t flags;
  size_t shebang_len;
  if (!ParseShebang(body, &flags, &shebang_len, err)) return false;
  lua_State* L = lua_;
  std::string_view code = body.substr(shebang_len);
  if (CompileChunk(L, code, "@user_script") != 0) {
    *err = "ERR Error compiling script (new function): ";
    size_t len;
    const char* msg = lua_tolstring(L, -1, &len);
    if (msg != nullptr) err->append(msg, len);
    lua_pop(L, 1);
    return false;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, env_ref_);
  lua_setfenv(L, -2);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  scripts_.emplace(*sha, ScriptEntry{std::string(body), flags, ref});
  return true;
}

const ScriptEntry* LuaEngine::FindScript(std::string_view sha) const {
  auto it = scripts_.find(sha);
  return it == scripts_.end() ? nullptr : &it->second;
}

int CompileWith(lua_State* L, lua_Reader reader, void* data, const char* chunkname) {
  // CVE-2025-49844: Lua 5.1's parser creates the chunk-name string and does
  // not anchor it, so a collection during parsing could free it while the
  // parser still uses it. Redis patched lparser.c; Debian's liblua cannot be
  // patched, so: (1) the name is pushed first (strings are interned, so the
  // parser's luaS_new finds this anchored copy), and (2) the collector is
  // stopped while compiling, so nothing is collected mid-parse at all
  // (allocations still count against the Lua memory cap).
  //
  // CVE-2025-46819 (Lua 5.1's lexer counts the '='s of a long bracket in an
  // int and goes out of bounds when it overflows): the lexer saves every '='
  // in its buffer, which is allocated through LuaEngine::Alloc; the memory
  // cap stops it far below 2^31 '='s (static_assert in lua_engine.cc).
  lua_pushstring(L, chunkname);
  lua_gc(L, LUA_GCSTOP, 0);
  int status = lua_load(L, reader, data, chunkname);
  lua_gc(L, LUA_GCRESTART, 0);
  lua_remove(L, -2);  // the anchored name; the chunk or the error stays
  return status;
}

namespace {
struct WholeText {
  std::string_view code;
};
const char* ReadWhole(lua_State*, void* data, size_t* size) {
  auto* text = static_cast<WholeText*>(data);
  *size = text->code.size();
  const char* p = text->code.data();
  text->code = {};
  return *size != 0 ? p : nullptr;
}
}  // namespace

int CompileChunk(lua_State* L, std::string_view code, const char* chunkname) {
  WholeText text{code};
  return CompileWith(L, ReadWhole, &text, chunkname);
}

void LuaEngine::FlushScripts() {
  for (auto& [sha, script] : scripts_) luaL_unref(lua_, LUA_REGISTRYINDEX, script.ref);
  scripts_.clear();
  lua_gc(lua_, LUA_GCCOLLECT, 0);
}

ScriptMemoryInfo LuaEngine::MemoryInfo() const {
  ScriptMemoryInfo info;
  info.vm_bytes = lua_memory_;
  info.scripts_count = scripts_.size();
  for (const auto& [sha, script] : scripts_) {
    info.scripts_bytes += sha.size() + script.body.size() + sizeof(ScriptEntry);
  }
  info.libraries_count = libraries_.size();
  info.functions_count = functions_.size();
  for (const auto& [name, lib] : libraries_) {
    info.functions_bytes += name.size() + lib.code.size() + sizeof(LibraryEntry);
  }
  for (const auto& [name, fn] : functions_) {
    info.functions_bytes += name.size() + fn.description.size() + sizeof(FunctionEntry);
  }
  return info;
}

namespace {
// Fills the reused table `ref` with args (dropping what a longer previous
// call left) and sets it as G[name] (the real globals, not the proxy).
void SetArgsTable(lua_State* L, int ref, const char* name, Args args) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  int n = static_cast<int>(args.size());
  for (int i = 0; i < n; ++i) {
    lua_pushlstring(L, args[i].data(), args[i].size());
    lua_rawseti(L, -2, i + 1);
  }
  for (int i = n + 1;; ++i) {
    lua_rawgeti(L, -1, i);
    bool more = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (!more) break;
    lua_pushnil(L);
    lua_rawseti(L, -2, i);
  }
  lua_setfield(L, LUA_GLOBALSINDEX, name);
}
void PushArgsTable(lua_State* L, Args args) {
  lua_createtable(L, static_cast<int>(args.size()), 0);
  for (size_t i = 0; i < args.size(); ++i) {
    lua_pushlstring(L, args[i].data(), args[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}
}  // namespace

namespace {
// Redis derives EVAL/FCALL's command flags from the script's: one that may
// write (no no-writes flag) and is not allow-oom is deny-oom, refused while
// memory is over maxmemory. An EVAL body without a shebang line keeps
// EVAL's own flags (checked at its first deny-oom call instead).
bool RefusedForMemory(CommandContext& ctx, uint32_t flags) {
  if (flags & (kScriptEvalCompat | kScriptNoWrites | kScriptAllowOom)) return false;
  if (ctx.server.config().maxmemory == 0 || !ctx.server.script_oom) return false;
  ctx.reply.Error(kOomError);
  return true;
}
}  // namespace

void LuaEngine::Eval(CommandContext& ctx, std::string_view sha, const ScriptEntry& script,
                     Args keys, Args argv, bool ro) {
  if (RefusedForMemory(ctx, script.flags)) return;
  if (ro && !(script.flags & (kScriptEvalCompat | kScriptNoWrites))) {
    ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  lua_State* L = lua_;
  lua_rawgeti(L, LUA_REGISTRYINDEX, script.ref);
  SetArgsTable(L, keys_ref_, "KEYS", keys);
  SetArgsTable(L, argv_ref_, "ARGV", argv);
  RunState rs;
  rs.funcname = sha;
  rs.is_eval = true;
  rs.read_only = ro || (script.flags & kScriptNoWrites);
  rs.allow_oom = script.flags & kScriptAllowOom;
  Run(ctx, rs, 0);
}

void LuaEngine::Fcall(CommandContext& ctx, const FunctionEntry& fn, Args keys, Args argv, bool ro) {
  if (RefusedForMemory(ctx, fn.flags)) return;
  if (ro && !(fn.flags & kScriptNoWrites)) {
    ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  lua_State* L = lua_;
  lua_rawgeti(L, LUA_REGISTRYINDEX, functions_ref_);
  lua_getfield(L, -1, fn.name.c_str());
  lua_remove(L, -2);
  PushArgsTable(L, keys);
  PushArgsTable(L, argv);
  RunState rs;
  rs.funcname = fn.name;
  rs.is_eval = false;
  rs.read_only = ro || (fn.flags & kScriptNoWrites);
  rs.allow_oom = fn.flags & kScriptAllowOom;
  Run(ctx, rs, 2);
}

void LuaEngine::Run(CommandContext& ctx, RunState& rs, int nargs) {
  lua_State* L = lua_;
  rs.caller = &ctx;
  rs.start_ms = ServerState::NowMs();
  rs.now_ms = ctx.now_ms;
  script_client_.set_db_index(ctx.client.db_index());
  script_client_.set_resp(2);
  script_client_.out().clear();

  int fn_idx = lua_gettop(L) - nargs;
  lua_rawgeti(L, LUA_REGISTRYINDEX, errh_ref_);
  lua_insert(L, fn_idx);
  run_ = &rs;
  int status = lua_pcall(L, nargs, 1, fn_idx);
  run_ = nullptr;
  // CVE-2024-46981 (GC abuse): a script may have stopped the collector
  // (collectgarbage('stop')). Like Redis's luaCallFunction, every 50th
  // script runs an incremental step, which also restarts a stopped
  // collector, so no script can switch it off for good.
  if (++gc_countdown_ >= 50) {
    gc_countdown_ = 0;
    lua_gc(L, LUA_GCSTEP, 50);
  }
  if (rs.killed || rs.timed_out) lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookInstructions);
  if (status == 0) {
    WriteReply(L, ctx.reply, script_client_.resp());
  } else if (lua_istable(L, -1)) {
    // Raw reads: the error object is the script's own table, and a
    // metamethod (__index) run here would run outside any pcall (an error in
    // it aborted the process through lua_atpanic) and outside the busy-script
    // hook (a loop in it hung the server). Redis reads these fields with
    // lua_getfield; for plain tables the result is the same.
    lua_pushstring(L, "err");
    lua_rawget(L, -2);
    lua_pushstring(L, "source");
    lua_rawget(L, -3);
    lua_pushstring(L, "line");
    lua_rawget(L, -4);
    // lua_tostring only on strings and numbers (it converts numbers in place).
    auto text = [L](int idx) { return lua_isstring(L, idx) ? lua_tostring(L, idx) : nullptr; };
    const char* err = text(-3);
    const char* source = text(-2);
    const char* line = text(-1);
    std::string msg = err != nullptr ? err : "ERR unknown error";
    if (source != nullptr && line != nullptr) {
      msg += " script: ";
      msg.append(rs.funcname);
      msg += ", on ";
      msg += source;
      msg += ':';
      msg += line;
      msg += '.';
    }
    lua_pop(L, 3);
    ctx.reply.Error(msg);
  } else {
    const char* text = lua_tostring(L, -1);
    std::string msg = "ERR Error running script ";
    msg.append(rs.funcname);
    msg += ", ";
    msg += std::string_view(text != nullptr ? text : "execution failure").substr(0, 100);
    ctx.reply.Error(msg);
  }
  lua_settop(L, fn_idx - 1);
  script_client_.out().clear();
  if (!rs.is_eval) return;
  // KEYS/ARGV are globals only while an EVAL script runs.
  lua_pushnil(L);
  lua_setfield(L, LUA_GLOBALSINDEX, "KEYS");
  lua_pushnil(L);
  lua_setfield(L, LUA_GLOBALSINDEX, "ARGV");
}

void LuaEngine::SetFunctionEnvForLoad(bool load) {
  lua_State* L = lua_;
  lua_getfield(L, LUA_REGISTRYINDEX, "grabkv.fenv_mt");
  if (load) lua_getfield(L, LUA_REGISTRYINDEX, "grabkv.loadG");
  else lua_pushvalue(L, LUA_GLOBALSINDEX);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

void LuaEngine::OnHook(lua_State* L) {
  if (load_state_ != nullptr && ServerState::NowMs() - load_state_->start_ms > kLoadTimeoutMs) {
    PushError(L, "FUNCTION LOAD timeout");
    lua_error(L);
  }
  RunState* rs = run_;
  if (rs == nullptr) return;
  if (!rs->timed_out) {
    int64_t elapsed = ServerState::NowMs() - rs->start_ms;
    if (elapsed < server_->config().busy_reply_threshold) return;
    rs->timed_out = true;
  }
  if (process_events_ && !rs->killed) process_events_();
  if (rs->killed || server_->shutdown_requested) {
    // Fire on every line from now on: a pcall in the script cannot swallow
    // the kill and carry on.
    lua_sethook(L, CountHook, LUA_MASKLINE | LUA_MASKCOUNT, 1);
    PushError(L, "Script killed by user with SCRIPT KILL...");
    lua_error(L);
  }
}

const char* LuaEngine::BusyError() const {
  if (run_ != nullptr && !run_->is_eval) {
    return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
  }
  return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
}

void LuaEngine::Kill(protocol::ReplyBuilder& reply, bool is_eval) {
  if (run_ == nullptr) {
    reply.Error("NOTBUSY No scripts in execution right now.");
    return;
  }
  if (run_->wrote) {
    reply.Error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
        "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
        "NOSAVE command.");
    return;
  }
  if (is_eval != run_->is_eval) {
    reply.Error(BusyError());
    return;
  }
  run_->killed = true;
  reply.Ok();
}

}  // namespace grabkv::server::scripting