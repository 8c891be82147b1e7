#include "storage/db.h"

namespace grabkv::storage {

int64_t Db::GetExpire(const Entry* e) const {
  if (!(e->flags & kHasExpire)) return -1;
  const auto* x = expires_.Find(e->key());
  return x ? x->value : -1;
}

void Db::ExpireNow(Entry* e) {
  // Copy the key: the entry dies before the observer is told.
  std::string key(e->key());
  expires_.Erase(key);
  keys_.Erase(key);
  ++expired_;
  if (observer_ != nullptr) {
    observer_->OnKeyExpired(index_, key);
    Report(key, events::kExpired, 0);
  }
}

Db::Entry* Db::Find(std::string_view key, int64_t now_ms, bool touch) {
  Entry* e = keys_.Find(key);
  if (e == nullptr) return nullptr;
  if (IsExpired(e, now_ms)) {
    if (!expire_deletes_paused_) ExpireNow(e);
    return nullptr;
  }
  if (touch && access_ != nullptr) {
    e->flags = (e->flags & ((1u << kMetaShift) - 1)) |
               (access_->Touch(e->flags >> kMetaShift, now_ms) << kMetaShift);
  }
  return e;
}

Db::Entry* Db::FindRead(std::string_view key, int64_t now_ms, bool report_miss, bool touch) {
  Entry* e = Find(key, now_ms, touch);
  if (e == nullptr) {
    ++misses_;
    if (report_misses_ && report_miss && observer_ != nullptr) observer_->OnKeyMiss(index_, key);
  } else {
    ++hits_;
  }
  return e;
}

std::pair<Db::Entry*, bool> Db::FindOrInsert(std::string_view key, int64_t now_ms) {
  if (Entry* e = Find(key, now_ms)) return {e, false};
  if (expire_deletes_paused_) {
    if (Entry* stale = keys_.Find(key)) ExpireNow(stale);
  }
  auto [e, inserted] = keys_.Insert(key);
  e->flags = NewFlags(now_ms);
  return {e, true};
}

Db::Entry* Db::SetQuiet(std::string_view key, Value value, int64_t now_ms, bool* was_inserted) {
  auto [e, inserted] = FindOrInsert(key, now_ms);
  if (was_inserted != nullptr) *was_inserted = inserted;
  e->value = std::move(value);
  if (!inserted && (e->flags & kHasExpire)) {
    expires_.Erase(key);
    e->flags &= ~kHasExpire;
  }
  return e;
}

Db::Entry* Db::Set(std::string_view key, Value value, int64_t now_ms, KeyEvent event) {
  bool inserted;
  Entry* e = SetQuiet(key, std::move(value), now_ms, &inserted);
  Report(key, &event, 1, 1, inserted);
  return e;
}

bool Db::Delete(std::string_view key, int64_t now_ms, KeyEvent event) {
  Entry* e = Find(key, now_ms);
  if (e == nullptr) return false;
  if (e->flags & kHasExpire) expires_.Erase(key);
  // Keep the key alive for the observer: erase after reporting would need a
  // copy anyway, so report first (observers only read the key).
  Report(key, event);
  keys_.Erase(key);
  return true;
}

Db::Entry* Db::Unlink(std::string_view key, int64_t now_ms, KeyEvent event) {
  Entry* e = Find(key, now_ms);
  if (e == nullptr) return nullptr;
  if (e->flags & kHasExpire) expires_.Erase(key);
  Report(key, event);
  return keys_.Unlink(key);
}

bool Db::Evict(std::string_view key) {
  Entry* e = keys_.Find(key);
  if (e == nullptr) return false;
  if (e->flags & kHasExpire) expires_.Erase(key);
  Report(key, events::kEvicted, 0);
  keys_.Erase(key);
  return true;
}

void Db::SetExpireQuiet(Entry* e, int64_t when_ms) {
  auto [x, inserted] = expires_.Insert(e->key());
  x->value = when_ms;
  e->flags |= kHasExpire;
}

void Db::SetExpire(Entry* e, int64_t when_ms, KeyEvent event) {
  SetExpireQuiet(e, when_ms);
  Report(e->key(), event);
}

bool Db::PersistQuiet(Entry* e) {
  if (!(e->flags & kHasExpire)) return false;
  expires_.Erase(e->key());
  e->flags &= ~kHasExpire;
  return true;
}

bool Db::Persist(Entry* e) {
  if (!PersistQuiet(e)) return false;
  Report(e->key(), events::kPersist);
  return true;
}

Db::Entry* Db::InsertQuiet(std::string_view key, int64_t now_ms) {
  // Only called where a lookup found no live key: an entry still here is an
  // expired one kept by CLIENT PAUSE.
  if (expire_deletes_paused_) {
    if (Entry* stale = keys_.Find(key)) ExpireNow(stale);
  }
  auto [e, inserted] = keys_.Insert(key);
  if (inserted) e->flags = NewFlags(now_ms);
  return e;
}

void Db::EraseQuiet(std::string_view key) {
  Entry* e = keys_.Find(key);
  if (e == nullptr) return;
  if (e->flags & kHasExpire) expires_.Erase(key);
  keys_.Erase(key);
}

// --- KeyWrite ---

// The KeyWrite looked the key up already: a missing key is inserted without
// a second lookup.
KeyWrite::Entry* KeyWrite::Create(Value v) {
  e_ = db_.InsertQuiet(key_, now_ms_);
  e_->value = std::move(v);
  created_ = true;
  return e_;
}

KeyWrite::Entry* KeyWrite::Replace(Value v) {
  if (e_ == nullptr) return Create(std::move(v));
  e_->value = std::move(v);
  db_.PersistQuiet(e_);
  return e_;
}

void KeyWrite::SetExpire(int64_t when_ms) { db_.SetExpireQuiet(e_, when_ms); }

bool KeyWrite::Persist() { return db_.PersistQuiet(e_); }

bool KeyWrite::Delete() {
  if (e_ == nullptr) return false;
  // Report while the key still exists (observers may look at it), then
  // erase; nothing more is reported for this write.
  Note(events::kDel);
  committed_ = true;
  db_.Report(key_, events_, num_events_, changes_, created_ && !created_reported_);
  db_.EraseQuiet(key_);
  e_ = nullptr;
  return true;
}

void KeyWrite::Note(KeyEvent event, uint64_t changes) {
  changes_ += changes;
  if (num_events_ < kMaxEvents) events_[num_events_++] = event;
}

void KeyWrite::Commit() {
  if (committed_) return;
  committed_ = true;
  const bool emptied =
      e_ != nullptr && !e_->value.is_string() && e_->value.container()->Length() == 0;
  if (emptied && num_events_ == 0 && changes_ == 0) {
    db_.EraseQuiet(key_);  // created and left empty: nothing happened
    return;
  }
  if (emptied) Note(events::kDel, 0);
  if (num_events_ > 0 || changes_ > 0) db_.Report(key_, events_, num_events_, changes_, created_ && !created_reported_);
  if (emptied) db_.EraseQuiet(key_);
}

std::pair<size_t, size_t> Db::ActiveExpire(int64_t now_ms, size_t max_samples) {
  if (expires_.empty() || expire_deletes_paused_) return {0, 0};
  std::vector<std::string> dead;
  size_t sampled = 0;
  int64_t ttl_sum = 0;
  size_t ttl_count = 0;
  // Walk the expires table bucket by bucket with a persistent cursor, so that
  // over time every key with a TTL is looked at (Redis 6+ does the same).
  do {
    expire_cursor_ = expires_.Scan(expire_cursor_, [&](Dict<int64_t>::Entry* x) {
      ++sampled;
      if (x->value <= now_ms) {
        dead.emplace_back(x->key());
      } else {
        ttl_sum += x->value - now_ms;
        ++ttl_count;
      }
    });
  } while (sampled < max_samples && expire_cursor_ != 0);
  for (const std::string& k : dead) {
    if (Entry* e = keys_.Find(k)) ExpireNow(e);
  }
  if (ttl_count > 0) {
    int64_t avg = ttl_sum / static_cast<int64_t>(ttl_count);
    // Running average like Redis: weight the new sample by 2%.
    avg_ttl_ = avg_ttl_ == 0 ? avg : (avg_ttl_ / 50) * 49 + avg / 50;
  }
  if (expires_.empty()) avg_ttl_ = 0;
  return {sampled, dead.size()};
}

std::unique_ptr<Db::Taken> Db::TakeAll() {
  if (observer_ != nullptr) observer_->OnDbReplaced(index_, -1);
  auto taken = std::make_unique<Taken>();
  taken->keys = keys_.Take();
  taken->expires = expires_.Take();
  expire_cursor_ = 0;
  avg_ttl_ = 0;
  return taken;
}

void Db::SwapContents(Db& other) {
  if (observer_ != nullptr) observer_->OnDbReplaced(index_, other.index_);
  std::swap(keys_, other.keys_);
  std::swap(expires_, other.expires_);
  std::swap(avg_ttl_, other.avg_ttl_);
  expire_cursor_ = other.expire_cursor_ = 0;
}

Db::Entry* Db::RandomKey(int64_t now_ms, std::mt19937_64& rng) {
  for (int tries = 0; tries < 100; ++tries) {
    Entry* e = keys_.Random(rng);
    if (e == nullptr) return nullptr;
    if (!IsExpired(e, now_ms)) return e;
    if (expire_deletes_paused_) continue;
    // Redis would return an expired key when all sampled keys are volatile
    // and expired; we delete as we go and keep looking.
    ExpireNow(e);
  }
  return nullptr;
}

}  // namespace grabkv::storage
