// List: the value of a Redis list key (LPUSH, LPOP, LRANGE, ...).
//
// A deque of chunks (see list_chunk.h): each chunk is one allocation of at
// most 8 KiB holding packed entries in a gap buffer, so that pushing or
// popping at either end is O(1) and never moves other entries; a chunk of
// equally long values (coupon codes) stores them unframed. Index lookups
// skip whole chunks by their counts, walking from the nearer end of the list
// and then from the nearer end of the chunk. Edits inside the list (LSET,
// LINSERT, LREM) change one chunk in place, splitting a full chunk and
// merging a nearly empty one into a neighbour so chunks stay bounded.
//
// OBJECT ENCODING reports "quicklist", as Redis 7.0 does for every list.
//
// Views returned by Front/Back/At/Index and iterators stay valid until the
// list is next modified. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/list_chunk.h"
#include "storage/value.h"

namespace grabkv::storage {

class List final : public Container {
 public:
  class Iterator;

  List() = default;
  ~List() override;
  List(const List&) = delete;
  List& operator=(const List&) = delete;

  // --- Container ---
  ValueType type() const override { return ValueType::kList; }
  const char* encoding() const override { return "quicklist"; }
  std::unique_ptr<Container> Clone() const override;
  size_t MemoryUsage() const override;
  size_t Length() const override { return size_; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // --- both ends, O(1) ---
  void PushFront(std::string_view v);
  void PushBack(std::string_view v);
  // REQUIRES: !empty().
  std::string_view Front() const;
  std::string_view Back() const;
  // Copies the first (last) element into *out and removes it; false when
  // the list is empty.
  bool PopFront(std::string* out);
  bool PopBack(std::string* out);
  // Removes the first (last) n elements; all of them when n >= size().
  void RemoveFront(size_t n);
  void RemoveBack(size_t n);

  // --- by position ---
  // REQUIRES: idx < size().
  std::string_view At(size_t idx) const;
  // Redis index: negative counts from the tail (-1 = last). False when out
  // of range.
  bool Index(int64_t index, std::string_view* out) const;
  // Replaces the element at idx. REQUIRES: idx < size().
  void Set(size_t idx, std::string_view v);
  // Inserts v before (or after) the element `it` is on.
  // REQUIRES: it.Valid(), it comes from this list and the list has not been
  // modified since it was made.
  void Insert(const Iterator& it, bool after, std::string_view v);
  // Keeps only the elements [start, stop] (inclusive). Everything goes when
  // start > stop or start >= size(); stop is clamped to size() - 1.
  void Trim(size_t start, size_t stop);

  // --- by value ---
  // Removes elements equal to v: the first `count` from the head when
  // count > 0, the last -count from the tail when count < 0, all when 0.
  // Returns how many were removed.
  size_t Remove(std::string_view v, int64_t count);

  // --- iteration ---
  // On the element at idx (not Valid() when idx >= size()).
  Iterator IteratorAt(size_t idx) const;
  Iterator Begin() const { return IteratorAt(0); }
  // On the last element (not Valid() when empty).
  Iterator Last() const;

  // Checks the internal invariants (tests); false on corruption.
  bool CheckInvariants() const;
  // Number of chunks (tests and benchmarks).
  size_t chunk_count() const { return chunks_.size(); }

  // A position: forward with Next(), backward with Prev().
  class Iterator {
   public:
    bool Valid() const { return ci_ < list_->chunks_.size(); }
    // REQUIRES: Valid().
    std::string_view value() const { return value_; }
    // Moving past either end makes the iterator invalid.
    void Next();
    void Prev();

   private:
    friend class List;
    Iterator(const List* list, size_t ci, uint32_t off) : list_(list), ci_(ci), off_(off) {
      Load();
    }
    void Load();

    const List* list_;
    size_t ci_;          // chunk index; >= chunk count when invalid
    uint32_t off_;       // payload offset of the current entry
    uint32_t size_ = 0;  // its encoded size
    std::string_view value_;
  };

 private:
  using Chunk = list_internal::Chunk;

  // A growable array of chunk pointers with O(1) insertion at both ends:
  // slots [lo_, hi_) of a buffer with room on both sides.
  class ChunkVec {
   public:
    ChunkVec() = default;
    ~ChunkVec() { delete[] slots_; }
    ChunkVec(const ChunkVec&) = delete;
    ChunkVec& operator=(const ChunkVec&) = delete;

    size_t size() const { return hi_ - lo_; }
    bool empty() const { return hi_ == lo_; }
    Chunk*& operator[](size_t i) { return slots_[lo_ + i]; }
    Chunk* operator[](size_t i) const { return slots_[lo_ + i]; }
    Chunk*& front() { return slots_[lo_]; }
    Chunk*& back() { return slots_[hi_ - 1]; }
    void Insert(size_t i, Chunk* c);
    void Erase(size_t i);
    size_t capacity() const { return cap_; }

   private:
    void Regrow(size_t front_room);
    Chunk** slots_ = nullptr;
    uint32_t lo_ = 0, hi_ = 0, cap_ = 0;
  };

  // Where an element lives: chunk index and payload offset.
  struct Pos {
    size_t ci;
    uint32_t off;
  };
  Pos Locate(size_t idx) const;
  // Inserts v at entry boundary `off` of chunk ci (may be the chunk's end).
  void InsertAt(size_t ci, uint32_t off, std::string_view v);
  // Whether chunk c can take a `len`-byte value (replacing one entry of
  // `old_size` encoded bytes when `replacing`) within the chunk limits.
  static bool Fits(const Chunk* c, uint32_t len, bool replacing, uint32_t old_size);
  // Where a relayout of chunk ci should put its slack when writing at `off`.
  list_internal::SlackFront HintFor(size_t ci, uint32_t off) const;
  // Frees chunk ci and forgets it.
  void DropChunk(size_t ci);
  // Merges neighbouring chunks that together fill at most 3/4 of a chunk
  // (after LREM emptied parts of them).
  void MergeSmallChunks();
  // LREM's work on one chunk: removes up to `limit` entries equal to v, the
  // last ones of the chunk when `from_tail`, dropping the chunk when it
  // empties. Returns how many it removed.
  size_t RemoveInChunk(size_t ci, std::string_view v, bool from_tail, size_t limit);

  ChunkVec chunks_;
  size_t size_ = 0;
};

}  // namespace grabkv::storage
