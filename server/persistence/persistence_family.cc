// BGREWRITEAOF, SAVE, BGSAVE, LASTSAVE, as Redis 7.0:
//   SAVE         - writes dump.rdb in the foreground (blocking) and replies
//                  +OK (-ERR when it cannot write it);
//   BGSAVE       - the same in a forked child ("Background saving started");
//                  SCHEDULE (or inside EXEC) waits for a running AOF rewrite;
//   BGREWRITEAOF - the append-only file rewritten in a forked child
//                  (scheduled after a running BGSAVE);
//   LASTSAVE     - the unix time of the last successful SAVE/BGSAVE (the
//                  start time before any).
#include <string>

#include "server/persistence/aof.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

namespace {

// The persistence installed in the server is the append-only file.
Aof* AofOf(ServerState& s) { return static_cast<Aof*>(s.persistence); }

// Tests build a ServerState without the IO layer's Aof.
bool RequireAof(CommandContext& ctx) {
  if (AofOf(ctx.server) != nullptr) return true;
  ctx.reply.Error("ERR persistence is not available in this process");
  return false;
}

bool Nested(CommandContext& ctx) { return ctx.server.propagator().depth() > 1; }

void CmdBgRewriteAof(CommandContext& ctx) {
  if (!RequireAof(ctx)) return;
  std::string err;
  switch (AofOf(ctx.server)->StartRewrite(Nested(ctx), &err)) {
    case Aof::RewriteStart::kStarted:
      ctx.reply.SimpleString("Background append only file rewriting started");
      break;
    case Aof::RewriteStart::kScheduled:
      ctx.reply.SimpleString("Background append only file rewriting scheduled");
      break;
    case Aof::RewriteStart::kInProgress:
      ctx.reply.Error("ERR Background append only file rewriting already in progress");
      break;
    case Aof::RewriteStart::kFailed:
      ctx.reply.Error(
          "ERR Can't execute an AOF background rewriting. Please check the server logs for more "
          "information.");
      break;
  }
}

void CmdBgSave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (ctx.argc() == 2) {
    if (!EqualsIgnoreCase(ctx.arg(1), "schedule")) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    schedule = true;
  }
  if (!RequireAof(ctx)) return;
  Aof& aof = *AofOf(ctx.server);
  std::string err;
  // Inside EXEC or a script it is only scheduled, as Redis does.
  switch (aof.snapshots().StartBgsave(schedule || Nested(ctx), aof.rewrite_in_progress() || Nested(ctx),
                                      &err)) {
    case Snapshotter::BgStart::kStarted:
      ctx.reply.SimpleString("Background saving started");
      break;
    case Snapshotter::BgStart::kScheduled:
      ctx.reply.SimpleString("Background saving scheduled");
      break;
    default:
      ctx.reply.Error(err);
      break;
  }
}

void CmdSave(CommandContext& ctx) {
  if (!RequireAof(ctx)) return;
  std::string err;
  if (AofOf(ctx.server)->SaveNow(&err)) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Error(err);
  }
}

void CmdLastSave(CommandContext& ctx) {
  int64_t t = AofOf(ctx.server) != nullptr ? AofOf(ctx.server)->last_save_s() : ctx.server.last_save_time_s;
  ctx.reply.Integer(t);
}

}  // namespace

void RegisterPersistenceFamily(CommandTable& t) {
  CommandFamily f(t, "server");
  f.Add({.name = "bgrewriteaof", .arity = 1, .flags = kAdmin | kNoAsyncLoading | kNoscript,
         .handler = CmdBgRewriteAof,
         .summary = "Asynchronously rewrite the append-only file", .since = "1.0.0"});
  f.Add({.name = "bgsave", .arity = -1, .flags = kAdmin | kNoAsyncLoading | kNoscript,
         .handler = CmdBgSave,
         .summary = "Asynchronously save the dataset to disk", .since = "1.0.0"});
  f.Add({.name = "save", .arity = 1, .flags = kAdmin | kNoAsyncLoading | kNoscript | kNoMulti,
         .handler = CmdSave,
         .summary = "Synchronously save the dataset to disk", .since = "1.0.0"});
  f.Add({.name = "lastsave", .arity = 1, .flags = kLoading | kStale | kFast,
         .handler = CmdLastSave, .acl = kAclAdmin | kAclDangerous, .tips = "nondeterministic_output",
         .summary = "Get the UNIX time stamp of the last successful save to disk", .since = "1.0.0"});
}

}  // namespace grabkv::server
