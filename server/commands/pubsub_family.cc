// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB, and the
// shard channels of Redis 7.0 (SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH), which
// without cluster mode are a second channel namespace: their own
// subscriptions and counts, "smessage" frames, no pattern matching.
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {

// One confirmation frame: [kind, name|nil, count]; the count is the
// client's shard channels for the shard commands, its other subscriptions
// for the rest (as Redis counts them apart).
void Confirm(CommandContext& ctx, std::string_view kind, const std::string_view* name) {
  const bool shard = kind == "ssubscribe" || kind == "sunsubscribe";
  auto& r = ctx.reply;
  r.PushHeader(3);
  r.Bulk(kind);
  if (name != nullptr) {
    r.Bulk(*name);
  } else {
    r.Null();
  }
  r.Integer(static_cast<int64_t>(shard ? ctx.client.shard_channels.size()
                                        : ctx.client.channel_and_pattern_subscriptions()));
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

void CmdSSubscribe(CommandContext& ctx) {
  // Redis refuses it where replies must come one per command (MULTI).
  if (ctx.in_transaction || ctx.in_script)
    return ctx.reply.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view ch = ctx.arg(i);
    ctx.server.pubsub().SSubscribe(ctx.client, ch);
    Confirm(ctx, "ssubscribe", &ch);
  }
}

enum class SubKind { kChannel, kPattern, kShard };

// UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE: the named ones, or all when
// none are named.
template <SubKind kKind>
void Unsubscribe(CommandContext& ctx) {
  const char* kind = kKind == SubKind::kPattern ? "punsubscribe"
                     : kKind == SubKind::kShard ? "sunsubscribe"
                                                : "unsubscribe";
  auto& reg = ctx.server.pubsub();
  auto drop = [&](std::string_view name) {
    if (kKind == SubKind::kPattern) {
      reg.PUnsubscribe(ctx.client, name);
    } else if (kKind == SubKind::kShard) {
      reg.SUnsubscribe(ctx.client, name);
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
  if (kKind == SubKind::kPattern) {
    all = ctx.client.patterns;
  } else if (kKind == SubKind::kShard) {
    all.assign(ctx.client.shard_channels.begin(), ctx.client.shard_channels.end());
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

void CmdSPublish(CommandContext& ctx) {
  ctx.reply.Integer(ctx.server.pubsub().SPublish(ctx.arg(1), ctx.arg(2)));
}

template <bool kShard>
void PubsubChannels(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    // (Redis 7.0 words the two differently; the first names the
    // subcommand as sent.)
    if (kShard) {
      ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                      std::string(ctx.arg(1).substr(0, 128)) + "'. Try PUBSUB HELP.");
    } else {
      ctx.reply.Error("ERR wrong number of arguments for 'pubsub|channels' command");
    }
    return;
  }
  bool all = ctx.argc() == 2;
  auto& reg = ctx.server.pubsub();
  std::vector<std::string> names =
      kShard ? reg.ShardChannels(all ? "" : ctx.arg(2), all) : reg.Channels(all ? "" : ctx.arg(2), all);
  ctx.reply.ArrayHeader(names.size());
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

template <bool kShard>
void PubsubNumsub(CommandContext& ctx) {
  auto& reg = ctx.server.pubsub();
  ctx.reply.ArrayHeader((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.Bulk(ctx.arg(i));
    ctx.reply.Integer(kShard ? reg.ShardNumSub(ctx.arg(i)) : reg.NumSub(ctx.arg(i)));
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
         .handler = Unsubscribe<SubKind::kChannel>,
         .summary = "Stops listening to messages posted to channels.", .since = "2.0.0"});
  f.Add({.name = "psubscribe", .arity = -2, .flags = kSubFlags | kAllowedWhileSubscribed,
         .handler = CmdPSubscribe,
         .summary = "Listens for messages published to channels that match one or more patterns.", .since = "2.0.0"});
  f.Add({.name = "punsubscribe", .arity = -1, .flags = kSubFlags | kAllowedWhileSubscribed,
         .handler = Unsubscribe<SubKind::kPattern>,
         .summary = "Stops listening to messages published to channels that match one or more patterns.", .since = "2.0.0"});
  f.Add({.name = "publish", .arity = 3, .flags = kPubsub | kLoading | kStale | kFast | kMayReplicate,
         .handler = CmdPublish,
         .summary = "Posts a message to a channel.", .since = "2.0.0"});
  f.Add({.name = "ssubscribe", .arity = -2, .flags = kSubFlags | kAllowedWhileSubscribed,
         .keys = {{.flags = kNotKey, .index = 1, .lastkey = -1}}, .handler = CmdSSubscribe,
         .summary = "Listen for messages published to the given shard channels", .since = "7.0.0"});
  f.Add({.name = "sunsubscribe", .arity = -1, .flags = kSubFlags | kAllowedWhileSubscribed,
         .keys = {{.flags = kNotKey, .index = 1, .lastkey = -1}}, .handler = Unsubscribe<SubKind::kShard>,
         .summary = "Stop listening for messages posted to the given shard channels", .since = "7.0.0"});
  f.Add({.name = "spublish", .arity = 3, .flags = kPubsub | kLoading | kStale | kFast | kMayReplicate,
         .keys = {{.flags = kNotKey, .index = 1}}, .handler = CmdSPublish,
         .summary = "Post a message to a shard channel", .since = "7.0.0"});
  f.Add({.name = "pubsub",
         .arity = -2,
         .summary = "A container for Pub/Sub commands.",
         .since = "2.8.0",
         .subcommands = {{.name = "pubsub|channels",
                          .arity = -2,
                          .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubChannels<false>,
                          .summary = "Returns the active channels.",
                          .since = "2.8.0"},
                         {.name = "pubsub|numsub", .arity = -2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubNumsub<false>,
                          .summary = "Returns a count of subscribers to channels.", .since = "2.8.0"},
                         {.name = "pubsub|numpat", .arity = 2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubNumpat,
                          .summary = "Returns a count of unique pattern subscriptions.", .since = "2.8.0"},
                         {.name = "pubsub|shardchannels", .arity = -2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubChannels<true>,
                          .summary = "Returns the active shard channels.", .since = "7.0.0"},
                         {.name = "pubsub|shardnumsub", .arity = -2, .flags = kPubsub | kLoading | kStale,
                          .handler = PubsubNumsub<true>,
                          .summary = "Returns the count of subscribers of shard channels.", .since = "7.0.0"},
                         {.name = "pubsub|help", .arity = 2, .flags = kLoading | kStale,
                          .handler = PubsubHelp,
                          .summary = "Returns helpful text about the different subcommands.", .since = "6.2.0"}}});
}

}  // namespace grabkv::server
