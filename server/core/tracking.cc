#include "server/core/tracking.h"

#include <algorithm>
#include <cstring>

#include "server/core/client.h"
#include "server/core/command_table.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {

// Redis's stringCheckPrefix: one is a prefix of the other.
bool Overlap(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return std::memcmp(a.data(), b.data(), n) == 0;
}

// The first NUL ends a prefix in Redis's error text (it formats with %s).
std::string CStr(std::string_view s) {
  size_t nul = s.find('\0');
  return std::string(nul == std::string_view::npos ? s : s.substr(0, nul));
}

}  // namespace

std::string Tracking::Enable(Client& c, uint64_t redirect, uint8_t options,
                             const std::vector<std::string_view>& prefixes) {
  const bool bcast = options & Client::kTrackingBcast;
  if (!bcast && !prefixes.empty()) return "ERR PREFIX option requires BCAST mode to be enabled";
  if ((c.tracking & Client::kTrackingOn) && bool(c.tracking & Client::kTrackingBcast) != bcast) {
    return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
           "then re-enabling it with a different mode.";
  }
  if (bcast && (options & (Client::kTrackingOptin | Client::kTrackingOptout))) {
    return "ERR OPTIN and OPTOUT are not compatible with BCAST";
  }
  if ((options & Client::kTrackingOptin) && (options & Client::kTrackingOptout)) {
    return "ERR You can't specify both OPTIN mode and OPTOUT mode";
  }
  if (((options & Client::kTrackingOptin) && (c.tracking & Client::kTrackingOptout)) ||
      ((options & Client::kTrackingOptout) && (c.tracking & Client::kTrackingOptin))) {
    return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
           "then re-enabling it with a different mode.";
  }
  if (bcast) {
    for (size_t i = 0; i < prefixes.size(); ++i) {
      for (const std::string& have : c.tracking_prefixes) {
        if (Overlap(have, prefixes[i])) {
          return "ERR Prefix '" + CStr(prefixes[i]) + "' overlaps with an existing prefix '" +
                 CStr(have) + "'. Prefixes for a single client must not overlap.";
        }
      }
      for (size_t j = i + 1; j < prefixes.size(); ++j) {
        if (Overlap(prefixes[i], prefixes[j])) {
          return "ERR Prefix '" + CStr(prefixes[i]) + "' overlaps with another provided prefix '" +
                 CStr(prefixes[j]) + "'. Prefixes for a single client must not overlap.";
        }
      }
    }
  }
  if (!(c.tracking & Client::kTrackingOn)) ++clients_;
  // Re-enabling keeps the prefixes and the CACHING flag, resets the rest.
  c.tracking = static_cast<uint8_t>((c.tracking & Client::kTrackingCaching) | Client::kTrackingOn);
  c.tracking_redirect = redirect;
  if (bcast) {
    c.tracking |= Client::kTrackingBcast;
    auto add = [&](std::string_view p) {
      auto pos = std::lower_bound(c.tracking_prefixes.begin(), c.tracking_prefixes.end(), p);
      if (pos != c.tracking_prefixes.end() && *pos == p) return;  // already registered
      c.tracking_prefixes.insert(pos, std::string(p));
      prefixes_[std::string(p)].clients.push_back(&c);
    };
    if (prefixes.empty()) add("");
    for (std::string_view p : prefixes) add(p);
  }
  c.tracking |= options & (Client::kTrackingOptin | Client::kTrackingOptout | Client::kTrackingNoloop);
  return "";
}

void Tracking::Disable(Client& c) {
  for (const std::string& p : c.tracking_prefixes) {
    auto it = prefixes_.find(p);
    if (it == prefixes_.end()) continue;
    auto& v = it->second.clients;
    v.erase(std::remove(v.begin(), v.end(), &c), v.end());
    if (v.empty()) prefixes_.erase(it);
  }
  c.tracking_prefixes.clear();
  if (c.tracking & Client::kTrackingOn) --clients_;
  c.tracking = 0;
  // Its entries in the table stay until their keys are written (Redis
  // does the same; the sender skips clients no longer tracking).
  if (pending_client_ == c.id()) {
    pending_.clear();
    pending_client_ = 0;
  }
}

void Tracking::RememberKeys(Client& c, const CommandSpec* spec, Args args) {
  const uint8_t t = c.tracking;
  const bool caching = t & Client::kTrackingCaching;
  if (((t & Client::kTrackingOptin) && !caching) || ((t & Client::kTrackingOptout) && caching)) return;
  if (spec->flags & kPubsub) return;  // shard channels are not keys to cache
  std::vector<KeyRef> keys;
  CommandKeys(*spec, args, &keys);
  for (const KeyRef& k : keys) {
    auto& ids = table_[args[static_cast<size_t>(k.pos)]];
    if (ids.insert(c.id()).second) ++items_;
  }
}

void Tracking::AfterCommand(Client& c, const CommandSpec* spec, Args args, bool in_script,
                            bool top_level) {
  // A read-only command remembers its keys for the tracking client (for a
  // script's commands, the client that runs the script); EVAL_RO and
  // FCALL_RO themselves do not, only the commands they run.
  if ((spec->flags & kReadonly) && !(spec->flags & kNoscript && spec->flags & kNoMandatoryKeys)) {
    Client* owner = &c;
    if (in_script && server_->current_client != nullptr) {
      auto it = server_->clients().find(server_->current_client->id());
      owner = it != server_->clients().end() ? it->second : nullptr;
    }
    if (owner != nullptr && (owner->tracking & Client::kTrackingOn) &&
        !(owner->tracking & Client::kTrackingBcast)) {
      RememberKeys(*owner, spec, args);
    }
  }
  if (flush_pending_) {
    flush_pending_ = false;
    for (const auto& [id, cl] : server_->clients()) {
      if (!(cl->tracking & Client::kTrackingOn)) continue;
      if (cl == server_->current_client) {
        pending_.emplace_back(std::nullopt);
        pending_client_ = id;
      } else {
        Send(*cl, nullptr);
      }
    }
  }
  // The client's own invalidations follow its reply; under CLIENT REPLY
  // OFF/SKIP the dispatcher drops the reply first and then flushes them
  // (Redis sends pushes whatever the reply mode).
  if (top_level && !pending_.empty()) {
    auto it = server_->clients().find(pending_client_);
    if (it != server_->clients().end() && it->second->reply_mode != Client::ReplyMode::kOn) return;
    FlushPending();
  }
}

void Tracking::FlushPending() {
  if (pending_.empty()) return;
  auto pending = std::move(pending_);
  pending_.clear();
  auto it = server_->clients().find(pending_client_);
  pending_client_ = 0;
  if (it == server_->clients().end()) return;
  for (const auto& k : pending) {
    if (k.has_value()) {
      std::vector<std::string_view> one{*k};
      Send(*it->second, &one);
    } else {
      Send(*it->second, nullptr);
    }
  }
}

void Tracking::EndOfCommand(Client& c, const CommandSpec* spec) {
  // Redis's resetClient: the flag survives MULTI's queueing and any CLIENT
  // subcommand (CLIENT CACHING itself, CLIENT ID...).
  if (c.in_multi) return;
  if (spec != nullptr && std::strncmp(spec->name, "client", 6) == 0) return;
  c.tracking &= static_cast<uint8_t>(~Client::kTrackingCaching);
}

void Tracking::Send(Client& c, const std::vector<std::string_view>* keys) {
  Client* to = &c;
  bool redirected = false;
  if (c.tracking_redirect != 0) {
    auto it = server_->clients().find(c.tracking_redirect);
    if (it == server_->clients().end()) {
      c.tracking |= Client::kTrackingBrokenRedir;
      if (c.resp() == 3) {
        protocol::ReplyBuilder& r = c.reply();
        r.PushHeader(2);
        r.Bulk("tracking-redir-broken");
        r.Integer(static_cast<int64_t>(c.tracking_redirect));
        server_->NotifyOutput(c);
      }
      return;
    }
    to = it->second;
    redirected = true;
  }
  protocol::ReplyBuilder& r = to->reply();
  if (to->resp() == 3) {
    r.PushHeader(2);
    r.Bulk("invalidate");
  } else if (redirected && to->subscriptions() > 0) {
    r.PushHeader(3);
    r.Bulk("message");
    r.Bulk("__redis__:invalidate");
  } else {
    return;  // RESP2 without a subscribed redirection: nowhere to say it
  }
  if (keys == nullptr) {
    // Redis writes the null of the tracking client's protocol.
    r.Raw(c.resp() == 3 ? "_\r\n" : "$-1\r\n");
  } else {
    r.ArrayHeader(keys->size());
    for (std::string_view k : *keys) r.Bulk(k);
  }
  server_->NotifyOutput(*to);
}

void Tracking::InvalidateKey(std::string_view key) { InvalidateKeyFrom(key, true); }

void Tracking::InvalidateKeyFrom(std::string_view key, bool bcast) {
  const Client* current = server_->current_client;
  if (bcast && !prefixes_.empty()) {
    const uint64_t writer = current != nullptr ? current->id() : 0;
    for (auto& [p, state] : prefixes_) {
      if (p.size() > key.size() || std::memcmp(p.data(), key.data(), p.size()) != 0) continue;
      state.keys[std::string(key)] = writer;
      bcast_dirty_ = true;
    }
  }
  auto it = table_.find(key);
  if (it == table_.end()) return;
  // Taken out first: sending may not touch the table, but keep it simple.
  absl::flat_hash_set<uint64_t> ids = std::move(it->second);
  table_.erase(it);
  items_ -= ids.size();
  for (uint64_t id : ids) {
    auto cit = server_->clients().find(id);
    if (cit == server_->clients().end()) continue;
    Client* target = cit->second;
    if (!(target->tracking & Client::kTrackingOn) || (target->tracking & Client::kTrackingBcast)) {
      continue;
    }
    if (target == current) {
      if (target->tracking & Client::kTrackingNoloop) continue;
      // After the reply of the command running now.
      pending_.emplace_back(std::string(key));
      pending_client_ = id;
      continue;
    }
    std::vector<std::string_view> one{key};
    Send(*target, &one);
  }
}

void Tracking::NoteFlush() {
  flush_pending_ = true;
  table_.clear();
  items_ = 0;
}

void Tracking::Broadcast() {
  bcast_dirty_ = false;
  for (auto& [p, state] : prefixes_) {
    if (state.keys.empty()) continue;
    std::vector<std::string_view> all;
    all.reserve(state.keys.size());
    for (const auto& [k, writer] : state.keys) all.push_back(k);
    for (Client* c : state.clients) {
      if (c->tracking & Client::kTrackingNoloop) {
        std::vector<std::string_view> mine;
        for (const auto& [k, writer] : state.keys) {
          if (writer != c->id()) mine.push_back(k);
        }
        if (!mine.empty()) Send(*c, &mine);
      } else {
        Send(*c, &all);
      }
    }
    state.keys.clear();
  }
}

void Tracking::LimitTable() {
  const int64_t max_keys = server_->config().tracking_table_max_keys;
  if (max_keys == 0 || table_.size() <= static_cast<size_t>(max_keys)) {
    limit_rounds_ = 0;
    return;
  }
  // The effort grows with each call that found the table still too big.
  int effort = 100 * static_cast<int>(limit_rounds_ + 1);
  while (effort-- > 0 && !table_.empty()) {
    // A pseudo-random key: the hash table's order is unrelated to the keys.
    std::string key = table_.begin()->first;
    InvalidateKeyFrom(key, false);
    if (table_.size() <= static_cast<size_t>(max_keys)) {
      limit_rounds_ = 0;
      return;
    }
  }
  ++limit_rounds_;
}

}  // namespace grabkv::server
