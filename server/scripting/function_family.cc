// FUNCTION LOAD/LIST/DELETE/FLUSH/STATS/KILL/HELP/DUMP/RESTORE and FCALL,
// FCALL_RO. DUMP's payload is the libraries as RDB FUNCTION2 records plus
// DUMP's footer (storage/rdb_value.h), as Redis 7.0 writes it.
#include <algorithm>
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/scripting/lua_engine.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/rdb_format.h"
#include "storage/rdb_value.h"

namespace grabkv::server {

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);

namespace {

using scripting::FunctionEntry;
using scripting::LibraryEntry;
using scripting::LuaEngine;

void FcallGeneric(CommandContext& ctx, bool ro) {
  ctx.PropagateNothing();  // the function's redis.calls record themselves
  Args keys, argv;
  if (!scripting::ParseNumkeys(ctx, &keys, &argv)) return;
  LuaEngine& e = scripting::Lua(ctx.server);
  auto it = e.functions().find(ctx.arg(1));
  if (it == e.functions().end()) {
    ctx.reply.Error("ERR Function not found");
    return;
  }
  // Copy: a busy function may see FUNCTION commands run meanwhile.
  FunctionEntry fn = it->second;
  e.Fcall(ctx, fn, keys, argv, ro);
}

void CmdFcall(CommandContext& ctx) { FcallGeneric(ctx, false); }
void CmdFcallRo(CommandContext& ctx) { FcallGeneric(ctx, true); }

void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t i = 2;
  for (; i + 1 < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "replace")) {
      replace = true;
    } else {
      ctx.reply.Error("ERR Unknown option given: " + std::string(ctx.arg(i)));
      return;
    }
  }
  if (i != ctx.argc() - 1) {
    ctx.reply.Error("ERR Function code was not given");
    return;
  }
  std::string name, err;
  if (!scripting::Lua(ctx.server).LoadLibrary(ctx.arg(i), replace, &name, &err)) {
    ctx.reply.Error(err);
    return;
  }
  // Libraries are no keys (no KeyWrite reports them): Redis counts the
  // change here, as for FUNCTION DELETE and FLUSH.
  ctx.server.dirty++;
  // Libraries are data for the append-only file and replicas.
  ctx.PropagateVerbatim();
  ctx.reply.Bulk(name);
}

void ReplyFlags(protocol::ReplyBuilder& r, uint32_t flags) {
  static const std::pair<uint32_t, const char*> kNames[] = {
      {scripting::kScriptNoWrites, "no-writes"},
      {scripting::kScriptAllowOom, "allow-oom"},
      {scripting::kScriptAllowStale, "allow-stale"},
      {scripting::kScriptNoCluster, "no-cluster"},
      {scripting::kScriptAllowCrossSlot, "allow-cross-slot-keys"}};
  size_t n = 0;
  for (const auto& [bit, name] : kNames) n += (flags & bit) ? 1 : 0;
  r.SetHeader(n);
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) r.SimpleString(name);
  }
}

void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  bool have_pattern = false;
  std::string_view pattern;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!with_code && EqualsIgnoreCase(ctx.arg(i), "withcode")) {
      with_code = true;
      continue;
    }
    if (!have_pattern && EqualsIgnoreCase(ctx.arg(i), "libraryname")) {
      if (i >= ctx.argc() - 1) {
        ctx.reply.Error("ERR library name argument was not given");
        return;
      }
      pattern = ctx.arg(++i);
      have_pattern = true;
      continue;
    }
    ctx.reply.Error("ERR Unknown argument " + std::string(ctx.arg(i)));
    return;
  }
  LuaEngine& e = scripting::Lua(ctx.server);
  std::vector<const LibraryEntry*> libs;
  for (const auto& [name, lib] : e.libraries()) {
    if (have_pattern && !GlobMatch(pattern, name)) continue;
    libs.push_back(&lib);
  }
  std::sort(libs.begin(), libs.end(),
            [](const LibraryEntry* a, const LibraryEntry* b) { return a->name < b->name; });
  protocol::ReplyBuilder& r = ctx.reply;
  r.ArrayHeader(libs.size());
  for (const LibraryEntry* lib : libs) {
    r.MapHeader(with_code ? 4 : 3);
    r.Bulk("library_name");
    r.Bulk(lib->name);
    r.Bulk("engine");
    r.Bulk("LUA");
    r.Bulk("functions");
    r.ArrayHeader(lib->functions.size());
    for (const std::string& fname : lib->functions) {
      const FunctionEntry& f = e.functions().find(fname)->second;
      r.MapHeader(3);
      r.Bulk("name");
      r.Bulk(f.name);
      r.Bulk("description");
      if (f.has_description) r.Bulk(f.description);
      else r.Null();
      r.Bulk("flags");
      ReplyFlags(r, f.flags);
    }
    if (with_code) {
      r.Bulk("library_code");
      r.Bulk(lib->code);
    }
  }
}

void CmdFunctionDelete(CommandContext& ctx) {
  if (!scripting::Lua(ctx.server).DeleteLibrary(ctx.arg(2))) {
    ctx.reply.Error("ERR Library not found");
    return;
  }
  ctx.server.dirty++;
  ctx.PropagateVerbatim();
  ctx.reply.Ok();
}

void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
                         !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    return;
  }
  scripting::Lua(ctx.server).FlushFunctions();
  ctx.server.dirty++;
  ctx.PropagateVerbatim();  // even when there was nothing to flush, as Redis
  ctx.reply.Ok();
}

void CmdFunctionKill(CommandContext& ctx) { scripting::Lua(ctx.server).Kill(ctx.reply, false); }

void CmdFunctionStats(CommandContext& ctx) {
  LuaEngine& e = scripting::Lua(ctx.server);
  protocol::ReplyBuilder& r = ctx.reply;
  r.MapHeader(2);
  r.Bulk("running_script");
  const scripting::RunState* rs = e.run();
  if (rs == nullptr || rs->is_eval) {
    r.Null();
  } else {
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(rs->funcname);
    r.Bulk("command");
    r.ArrayHeader(rs->caller->args.size());
    for (std::string_view a : rs->caller->args) r.Bulk(a);
    r.Bulk("duration_ms");
    r.Integer(ServerState::NowMs() - rs->start_ms);
  }
  r.Bulk("engines");
  r.MapHeader(1);
  r.Bulk("LUA");
  r.MapHeader(2);
  r.Bulk("libraries_count");
  r.Integer(static_cast<int64_t>(e.libraries().size()));
  r.Bulk("functions_count");
  r.Integer(static_cast<int64_t>(e.functions().size()));
}

void CmdFunctionDump(CommandContext& ctx) {
  storage::RdbWriter w(ctx.server.config().rdbcompression);
  for (const auto& [name, lib] : scripting::Lua(ctx.server).libraries()) {
    w.Byte(storage::rdb::kOpFunction2);
    w.String(lib.code);
  }
  storage::RdbAppendPayloadFooter(w);
  ctx.reply.Bulk(w.buffer());
}

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: all or nothing. The
// libraries are loaded into the live set; on any failure the set is put
// back as it was from the codes saved first.
void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" + std::string(ctx.arg(1)) +
                    "'. Try FUNCTION HELP.");
    return;
  }
  enum class Policy { kAppend, kReplace, kFlush } policy = Policy::kAppend;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "append")) {
      policy = Policy::kAppend;
    } else if (EqualsIgnoreCase(ctx.arg(3), "replace")) {
      policy = Policy::kReplace;
    } else if (EqualsIgnoreCase(ctx.arg(3), "flush")) {
      policy = Policy::kFlush;
    } else {
      ctx.reply.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  }
  std::string_view body;
  if (!storage::RdbVerifyPayload(ctx.arg(2), &body)) {
    ctx.reply.Error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  std::vector<std::string> codes;
  storage::RdbReader r(body);
  while (r.remaining() > 0) {
    uint8_t type;
    r.Byte(&type);
    if (type == storage::rdb::kOpFunctionPreGa) {
      ctx.reply.Error("ERR Pre-GA function format not supported");
      return;
    }
    if (type != storage::rdb::kOpFunction2) {
      ctx.reply.Error("ERR given type is not a function");
      return;
    }
    std::string code;
    if (!r.String(&code)) {
      ctx.reply.Error("ERR failed loading the given functions payload");
      return;
    }
    codes.push_back(std::move(code));
  }
  LuaEngine& lua = scripting::Lua(ctx.server);
  std::vector<std::string> before;
  for (const auto& [name, lib] : lua.libraries()) before.push_back(lib.code);
  if (policy == Policy::kFlush) lua.FlushFunctions();
  std::string err;
  for (const std::string& code : codes) {
    std::string name;
    if (!lua.LoadLibrary(code, policy == Policy::kReplace, &name, &err)) {
      // Redis names a colliding library without quotes here.
      if (policy == Policy::kAppend && !name.empty() && lua.libraries().find(name) != lua.libraries().end()) {
        err = "ERR Library " + name + " already exists";
      }
      lua.FlushFunctions();
      std::string ignored_name, ignored_err;
      for (const std::string& c : before) lua.LoadLibrary(c, false, &ignored_name, &ignored_err);
      ctx.reply.Error(err);
      return;
    }
  }
  ctx.server.dirty++;
  ctx.PropagateVerbatim();
  ctx.reply.Ok();
}

void CmdFunctionHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "LOAD [REPLACE] <FUNCTION CODE>",
                     "    Create a new library with the given library name and code.",
                     "DELETE <LIBRARY NAME>",
                     "    Delete the given library.",
                     "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                     "    Return general information on all the libraries:",
                     "    * Library name",
                     "    * The engine used to run the Library",
                     "    * Library description",
                     "    * Functions list",
                     "    * Library code (if WITHCODE is given)",
                     "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                     "STATS",
                     "    Return information about the current function running:",
                     "    * Function name",
                     "    * Command used to run the function",
                     "    * Duration in MS that the function is running",
                     "    If no function is running, return nil",
                     "    In addition, returns a list of available engines.",
                     "KILL",
                     "    Kill the current running function.",
                     "FLUSH [ASYNC|SYNC]",
                     "    Delete all the libraries.",
                     "    When called without the optional mode argument, the behavior is determined by the",
                     "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                     "    * ASYNC: Asynchronously flush the libraries.",
                     "    * SYNC: Synchronously flush the libraries.",
                     "DUMP",
                     "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
                     "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                     "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                     "    control how to handle existing libraries (default APPEND):",
                     "    * FLUSH: delete all existing libraries.",
                     "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                     "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                     "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                     "      in case of functions name collision with another library).",
                 });
}


}  // namespace

void RegisterFunctionFamily(CommandTable& t) {
  CommandFamily f(t, "scripting", kAclScripting);
  f.Add({.name = "fcall", .arity = -3, .flags = scripting::kRunScriptFlags,
         .keys = {scripting::RunScriptKeys(false)}, .handler = CmdFcall,
         .getkeys = NumkeysAt2GetKeys, .summary = "Invoke a function", .since = "7.0.0"});
  f.Add({.name = "fcall_ro", .arity = -3, .flags = scripting::kRunScriptRoFlags,
         .keys = {scripting::RunScriptKeys(true)}, .handler = CmdFcallRo,
         .getkeys = NumkeysAt2GetKeys, .summary = "Invoke a read-only function", .since = "7.0.0"});
  f.Add({.name = "function",
         .arity = -2,
         .summary = "A container for function commands",
         .since = "7.0.0",
         .subcommands = {
             {.name = "function|delete", .arity = 3, .flags = kWrite | kNoscript,
              .handler = CmdFunctionDelete, .tips = "request_policy:all_shards response_policy:all_succeeded",
              .summary = "Delete a function by name", .since = "7.0.0"},
             {.name = "function|dump", .arity = 2, .flags = kNoscript,
              .handler = CmdFunctionDump,
              .summary = "Dump all functions into a serialized binary payload", .since = "7.0.0"},
             {.name = "function|flush", .arity = -2, .flags = kWrite | kNoscript,
              .handler = CmdFunctionFlush, .tips = "request_policy:all_shards response_policy:all_succeeded",
              .summary = "Deleting all functions", .since = "7.0.0"},
             {.name = "function|help", .arity = 2, .flags = kLoading | kStale,
              .handler = CmdFunctionHelp,
              .summary = "Show helpful text about the different subcommands", .since = "7.0.0"},
             {.name = "function|kill", .arity = 2, .flags = kNoscript | kAllowBusy,
              .handler = CmdFunctionKill, .tips = "request_policy:all_shards response_policy:one_succeeded",
              .summary = "Kill the function currently in execution.", .since = "7.0.0"},
             {.name = "function|list", .arity = -2, .flags = kNoscript,
              .handler = CmdFunctionList, .tips = "nondeterministic_output_order",
              .summary = "List information about all the functions", .since = "7.0.0"},
             {.name = "function|load", .arity = -3, .flags = kWrite | kDenyOom | kNoscript,
              .handler = CmdFunctionLoad, .tips = "request_policy:all_shards response_policy:all_succeeded",
              .summary = "Create a function with the given arguments (name, code, description)", .since = "7.0.0"},
             {.name = "function|restore", .arity = -3, .flags = kWrite | kDenyOom | kNoscript,
              .handler = CmdFunctionRestore, .tips = "request_policy:all_shards response_policy:all_succeeded",
              .summary = "Restore all the functions on the given payload", .since = "7.0.0"},
             {.name = "function|stats", .arity = 2, .flags = kNoscript | kAllowBusy,
              .handler = CmdFunctionStats, .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
              .summary = "Return information about the function currently running (name, " "description, duration)", .since = "7.0.0"}}});
}

}  // namespace grabkv::server
