#include "server/core/blocking.h"

#include <algorithm>
#include <cmath>
#include <climits>

#include "server/core/client.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms) {
  long double secs;
  if (!ParseLongDouble(arg, &secs)) {
    ctx.reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  // Redis 7.0 converts seconds*1000 to a long long; on x86 anything out of
  // range (inf, 1e400, ...) becomes LLONG_MIN and is reported as negative.
  long double ms = std::ceil(secs * 1000.0L);
  if (!(ms >= static_cast<long double>(LLONG_MIN) && ms < 9223372036854775808.0L)) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  int64_t t = static_cast<int64_t>(ms);
  if (t < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  // A deadline past the end of time is no deadline (Redis overflows here and
  // the client stays blocked).
  *deadline_ms = (t == 0 || t > LLONG_MAX - ctx.now_ms) ? 0 : ctx.now_ms + t;
  return true;
}

void BlockingManager::Block(CommandContext& ctx, Args keys, int64_t deadline_ms) {
  Client& c = ctx.client;
  if (&c == rerunning_) {
    // Still nothing for it: keep its place in every line.
    reblocked_ = true;
    return;
  }
  Blocked b;
  b.db = c.db_index();
  b.spec = ctx.spec;
  b.deadline_ms = deadline_ms;
  b.args.assign(ctx.args.begin(), ctx.args.end());
  for (std::string_view k : keys) {
    std::string key(k);
    if (std::find(b.keys.begin(), b.keys.end(), key) != b.keys.end()) continue;
    waiters_[{b.db, key}].push_back(&c);
    b.keys.push_back(std::move(key));
  }
  if (deadline_ms > 0) deadlines_.emplace(deadline_ms, &c);
  blocked_.emplace(&c, std::move(b));
  c.blocked = true;
}

void BlockingManager::SignalKeyReady(int db, std::string_view key) {
  if (waiters_.empty()) return;
  KeyId id{db, std::string(key)};
  if (!waiters_.contains(id)) return;
  if (std::find(ready_.begin(), ready_.end(), id) != ready_.end()) return;
  ready_.push_back(std::move(id));
}

void BlockingManager::SignalDb(int db) {
  for (const auto& [key, line] : waiters_) {
    if (key.first == db && std::find(ready_.begin(), ready_.end(), key) == ready_.end())
      ready_.push_back(key);
  }
}

void BlockingManager::Remove(Client& c) {
  auto it = blocked_.find(&c);
  if (it == blocked_.end()) return;
  const Blocked& b = it->second;
  for (const std::string& k : b.keys) {
    auto w = waiters_.find({b.db, k});
    if (w == waiters_.end()) continue;
    auto& q = w->second;
    q.erase(std::remove(q.begin(), q.end(), &c), q.end());
    if (q.empty()) waiters_.erase(w);
  }
  if (b.deadline_ms > 0) {
    auto [lo, hi] = deadlines_.equal_range(b.deadline_ms);
    for (auto d = lo; d != hi; ++d) {
      if (d->second == &c) {
        deadlines_.erase(d);
        break;
      }
    }
  }
  blocked_.erase(it);
  c.blocked = false;
}

bool BlockingManager::WaitingAfterRun(const Client& c) const {
  return rerunning_ == &c ? reblocked_ : c.blocked;
}

void BlockingManager::Rerun(Client& c, bool timed_out, bool with_error) {
  auto it = blocked_.find(&c);
  if (it == blocked_.end()) return;
  if (with_error) {
    // CLIENT UNBLOCK ... ERROR: the command does not run again.
    Remove(c);
    c.reply().Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    server_->NotifyOutput(c);
    return;
  }
  const CommandSpec* spec = it->second.spec;
  std::vector<std::string> args = it->second.args;
  std::vector<std::string_view> views(args.begin(), args.end());
  ExecOptions opts;
  opts.unblock_timeout = timed_out;
  opts.rerun = true;
  rerunning_ = &c;
  reblocked_ = false;
  Execute(*server_, c, spec, views, opts);
  rerunning_ = nullptr;
  if (!reblocked_ || timed_out) Remove(c);
  if (!c.blocked) server_->NotifyOutput(c);
}

void BlockingManager::ServeReadySlow() {
  if (serving_) return;
  serving_ = true;
  while (!ready_.empty()) {
    std::vector<KeyId> ready;
    ready.swap(ready_);
    for (const KeyId& k : ready) {
      auto w = waiters_.find(k);
      if (w == waiters_.end()) continue;
      // Serve in arrival order while the key still has something to give.
      std::deque<Client*> line = w->second;
      for (Client* c : line) {
        if (!blocked_.contains(c)) continue;
        Rerun(*c, false);
        if (c->blocked) break;  // it found nothing: neither will those behind it
      }
    }
  }
  serving_ = false;
}

void BlockingManager::Pause(int64_t end_ms, PauseType type, int64_t now_ms) {
  if (paused()) {
    if (type > pause_type_) pause_type_ = type;
    if (end_ms > pause_end_ms_) pause_end_ms_ = end_ms;
    return;
  }
  if (end_ms <= now_ms) return;
  pause_type_ = type;
  pause_end_ms_ = end_ms;
  for (storage::Db& db : server_->dbs()) db.set_expire_deletes_paused(true);
}

void BlockingManager::Unpause() { EndPause(); }

void BlockingManager::EndPause() {
  if (!paused()) return;
  pause_type_ = PauseType::kNone;
  pause_end_ms_ = 0;
  for (storage::Db& db : server_->dbs()) db.set_expire_deletes_paused(false);
}

bool BlockingManager::HoldsCommand(const Client& c, const CommandSpec* spec) const {
  if (pause_type_ == PauseType::kAll) return true;
  constexpr uint32_t kMayWrite = kWrite | kMayReplicate;
  if (spec->flags & kMayWrite) return true;
  if (spec->flags & kWriteIfQueuedWrites) {
    for (const auto& q : c.queued) {
      if (q.spec->flags & kMayWrite) return true;
    }
  }
  return false;
}

void BlockingManager::Postpone(Client& c, const CommandSpec*, Args args) {
  postponed_.push_back({&c, std::vector<std::string>(args.begin(), args.end())});
  c.blocked = true;
}

void BlockingManager::ResumePostponed() {
  // Taken out first: a resumed CLIENT PAUSE makes those behind it wait again.
  std::deque<Held>& line = resuming_;
  line.swap(postponed_);
  while (!line.empty()) {
    Held h = std::move(line.front());
    line.pop_front();
    if (h.client == nullptr) continue;  // disconnected meanwhile
    Client& c = *h.client;
    c.blocked = false;
    std::vector<std::string_view> views(h.args.begin(), h.args.end());
    // Through every check again, as Redis reprocesses a postponed command
    // (a CLIENT PAUSE resumed before it holds it once more).
    Dispatch(*server_, c, views);
    server_->NotifyOutput(c);
  }
}

void BlockingManager::HandleTimeouts(int64_t now_ms) {
  if (paused() && pause_end_ms_ <= now_ms) EndPause();
  if (!paused() && !postponed_.empty()) ResumePostponed();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    Client* c = deadlines_.begin()->second;
    Rerun(*c, true);
  }
}

int64_t BlockingManager::NextDeadline() const {
  int64_t next = deadlines_.empty() ? 0 : deadlines_.begin()->first;
  if (paused()) {
    if (next == 0 || pause_end_ms_ < next) next = pause_end_ms_;
  } else if (!postponed_.empty()) {
    next = 1;  // the pause ended: serve the held commands at once
  }
  return next;
}

void BlockingManager::Forget(Client& c) {
  Remove(c);
  if (!postponed_.empty()) {
    for (auto it = postponed_.begin(); it != postponed_.end(); ++it) {
      if (it->client == &c) {
        postponed_.erase(it);
        c.blocked = false;
        break;
      }
    }
  }
  for (Held& h : resuming_) {
    if (h.client == &c) h.client = nullptr;
  }
}

bool BlockingManager::Unblock(Client& c, bool with_error) {
  if (!blocked_.contains(&c)) return false;
  Rerun(c, !with_error, with_error);
  return true;
}

}  // namespace grabkv::server
