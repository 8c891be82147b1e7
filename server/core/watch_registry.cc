#include "server/core/watch_registry.h"

#include <algorithm>

#include "server/core/client.h"
#include "storage/db.h"

namespace grabkv::server {

void WatchRegistry::Watch(Client& c, int db, std::string_view key) {
  by_key_[{db, std::string(key)}].push_back(&c);
}

void WatchRegistry::UnwatchAll(Client& c) {
  for (const Client::WatchedKey& w : c.watched) {
    auto it = by_key_.find(std::make_pair(w.db, w.key));
    if (it == by_key_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &c), v.end());
    if (v.empty()) by_key_.erase(it);
  }
  c.watched.clear();
  c.watch_dirty = false;
}

void WatchRegistry::TouchSlow(int db, std::string_view key) {
  // One lookup; the pair key is built without allocating for short keys.
  auto it = by_key_.find(std::make_pair(db, std::string(key)));
  if (it == by_key_.end()) return;
  for (Client* c : it->second) c->watch_dirty = true;
}

void WatchRegistry::TouchDbReplaced(storage::Db& db, storage::Db* other) {
  for (auto& [k, clients] : by_key_) {
    storage::Db* dbs[2] = {&db, other};
    for (storage::Db* d : dbs) {
      if (d == nullptr) continue;
      if (k.first != db.index() && (other == nullptr || k.first != other->index())) continue;
      if (d->table().Find(k.second) != nullptr) {
        for (Client* c : clients) c->watch_dirty = true;
      }
    }
  }
}

}  // namespace grabkv::server
