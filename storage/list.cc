#include "storage/list.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace grabkv::storage {

using list_internal::Chunk;
using list_internal::EntryAt;
using list_internal::kMaxChunkBytes;
using list_internal::kMaxChunkCount;
using list_internal::PrevOffset;
using list_internal::SlackFront;

namespace {

constexpr size_t kInvalidChunk = std::numeric_limits<size_t>::max();

// Payload a fresh chunk needs for one `len`-byte value.
uint32_t FreshSize(uint32_t len) {
  return list_internal::UniformFits(len) ? len : list_internal::VarEntrySize(len);
}

}  // namespace

// ---------------------------------------------------------------------------
// ChunkVec

void List::ChunkVec::Regrow(size_t front_room) {
  const size_t n = size();
  const size_t cap = 2 * n + 2;
  front_room = std::min(front_room, cap - n);
  Chunk** slots = new Chunk*[cap];
  if (n != 0) std::memcpy(slots + front_room, slots_ + lo_, n * sizeof(Chunk*));
  delete[] slots_;
  slots_ = slots;
  cap_ = static_cast<uint32_t>(cap);
  lo_ = static_cast<uint32_t>(front_room);
  hi_ = static_cast<uint32_t>(front_room + n);
}

void List::ChunkVec::Insert(size_t i, Chunk* c) {
  const size_t n = size();
  // A full end gets room by re-centring in a buffer twice the size: each
  // regrow pays for at least n/2 later insertions at either end.
  if ((i == 0 && lo_ == 0) || (i == n && hi_ == cap_) || (lo_ == 0 && hi_ == cap_)) {
    Regrow((2 * n + 2 - n) / 2);
  }
  if (i == 0 && lo_ > 0) {
    slots_[--lo_] = c;
  } else if (i == n && hi_ < cap_) {
    slots_[hi_++] = c;
  } else if (hi_ < cap_) {
    std::memmove(slots_ + lo_ + i + 1, slots_ + lo_ + i, (n - i) * sizeof(Chunk*));
    slots_[lo_ + i] = c;
    ++hi_;
  } else {
    std::memmove(slots_ + lo_ - 1, slots_ + lo_, i * sizeof(Chunk*));
    --lo_;
    slots_[lo_ + i] = c;
  }
}

void List::ChunkVec::Erase(size_t i) {
  const size_t n = size();
  if (i < n / 2) {
    std::memmove(slots_ + lo_ + 1, slots_ + lo_, i * sizeof(Chunk*));
    ++lo_;
  } else {
    std::memmove(slots_ + lo_ + i, slots_ + lo_ + i + 1, (n - i - 1) * sizeof(Chunk*));
    --hi_;
  }
  if (lo_ == hi_) lo_ = hi_ = cap_ / 2;
}

// ---------------------------------------------------------------------------
// Iterator

void List::Iterator::Load() {
  if (Valid()) value_ = EntryAt(list_->chunks_[ci_], off_, &size_);
}

void List::Iterator::Next() {
  const Chunk* c = list_->chunks_[ci_];
  off_ += size_;
  if (off_ == c->end) {
    if (++ci_ >= list_->chunks_.size()) return;
    off_ = list_->chunks_[ci_]->begin;
  }
  Load();
}

void List::Iterator::Prev() {
  const Chunk* c = list_->chunks_[ci_];
  if (off_ == c->begin) {
    if (ci_ == 0) {
      ci_ = kInvalidChunk;
      return;
    }
    c = list_->chunks_[--ci_];
    off_ = c->end;
  }
  off_ = PrevOffset(c, off_);
  Load();
}

// ---------------------------------------------------------------------------
// List

List::~List() {
  for (size_t i = 0; i < chunks_.size(); ++i) list_internal::FreeChunk(chunks_[i]);
}

std::unique_ptr<Container> List::Clone() const {
  auto copy = std::make_unique<List>();
  for (size_t i = 0; i < chunks_.size(); ++i) {
    copy->chunks_.Insert(i, list_internal::CopyChunk(chunks_[i]));
  }
  copy->size_ = size_;
  return copy;
}

size_t List::MemoryUsage() const {
  size_t bytes = sizeof(List) + chunks_.capacity() * sizeof(Chunk*);
  for (size_t i = 0; i < chunks_.size(); ++i) bytes += list_internal::ChunkAllocSize(chunks_[i]);
  return bytes;
}

bool List::Fits(const Chunk* c, uint32_t len, bool replacing, uint32_t old_size) {
  const uint32_t remaining = c->count - (replacing ? 1 : 0);
  if (remaining == 0) return true;  // a chunk always takes one entry, however big
  if (remaining + 1 > kMaxChunkCount) return false;
  return list_internal::UsedAfter(c, len, replacing, old_size) <= kMaxChunkBytes;
}

SlackFront List::HintFor(size_t ci, uint32_t off) const {
  const Chunk* c = chunks_[ci];
  const bool alone = chunks_.size() == 1;
  // An end chunk only grows outward (a lone chunk mostly so); inner chunks
  // get edits anywhere.
  if (ci == 0 && off == c->begin) return alone ? 3 : 4;
  if (ci + 1 == chunks_.size() && off == c->end) return alone ? 1 : 0;
  return 2;
}

void List::DropChunk(size_t ci) {
  list_internal::FreeChunk(chunks_[ci]);
  chunks_.Erase(ci);
}

void List::InsertAt(size_t ci, uint32_t off, std::string_view v) {
  const uint32_t len = static_cast<uint32_t>(v.size());
  uint32_t room;
  ++size_;
  if (chunks_.empty()) {
    Chunk* c = list_internal::NewChunk(FreshSize(len), 2);
    chunks_.Insert(0, list_internal::PutEntry(c, c->begin, false, 0, v, 2, &room));
    return;
  }
  Chunk* c = chunks_[ci];
  if (Fits(c, len, false, 0)) {
    chunks_[ci] = list_internal::PutEntry(c, off, false, 0, v, HintFor(ci, off), &room);
    return;
  }
  // The chunk is full. At a chunk edge a neighbour may take the value;
  // inside, split the chunk there. Then the value goes to the end of the
  // chunk on its left, the front of the one on its right, or a new chunk.
  size_t right;  // chunk index right of the insertion point
  if (off == c->begin) {
    right = ci;
  } else if (off == c->end) {
    right = ci + 1;
  } else {
    chunks_.Insert(ci + 1, list_internal::SplitAt(c, off));
    right = ci + 1;
  }
  if (right > 0) {
    Chunk* l = chunks_[right - 1];
    if (Fits(l, len, false, 0)) {
      chunks_[right - 1] =
          list_internal::PutEntry(l, l->end, false, 0, v, HintFor(right - 1, l->end), &room);
      return;
    }
  }
  if (right < chunks_.size()) {
    Chunk* r = chunks_[right];
    if (Fits(r, len, false, 0)) {
      chunks_[right] =
          list_internal::PutEntry(r, r->begin, false, 0, v, HintFor(right, r->begin), &room);
      return;
    }
  }
  // A new chunk: at the list's front its slack goes in front, at the back
  // behind, as the next pushes will come from there.
  const SlackFront hint = right == 0 ? 4 : right == chunks_.size() ? 0 : 2;
  Chunk* n = list_internal::NewChunk(FreshSize(len), hint);
  chunks_.Insert(right, list_internal::PutEntry(n, n->begin, false, 0, v, hint, &room));
}

void List::PushFront(std::string_view v) {
  InsertAt(0, chunks_.empty() ? 0 : chunks_.front()->begin, v);
}

void List::PushBack(std::string_view v) {
  if (chunks_.empty()) return InsertAt(0, 0, v);
  InsertAt(chunks_.size() - 1, chunks_.back()->end, v);
}

std::string_view List::Front() const {
  const Chunk* c = chunks_[0];
  uint32_t size;
  return EntryAt(c, c->begin, &size);
}

std::string_view List::Back() const {
  const Chunk* c = chunks_[chunks_.size() - 1];
  uint32_t size;
  return EntryAt(c, PrevOffset(c, c->end), &size);
}

bool List::PopFront(std::string* out) {
  if (empty()) return false;
  out->assign(Front());
  RemoveFront(1);
  return true;
}

bool List::PopBack(std::string* out) {
  if (empty()) return false;
  out->assign(Back());
  RemoveBack(1);
  return true;
}

void List::RemoveFront(size_t n) {
  n = std::min(n, size_);
  size_ -= n;
  while (n > 0) {
    Chunk* c = chunks_.front();
    if (n >= c->count) {
      n -= c->count;
      DropChunk(0);
      continue;
    }
    c->begin = list_internal::SkipForward(c, c->begin, static_cast<uint32_t>(n));
    c->count = static_cast<uint16_t>(c->count - n);
    n = 0;
  }
}

void List::RemoveBack(size_t n) {
  n = std::min(n, size_);
  size_ -= n;
  while (n > 0) {
    Chunk* c = chunks_.back();
    if (n >= c->count) {
      n -= c->count;
      DropChunk(chunks_.size() - 1);
      continue;
    }
    c->end = list_internal::SkipBackward(c, c->end, static_cast<uint32_t>(n));
    c->count = static_cast<uint16_t>(c->count - n);
    n = 0;
  }
}

List::Pos List::Locate(size_t idx) const {
  size_t ci;
  const Chunk* c;
  if (idx < size_ / 2) {
    for (ci = 0;; ++ci) {
      c = chunks_[ci];
      if (idx < c->count) break;
      idx -= c->count;
    }
  } else {
    size_t from_back = size_ - 1 - idx;
    for (ci = chunks_.size() - 1;; --ci) {
      c = chunks_[ci];
      if (from_back < c->count) break;
      from_back -= c->count;
    }
    idx = c->count - 1 - from_back;
  }
  const uint32_t i = static_cast<uint32_t>(idx);
  const uint32_t off = i <= c->count / 2u ? list_internal::SkipForward(c, c->begin, i)
                                          : list_internal::SkipBackward(c, c->end, c->count - i);
  return {ci, off};
}

std::string_view List::At(size_t idx) const {
  Pos p = Locate(idx);
  uint32_t size;
  return EntryAt(chunks_[p.ci], p.off, &size);
}

bool List::Index(int64_t index, std::string_view* out) const {
  const int64_t n = static_cast<int64_t>(size_);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  *out = At(static_cast<size_t>(index));
  return true;
}

void List::Set(size_t idx, std::string_view v) {
  const Pos p = Locate(idx);
  Chunk* c = chunks_[p.ci];
  uint32_t old_size;
  EntryAt(c, p.off, &old_size);
  uint32_t room;
  if (Fits(c, static_cast<uint32_t>(v.size()), true, old_size)) {
    chunks_[p.ci] = list_internal::PutEntry(c, p.off, true, old_size, v, 2, &room);
    return;
  }
  // Too big for this chunk: take the old entry out and insert the new one in
  // its place (which may split the chunk). The chunk keeps other entries,
  // since a chunk of one entry always fits.
  c = list_internal::Splice(c, p.off, old_size, 0, 2, &room);
  c->count--;
  chunks_[p.ci] = c;
  --size_;
  InsertAt(p.ci, room, v);
}

void List::Insert(const Iterator& it, bool after, std::string_view v) {
  InsertAt(it.ci_, after ? it.off_ + it.size_ : it.off_, v);
}

void List::Trim(size_t start, size_t stop) {
  if (start > stop || start >= size_) {
    RemoveFront(size_);
    return;
  }
  stop = std::min(stop, size_ - 1);
  RemoveBack(size_ - 1 - stop);
  RemoveFront(start);
  // The cut may leave the end chunks mostly empty.
  if (!chunks_.empty()) {
    chunks_.front() = list_internal::MaybeShrink(chunks_.front());
    chunks_.back() = list_internal::MaybeShrink(chunks_.back());
  }
}

size_t List::RemoveInChunk(size_t ci, std::string_view v, bool from_tail, size_t limit) {
  Chunk* c = chunks_[ci];
  // A uniform chunk holds only values of its width.
  if (c->uniform() && c->width != v.size()) return 0;
  struct Hit {
    uint32_t off, size;
  };
  std::vector<Hit> hits;
  for (uint32_t off = c->begin; off < c->end;) {
    uint32_t size;
    if (EntryAt(c, off, &size) == v) hits.push_back({off, size});
    off += size;
  }
  if (hits.empty()) return 0;
  const size_t take = std::min(hits.size(), limit);
  const size_t first = from_tail ? hits.size() - take : 0;
  // Slide the kept runs between removed entries down over them.
  char* d = c->data();
  uint32_t w = hits[first].off;
  for (size_t h = first; h < first + take; ++h) {
    const uint32_t from = hits[h].off + hits[h].size;
    const uint32_t to = h + 1 < first + take ? hits[h + 1].off : c->end;
    std::memmove(d + w, d + from, to - from);
    w += to - from;
  }
  c->end = w;
  c->count = static_cast<uint16_t>(c->count - take);
  size_ -= take;
  if (c->count == 0) DropChunk(ci);
  return take;
}

size_t List::Remove(std::string_view v, int64_t count) {
  // -INT64_MIN does not fit: compute the magnitude unsigned.
  const uint64_t magnitude = count < 0 ? 0 - static_cast<uint64_t>(count) : count;
  const size_t limit = count == 0 ? std::numeric_limits<size_t>::max() : magnitude;
  size_t removed = 0;
  if (count >= 0) {
    for (size_t ci = 0; ci < chunks_.size() && removed < limit;) {
      const size_t before = chunks_.size();
      removed += RemoveInChunk(ci, v, false, limit - removed);
      if (chunks_.size() == before) ++ci;  // else ci is now the next chunk
    }
  } else {
    for (size_t ci = chunks_.size(); ci-- > 0 && removed < limit;) {
      removed += RemoveInChunk(ci, v, true, limit - removed);
    }
  }
  if (removed != 0) MergeSmallChunks();
  return removed;
}

void List::MergeSmallChunks() {
  for (size_t ci = 0; ci + 1 < chunks_.size();) {
    Chunk* l = chunks_[ci];
    Chunk* r = chunks_[ci + 1];
    if (uint64_t{l->count} + r->count <= kMaxChunkCount &&
        list_internal::MergedSize(l, r) <= kMaxChunkBytes * 3 / 4) {
      chunks_[ci] = list_internal::Merge(l, r);
      chunks_.Erase(ci + 1);
    } else {
      ++ci;
    }
  }
}

List::Iterator List::IteratorAt(size_t idx) const {
  if (idx >= size_) return Iterator(this, kInvalidChunk, 0);
  Pos p = Locate(idx);
  return Iterator(this, p.ci, p.off);
}

List::Iterator List::Last() const {
  if (empty()) return Iterator(this, kInvalidChunk, 0);
  const Chunk* c = chunks_[chunks_.size() - 1];
  return Iterator(this, chunks_.size() - 1, PrevOffset(c, c->end));
}

bool List::CheckInvariants() const {
  size_t total = 0;
  for (size_t ci = 0; ci < chunks_.size(); ++ci) {
    const Chunk* c = chunks_[ci];
    if (c->count == 0 || c->begin > c->end || c->end > c->cap) return false;
    if (c->count > 1 && c->used() > kMaxChunkBytes) return false;
    if (c->uniform()) {
      if (!list_internal::UniformFits(c->width)) return false;
      if (c->used() != uint64_t{c->count} * c->width) return false;
    } else {
      uint32_t off = c->begin, n = 0, size;
      for (; off < c->end; ++n) {
        EntryAt(c, off, &size);
        off += size;
      }
      if (off != c->end || n != c->count) return false;
      off = c->end;
      for (n = 0; off > c->begin; ++n) off = PrevOffset(c, off);
      if (off != c->begin || n != c->count) return false;
    }
    total += c->count;
  }
  return total == size_;
}

}  // namespace grabkv::storage
