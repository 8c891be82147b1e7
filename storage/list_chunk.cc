#include "storage/list_chunk.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "storage/varint.h"

namespace grabkv::storage::list_internal {

namespace {

constexpr uint32_t kMallocHeader = 8;  // glibc: one size word per chunk
constexpr uint32_t kMallocAlign = 16;
constexpr uint32_t kMinMallocChunk = 32;

// The largest payload whose allocation needs no more malloc chunk bytes
// than a `want`-byte payload does: nothing of the chunk is wasted.
uint32_t RoundCap(uint64_t want) {
  uint64_t total = sizeof(Chunk) + want + kMallocHeader;
  total = (total + kMallocAlign - 1) & ~uint64_t{kMallocAlign - 1};
  total = std::max<uint64_t>(total, kMinMallocChunk);
  return static_cast<uint32_t>(total - kMallocHeader - sizeof(Chunk));
}

// Capacity for a chunk that must hold `needed` bytes and had `old_cap`:
// doubles (amortized O(1) growth) up to the chunk limit.
uint32_t GrowCap(uint64_t needed, uint32_t old_cap) {
  uint64_t target = std::max<uint64_t>(needed, std::min<uint64_t>(uint64_t{old_cap} * 2,
                                                                  kMaxChunkBytes));
  return RoundCap(target);
}

Chunk* Allocate(uint32_t cap) {
  void* p = std::malloc(sizeof(Chunk) + cap);
  if (p == nullptr) throw std::bad_alloc();  // out of memory is fatal, as in Redis
  Chunk* c = static_cast<Chunk*>(p);
  c->cap = cap;
  c->begin = c->end = 0;
  c->count = 0;
  c->width = 0;
  return c;
}

// Size of `c`'s entries if they were all var-encoded.
uint64_t VarUsed(const Chunk* c) {
  if (!c->uniform()) return c->used();
  return uint64_t{c->count} * VarEntrySize(c->width);
}

}  // namespace

Chunk* NewChunk(uint32_t bytes, SlackFront front_quarters) {
  Chunk* c = Allocate(RoundCap(bytes));
  c->begin = c->end = static_cast<uint32_t>(uint64_t{c->cap} * front_quarters / 4);
  return c;
}

void FreeChunk(Chunk* c) { std::free(c); }

size_t ChunkAllocSize(const Chunk* c) {
  return std::max<size_t>(sizeof(Chunk) + c->cap + kMallocHeader, kMinMallocChunk);
}

Chunk* CopyChunk(const Chunk* c) {
  Chunk* n = Allocate(RoundCap(c->used()));
  std::memcpy(n->data(), c->data() + c->begin, c->used());
  n->end = c->used();
  n->count = c->count;
  n->width = c->width;
  return n;
}

Chunk* Splice(Chunk* c, uint32_t off, uint32_t old_len, uint32_t new_len, SlackFront hint,
              uint32_t* room) {
  const uint32_t prefix = off - c->begin;
  const uint32_t suffix = c->end - off - old_len;
  char* d = c->data();
  if (new_len <= old_len) {
    // Shrinking: close the gap from the shorter side.
    const uint32_t shrink = old_len - new_len;
    if (prefix < suffix) {
      std::memmove(d + c->begin + shrink, d + c->begin, prefix);
      c->begin += shrink;
      *room = off + shrink;
    } else {
      std::memmove(d + off + new_len, d + off + old_len, suffix);
      c->end -= shrink;
      *room = off;
    }
    return c;
  }
  const uint32_t grow = new_len - old_len;
  const uint32_t front = c->begin;
  const uint32_t back = c->cap - c->end;
  const bool can_back = back >= grow;
  const bool can_front = front >= grow;
  if (can_back && (!can_front || suffix <= prefix)) {
    std::memmove(d + off + new_len, d + off + old_len, suffix);
    c->end += grow;
    *room = off;
    return c;
  }
  if (can_front) {
    std::memmove(d + c->begin - grow, d + c->begin, prefix);
    c->begin -= grow;
    *room = off - grow;
    return c;
  }
  // Relayout: spread the slack as hinted, in a bigger block if needed.
  const uint64_t used_after = uint64_t{c->used()} + grow;
  Chunk* dst = c;
  if (front + back < grow) dst = Allocate(GrowCap(used_after, c->cap));
  const uint64_t slack = dst->cap - used_after;
  const uint32_t nb = static_cast<uint32_t>(slack * hint / 4);
  const uint32_t so = off + old_len;          // old suffix start
  const uint32_t sn = nb + prefix + new_len;  // new suffix start
  if (dst != c) {
    std::memcpy(dst->data() + nb, d + c->begin, prefix);
    std::memcpy(dst->data() + sn, d + so, suffix);
    dst->count = c->count;
    dst->width = c->width;
    FreeChunk(c);
  } else if (nb <= c->begin) {
    // The prefix moves left; the suffix lands after the prefix's new place.
    std::memmove(d + nb, d + c->begin, prefix);
    std::memmove(d + sn, d + so, suffix);
  } else {
    // Both move right: the suffix first so that the prefix cannot clobber it.
    std::memmove(d + sn, d + so, suffix);
    std::memmove(d + nb, d + c->begin, prefix);
  }
  dst->begin = nb;
  dst->end = static_cast<uint32_t>(nb + used_after);
  *room = nb + prefix;
  return dst;
}

Chunk* ToVar(Chunk* c, uint32_t* track) {
  const uint32_t w = c->width;
  const uint32_t es = VarEntrySize(w);
  const uint64_t used = uint64_t{c->count} * es;
  // Keep about the slack the chunk had, within the chunk limit.
  const uint64_t slack = c->cap - c->used();
  uint64_t want = std::max<uint64_t>(used, std::min<uint64_t>(used + slack, kMaxChunkBytes));
  Chunk* n = Allocate(RoundCap(want));
  const uint64_t new_slack = n->cap - used;
  const uint64_t old_front = c->begin;
  const uint32_t nb = static_cast<uint32_t>(slack == 0 ? new_slack / 2
                                                       : new_slack * old_front / slack);
  n->begin = nb;
  n->end = static_cast<uint32_t>(nb + used);
  n->count = c->count;
  n->width = kVarWidth;
  const char* src = c->data() + c->begin;
  uint32_t pos = nb;
  for (uint32_t i = 0; i < c->count; ++i) {
    WriteEntry(n, pos, {src + uint64_t{i} * w, w});
    pos += es;
  }
  if (track != nullptr) {
    *track = nb + (*track - c->begin) / w * es;
  }
  FreeChunk(c);
  return n;
}

void WriteEntry(Chunk* c, uint32_t room, std::string_view v) {
  char* p = c->data() + room;
  const uint32_t len = static_cast<uint32_t>(v.size());
  if (c->uniform()) {
    if (len != 0) std::memcpy(p, v.data(), len);
    return;
  }
  p = PutVarint(p, len);
  if (len != 0) std::memcpy(p, v.data(), len);
  PutReverseVarint(p + len, len);
}

uint64_t UsedAfter(const Chunk* c, uint32_t len, bool replacing, uint32_t old_size) {
  const uint32_t remaining = c->count - (replacing ? 1 : 0);
  if (remaining == 0) return UniformFits(len) ? len : VarEntrySize(len);
  if (c->uniform()) {
    if (len == c->width) return uint64_t{c->used()} - old_size + len;
    return uint64_t{remaining} * VarEntrySize(c->width) + VarEntrySize(len);
  }
  return uint64_t{c->used()} - old_size + VarEntrySize(len);
}

Chunk* PutEntry(Chunk* c, uint32_t off, bool replacing, uint32_t old_size, std::string_view v,
                SlackFront hint, uint32_t* room) {
  const uint32_t len = static_cast<uint32_t>(v.size());
  const uint32_t remaining = c->count - (replacing ? 1 : 0);
  if (remaining == 0) {
    // The chunk starts afresh: the new value picks the layout.
    const uint16_t w = UniformFits(len) ? static_cast<uint16_t>(len) : kVarWidth;
    const uint32_t enc = w == kVarWidth ? VarEntrySize(len) : len;
    c = Splice(c, off, replacing ? old_size : 0, enc, hint, room);
    c->width = w;
  } else {
    if (c->uniform() && len != c->width) {
      if (replacing) old_size = VarEntrySize(c->width);
      c = ToVar(c, &off);
    }
    const uint32_t enc = c->uniform() ? len : VarEntrySize(len);
    c = Splice(c, off, replacing ? old_size : 0, enc, hint, room);
  }
  WriteEntry(c, *room, v);
  if (!replacing) c->count++;
  return c;
}

uint32_t SkipForward(const Chunk* c, uint32_t off, uint32_t n) {
  if (c->uniform()) return off + n * c->width;
  uint32_t size;
  for (uint32_t i = 0; i < n; ++i) {
    EntryAt(c, off, &size);
    off += size;
  }
  return off;
}

uint32_t SkipBackward(const Chunk* c, uint32_t off, uint32_t n) {
  if (c->uniform()) return off - n * c->width;
  for (uint32_t i = 0; i < n; ++i) off = PrevOffset(c, off);
  return off;
}

Chunk* SplitAt(Chunk* c, uint32_t off) {
  uint32_t before;
  if (c->uniform()) {
    before = (off - c->begin) / c->width;
  } else {
    before = 0;
    for (uint32_t p = c->begin; p < off; ++before) {
      uint32_t size;
      EntryAt(c, p, &size);
      p += size;
    }
  }
  const uint32_t bytes = c->end - off;
  Chunk* r = NewChunk(bytes, 2);
  r->begin = (r->cap - bytes) / 2;
  r->end = r->begin + bytes;
  std::memcpy(r->data() + r->begin, c->data() + off, bytes);
  r->count = static_cast<uint16_t>(c->count - before);
  r->width = c->width;
  c->end = off;
  c->count = static_cast<uint16_t>(before);
  return r;
}

uint64_t MergedSize(const Chunk* left, const Chunk* right) {
  if (left->uniform() && right->uniform() && left->width == right->width) {
    return uint64_t{left->used()} + right->used();
  }
  return VarUsed(left) + VarUsed(right);
}

Chunk* Merge(Chunk* left, Chunk* right) {
  if (!(left->uniform() && right->uniform() && left->width == right->width)) {
    if (left->uniform()) left = ToVar(left, nullptr);
    if (right->uniform()) right = ToVar(right, nullptr);
  }
  uint32_t room;
  const uint32_t bytes = right->used();
  left = Splice(left, left->end, 0, bytes, 2, &room);
  std::memcpy(left->data() + room, right->data() + right->begin, bytes);
  left->count = static_cast<uint16_t>(left->count + right->count);
  FreeChunk(right);
  return left;
}

Chunk* MaybeShrink(Chunk* c) {
  const uint32_t used = c->used();
  if (c->cap <= 2 * used + 64) return c;
  const uint32_t cap = RoundCap(used + used / 8);
  if (cap >= c->cap) return c;
  Chunk* n = Allocate(cap);
  n->begin = (cap - used) / 2;
  n->end = n->begin + used;
  n->count = c->count;
  n->width = c->width;
  std::memcpy(n->data() + n->begin, c->data() + c->begin, used);
  FreeChunk(c);
  return n;
}

}  // namespace grabkv::storage::list_internal
