// ListChunk: one node of a storage::List, a single malloc'd block holding a
// 16-byte header followed by packed entries.
//
// Why this shape: a list of 1,000,000 short coupon codes must cost no more
// than Redis's quicklist (~19 bytes per 16-byte element), and LPUSH/LPOP/
// RPUSH/RPOP must be O(1). A chunk keeps its entries in the used window
// [begin, end) of its payload, with free space ("slack") on either side, so
// an entry is added or removed at either end of a chunk without moving the
// others: the chunk is a small gap buffer.
//
// Two entry layouts, chosen per chunk:
//   * uniform (width != kVarWidth): every entry is exactly `width` bytes and
//     stored unframed. Coupon codes, ids and hashes usually have one length,
//     so a chunk of them costs nothing but the bytes themselves, and entry i
//     is found by arithmetic.
//   * var: each entry is [len varint][bytes][len varint, reversed], so it
//     can be walked forward (header) and backward (trailer), as Redis's
//     listpack does. A value up to 127 bytes costs 2 bytes of framing.
// A chunk starts uniform with the width of its first entry and turns var
// (once, by re-encoding) when an entry of another length joins it.
//
// Sizes: a chunk's payload is kept at most kMaxChunkBytes (header + payload
// + glibc's malloc header = 8 KiB) unless it holds a single entry larger
// than that. Capacities are rounded so that the whole malloc chunk is used.
//
// These are internals of storage::List; nothing else should include this.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/varint.h"

namespace grabkv::storage::list_internal {

inline constexpr uint16_t kVarWidth = 0xFFFF;
// Longer values always use the var layout (a chunk of one such value is var).
inline constexpr uint32_t kMaxUniformWidth = 4096;
// Empty values are never uniform: with width 0 every entry would sit at the
// same offset and positions inside the chunk could not be told apart.
inline bool UniformFits(uint32_t len) { return len >= 1 && len <= kMaxUniformWidth; }
// Payload limit: 16 (header) + 8168 + 8 (malloc header) = 8192 bytes.
inline constexpr uint32_t kMaxChunkBytes = 8168;
inline constexpr uint32_t kMaxChunkCount = 0xFFFF;

struct Chunk {
  uint32_t cap;    // payload bytes
  uint32_t begin;  // first used payload byte
  uint32_t end;    // one past the last used payload byte
  uint16_t count;  // entries in [begin, end)
  uint16_t width;  // uniform entry size, or kVarWidth

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  uint32_t used() const { return end - begin; }
  bool uniform() const { return width != kVarWidth; }
};
static_assert(sizeof(Chunk) == 16);

inline uint32_t VarintSize(uint32_t v) {
  return v < (1u << 7) ? 1 : v < (1u << 14) ? 2 : v < (1u << 21) ? 3 : v < (1u << 28) ? 4 : 5;
}

// Encoded size of a `len`-byte value in the var layout.
inline uint32_t VarEntrySize(uint32_t len) { return len + 2 * VarintSize(len); }

// Decodes the entry starting at payload offset `off`; *size receives its
// encoded size (the distance to the next entry).
inline std::string_view EntryAt(const Chunk* c, uint32_t off, uint32_t* size) {
  const char* p = c->data() + off;
  if (c->uniform()) {
    *size = c->width;
    return {p, c->width};
  }
  size_t hs = 1;
  size_t len = static_cast<unsigned char>(p[0]);
  if (len & 0x80) len = GetVarint(p, &hs);
  *size = static_cast<uint32_t>(len + 2 * hs);
  return {p + hs, len};
}

// Offset of the entry that ends at payload offset `off`.
// REQUIRES: off > c->begin and off is an entry boundary.
inline uint32_t PrevOffset(const Chunk* c, uint32_t off) {
  if (c->uniform()) return off - c->width;
  const char* end = c->data() + off;
  size_t ts = 1;
  size_t len = static_cast<unsigned char>(end[-1]);
  if (len & 0x80) len = GetReverseVarint(end, &ts);
  return off - static_cast<uint32_t>(len + 2 * ts);
}

// --- chunk management (list_chunk.cc) ---

// Where a relayout puts the free space: quarters of it before the entries
// (4 = all in front, for a chunk that grows at its front; 0 = all behind).
using SlackFront = int;

// A chunk for `bytes` of payload with no entries; its window is placed per
// `front_quarters`. The first entry decides its layout (see Reset).
Chunk* NewChunk(uint32_t bytes, SlackFront front_quarters);
void FreeChunk(Chunk* c);
// Bytes malloc hands out for the chunk (header, payload, malloc's header).
size_t ChunkAllocSize(const Chunk* c);
// An exact copy with no slack.
Chunk* CopyChunk(const Chunk* c);

// Replaces the `old_len` payload bytes at `off` by `new_len` uninitialized
// bytes, moving the cheaper side of the window or relaying the chunk out
// (reallocating when the slack is too small). Returns the chunk (it may have
// moved) and the new offset of the replaced range in *room. Counts and
// widths are the caller's business.
Chunk* Splice(Chunk* c, uint32_t off, uint32_t old_len, uint32_t new_len, SlackFront hint,
              uint32_t* room);

// Re-encodes a uniform chunk in the var layout. *track, an entry boundary
// (or c->end), is updated to the same boundary in the result.
// REQUIRES: c->uniform().
Chunk* ToVar(Chunk* c, uint32_t* track);

// Encodes `v` at `room` in c's layout. REQUIRES: the room is exactly the
// encoded size.
void WriteEntry(Chunk* c, uint32_t room, std::string_view v);

// Payload bytes the chunk would use after storing a `len`-byte value,
// replacing an entry of encoded size `old_size` when `replacing`, including
// a re-encoding to the var layout when that becomes necessary.
uint64_t UsedAfter(const Chunk* c, uint32_t len, bool replacing, uint32_t old_size);

// Stores `v` at entry boundary `off`, replacing the entry there (of encoded
// size old_size) when `replacing`; picks or changes the layout as needed
// and counts the entry. Does not check kMaxChunkBytes (the List does).
// Returns the chunk; *room receives the offset of the new entry.
Chunk* PutEntry(Chunk* c, uint32_t off, bool replacing, uint32_t old_size, std::string_view v,
                SlackFront hint, uint32_t* room);

// Offset of the boundary `n` entries after `off` (n <= entries after off).
uint32_t SkipForward(const Chunk* c, uint32_t off, uint32_t n);
// Offset of the boundary `n` entries before `off`.
uint32_t SkipBackward(const Chunk* c, uint32_t off, uint32_t n);

// Moves the entries from boundary `off` on into a new chunk, which is
// returned; c keeps the ones before. REQUIRES: begin < off < end.
Chunk* SplitAt(Chunk* c, uint32_t off);

// Appends all of `right`'s entries to `left` (re-encoding either as needed)
// and frees `right`. Returns the (possibly moved) left chunk.
Chunk* Merge(Chunk* left, Chunk* right);
// Payload bytes Merge(left, right) would produce.
uint64_t MergedSize(const Chunk* left, const Chunk* right);

// Reallocates to fit the used window when much of the chunk is slack.
Chunk* MaybeShrink(Chunk* c);

}  // namespace grabkv::storage::list_internal
