// MONITOR, and CLIENT PAUSE / CLIENT UNPAUSE (their rows are in the CLIENT
// container, connection_family.cc). The feed itself is core/monitor.h; the
// holding of paused clients is BlockingManager (core/blocking.h).
#include <climits>

#include "server/core/command_table.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

namespace {

void CmdMonitor(CommandContext& ctx) {
  // Redis: a client that expects one reply per command (inside MULTI/EXEC
  // or a script) cannot become a monitor.
  if (ctx.in_transaction || ctx.in_script) {
    ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // Already monitoring: Redis ignores it, without a reply.
  if (ctx.client.monitor) return;
  ctx.server.monitors().Add(ctx.client);
  ctx.reply.Ok();
}

}  // namespace

// CLIENT PAUSE timeout [WRITE|ALL]
void ClientPause(CommandContext& ctx) {
  using PauseType = BlockingManager::PauseType;
  PauseType type = PauseType::kAll;
  if (ctx.args.size() > 4) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.arg(1)) + "'. Try CLIENT HELP.");
    return;
  }
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "write")) {
      type = PauseType::kWrite;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "all")) {
      ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  int64_t ms;
  if (!ParseInt64(ctx.arg(2), &ms)) {
    ctx.reply.Error("ERR timeout is not an integer or out of range");
    return;
  }
  if (ms < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return;
  }
  const int64_t now = ServerState::NowMs();
  // Redis adds the time unchecked: an end past LLONG_MAX wraps into the
  // past and pauses nothing; 0 pauses nothing either.
  int64_t end = ms == 0 || ms > LLONG_MAX - now ? 0 : now + ms;
  ctx.server.blocking().Pause(end, type, now);
  ctx.reply.Ok();
}

void ClientUnpause(CommandContext& ctx) {
  ctx.server.blocking().Unpause();
  ctx.reply.Ok();
}

void RegisterMonitorFamily(CommandTable& t) {
  CommandFamily f(t, "server");
  f.Add({.name = "monitor", .arity = 1, .flags = kAdmin | kNoscript | kLoading | kStale,
         .handler = CmdMonitor,
         .summary = "Listens for all requests received by the server in real-time.", .since = "1.0.0"});
}

}  // namespace grabkv::server
