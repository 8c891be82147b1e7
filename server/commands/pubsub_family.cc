// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {

// One confirmation frame: [kind, name|nil, total subscriptions].
void Confirm(CommandContext& ctx, std::string_view kind, const std::string_view* name) {
  auto& r = ctx.reply;
  r.PushHeader(3);
  r.Bulk(kind);
  if (name != nullptr) {
    r.Bulk(*name);
  } else {
    r.Null();
  }
  r.Integer(static_cast<int64_t>(ctx.client.subscriptions()));
}

void CmdSubscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view ch = ctx.arg(i);
    ctx.server.pubsub().Subscribe(ctx.client, ch);
    Confirm(ctx, "subscribe", &ch);
  }
}

void CmdPSubscribe(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view p = ctx.arg(i);
    ctx.server.pubsub().PSubscribe(ctx.client, p);
    Confirm(ctx, "psubscribe", &p);
  }
}

// UNSUBSCRIBE / PUNSUBSCRIBE: the named ones, or all when none are named.
template <bool kPattern>
void Unsubscribe(CommandContext& ctx) {
  const char* kind = kPattern ? "punsubscribe" : "unsubscribe";
  auto& reg = ctx.server.pubsub();
  auto drop = [&](std::string_view name) {
    if (kPattern) {
      reg.PUnsubscribe(ctx.client, name);
    } else {
      reg.Unsubscribe(ctx.client, name);
    }
    Confirm(ctx, kind, &name);
  };
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) drop(ctx.arg(i));
    return;
  }
  std::vector<std::string> all;
  if (kPattern) {
    all = ctx.client.patterns;
  } else {
    all.assign(ctx.client.channels.begin(), ctx.client.channels.end());
  }
  if (all.empty()) {
    Confirm(ctx, kind, nullptr);
    return;
  }
  for (const std::string& name : all) drop(name);
}

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.pubsub().Publish(ctx.arg(1), ctx.arg(2)));
}

void PubsubChannels(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.Error("ERR wrong number of arguments for 'pubsub|channels' command");
    return;
  }
  bool all = ctx.argc() == 2;
  std::vector<std::string> names = ctx.server.pubsub().Channels(all ? "" : ctx.arg(2), all);
  ctx.reply.ArrayHeader(names.size());
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

void PubsubNumsub(CommandContext& ctx) {
  ctx.reply.ArrayHeader((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Integer(ctx.server.pubsub().NumSub(ctx.arg(i)));
  }
}

// Sharded pub/sub (SSUBSCRIBE) is a cluster feature this server does not
// offer, so there are never shard channels to report.
void PubsubShardChannels(CommandContext& ctx) { ctx.reply.ArrayHeader(0); }

void PubsubShardNumsub(CommandContext& ctx) {
  ctx.reply.ArrayHeader((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Integer(0);
  }
}

void PubsubNumpat(CommandContext& ctx) { ctx.reply.Integer(ctx.server.pubsub().NumPat()); }

void PubsubHelp(CommandContext& ctx) {
  static const char* kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (const char* l : kLines) ctx.reply.SimpleString(l);
}

constexpr uint32_t kSubFlags = kPubsub | kNoscript | kLoading | kStale;

}  // namespace

void RegisterPubSubFamily(CommandTable& t) {
  CommandFamily f(t, "pubsub");
  f.Add({.name = "subscribe", .arity = -2, .flags = kSubFlags | kAllowedWhileSubscribed,
         .handler = CmdSubscribe,
         .summary = "Listens for messages published to channels.", .since = "2.0.0"});
  f.Add({.name = "unsubscribe", .arity = -1, .flags = kSubFlags | kAllowedWhileSubscribed,
         .handler = Unsubscribe<false>,
         .summary = "Stops listening to messages posted to channels.", .since = "2.0.0"});
  f.Add({.name = "psubscribe", .arity = -2, .flags = kSubFlags | kAllowedWhileSubscribed,
         .handler = CmdPSubscribe,
         .summary = "Listens for messages published to channels that match one or more patterns.", .since = "2.0.0"});
  f.Add({.name = "punsubscribe", .arity = -1, .flags = kSubFlags | kAllowedWhileSubscribed,
         .handler = Unsubscribe<true>,
         .summary = "Stops listening to messages published to channels that match one or more patterns.", .since = "2.0.0"});
  f.Add({.name = "publish", .arity = 3, .flags = kPubsub | kLoading | kStale | kFast | kMayReplicate,
         .handler = CmdPublish,
         .summary = "Posts a message to a channel.", .since = "2.0.0"});
  f.Add({.name = "pubsub",
         .arity = -2,
         .summary = "A container for Pub/Sub commands.",
         .since = "2.8.0",
         .subcommands = {{.name = "pubsub|channels",
                          .arity = -2,
                          .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubChannels,
                          .summary = "Returns the active channels.",
                          .since = "2.8.0"},
                         {.name = "pubsub|numsub", .arity = -2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubNumsub,
                          .summary = "Returns a count of subscribers to channels.", .since = "2.8.0"},
                         {.name = "pubsub|numpat", .arity = 2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubNumpat,
                          .summary = "Returns a count of unique pattern subscriptions.", .since = "2.8.0"},
                         {.name = "pubsub|shardchannels", .arity = -2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubShardChannels,
                          .summary = "Returns the active shard channels.", .since = "7.0.0"},
                         {.name = "pubsub|shardnumsub", .arity = -2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubShardNumsub,
                          .summary = "Returns the count of subscribers of shard channels.", .since = "7.0.0"},
                         {.name = "pubsub|help", .arity = 2, .flags = kLoading | kStale,
                          .handler = PubsubHelp,
                          .summary = "Returns helpful text about the different subcommands.", .since = "6.2.0"}}});
}

}  // namespace grabkv::server
