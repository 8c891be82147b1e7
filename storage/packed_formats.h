// Redis's packed blobs as they appear inside RDB files and DUMP payloads:
// listpack (7.0's small hashes, sorted sets and list nodes), ziplist (the
// same before 7.0), intset (small integer sets) and zipmap (hashes before
// 2.6). grabkv keeps its own in-memory encodings; these are only the wire
// forms, written from and read into grabkv's containers.
//
// Every reader validates the whole blob before handing out an entry (header
// sizes, each entry's encoding and bounds, listpack back-lengths, ziplist
// prev-lengths, the terminator, declared counts, intset order), so a corrupt
// or hostile blob is refused as a whole and never read out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace grabkv::storage {

// One entry of a listpack or ziplist: an integer or a byte string.
struct PackedEntry {
  bool is_int = false;
  int64_t ival = 0;
  std::string_view sval;
  // The entry as bytes (an integer in decimal, formatted into *scratch).
  std::string_view View(std::string* scratch) const;
};

using PackedEntryFn = std::function<void(const PackedEntry&)>;

// --- listpack ---

class ListpackWriter {
 public:
  ListpackWriter();
  // Appends s, as an integer entry when it is the canonical form of one (as
  // Redis's listpack does).
  void Append(std::string_view s);
  void AppendInt(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }
  // The finished blob (header filled in, terminator added). Resets.
  std::string Finish();

 private:
  void AppendBacklen(size_t entry_len);
  std::string buf_;
  size_t count_ = 0;
};

// Validates the listpack and calls fn for each entry; false with *why (and
// without calling fn) when the blob is malformed. *count gets the number of
// entries.
bool ListpackRead(std::string_view lp, size_t* count, const PackedEntryFn& fn, std::string* why);

// --- ziplist ---

class ZiplistWriter {
 public:
  ZiplistWriter();
  void Append(std::string_view s);
  std::string Finish();

 private:
  std::string buf_;
  size_t count_ = 0;
  size_t prev_len_ = 0;
  size_t tail_ = 0;
};

bool ZiplistRead(std::string_view zl, size_t* count, const PackedEntryFn& fn, std::string* why);

// --- intset ---

// An intset of the given ascending, distinct values, in the narrowest width.
std::string IntsetEncode(const std::vector<int64_t>& sorted_values);
// Validates (width, size, strictly ascending) and decodes.
bool IntsetRead(std::string_view is, std::vector<int64_t>* out, std::string* why);

// --- zipmap (read only: Redis stopped writing it in 2.6) ---

bool ZipmapRead(std::string_view zm, size_t* pairs,
                const std::function<void(std::string_view, std::string_view)>& fn,
                std::string* why);

}  // namespace grabkv::storage
