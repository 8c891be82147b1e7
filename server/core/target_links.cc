#include "server/core/target_links.h"

#include <cstdlib>
#include <iterator>

namespace grabkv::server {

namespace {

std::string LinkName(std::string_view host, std::string_view port) {
  std::string name(host);
  name += ':';
  name += port;
  return name;
}

}  // namespace

TargetLinks::Cached* TargetLinks::Get(std::string_view host, std::string_view port,
                                      int64_t timeout_ms, int64_t now_s, uint64_t random) {
  std::string name = LinkName(host, port);
  if (auto it = links_.find(name); it != links_.end()) {
    it->second.last_use_s = now_s;
    return &it->second;
  }
  if (links_.size() >= kMaxCached) {
    auto victim = links_.begin();
    std::advance(victim, random % links_.size());
    links_.erase(victim);
  }
  // The port as Redis reads it (atoi: leading digits, else 0).
  const int port_number = std::atoi(std::string(port).c_str());
  std::unique_ptr<TargetLink> link = dial_ ? dial_(std::string(host), port_number, timeout_ms) : nullptr;
  if (link == nullptr) return nullptr;
  Cached& c = links_[name];
  c.link = std::move(link);
  c.last_dbid = -1;
  c.last_use_s = now_s;
  return &c;
}

void TargetLinks::Close(std::string_view host, std::string_view port) {
  links_.erase(LinkName(host, port));
}

void TargetLinks::CloseIdle(int64_t now_s) {
  for (auto it = links_.begin(); it != links_.end();) {
    if (now_s - it->second.last_use_s > kIdleSeconds) {
      links_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace grabkv::server
