#include "server/core/pubsub_registry.h"

#include <algorithm>

#include "server/core/client.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

namespace {
void RemoveFrom(StringMap<std::vector<Client*>>& map, std::string_view name,
                Client* c) {
  auto it = map.find(name);
  if (it == map.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
  if (v.empty()) map.erase(it);
}

// A channel subscription in one of the two channel namespaces.
bool AddChannel(StringSet& mine, StringMap<std::vector<Client*>>& all, Client& c,
                std::string_view channel) {
  if (!mine.emplace(channel).second) return false;
  all[channel].push_back(&c);
  return true;
}

bool DropChannel(StringSet& mine, StringMap<std::vector<Client*>>& all, Client& c,
                 std::string_view channel) {
  auto it = mine.find(channel);
  if (it == mine.end()) return false;
  mine.erase(it);
  RemoveFrom(all, channel, &c);
  return true;
}

// Appends [kind, channel, message] to each subscriber; returns how many.
int64_t Deliver(ServerState* server, const StringMap<std::vector<Client*>>& all, const char* kind,
                std::string_view channel, std::string_view message) {
  auto it = all.find(channel);
  if (it == all.end()) return 0;
  for (Client* c : it->second) {
    protocol::ReplyBuilder& r = c->reply();
    r.PushHeader(3);
    r.Bulk(kind);
    r.Bulk(channel);
    r.Bulk(message);
    server->NotifyOutput(*c);
  }
  return static_cast<int64_t>(it->second.size());
}

std::vector<std::string> Names(const StringMap<std::vector<Client*>>& all, std::string_view pattern,
                               bool match_all) {
  std::vector<std::string> out;
  for (const auto& [name, clients] : all) {
    if (match_all || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t Count(const StringMap<std::vector<Client*>>& all, std::string_view channel) {
  auto it = all.find(channel);
  return it == all.end() ? 0 : static_cast<int64_t>(it->second.size());
}

}  // namespace

bool PubSubRegistry::Subscribe(Client& c, std::string_view channel) {
  return AddChannel(c.channels, channels_, c, channel);
}

bool PubSubRegistry::Unsubscribe(Client& c, std::string_view channel) {
  return DropChannel(c.channels, channels_, c, channel);
}

bool PubSubRegistry::SSubscribe(Client& c, std::string_view channel) {
  return AddChannel(c.shard_channels, shard_channels_, c, channel);
}

bool PubSubRegistry::SUnsubscribe(Client& c, std::string_view channel) {
  return DropChannel(c.shard_channels, shard_channels_, c, channel);
}

int64_t PubSubRegistry::SPublish(std::string_view channel, std::string_view message) {
  return Deliver(server_, shard_channels_, "smessage", channel, message);
}

bool PubSubRegistry::PSubscribe(Client& c, std::string_view pattern) {
  if (std::find(c.patterns.begin(), c.patterns.end(), pattern) != c.patterns.end()) return false;
  c.patterns.emplace_back(pattern);
  patterns_[pattern].push_back(&c);
  return true;
}

bool PubSubRegistry::PUnsubscribe(Client& c, std::string_view pattern) {
  auto it = std::find(c.patterns.begin(), c.patterns.end(), pattern);
  if (it == c.patterns.end()) return false;
  c.patterns.erase(it);
  RemoveFrom(patterns_, pattern, &c);
  return true;
}

void PubSubRegistry::Forget(Client& c) {
  for (const std::string& ch : c.channels) RemoveFrom(channels_, ch, &c);
  for (const std::string& p : c.patterns) RemoveFrom(patterns_, p, &c);
  for (const std::string& ch : c.shard_channels) RemoveFrom(shard_channels_, ch, &c);
  c.channels.clear();
  c.patterns.clear();
  c.shard_channels.clear();
}

int64_t PubSubRegistry::Publish(std::string_view channel, std::string_view message) {
  int64_t receivers = Deliver(server_, channels_, "message", channel, message);
  for (const auto& [pattern, clients] : patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    for (Client* c : clients) {
      protocol::ReplyBuilder& r = c->reply();
      r.PushHeader(4);
      r.Bulk("pmessage");
      r.Bulk(pattern);
      r.Bulk(channel);
      r.Bulk(message);
      server_->NotifyOutput(*c);
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSubRegistry::Channels(std::string_view pattern, bool match_all) const {
  return Names(channels_, pattern, match_all);
}

int64_t PubSubRegistry::NumSub(std::string_view channel) const { return Count(channels_, channel); }

std::vector<std::string> PubSubRegistry::ShardChannels(std::string_view pattern,
                                                       bool match_all) const {
  return Names(shard_channels_, pattern, match_all);
}

int64_t PubSubRegistry::ShardNumSub(std::string_view channel) const {
  return Count(shard_channels_, channel);
}

}  // namespace grabkv::server
