// MODULE LIST / HELP / LOAD / LOADEX / UNLOAD.
//
// grabkv loads no modules: LIST is always empty, and LOAD, LOADEX and
// UNLOAD answer as redis-server 7.0 does when a module cannot be loaded or
// is not loaded. As in Redis, those three are refused first unless the
// startup setting enable-module-command is "yes" (or "local" and the
// client is on this machine).
#include <string>
#include <string_view>

#include "server/core/client.h"
#include "server/core/command_table.h"
#include "server/core/server_state.h"

namespace grabkv::server {

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);

namespace {

bool IsLocalClient(const Client& c) {
  return c.unix_socket || c.addr.starts_with("127.") || c.addr.starts_with("::1") ||
         c.addr.starts_with("[::1]");
}

// Redis's allowProtectedAction for enable-module-command; false after
// replying the refusal.
bool ModuleCommandAllowed(CommandContext& ctx) {
  const auto& passive = ctx.server.config().passive;
  auto it = passive.find("enable-module-command");
  const std::string setting = it == passive.end() ? "no" : it->second;
  if (setting == "yes" || (setting == "local" && IsLocalClient(ctx.client))) return true;
  ctx.reply.Error(
      "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", "
      "you can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.");
  return false;
}

void CmdModuleList(CommandContext& ctx) { ctx.reply.ArrayHeader(0); }

void CmdModuleLoad(CommandContext& ctx) {
  if (!ModuleCommandAllowed(ctx)) return;
  ctx.reply.Error("ERR Error loading the extension. Please check the server logs.");
}

void CmdModuleUnload(CommandContext& ctx) {
  if (!ModuleCommandAllowed(ctx)) return;
  ctx.reply.Error("ERR Error unloading module: no such module with that name");
}

void CmdModuleHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
      "LIST",
      "    Return a list of loaded modules.",
      "LOAD <path> [<arg> ...]",
      "    Load a module library from <path>, passing to it any optional arguments.",
      "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
      "    Load a module library from <path>, while passing it module configurations and "
      "optional arguments.",
      "UNLOAD <name>",
      "    Unload a module.",
  });
}

}  // namespace

// Rows checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterModuleFamily(CommandTable& t) {
  constexpr uint32_t kLoadFlags = kAdmin | kNoscript | kNoAsyncLoading;
  CommandFamily f(t, "server");
  f.Add({.name = "module",
         .arity = -2,
         .summary = "A container for module commands",
         .since = "4.0.0",
         .subcommands = {
             {.name = "module|help", .arity = 2, .flags = kLoading | kStale,
              .handler = CmdModuleHelp,
              .summary = "Show helpful text about the different subcommands", .since = "5.0.0"},
             {.name = "module|list", .arity = 2, .flags = kAdmin | kNoscript,
              .handler = CmdModuleList, .tips = "nondeterministic_output_order",
              .summary = "List all modules loaded by the server", .since = "4.0.0"},
             {.name = "module|load", .arity = -3, .flags = kLoadFlags,
              .handler = CmdModuleLoad,
              .summary = "Load a module", .since = "4.0.0"},
             {.name = "module|loadex", .arity = -3, .flags = kLoadFlags,
              .handler = CmdModuleLoad,
              .summary = "Load a module with extended parameters", .since = "7.0.0"},
             {.name = "module|unload", .arity = 3, .flags = kLoadFlags,
              .handler = CmdModuleUnload,
              .summary = "Unload a module", .since = "4.0.0"}}});
}

}  // namespace grabkv::server
