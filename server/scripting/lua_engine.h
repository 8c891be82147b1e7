// LuaEngine: the one embedded Lua 5.1 state that runs EVAL scripts and
// FUNCTION libraries, sandboxed as Redis 7.0 sandboxes it.
//
// Ownership: ServerState owns one engine; the engine owns the lua_State, the
// script cache (bodies by SHA1, compiled functions in the Lua registry), the
// function libraries and a Client that is never registered with the server
// (the "lua client" through which redis.call runs commands).
// A script reaches the keyspace only through Execute(), the path every
// client command takes, with the clock frozen for the whole script.
// REQUIRES: used from the loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/client.h"
#include "server/core/command.h"
#include "server/core/server_state.h"
#include "server/core/string_map.h"
#include "server/core/subsystems.h"

struct lua_State;

namespace grabkv::server {
class ServerState;
}

namespace grabkv::server::scripting {

// Script flags: EVAL shebang `flags=...` and register_function's flags.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlot = 1 << 4,
  kScriptEvalCompat = 1 << 5,  // an EVAL body without a shebang line
};

// Adds the flag named `name` ("no-writes", ...) to *flags; false if unknown.
bool ParseScriptFlag(std::string_view name, uint32_t* flags);

// EVAL/FCALL's `numkeys key... arg...` (argument 2 on): fills the key and
// argument views; false after replying Redis's error.
bool ParseNumkeys(CommandContext& ctx, Args* keys, Args* argv);

// The command-table rows of EVAL, EVALSHA and FCALL (and their _RO forms)
// share these flags and their one key spec: numkeys at argument 2, keys
// after it, used in ways nobody can tell before the script runs.
constexpr uint32_t kRunScriptFlags =
    kNoscript | kStale | kSkipMonitor | kNoMandatoryKeys | kMayReplicate;
// The _RO forms: read-only, and (as in Redis) not may_replicate, so CLIENT
// PAUSE WRITE lets them run.
constexpr uint32_t kRunScriptRoFlags = (kRunScriptFlags & ~kMayReplicate) | kReadonly;
// Their key spec; `notes` is false for EVALSHA and EVALSHA_RO, which Redis
// lists without the note.
inline KeySpec RunScriptKeys(bool ro, bool notes = true) {
  KeySpec k{.flags = ro ? (kRO | kAccess) : (kRW | kAccess | kUpdate), .index = 2, .keynum = true};
  if (notes) {
    k.notes = ro ? "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
                 : "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE";
  }
  return k;
}

struct ScriptEntry {
  std::string body;
  uint32_t flags = 0;
  int ref = 0;  // registry ref of the compiled function
};

struct FunctionEntry {
  std::string name;
  std::string library;
  std::string description;  // empty = none
  bool has_description = false;
  uint32_t flags = 0;
};

struct LibraryEntry {
  std::string name;
  std::string code;
  std::vector<std::string> functions;  // names, in registration order
};

// What is running right now (the `run_ctx` of Redis).
struct RunState {
  CommandContext* caller = nullptr;
  // The SHA1 for EVAL, the function name for FCALL. Points into the script
  // cache / the caller's FunctionEntry, both alive for the whole run (the
  // commands that could drop them are refused while a script runs).
  std::string_view funcname;
  bool is_eval = true;
  bool read_only = false;
  bool wrote = false;       // a write command ran: SCRIPT KILL refuses
  bool killed = false;      // SCRIPT/FUNCTION KILL accepted
  bool timed_out = false;   // ran past busy-reply-threshold
  int64_t start_ms = 0;     // wall clock at the start (for the threshold)
  int64_t now_ms = 0;       // the frozen command clock
};

class LuaEngine : public ScriptRuntime {
 public:
  explicit LuaEngine(ServerState* server);
  ~LuaEngine() override;
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  ServerState& server() { return *server_; }
  lua_State* lua() { return lua_; }

  // --- EVAL scripts ---
  // Compiles `body` unless its SHA1 is cached. On failure returns false with
  // the complete error text (code included) in *err.
  bool LoadScript(std::string_view body, std::string* sha, std::string* err);
  const ScriptEntry* FindScript(std::string_view sha) const;
  void FlushScripts();
  size_t script_count() const { return scripts_.size(); }
  // Runs a cached script. `sha` is the cache key (FindScript found it).
  void Eval(CommandContext& ctx, std::string_view sha, const ScriptEntry& script, Args keys,
            Args argv, bool ro);

  // --- functions (function_family.cc) ---
  // Loads a library (code starts with "#!lua name=<lib>"). On success the
  // library name is in *name; on failure *err holds the full error text.
  bool LoadLibrary(std::string_view code, bool replace, std::string* name, std::string* err);
  bool DeleteLibrary(std::string_view name);
  void FlushFunctions();
  const StringMap<LibraryEntry>& libraries() const { return libraries_; }
  const StringMap<FunctionEntry>& functions() const { return functions_; }
  void Fcall(CommandContext& ctx, const FunctionEntry& fn, Args keys, Args argv, bool ro);

  // --- long-running scripts ---
  // True while a script that ran past busy-reply-threshold is running: the
  // IO layer answers -BUSY to everything but kAllowBusy commands.
  bool busy() const override { return run_ != nullptr && run_->timed_out; }
  // The BUSY error for the script that is running now (eval or function).
  const char* BusyError() const override;
  // The client whose EVAL/FCALL is running (its input must wait).
  const Client* running_caller() const override { return run_ ? &run_->caller->client : nullptr; }
  // SCRIPT KILL (is_eval) / FUNCTION KILL: replies on `reply`.
  void Kill(protocol::ReplyBuilder& reply, bool is_eval);
  // Set by the IO layer: processes pending network events without blocking
  // (answering -BUSY, running SCRIPT KILL / SHUTDOWN NOSAVE). Called from
  // the instruction-count hook once a script is past the threshold.
  void set_process_events(std::function<void()> fn) { process_events_ = std::move(fn); }
  size_t used_memory() const { return lua_memory_; }

  // --- used by the redis.* API (redis_api.cc) ---
  RunState* run() { return run_; }
  Client& script_client() { return script_client_; }
  std::vector<std::string>& arg_store() { return arg_store_; }
  std::vector<std::string_view>& arg_views() { return arg_views_; }
  // Called by the count hook every kHookInstructions instructions.
  void OnHook(lua_State* L);
  // FUNCTION LOAD in progress: redis.register_function records into this.
  struct LoadState;
  LoadState* load_state() { return load_state_; }
  uint32_t random_seed_state[2] = {0, 0};

 private:
  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize);
  void BuildSandbox();
  // Points the function environment at the load API (FUNCTION LOAD) or at
  // the full globals (FCALL).
  void SetFunctionEnvForLoad(bool load);
  // Runs the function on top of the stack (with `nargs` arguments above it)
  // and writes its result or error to ctx.reply.
  void Run(CommandContext& ctx, RunState& rs, int nargs);

  ServerState* server_;
  lua_State* lua_ = nullptr;
  size_t lua_memory_ = 0;
  Client script_client_;
  StringMap<ScriptEntry> scripts_;
  StringMap<LibraryEntry> libraries_;
  StringMap<FunctionEntry> functions_;
  RunState* run_ = nullptr;
  LoadState* load_state_ = nullptr;
  std::function<void()> process_events_;
  std::vector<std::string> arg_store_;
  std::vector<std::string_view> arg_views_;
  uint64_t* rand_state_ = nullptr;  // math.random's state (a Lua userdata)
  int keys_ref_ = 0;       // registry refs: the reused KEYS and ARGV tables
  int argv_ref_ = 0;
  int functions_ref_ = 0;  // registry ref: function name -> function
  int env_ref_ = 0;        // registry ref: the protected globals proxy
  int errh_ref_ = 0;       // registry ref: the error handler
  int gc_countdown_ = 0;   // scripts since the last periodic GC step
};

// The engine installed in a server (server/app.h installs a LuaEngine).
inline LuaEngine& Lua(ServerState& s) { return static_cast<LuaEngine&>(s.scripts()); }

}  // namespace grabkv::server::scripting
