// PubSubRegistry: channel and pattern subscriptions, and message delivery.
//
// Delivery appends the message frame to each subscriber's output buffer
// (RESP2 array or RESP3 push) and tells the IO layer, through
// ServerState::NotifyOutput, that the subscriber has output to flush.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/core/string_map.h"

namespace grabkv::server {

class Client;
class ServerState;

class PubSubRegistry {
 public:
  explicit PubSubRegistry(ServerState* server) : server_(server) {}

  // Each returns whether the subscription set changed.
  bool Subscribe(Client& c, std::string_view channel);
  bool Unsubscribe(Client& c, std::string_view channel);
  bool PSubscribe(Client& c, std::string_view pattern);
  bool PUnsubscribe(Client& c, std::string_view pattern);
  // Shard channels (SSUBSCRIBE / SUNSUBSCRIBE / SPUBLISH): a namespace of
  // their own, delivered as "smessage", never matched by patterns.
  bool SSubscribe(Client& c, std::string_view channel);
  bool SUnsubscribe(Client& c, std::string_view channel);
  int64_t SPublish(std::string_view channel, std::string_view message);
  // Drops everything c is subscribed to (disconnect, RESET). No replies.
  void Forget(Client& c);

  // Delivers to channel and pattern subscribers; returns the receiver count.
  int64_t Publish(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS / NUMSUB / NUMPAT.
  std::vector<std::string> Channels(std::string_view pattern, bool match_all) const;
  int64_t NumSub(std::string_view channel) const;
  int64_t NumPat() const { return static_cast<int64_t>(patterns_.size()); }
  // PUBSUB SHARDCHANNELS / SHARDNUMSUB.
  std::vector<std::string> ShardChannels(std::string_view pattern, bool match_all) const;
  int64_t ShardNumSub(std::string_view channel) const;

 private:
  ServerState* server_;
  // Subscribers in subscription order (delivery order, as in Redis).
  StringMap<std::vector<Client*>> channels_;
  StringMap<std::vector<Client*>> patterns_;
  StringMap<std::vector<Client*>> shard_channels_;
};

}  // namespace grabkv::server
