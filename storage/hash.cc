#include "storage/hash.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/heap.h"
#include "storage/varint.h"

namespace grabkv::storage {
namespace {

size_t PairSize(std::string_view f, std::string_view v) {
  return VarintLen(f.size()) + VarintLen(v.size()) + f.size() + v.size();
}

void WritePair(char* p, std::string_view f, std::string_view v) {
  p = PutVarint(p, f.size());
  p = PutVarint(p, v.size());
  if (!f.empty()) std::memcpy(p, f.data(), f.size());
  if (!v.empty()) std::memcpy(p + f.size(), v.data(), v.size());
}

}  // namespace

// --- HashValue ---

void HashValue::Release() {
  if (is_heap()) {
    char* p;
    std::memcpy(&p, bytes_, sizeof(p));
    std::free(p);
  }
  bytes_[kFlagByte] = 0;
}

void HashValue::Assign(std::string_view s) {
  // `s` may point into this value (Set(f, Get(f))): copy before releasing.
  if (s.size() <= kInlineMax) {
    char tmp[kInlineMax];
    if (!s.empty()) std::memcpy(tmp, s.data(), s.size());
    Release();
    if (!s.empty()) std::memcpy(bytes_, tmp, s.size());
    bytes_[kFlagByte] = static_cast<char>(s.size());
    return;
  }
  if (is_heap() && view().size() == s.size()) {
    // Same length (a counter that did not gain a digit): rewrite in place.
    std::memmove(const_cast<char*>(view().data()), s.data(), s.size());
    return;
  }
  if (s.size() > UINT32_MAX) throw std::bad_alloc();
  char* p = static_cast<char*>(std::malloc(s.size()));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  Release();
  const uint32_t len = static_cast<uint32_t>(s.size());
  std::memcpy(bytes_, &p, sizeof(p));
  std::memcpy(bytes_ + 8, &len, sizeof(len));
  bytes_[kFlagByte] = static_cast<char>(kHeapFlag);
}

size_t HashValue::HeapBytes() const { return is_heap() ? ChunkEstimate(view().size()) : 0; }

// --- Hash: lifetime and Container ---

Hash::~Hash() {
  if (is_table_) {
    delete table_;
  } else {
    std::free(packed_);
  }
}

std::unique_ptr<Container> Hash::Clone() const {
  auto copy = std::make_unique<Hash>();
  if (!is_table_) {
    if (packed_bytes_ > 0) {
      copy->packed_ = Resize(nullptr, packed_bytes_);
      std::memcpy(copy->packed_, packed_, packed_bytes_);
    }
    copy->packed_bytes_ = packed_bytes_;
    copy->packed_count_ = packed_count_;
    return copy;
  }
  copy->ConvertToTable();
  ForEach([&copy](std::string_view f, std::string_view v) {
    copy->TableSet(copy->table_->dict.Insert(f).first, v);
  });
  return copy;
}

size_t Hash::MemoryUsage() const {
  size_t n = ChunkEstimate(sizeof(Hash));
  if (!is_table_) return n + (packed_ != nullptr ? ChunkEstimate(packed_bytes_) : 0);
  return n + ChunkEstimate(sizeof(TableRep)) + table_->dict.MemoryUsage() +
         table_->value_heap_bytes;
}

// --- packed encoding ---

bool Hash::PackedFind(std::string_view field, PackedPos* pos) const {
  if (packed_count_ == 0) return false;
  // The hot loop of every small-hash command: a length compare, then the
  // last byte (field names tend to share prefixes like "user:000"), and
  // only then memcmp.
  const size_t want = field.size();
  const char last = want > 0 ? field[want - 1] : 0;
  const char* p = packed_;
  const char* const end = packed_ + packed_bytes_;
  while (p < end) {
    const char* start = p;
    std::string_view f, v;
    hash_internal::ReadPair(p, &f, &v);
    if (f.size() == want &&
        (want == 0 || (f[want - 1] == last && std::memcmp(f.data(), field.data(), want - 1) == 0))) {
      pos->start = static_cast<size_t>(start - packed_);
      pos->end = static_cast<size_t>(p - packed_);
      pos->value = v;
      return true;
    }
  }
  return false;
}

void Hash::PackedAppend(std::string_view field, std::string_view value) {
  const size_t add = PairSize(field, value);
  // Growing by realloc to the exact size: glibc extends in place while the
  // chunk has room, so most appends copy nothing.
  packed_ = Resize(packed_, packed_bytes_ + add);
  WritePair(packed_ + packed_bytes_, field, value);
  packed_bytes_ += static_cast<uint32_t>(add);
  ++packed_count_;
}

void Hash::PackedReplace(const PackedPos& pos, std::string_view field, std::string_view value) {
  // The whole pair is rewritten: the value length lives in its header.
  // REQUIRES: field and value do not point into packed_.
  const size_t old_size = pos.end - pos.start;
  const size_t new_size = PairSize(field, value);
  const size_t tail = packed_bytes_ - pos.end;
  if (new_size > old_size) {
    packed_ = Resize(packed_, packed_bytes_ + (new_size - old_size));
    std::memmove(packed_ + pos.start + new_size, packed_ + pos.end, tail);
  } else if (new_size < old_size) {
    std::memmove(packed_ + pos.start + new_size, packed_ + pos.end, tail);
    packed_ = Resize(packed_, packed_bytes_ - (old_size - new_size));
  }
  WritePair(packed_ + pos.start, field, value);
  packed_bytes_ = static_cast<uint32_t>(packed_bytes_ + new_size - old_size);
}

void Hash::PackedErase(size_t from, size_t to) {
  std::memmove(packed_ + from, packed_ + to, packed_bytes_ - to);
  packed_bytes_ -= static_cast<uint32_t>(to - from);
  packed_ = Resize(packed_, packed_bytes_);
}

bool Hash::NeedsTableFor(std::string_view field, std::string_view value,
                         const HashLimits& l) const {
  // Redis hashTypeTryConversion / hashTypeSet: a long field or value, or a
  // listpack that would pass its 1 GB safety size.
  return field.size() > l.max_listpack_value || value.size() > l.max_listpack_value ||
         packed_bytes_ + PairSize(field, value) > kMaxPackedBytes;
}

void Hash::ConvertToTable() {
  if (is_table_) return;
  auto rep = std::make_unique<TableRep>();
  PackedForEach([&rep](std::string_view f, std::string_view v) {
    Table::Entry* e = rep->dict.Insert(f).first;
    e->value.Assign(v);
    rep->value_heap_bytes += e->value.HeapBytes();
  });
  std::free(packed_);
  packed_bytes_ = 0;
  packed_count_ = 0;
  table_ = rep.release();
  is_table_ = 1;
}

// --- table encoding ---

void Hash::TableSet(Table::Entry* e, std::string_view value) {
  table_->value_heap_bytes -= e->value.HeapBytes();
  e->value.Assign(value);
  table_->value_heap_bytes += e->value.HeapBytes();
}

// --- reads and writes ---

std::optional<std::string_view> Hash::Get(std::string_view field) const {
  if (!is_table_) {
    PackedPos pos;
    if (!PackedFind(field, &pos)) return std::nullopt;
    return pos.value;
  }
  const Table& t = table_->dict;
  const Table::Entry* e = t.Find(field);
  if (e == nullptr) return std::nullopt;
  return e->value.view();
}

bool Hash::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  return SetImpl(field, value, limits, /*only_if_absent=*/false);
}

bool Hash::SetIfAbsent(std::string_view field, std::string_view value, const HashLimits& limits) {
  return SetImpl(field, value, limits, /*only_if_absent=*/true);
}

bool Hash::SetImpl(std::string_view field, std::string_view value, const HashLimits& limits,
                   bool only_if_absent) {
  if (!is_table_) {
    // Views into the packed buffer would dangle once it is reallocated.
    auto inside = [this](std::string_view s) {
      return packed_ != nullptr && s.data() >= packed_ && s.data() < packed_ + packed_bytes_;
    };
    if (inside(field) || inside(value)) {
      const std::string f(field), v(value);
      return SetImpl(f, v, limits, only_if_absent);
    }
    PackedPos pos;
    const bool found = PackedFind(field, &pos);
    if (found && only_if_absent) return false;
    if (NeedsTableFor(field, value, limits)) {
      ConvertToTable();
    } else {
      if (found) {
        PackedReplace(pos, field, value);
      } else {
        PackedAppend(field, value);
      }
      // Checked after updates too, as Redis does: a hash left above a
      // lowered hash-max-listpack-entries converts on its next write.
      if (packed_count_ > limits.max_listpack_entries) ConvertToTable();
      return !found;
    }
  }
  auto [e, inserted] = table_->dict.Insert(field);
  if (!inserted && only_if_absent) return false;
  TableSet(e, value);
  return inserted;
}

bool Hash::Delete(std::string_view field) {
  if (!is_table_) {
    PackedPos pos;
    if (!PackedFind(field, &pos)) return false;
    PackedErase(pos.start, pos.end);
    --packed_count_;
    return true;
  }
  Table::Entry* e = table_->dict.Unlink(field);
  if (e == nullptr) return false;
  table_->value_heap_bytes -= e->value.HeapBytes();
  Table::FreeEntry(e);
  return true;
}

// --- scan and random ---

uint64_t Hash::Scan(uint64_t cursor, size_t count, const PairFn& fn) {
  if (!is_table_) {
    PackedForEach(fn);
    return 0;
  }
  return table_->dict.ScanCount(cursor, count,
                                [&](Table::Entry* e) { fn(e->key(), e->value.view()); });
}

std::pair<std::string_view, std::string_view> Hash::Random(std::mt19937_64& rng) {
  if (is_table_) {
    Table::Entry* e = table_->dict.Random(rng);
    return {e->key(), e->value.view()};
  }
  size_t skip = rng() % packed_count_;
  const char* p = packed_;
  std::string_view f, v;
  do {
    hash_internal::ReadPair(p, &f, &v);
  } while (skip-- > 0);
  return {f, v};
}

void Hash::RandomPairs(size_t count, bool distinct, std::mt19937_64& rng, const PairFn& fn) {
  const size_t n = Length();
  if (n == 0 || count == 0) return;
  if (distinct && count >= n) {
    ForEach(fn);
    return;
  }
  if (!is_table_) {
    if (!distinct) {
      // Index the pairs once: each draw is then O(1), not a walk.
      std::vector<std::pair<std::string_view, std::string_view>> pairs;
      pairs.reserve(n);
      PackedForEach([&pairs](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); });
      while (count-- > 0) {
        const auto& pv = pairs[rng() % n];
        fn(pv.first, pv.second);
      }
      return;
    }
    // Selection sampling (Knuth's algorithm S): a uniform sample of `count`
    // pairs, emitted in listpack order like Redis's lpRandomPairsUnique.
    size_t needed = count, left = n;
    PackedForEach([&](std::string_view f, std::string_view v) {
      if (needed > 0 && rng() % left < needed) {
        fn(f, v);
        --needed;
      }
      --left;
    });
    return;
  }
  Table& t = table_->dict;
  if (!distinct) {
    while (count-- > 0) {
      Table::Entry* e = t.Random(rng);
      fn(e->key(), e->value.view());
    }
    return;
  }
  if (count * 3 > n) {
    // A large share of the hash: a partial shuffle of all entries is cheaper
    // than drawing until enough distinct ones came up.
    std::vector<const Table::Entry*> all;
    all.reserve(n);
    t.ForEach([&all](const Table::Entry* e) { all.push_back(e); });
    for (size_t i = 0; i < count; ++i) {
      std::swap(all[i], all[i + rng() % (n - i)]);
      fn(all[i]->key(), all[i]->value.view());
    }
    return;
  }
  std::unordered_set<const Table::Entry*> seen;
  seen.reserve(count);
  while (seen.size() < count) {
    Table::Entry* e = t.Random(rng);
    if (seen.insert(e).second) fn(e->key(), e->value.view());
  }
}

}  // namespace grabkv::storage
