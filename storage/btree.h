// OrderTree: an order-statistic B+tree of unique, trivially copyable keys.
//
// The sorted-set index (storage/zset.h) keeps (score, member) pairs here.
// Why a B+tree and not Redis's skiplist: a skiplist node costs a pointer
// pair per level plus a span per level (about 37 bytes of overhead per
// element in Redis), while a B+tree leaf stores the keys back to back with
// a few bytes of header per node. Inner nodes keep the element count of
// every child subtree, so rank lookups (ZRANK, ZRANGE by index) and
// "element at rank" are O(log n) like the skiplist's spans.
//
// Layout: leaves hold up to kLeafCap keys and are doubly linked for in-order
// iteration in both directions; inner nodes hold up to kInnerCap children,
// kInnerCap - 1 separator keys and a count per child. A separator keys[i]
// is always the smallest key under kids[i + 1], a key present in the tree:
// erasing a subtree's minimum rewrites the separator that names it. (A
// stale separator would be cheaper and still order the tree, but the zset's
// keys point at member entries that are freed on erase, so a comparison
// with a stale separator would read freed memory.)
//
// Fill: an insert into a full leaf first evens it out with a sibling that
// has room, and splits only when neither has; an insert that appends at the
// very end (or prepends at the very start) of the tree splits unevenly, so
// monotonic inserts (timestamps, counters, a Clone or a conversion) leave
// full leaves. A node that falls under a third of its capacity is merged
// with or refilled from a sibling, except the first and last node of each
// level: those are freed only when empty, so popping from either end
// (ZPOPMIN/ZPOPMAX) never shuffles keys between leaves.
//
// Iterators stay valid until the next insert or erase. Not thread-safe.
//
// Cmp is a stateless three-way comparator: int operator()(const T&, const T&).
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace grabkv::storage {

template <typename T, typename Cmp, size_t kNodeBytes = 512>
class OrderTree {
  static_assert(std::is_trivially_copyable_v<T>);

  struct Node {
    uint16_t n;  // keys in a leaf, children in an inner node
    bool leaf;
  };
  // glibc's malloc adds 8 bytes of header: size nodes so that node + header
  // is exactly kNodeBytes.
  static constexpr size_t kUsable = kNodeBytes - 8;

 public:
  static constexpr size_t kLeafCap = (kUsable - sizeof(Node) - 2 * sizeof(void*)) / sizeof(T);
  static constexpr size_t kInnerCap =
      (kUsable - sizeof(Node) + sizeof(T)) / (sizeof(T) + sizeof(void*) + sizeof(size_t));
  static_assert(kLeafCap >= 4 && kInnerCap >= 4);

 private:
  struct Leaf : Node {
    Leaf* prev;
    Leaf* next;
    T items[kLeafCap];
  };
  struct Inner : Node {
    T keys[kInnerCap - 1];
    Node* kids[kInnerCap];
    size_t counts[kInnerCap];  // elements under kids[i]
  };
  static constexpr size_t kLeafMin = kLeafCap / 3;
  static constexpr size_t kInnerMin = kInnerCap / 3;
  static constexpr int kMaxDepth = 48;

  struct Step {
    Inner* node;
    unsigned idx;  // the child taken
  };
  struct Path {
    Step steps[kMaxDepth];
    int depth = 0;
  };

 public:
  class Iterator {
   public:
    Iterator() = default;
    bool Valid() const { return leaf_ != nullptr; }
    const T& operator*() const { return leaf_->items[idx_]; }
    const T* operator->() const { return &leaf_->items[idx_]; }
    void Next() {
      if (++idx_ == leaf_->n) {
        leaf_ = leaf_->next;
        idx_ = 0;
      }
    }
    void Prev() {
      if (idx_ > 0) {
        --idx_;
        return;
      }
      leaf_ = leaf_->prev;
      idx_ = leaf_ != nullptr ? leaf_->n - 1 : 0;
    }
    bool operator==(const Iterator& o) const { return leaf_ == o.leaf_ && idx_ == o.idx_; }

   private:
    friend class OrderTree;
    Iterator(const Leaf* leaf, unsigned idx) : leaf_(leaf), idx_(idx) {
      // A position one past a leaf's end is the next leaf's first key.
      if (leaf_ != nullptr && idx_ >= leaf_->n) {
        leaf_ = leaf_->next;
        idx_ = 0;
      }
    }
    const Leaf* leaf_ = nullptr;
    unsigned idx_ = 0;
  };

  OrderTree() = default;
  OrderTree(const OrderTree&) = delete;
  OrderTree& operator=(const OrderTree&) = delete;
  OrderTree(OrderTree&& o) noexcept { Swap(o); }
  OrderTree& operator=(OrderTree&& o) noexcept {
    if (this != &o) {
      Clear();
      Swap(o);
    }
    return *this;
  }
  ~OrderTree() {
    static_assert(sizeof(Leaf) <= kUsable && sizeof(Inner) <= kUsable);
    Clear();
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void Clear() {
    if (root_ != nullptr) FreeSubtree(root_);
    root_ = nullptr;
    first_ = last_ = nullptr;
    size_ = 0;
    leaves_ = inners_ = 0;
  }

  // Inserts `v`. REQUIRES: no key equal to `v` is present.
  void Insert(const T& v);
  // Erases the key equal to `v`; false when there is none.
  bool Erase(const T& v);
  // Erases the key at `rank`. REQUIRES: rank < size().
  void EraseAtRank(size_t rank);

  Iterator Begin() const { return Iterator(first_, 0); }
  Iterator Last() const { return last_ ? Iterator(last_, last_->n - 1) : Iterator(); }
  // REQUIRES: rank < size().
  Iterator AtRank(size_t rank) const;
  // The first key x for which below(x) is false, where below is true on a
  // prefix of the order (e.g. "x < target"). Returns the iterator (invalid
  // when below() holds for every key) and stores the key's rank (the number
  // of keys for which below holds) in *rank.
  template <typename Below>
  Iterator PartitionPoint(Below below, size_t* rank) const;
  // The key equal to `v`, or an invalid iterator; *rank gets its rank.
  Iterator Find(const T& v, size_t* rank) const {
    Iterator it = PartitionPoint([&](const T& x) { return cmp_(x, v) < 0; }, rank);
    if (it.Valid() && cmp_(*it, v) == 0) return it;
    return Iterator();
  }

  // Bytes of nodes, with glibc's 8-byte chunk header (see kNodeBytes).
  size_t MemoryUsage() const { return (leaves_ + inners_) * kNodeBytes; }
  size_t leaf_count() const { return leaves_; }
  size_t inner_count() const { return inners_; }

  // Checks every structural invariant (tests). Returns false on a violation.
  bool Validate() const;

 private:
  void Swap(OrderTree& o) {
    std::swap(root_, o.root_);
    std::swap(first_, o.first_);
    std::swap(last_, o.last_);
    std::swap(size_, o.size_);
    std::swap(leaves_, o.leaves_);
    std::swap(inners_, o.inners_);
  }
  Leaf* NewLeaf() {
    Leaf* l = new Leaf;
    l->n = 0;
    l->leaf = true;
    l->prev = l->next = nullptr;
    ++leaves_;
    return l;
  }
  Inner* NewInner() {
    Inner* in = new Inner;
    in->n = 0;
    in->leaf = false;
    ++inners_;
    return in;
  }
  void FreeNode(Node* n) {
    if (n->leaf) {
      delete static_cast<Leaf*>(n);
      --leaves_;
    } else {
      delete static_cast<Inner*>(n);
      --inners_;
    }
  }
  void FreeSubtree(Node* n) {
    if (!n->leaf) {
      Inner* in = static_cast<Inner*>(n);
      for (unsigned i = 0; i < in->n; ++i) FreeSubtree(in->kids[i]);
    }
    FreeNode(n);
  }
  static size_t Total(const Node* n) {
    if (n->leaf) return n->n;
    const Inner* in = static_cast<const Inner*>(n);
    size_t t = 0;
    for (unsigned i = 0; i < in->n; ++i) t += in->counts[i];
    return t;
  }
  // Number of keys k of `keys[0..n)` with k <= v.
  unsigned UpperBound(const T* keys, unsigned n, const T& v) const {
    unsigned lo = 0, hi = n;
    while (lo < hi) {
      unsigned mid = (lo + hi) / 2;
      if (cmp_(keys[mid], v) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  template <typename Below>
  static unsigned CountBelow(const T* keys, unsigned n, Below& below) {
    unsigned lo = 0, hi = n;
    while (lo < hi) {
      unsigned mid = (lo + hi) / 2;
      if (below(keys[mid])) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  // Whether the node at path level `level` (0 = root's child) is the first
  // or last node of its level: every step above it took the first (last)
  // child.
  static bool IsEdge(const Path& p, int level) {
    bool first = true, last = true;
    for (int i = 0; i < level; ++i) {
      first = first && p.steps[i].idx == 0;
      last = last && p.steps[i].idx + 1 == p.steps[i].node->n;
    }
    return first || last;
  }
  static bool IsLastAt(const Path& p, int level) {
    for (int i = 0; i < level; ++i) {
      if (p.steps[i].idx + 1 != p.steps[i].node->n) return false;
    }
    return true;
  }

  // Inserts into a full leaf by evening it out with a sibling that has room
  // (fewer splits: leaves stay fuller under random inserts). False when
  // neither sibling has enough room.
  bool ShareWithSibling(Leaf* leaf, unsigned pos, const T& v, Path& p);
  void SplitLeafInsert(Leaf* leaf, unsigned pos, const T& v, Path& p);
  // Adds child `right` (with `right_count` elements) after the child taken
  // at path level `level`, whose count becomes `left_count`.
  void InsertChild(Path& p, int level, const T& sep, Node* right, size_t left_count,
                   size_t right_count);
  void EraseInLeaf(Leaf* leaf, unsigned pos, Path& p);
  void FixLeaf(Leaf* leaf, Path& p);
  void FixInner(Path& p, int level);
  // Removes child idx of `in` (and the separator that goes with it).
  static void RemoveChild(Inner* in, unsigned idx);
  bool ValidateNode(const Node* n, const T* lo, const T* hi, size_t* count, int depth,
                    int* leaf_depth) const;

  Node* root_ = nullptr;
  Leaf* first_ = nullptr;
  Leaf* last_ = nullptr;
  size_t size_ = 0;
  size_t leaves_ = 0;
  size_t inners_ = 0;
  [[no_unique_address]] Cmp cmp_;
};

}  // namespace grabkv::storage

#include "storage/btree_inl.h"
