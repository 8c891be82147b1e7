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
  t.Register({"subscribe", -2, kSubFlags, 0, 0, 0, CmdSubscribe, "@pubsub @slow",
              "Listens for messages published to channels.", "2.0.0", "pubsub"});
  t.Register({"unsubscribe", -1, kSubFlags, 0, 0, 0, Unsubscribe<false>, "@pubsub @slow",
              "Stops listening to messages posted to channels.", "2.0.0", "pubsub"});
  t.Register({"psubscribe", -2, kSubFlags, 0, 0, 0, CmdPSubscribe, "@pubsub @slow",
              "Listens for messages published to channels that match one or more patterns.",
              "2.0.0", "pubsub"});
  t.Register({"punsubscribe", -1, kSubFlags, 0, 0, 0, Unsubscribe<true>, "@pubsub @slow",
              "Stops listening to messages published to channels that match one or more "
              "patterns.",
              "2.0.0", "pubsub"});
  t.Register({"publish", 3, kPubsub | kLoading | kStale | kFast | kMayReplicate, 0, 0, 0,
              CmdPublish, "@pubsub @fast", "Posts a message to a channel.", "2.0.0", "pubsub"});
  CommandSpec pubsub{"pubsub", -2, 0, 0, 0, 0, nullptr, "@slow",
                     "A container for Pub/Sub commands.", "2.8.0", "pubsub"};
  pubsub.subcommands = {
      {"pubsub|channels", -2, kPubsub | kLoading | kStale, 0, 0, 0, PubsubChannels,
       "@pubsub @slow", "Returns the active channels.", "2.8.0", "pubsub"},
      {"pubsub|numsub", -2, kPubsub | kLoading | kStale, 0, 0, 0, PubsubNumsub, "@pubsub @slow",
       "Returns a count of subscribers to channels.", "2.8.0", "pubsub"},
      {"pubsub|numpat", 2, kPubsub | kLoading | kStale, 0, 0, 0, PubsubNumpat, "@pubsub @slow",
       "Returns a count of unique pattern subscriptions.", "2.8.0", "pubsub"},
      {"pubsub|shardchannels", -2, kPubsub | kLoading | kStale, 0, 0, 0, PubsubShardChannels,
       "@pubsub @slow", "Returns the active shard channels.", "7.0.0", "pubsub"},
      {"pubsub|shardnumsub", -2, kPubsub | kLoading | kStale, 0, 0, 0, PubsubShardNumsub,
       "@pubsub @slow", "Returns the count of subscribers of shard channels.", "7.0.0", "pubsub"},
      {"pubsub|help", 2, kLoading | kStale, 0, 0, 0, PubsubHelp, "@slow",
       "Returns helpful text about the different subcommands.", "6.2.0", "pubsub"},
  };
  t.Register(std::move(pubsub));
}

}  // namespace grabkv::server
