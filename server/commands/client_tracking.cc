// CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO: the client-side caching
// subcommands (the logic is server/core/tracking.h), with Redis 7.0's
// replies and error texts.
#include <string>
#include <string_view>
#include <vector>

#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

// CLIENT TRACKING (on|off) [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN]
// [OPTOUT] [NOLOOP]
void ClientTracking(CommandContext& ctx) {
  Client& c = ctx.client;
  uint64_t redirect = 0;
  uint8_t options = 0;
  std::vector<std::string_view> prefixes;
  const size_t argc = ctx.args.size();
  for (size_t j = 3; j < argc; ++j) {
    std::string_view opt = ctx.arg(j);
    const bool more = j + 1 < argc;
    if (EqualsIgnoreCase(opt, "redirect") && more) {
      ++j;
      if (redirect != 0) {
        ctx.reply.Error("ERR A client can only redirect to a single other client");
        return;
      }
      int64_t id;
      if (!ParseInt64(ctx.arg(j), &id)) {
        ctx.reply.Error("ERR value is not an integer or out of range");
        return;
      }
      // Required to exist now, even though it may go away later.
      if (id <= 0 || ctx.server.clients().find(static_cast<uint64_t>(id)) == ctx.server.clients().end()) {
        ctx.reply.Error("ERR The client ID you want redirect to does not exist");
        return;
      }
      redirect = static_cast<uint64_t>(id);
    } else if (EqualsIgnoreCase(opt, "bcast")) {
      options |= Client::kTrackingBcast;
    } else if (EqualsIgnoreCase(opt, "optin")) {
      options |= Client::kTrackingOptin;
    } else if (EqualsIgnoreCase(opt, "optout")) {
      options |= Client::kTrackingOptout;
    } else if (EqualsIgnoreCase(opt, "noloop")) {
      options |= Client::kTrackingNoloop;
    } else if (EqualsIgnoreCase(opt, "prefix") && more) {
      prefixes.push_back(ctx.arg(++j));
    } else {
      ctx.reply.Error("ERR syntax error");
      return;
    }
  }
  std::string_view onoff = ctx.arg(2);
  if (EqualsIgnoreCase(onoff, "on")) {
    std::string err = ctx.server.tracking().Enable(c, redirect, options, prefixes);
    if (!err.empty()) {
      ctx.reply.Error(err);
      return;
    }
  } else if (EqualsIgnoreCase(onoff, "off")) {
    ctx.server.tracking().Disable(c);
  } else {
    ctx.reply.Error("ERR syntax error");
    return;
  }
  ctx.reply.Ok();
}

// CLIENT CACHING yes|no: in OPTIN (yes) or OPTOUT (no) mode, the next
// command's keys are (not) remembered.
void ClientCaching(CommandContext& ctx) {
  Client& c = ctx.client;
  if (!(c.tracking & Client::kTrackingOn)) {
    ctx.reply.Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
    return;
  }
  std::string_view opt = ctx.arg(2);
  if (EqualsIgnoreCase(opt, "yes")) {
    if (!(c.tracking & Client::kTrackingOptin)) {
      ctx.reply.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
      return;
    }
  } else if (EqualsIgnoreCase(opt, "no")) {
    if (!(c.tracking & Client::kTrackingOptout)) {
      ctx.reply.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
      return;
    }
  } else {
    ctx.reply.Error("ERR syntax error");
    return;
  }
  c.tracking |= Client::kTrackingCaching;
  ctx.reply.Ok();
}

void ClientGetRedir(CommandContext& ctx) {
  const Client& c = ctx.client;
  ctx.reply.Integer((c.tracking & Client::kTrackingOn) ? static_cast<int64_t>(c.tracking_redirect) : -1);
}

void ClientTrackingInfo(CommandContext& ctx) {
  const Client& c = ctx.client;
  const uint8_t t = c.tracking;
  std::vector<const char*> flags;
  flags.push_back((t & Client::kTrackingOn) ? "on" : "off");
  if (t & Client::kTrackingBcast) flags.push_back("bcast");
  if (t & Client::kTrackingOptin) {
    flags.push_back("optin");
    if (t & Client::kTrackingCaching) flags.push_back("caching-yes");
  }
  if (t & Client::kTrackingOptout) {
    flags.push_back("optout");
    if (t & Client::kTrackingCaching) flags.push_back("caching-no");
  }
  if (t & Client::kTrackingNoloop) flags.push_back("noloop");
  if (t & Client::kTrackingBrokenRedir) flags.push_back("broken_redirect");
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("flags");
  ctx.reply.SetHeader(flags.size());
  for (const char* f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer((t & Client::kTrackingOn) ? static_cast<int64_t>(c.tracking_redirect) : -1);
  ctx.reply.Bulk("prefixes");
  ctx.reply.ArrayHeader(c.tracking_prefixes.size());
  for (const std::string& p : c.tracking_prefixes) ctx.reply.Bulk(p);
}

}  // namespace grabkv::server
