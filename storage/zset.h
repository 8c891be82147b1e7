// ZSet: the sorted-set container (ZADD, ZRANGE, ZPOPMIN, ... and GRAB.*).
//
// Two encodings, named as Redis 7.0 names its own in OBJECT ENCODING:
//  - "listpack": a ZListpack (one sorted buffer) while the set has at most
//    zset-max-listpack-entries members of at most zset-max-listpack-value
//    bytes;
//  - "skiplist": beyond that, a member -> score Dict<double> (O(1) ZSCORE,
//    ZADD's existence test, and ZSCAN's cursor guarantee) plus an
//    order-statistic B+tree of (score, member entry) slots (storage/btree.h)
//    for order, ranks and ranges. The tree points at the dictionary
//    entries, whose key bytes never move, so each member is stored once.
// Like Redis, a set only converts back to listpack when a command builds a
// new one (ZUNIONSTORE & co., see MaybeConvertToListpack).
//
// Order is by score, then by member bytes (memcmp, shorter first). Scores
// are never NaN. A listpack stores -0 as 0, as Redis's listpack does
// (integral scores are kept as integers there), and ZSCAN of a listpack
// shows integral scores in integer form: callers that must match Redis
// byte for byte check is_listpack().
//
// Lexicographic ranges are meaningful when all scores are equal, as in
// Redis; with mixed scores the result is unspecified in Redis, and here the
// listpack reproduces Redis's listpack scan exactly while the tree uses a
// binary search.
//
// Not thread-safe. Iterators and spans are invalidated by any change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "storage/btree.h"
#include "storage/dict.h"
#include "storage/value.h"
#include "storage/zset_listpack.h"

namespace grabkv::storage {

// A score interval: "1.5", "(1.5", "-inf", "+inf" bounds.
struct ZScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
  bool AboveMin(double s) const { return min_exclusive ? s > min : s >= min; }
  bool BelowMax(double s) const { return max_exclusive ? s < max : s <= max; }
};

// One end of a lexicographic interval: "-", "+", "[value" or "(value".
struct ZLexBound {
  enum class Kind : uint8_t { kNegInf, kPosInf, kValue };
  Kind kind = Kind::kNegInf;
  bool exclusive = false;
  std::string_view value;  // kValue only; views the caller's bytes
};

struct ZLexRange {
  ZLexBound min, max;
  bool AboveMin(std::string_view m) const;
  bool BelowMax(std::string_view m) const;
  // Redis's test for a range that can match nothing: min above max, or
  // equal ends with either exclusive ("- -" and "+ +" included).
  bool Empty() const;
};

// zset-max-listpack-entries / zset-max-listpack-value.
struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class ZSet final : public Container {
 public:
  using MemberDict = Dict<double>;
  struct Slot {
    double score;
    const MemberDict::Entry* entry;
  };
  struct SlotCmp {
    int operator()(const Slot& a, const Slot& b) const {
      if (a.score < b.score) return -1;
      if (a.score > b.score) return 1;
      if (a.entry == b.entry) return 0;
      return CompareMembers(a.entry->key(), b.entry->key());
    }
  };
  using Tree = OrderTree<Slot, SlotCmp>;

  enum class Encoding : uint8_t { kListpack, kSkiplist };

  explicit ZSet(Encoding enc = Encoding::kListpack);
  ~ZSet() override;
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;

  // The encoding Redis gives a key created by ZADD: listpack unless the
  // limits could not hold its first member.
  static std::unique_ptr<ZSet> ForFirstMember(size_t member_len, const ZSetLimits& limits);
  // The encoding Redis gives a result of `size_hint` members (ZRANGESTORE).
  static std::unique_ptr<ZSet> ForSize(size_t size_hint, const ZSetLimits& limits);

  // --- Container ---
  ValueType type() const override { return ValueType::kZSet; }
  const char* encoding() const override {
    return enc_ == Encoding::kListpack ? "listpack" : "skiplist";
  }
  std::unique_ptr<Container> Clone() const override;
  size_t MemoryUsage() const override;
  size_t Length() const override { return size(); }

  size_t size() const { return big_ ? big_->tree.size() : lp_.size(); }
  bool empty() const { return size() == 0; }
  bool is_listpack() const { return enc_ == Encoding::kListpack; }

  // --- members ---
  enum AddFlag : unsigned { kAddNx = 1, kAddXx = 2, kAddGt = 4, kAddLt = 8, kAddIncr = 16 };
  enum class AddResult : uint8_t {
    kAdded,      // a new member
    kUpdated,    // an existing member's score changed
    kUnchanged,  // allowed, but the score stayed the same
    kSkipped,    // NX/XX/GT/LT said no
    kNaN,        // the score (or score + increment) is not a number
  };
  // Redis zsetAdd for one pair. With kAddIncr `score` is an increment.
  // *new_score gets the resulting score unless kSkipped/kNaN. Converts to
  // the tree when the listpack limits would be exceeded.
  AddResult Add(std::string_view member, double score, unsigned flags, const ZSetLimits& limits,
                double* new_score);
  bool Remove(std::string_view member);
  bool Score(std::string_view member, double* score) const;
  // 0-based rank from the lowest score (from the highest when reverse);
  // -1 when absent.
  int64_t Rank(std::string_view member, bool reverse) const;

  // --- ordered access ---
  class Iterator {
   public:
    bool Valid() const { return z_ != nullptr && (z_->big_ ? it_.Valid() : pos_ != ZListpack::kNpos); }
    std::string_view member() const {
      return z_->big_ ? it_->entry->key() : z_->lp_.Member(pos_);
    }
    double score() const { return z_->big_ ? it_->score : z_->lp_.Score(pos_); }
    void Next() {
      if (z_->big_) {
        it_.Next();
      } else {
        pos_ = z_->lp_.Next(pos_);
      }
    }
    void Prev() {
      if (z_->big_) {
        it_.Prev();
      } else {
        pos_ = z_->lp_.Prev(pos_);
      }
    }

   private:
    friend class ZSet;
    const ZSet* z_ = nullptr;
    size_t pos_ = ZListpack::kNpos;
    Tree::Iterator it_;
  };
  Iterator Begin() const;
  Iterator Last() const;
  // REQUIRES: rank < size().
  Iterator AtRank(size_t rank) const;

  // Ranks [first, first + count) of the members in a range.
  struct Span {
    size_t first = 0;
    size_t count = 0;
  };
  Span ScoreSpan(const ZScoreRange& r) const;
  // `reverse` only matters for a listpack whose members are not in lex
  // order (see the file comment): Redis scans from the other end then.
  Span LexSpan(const ZLexRange& r, bool reverse) const;

  // --- removal ---
  // Removes ranks [first, first + count). REQUIRES: first + count <= size().
  void RemoveRange(size_t first, size_t count);
  // Removes the lowest (highest when `max`) member into *member / *score.
  // REQUIRES: !empty().
  void Pop(bool max, std::string* member, double* score);
  void PopMin(std::string* member, double* score) { Pop(false, member, score); }
  void PopMax(std::string* member, double* score) { Pop(true, member, score); }

  // ZSCAN: Dict::Scan semantics on the tree encoding (every member present
  // for the whole scan is returned); a listpack returns everything at once
  // with cursor 0.
  using ScanFn = std::function<void(std::string_view member, double score)>;
  uint64_t Scan(uint64_t cursor, const ScanFn& fn);

  // --- encodings ---
  void ConvertToSkiplist();
  void ConvertToListpack();
  // Redis zsetConvertToListpackIfNeeded: back to a listpack when the set
  // fits the limits (`max_member_len` is the longest member).
  void MaybeConvertToListpack(size_t max_member_len, const ZSetLimits& limits);

  // Structural self-check for tests.
  bool Validate() const;

 private:
  struct Big {
    MemberDict dict;
    Tree tree;
  };
  // Listpack bytes Redis allows (lpSafeToAdd's 1 GB).
  static constexpr size_t kMaxListpackBytes = size_t{1} << 30;
  static double ListpackScore(double s) { return s == 0 ? 0.0 : s; }  // -0 -> 0

  Encoding enc_;
  ZListpack lp_;              // the listpack encoding
  std::unique_ptr<Big> big_;  // the skiplist encoding (non-null iff kSkiplist)
};

}  // namespace grabkv::storage
