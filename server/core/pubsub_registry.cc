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
}  // namespace

bool PubSubRegistry::Subscribe(Client& c, std::string_view channel) {
  if (!c.channels.emplace(channel).second) return false;
  channels_[channel].push_back(&c);
  return true;
}

bool PubSubRegistry::Unsubscribe(Client& c, std::string_view channel) {
  auto it = c.channels.find(channel);
  if (it == c.channels.end()) return false;
  c.channels.erase(it);
  RemoveFrom(channels_, channel, &c);
  return true;
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
  c.channels.clear();
  c.patterns.clear();
}

int64_t PubSubRegistry::Publish(std::string_view channel, std::string_view message) {
  int64_t receivers = 0;
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    for (Client* c : it->second) {
      protocol::ReplyBuilder& r = c->reply();
      r.PushHeader(3);
      r.Bulk("message");
      r.Bulk(channel);
      r.Bulk(message);
      server_->NotifyOutput(*c);
      ++receivers;
    }
  }
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
  std::vector<std::string> out;
  for (const auto& [name, clients] : channels_) {
    if (match_all || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t PubSubRegistry::NumSub(std::string_view channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : static_cast<int64_t>(it->second.size());
}

}  // namespace grabkv::server
