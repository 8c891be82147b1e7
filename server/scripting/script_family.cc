// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.
#include <string>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/scripting/lua_engine.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);

namespace scripting {

// EVAL/FCALL argument checks: `script-or-function numkeys key... arg...`.
// Fills keys and argv views; false after replying with Redis's error.
bool ParseNumkeys(CommandContext& ctx, Args* keys, Args* argv) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(2), &numkeys)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 3) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (numkeys < 0) {
    ctx.reply.Error("ERR Number of keys can't be negative");
    return false;
  }
  *keys = ctx.args.subspan(3, static_cast<size_t>(numkeys));
  *argv = ctx.args.subspan(3 + static_cast<size_t>(numkeys));
  return true;
}

}  // namespace scripting

namespace {

using scripting::LuaEngine;

void EvalGeneric(CommandContext& ctx, bool by_sha, bool ro) {
  // Scripts propagate by effects (Redis 7.0): every redis.call records
  // itself, and the batch is wrapped in MULTI/EXEC. SCRIPT LOAD/FLUSH are
  // not propagated at all.
  ctx.PropagateNothing();
  Args keys, argv;
  if (!scripting::ParseNumkeys(ctx, &keys, &argv)) return;
  LuaEngine& e = scripting::Lua(ctx.server);
  if (by_sha) {
    // Clients send the SHA1 in either case: look it up lower-cased without
    // allocating.
    std::string_view given = ctx.arg(1);
    char lower[40];
    const scripting::ScriptEntry* script = nullptr;
    if (given.size() == 40) {
      for (size_t i = 0; i < 40; ++i) {
        char c = given[i];
        lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      }
      script = e.FindScript(std::string_view(lower, 40));
    }
    if (script == nullptr) {
      ctx.reply.Error("NOSCRIPT No matching script. Please use EVAL.");
      return;
    }
    e.Eval(ctx, std::string_view(lower, 40), *script, keys, argv, ro);
    return;
  }
  std::string sha, err;
  if (!e.LoadScript(ctx.arg(1), &sha, &err)) {
    ctx.reply.Error(err);
    return;
  }
  e.Eval(ctx, sha, *e.FindScript(sha), keys, argv, ro);
}

void CmdEval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void CmdEvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void CmdEvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void CmdEvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

void CmdScriptLoad(CommandContext& ctx) {
  std::string sha, err;
  if (!scripting::Lua(ctx.server).LoadScript(ctx.arg(2), &sha, &err)) {
    ctx.reply.Error(err);
    return;
  }
  ctx.reply.Bulk(sha);
}

void CmdScriptExists(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  std::string sha;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    sha.assign(ctx.arg(i));
    for (char& c : sha) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    ctx.reply.Integer(scripting::Lua(ctx.server).FindScript(sha) != nullptr ? 1 : 0);
  }
}

void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
                         !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  scripting::Lua(ctx.server).FlushScripts();
  ctx.reply.Ok();
}

void CmdScriptKill(CommandContext& ctx) { scripting::Lua(ctx.server).Kill(ctx.reply, true); }

void CmdScriptDebug(CommandContext& ctx) {
  ctx.reply.Error("ERR SCRIPT DEBUG is not supported by this server");
}

void CmdScriptHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "DEBUG (YES|SYNC|NO)",
                     "    Set the debug mode for subsequent scripts executed.",
                     "EXISTS <sha1> [<sha1> ...]",
                     "    Return information about the existence of the scripts in the script cache.",
                     "FLUSH [ASYNC|SYNC]",
                     "    Flush the Lua scripts cache. Very dangerous on replicas.",
                     "    When called without the optional mode argument, the behavior is determined by the",
                     "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                     "    * ASYNC: Asynchronously flush the scripts cache.",
                     "    * SYNC: Synchronously flush the scripts cache.",
                     "KILL",
                     "    Kill the currently executing Lua script.",
                     "LOAD <script>",
                     "    Load a script into the scripts cache without executing it.",
                 });
}


}  // namespace

void RegisterScriptFamily(CommandTable& t) {
  CommandFamily f(t, "scripting", kAclScripting);
  // EVAL/EVALSHA and their _RO forms: one row each, by (name, read-only,
  // key-spec note, handler, summary, since).
  struct Run {
    const char* name;
    bool ro, notes;
    CommandHandler handler;
    const char* summary;
    const char* since;
  };
  for (const Run& r : {Run{"eval", false, true, CmdEval, "Execute a Lua script server side", "2.6.0"},
                       Run{"evalsha", false, false, CmdEvalSha, "Execute a Lua script server side", "2.6.0"},
                       Run{"eval_ro", true, true, CmdEvalRo, "Execute a read-only Lua script server side", "7.0.0"},
                       Run{"evalsha_ro", true, false, CmdEvalShaRo, "Execute a read-only Lua script server side", "7.0.0"}}) {
    f.Add({.name = r.name, .arity = -3,
           .flags = r.ro ? scripting::kRunScriptRoFlags : scripting::kRunScriptFlags,
           .keys = {scripting::RunScriptKeys(r.ro, r.notes)}, .handler = r.handler,
           .getkeys = NumkeysAt2GetKeys, .summary = r.summary, .since = r.since});
  }
  f.Add({.name = "script",
         .arity = -2,
         .summary = "A container for Lua scripts management commands",
         .since = "2.6.0",
         .subcommands = {{.name = "script|debug",
                          .arity = 3,
                          .flags = kNoscript,
                          .handler = CmdScriptDebug,
                          .summary = "Set the debug mode for executed scripts.",
                          .since = "3.2.0"},
                         {.name = "script|exists", .arity = -3, .flags = kNoscript,
                          .handler = CmdScriptExists, .tips = "request_policy:all_shards response_policy:agg_logical_and",
                          .summary = "Check existence of scripts in the script cache.", .since = "2.6.0"},
                         {.name = "script|flush", .arity = -2, .flags = kNoscript,
                          .handler = CmdScriptFlush, .tips = "request_policy:all_nodes response_policy:all_succeeded",
                          .summary = "Remove all the scripts from the script cache.", .since = "2.6.0"},
                         {.name = "script|help", .arity = 2, .flags = kLoading | kStale,
                          .handler = CmdScriptHelp,
                          .summary = "Show helpful text about the different subcommands", .since = "5.0.0"},
                         {.name = "script|kill", .arity = 2, .flags = kNoscript | kAllowBusy,
                          .handler = CmdScriptKill, .tips = "request_policy:all_shards response_policy:one_succeeded",
                          .summary = "Kill the script currently in execution.", .since = "2.6.0"},
                         {.name = "script|load", .arity = 3, .flags = kNoscript | kStale,
                          .handler = CmdScriptLoad, .tips = "request_policy:all_nodes response_policy:all_succeeded",
                          .summary = "Load the specified Lua script into the script cache.", .since = "2.6.0"}}});
}

}  // namespace grabkv::server
