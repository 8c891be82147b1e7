#include "storage/set.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <new>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/heap.h"

namespace grabkv::storage {
namespace {

// Partial Fisher-Yates: moves `k` random distinct elements of v to its front.
template <typename T>
void ShuffleFront(std::vector<T>& v, size_t k, std::mt19937_64& rng) {
  for (size_t i = 0; i < k; ++i) {
    const size_t j = i + rng() % (v.size() - i);
    std::swap(v[i], v[j]);
  }
}

}  // namespace

Set::Set(Encoding enc) {
  if (enc == Encoding::kHashtable) {
    table_ = new Table();
    is_table_ = true;
  }
}

Set::~Set() {
  if (is_table_) {
    delete table_;
  } else {
    std::free(ints_);
  }
}

std::unique_ptr<Set> Set::CreateFor(std::string_view first_member) {
  int64_t unused;
  return std::make_unique<Set>(ParseInt64(first_member, &unused) ? Encoding::kIntset
                                                                  : Encoding::kHashtable);
}

std::unique_ptr<Container> Set::Clone() const {
  if (!is_table_) {
    auto copy = std::make_unique<Set>(Encoding::kIntset);
    const size_t bytes = size_t{int_count_} * width_;
    copy->ints_ = Resize(nullptr, bytes);
    if (bytes > 0) std::memcpy(copy->ints_, ints_, bytes);
    copy->int_count_ = int_count_;
    copy->width_ = width_;
    return copy;
  }
  auto copy = std::make_unique<Set>(Encoding::kHashtable);
  table_->ForEach([&copy](const Table::Entry* e) { copy->table_->Insert(e->key()); });
  return copy;
}

size_t Set::MemoryUsage() const {
  const size_t n = ChunkEstimate(sizeof(Set));
  if (is_table_) return n + ChunkEstimate(sizeof(Table)) + table_->MemoryUsage();
  return n + (ints_ != nullptr ? ChunkEstimate(size_t{int_count_} * width_) : 0);
}

// --- intset ---

uint8_t Set::WidthFor(int64_t v) {
  if (v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()) {
    return 2;
  }
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    return 4;
  }
  return 8;
}

std::string_view Set::FormatInt(int64_t v, MemberBuf* buf) {
  const auto res = std::to_chars(buf->data, buf->data + sizeof(buf->data), v);
  return {buf->data, static_cast<size_t>(res.ptr - buf->data)};
}

void Set::WriteInt(char* p, uint8_t width, int64_t v) {
  switch (width) {
    case 2: {
      const int16_t x = static_cast<int16_t>(v);
      std::memcpy(p, &x, 2);
      return;
    }
    case 4: {
      const int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
      return;
    }
    default:
      std::memcpy(p, &v, 8);
  }
}

size_t Set::IntSearch(int64_t v, bool* found) const {
  *found = false;
  if (int_count_ == 0) return 0;
  // Ascending inserts (ids, counters) are the common case: check the ends
  // before bisecting.
  if (v > IntAt(int_count_ - 1)) return int_count_;
  if (v < IntAt(0)) return 0;
  size_t lo = 0, hi = int_count_;  // answer in [lo, hi]
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t m = IntAt(mid);
    if (m < v) {
      lo = mid + 1;
    } else if (m > v) {
      hi = mid;
    } else {
      *found = true;
      return mid;
    }
  }
  return lo;
}

void Set::IntUpgradeAndAdd(int64_t v, uint8_t new_width) {
  // v does not fit the old width, so it is smaller or larger than every
  // element: it goes first or last. Widen from the back so that no element
  // is overwritten before it was read (new slots are never before old ones).
  const uint8_t old_width = width_;
  const size_t n = int_count_;
  const size_t prepend = v < 0 ? 1 : 0;
  ints_ = Resize(ints_, (n + 1) * new_width);
  for (size_t i = n; i-- > 0;) {
    WriteInt(ints_ + (i + prepend) * new_width, new_width, ReadInt(ints_ + i * old_width, old_width));
  }
  width_ = new_width;
  SetIntAt(prepend ? 0 : n, v);
  ++int_count_;
}

bool Set::IntAdd(int64_t v) {
  const uint8_t w = WidthFor(v);
  if (w > width_) {
    IntUpgradeAndAdd(v, w);
    return true;
  }
  bool found;
  const size_t pos = IntSearch(v, &found);
  if (found) return false;
  const size_t n = int_count_;
  ints_ = Resize(ints_, (n + 1) * width_);
  std::memmove(ints_ + (pos + 1) * width_, ints_ + pos * width_, (n - pos) * width_);
  SetIntAt(pos, v);
  ++int_count_;
  return true;
}

bool Set::IntRemove(int64_t v) {
  if (WidthFor(v) > width_) return false;
  bool found;
  const size_t pos = IntSearch(v, &found);
  if (!found) return false;
  const size_t n = int_count_;
  std::memmove(ints_ + pos * width_, ints_ + (pos + 1) * width_, (n - pos - 1) * width_);
  ints_ = Resize(ints_, (n - 1) * width_);
  --int_count_;
  return true;
}

void Set::ConvertToTable() {
  if (is_table_) return;
  auto* t = new Table();
  MemberBuf buf;
  for (uint32_t i = 0; i < int_count_; ++i) t->Insert(FormatInt(IntAt(i), &buf));
  std::free(ints_);
  table_ = t;
  int_count_ = 0;
  is_table_ = true;
}

// --- writes and reads ---

bool Set::Add(std::string_view member, const SetLimits& limits) {
  if (!is_table_) {
    int64_t v;
    if (ParseInt64(member, &v)) {
      if (!IntAdd(v)) return false;
      if (int_count_ > limits.max_intset_entries) ConvertToTable();
      return true;
    }
    ConvertToTable();
  }
  return table_->Insert(member).second;
}

bool Set::Remove(std::string_view member) {
  if (is_table_) return table_->Erase(member);
  int64_t v;
  return ParseInt64(member, &v) && IntRemove(v);
}

bool Set::Contains(std::string_view member) const {
  if (is_table_) return static_cast<const Table*>(table_)->Find(member) != nullptr;
  int64_t v;
  if (!ParseInt64(member, &v) || WidthFor(v) > width_) return false;
  bool found;
  IntSearch(v, &found);
  return found;
}

bool Set::ForEachWhile(const std::function<bool(std::string_view)>& fn) const {
  if (!is_table_) {
    MemberBuf buf;
    for (uint32_t i = 0; i < int_count_; ++i) {
      if (!fn(FormatInt(IntAt(i), &buf))) return false;
    }
    return true;
  }
  // A full scan of a table that does not change visits every entry exactly
  // once, and unlike ForEach it can stop between buckets. (Scan does no
  // rehash step, so it only needs a const table in spirit.)
  bool go = true;
  uint64_t cursor = 0;
  do {
    cursor = table_->Scan(cursor, [&](Table::Entry* e) {
      if (go) go = fn(e->key());
    });
  } while (go && cursor != 0);
  return go;
}

uint64_t Set::Scan(uint64_t cursor, size_t count, const MemberFn& fn) {
  if (!is_table_) {
    ForEach(fn);
    return 0;
  }
  return table_->ScanCount(cursor, count, [&](Table::Entry* e) { fn(e->key()); });
}

std::string_view Set::Random(std::mt19937_64& rng, MemberBuf* buf) {
  if (is_table_) return table_->Random(rng)->key();
  return FormatInt(IntAt(rng() % int_count_), buf);
}

void Set::PopRandom(std::mt19937_64& rng, std::string* out) {
  if (is_table_) {
    Table::Entry* e = table_->Random(rng);
    out->assign(e->key());
    table_->Erase(*out);
    return;
  }
  const size_t pos = rng() % int_count_;
  MemberBuf buf;
  out->assign(FormatInt(IntAt(pos), &buf));
  const size_t n = int_count_;
  std::memmove(ints_ + pos * width_, ints_ + (pos + 1) * width_, (n - pos - 1) * width_);
  ints_ = Resize(ints_, (n - 1) * width_);
  --int_count_;
}

void Set::RandomMembers(size_t count, bool distinct, std::mt19937_64& rng, const MemberFn& fn) {
  const size_t n = Length();
  if (n == 0 || count == 0) return;
  MemberBuf buf;
  if (!distinct) {
    for (size_t i = 0; i < count; ++i) fn(Random(rng, &buf));
    return;
  }
  if (count >= n) {
    ForEach(fn);
    return;
  }
  // A sample of more than a third of the set: shuffle an index of it
  // (Redis copies the set and deletes random members for the same reason:
  // rejection sampling would keep hitting members already drawn).
  const bool dense = count * 3 > n;
  if (!is_table_) {
    if (dense) {
      std::vector<uint32_t> idx(n);
      for (uint32_t i = 0; i < n; ++i) idx[i] = i;
      ShuffleFront(idx, count, rng);
      for (size_t i = 0; i < count; ++i) fn(FormatInt(IntAt(idx[i]), &buf));
      return;
    }
    std::unordered_set<size_t> seen;
    while (seen.size() < count) {
      const size_t i = rng() % n;
      if (seen.insert(i).second) fn(FormatInt(IntAt(i), &buf));
    }
    return;
  }
  if (dense) {
    std::vector<const Table::Entry*> all;
    all.reserve(n);
    table_->ForEach([&all](const Table::Entry* e) { all.push_back(e); });
    ShuffleFront(all, count, rng);
    for (size_t i = 0; i < count; ++i) fn(all[i]->key());
    return;
  }
  std::unordered_set<const Table::Entry*> seen;
  while (seen.size() < count) {
    const Table::Entry* e = table_->Random(rng);
    if (seen.insert(e).second) fn(e->key());
  }
}

}  // namespace grabkv::storage
