// Template implementation of OrderTree; included only from storage/btree.h.
#pragma once

#include "storage/btree.h"

namespace grabkv::storage {

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::Insert(const T& v) {
  if (root_ == nullptr) {
    Leaf* l = NewLeaf();
    root_ = first_ = last_ = l;
  }
  Path p;
  Node* n = root_;
  while (!n->leaf) {
    Inner* in = static_cast<Inner*>(n);
    unsigned i = UpperBound(in->keys, in->n - 1, v);
    in->counts[i]++;
    assert(p.depth < kMaxDepth);
    p.steps[p.depth++] = {in, i};
    n = in->kids[i];
  }
  Leaf* leaf = static_cast<Leaf*>(n);
  auto below = [&](const T& x) { return cmp_(x, v) < 0; };
  unsigned pos = CountBelow(leaf->items, leaf->n, below);
  ++size_;
  if (leaf->n < kLeafCap) {
    std::memmove(&leaf->items[pos + 1], &leaf->items[pos], (leaf->n - pos) * sizeof(T));
    leaf->items[pos] = v;
    leaf->n++;
    return;
  }
  const bool append = pos == leaf->n && leaf->next == nullptr;
  const bool prepend = pos == 0 && leaf->prev == nullptr;
  if (!append && !prepend && ShareWithSibling(leaf, pos, v, p)) return;
  SplitLeafInsert(leaf, pos, v, p);
}

template <typename T, typename Cmp, size_t kNodeBytes>
bool OrderTree<T, Cmp, kNodeBytes>::ShareWithSibling(Leaf* leaf, unsigned pos, const T& v,
                                                     Path& p) {
  if (p.depth == 0) return false;
  Inner* parent = p.steps[p.depth - 1].node;
  const unsigned i = p.steps[p.depth - 1].idx;
  Leaf* left = i > 0 ? static_cast<Leaf*>(parent->kids[i - 1]) : nullptr;
  Leaf* right = i + 1 < parent->n ? static_cast<Leaf*>(parent->kids[i + 1]) : nullptr;
  const unsigned left_free = left ? kLeafCap - left->n : 0;
  const unsigned right_free = right ? kLeafCap - right->n : 0;
  constexpr unsigned kMinFree = kLeafCap / 8 > 0 ? kLeafCap / 8 : 1;
  if (std::max(left_free, right_free) < kMinFree) return false;
  // The pair's keys in order, the new one included, then an even split.
  T tmp[2 * kLeafCap + 1];
  const unsigned n = leaf->n;
  Leaf* a = left_free >= right_free ? left : leaf;  // the pair is (a, b)
  Leaf* b = a == left ? leaf : right;
  const unsigned a_idx = a == left ? i - 1 : i;
  unsigned t = 0;
  if (a == left) {
    std::memcpy(tmp, left->items, left->n * sizeof(T));
    t = left->n;
  }
  std::memcpy(tmp + t, leaf->items, pos * sizeof(T));
  tmp[t + pos] = v;
  std::memcpy(tmp + t + pos + 1, leaf->items + pos, (n - pos) * sizeof(T));
  t += n + 1;
  if (b == right) {
    std::memcpy(tmp + t, right->items, right->n * sizeof(T));
    t += right->n;
  }
  const unsigned k = t / 2;
  std::memcpy(a->items, tmp, k * sizeof(T));
  a->n = static_cast<uint16_t>(k);
  std::memcpy(b->items, tmp + k, (t - k) * sizeof(T));
  b->n = static_cast<uint16_t>(t - k);
  parent->keys[a_idx] = b->items[0];
  parent->counts[a_idx] = a->n;
  parent->counts[a_idx + 1] = b->n;
  return true;
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::SplitLeafInsert(Leaf* leaf, unsigned pos, const T& v, Path& p) {
  const unsigned n = leaf->n;
  T tmp[kLeafCap + 1];
  std::memcpy(tmp, leaf->items, pos * sizeof(T));
  tmp[pos] = v;
  std::memcpy(tmp + pos + 1, leaf->items + pos, (n - pos) * sizeof(T));
  // How many of the n + 1 keys stay left: all old ones when appending at
  // the end of the tree, only the new one when prepending at its start.
  unsigned k;
  if (pos == n && leaf->next == nullptr) {
    k = n;
  } else if (pos == 0 && leaf->prev == nullptr) {
    k = 1;
  } else {
    k = (n + 1) / 2;
  }
  Leaf* r = NewLeaf();
  std::memcpy(leaf->items, tmp, k * sizeof(T));
  leaf->n = static_cast<uint16_t>(k);
  std::memcpy(r->items, tmp + k, (n + 1 - k) * sizeof(T));
  r->n = static_cast<uint16_t>(n + 1 - k);
  r->prev = leaf;
  r->next = leaf->next;
  if (leaf->next != nullptr) {
    leaf->next->prev = r;
  } else {
    last_ = r;
  }
  leaf->next = r;
  InsertChild(p, p.depth - 1, r->items[0], r, k, n + 1 - k);
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::InsertChild(Path& p, int level, const T& sep, Node* right,
                                                size_t left_count, size_t right_count) {
  if (level < 0) {
    // The root split: grow a level.
    Inner* root = NewInner();
    root->n = 2;
    root->kids[0] = root_;
    root->kids[1] = right;
    root->keys[0] = sep;
    root->counts[0] = left_count;
    root->counts[1] = right_count;
    root_ = root;
    return;
  }
  Inner* in = p.steps[level].node;
  const unsigned i = p.steps[level].idx;
  const unsigned n = in->n;
  if (n < kInnerCap) {
    std::memmove(&in->kids[i + 2], &in->kids[i + 1], (n - i - 1) * sizeof(Node*));
    std::memmove(&in->counts[i + 2], &in->counts[i + 1], (n - i - 1) * sizeof(size_t));
    std::memmove(&in->keys[i + 1], &in->keys[i], (n - 1 - i) * sizeof(T));
    in->kids[i + 1] = right;
    in->counts[i] = left_count;
    in->counts[i + 1] = right_count;
    in->keys[i] = sep;
    in->n++;
    return;
  }
  // Full: split the n + 1 children into two nodes and push a key up.
  Node* kids[kInnerCap + 1];
  size_t counts[kInnerCap + 1];
  T keys[kInnerCap];
  std::memcpy(kids, in->kids, (i + 1) * sizeof(Node*));
  kids[i + 1] = right;
  std::memcpy(kids + i + 2, in->kids + i + 1, (n - i - 1) * sizeof(Node*));
  std::memcpy(counts, in->counts, (i + 1) * sizeof(size_t));
  counts[i] = left_count;
  counts[i + 1] = right_count;
  std::memcpy(counts + i + 2, in->counts + i + 1, (n - i - 1) * sizeof(size_t));
  std::memcpy(keys, in->keys, i * sizeof(T));
  keys[i] = sep;
  std::memcpy(keys + i + 1, in->keys + i, (n - 1 - i) * sizeof(T));

  const unsigned k = (i + 1 == n && IsLastAt(p, level)) ? n : (n + 1) / 2;
  Inner* r = NewInner();
  std::memcpy(in->kids, kids, k * sizeof(Node*));
  std::memcpy(in->counts, counts, k * sizeof(size_t));
  std::memcpy(in->keys, keys, (k - 1) * sizeof(T));
  in->n = static_cast<uint16_t>(k);
  const unsigned rn = n + 1 - k;
  std::memcpy(r->kids, kids + k, rn * sizeof(Node*));
  std::memcpy(r->counts, counts + k, rn * sizeof(size_t));
  std::memcpy(r->keys, keys + k, (rn - 1) * sizeof(T));
  r->n = static_cast<uint16_t>(rn);
  size_t lsum = 0, rsum = 0;
  for (unsigned j = 0; j < k; ++j) lsum += counts[j];
  for (unsigned j = k; j <= n; ++j) rsum += counts[j];
  InsertChild(p, level - 1, keys[k - 1], r, lsum, rsum);
}

template <typename T, typename Cmp, size_t kNodeBytes>
bool OrderTree<T, Cmp, kNodeBytes>::Erase(const T& v) {
  if (root_ == nullptr) return false;
  Path p;
  Node* n = root_;
  while (!n->leaf) {
    Inner* in = static_cast<Inner*>(n);
    unsigned i = UpperBound(in->keys, in->n - 1, v);
    p.steps[p.depth++] = {in, i};
    n = in->kids[i];
  }
  Leaf* leaf = static_cast<Leaf*>(n);
  auto below = [&](const T& x) { return cmp_(x, v) < 0; };
  unsigned pos = CountBelow(leaf->items, leaf->n, below);
  if (pos == leaf->n || cmp_(leaf->items[pos], v) != 0) return false;
  EraseInLeaf(leaf, pos, p);
  return true;
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::EraseAtRank(size_t rank) {
  assert(rank < size_);
  Path p;
  Node* n = root_;
  while (!n->leaf) {
    Inner* in = static_cast<Inner*>(n);
    unsigned i = 0;
    while (rank >= in->counts[i]) rank -= in->counts[i++];
    p.steps[p.depth++] = {in, i};
    n = in->kids[i];
  }
  EraseInLeaf(static_cast<Leaf*>(n), static_cast<unsigned>(rank), p);
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::EraseInLeaf(Leaf* leaf, unsigned pos, Path& p) {
  for (int i = 0; i < p.depth; ++i) p.steps[i].node->counts[p.steps[i].idx]--;
  if (pos == 0) {
    // The key was the minimum of every subtree whose leftmost leaf this is;
    // the separator naming it (in the deepest ancestor reached through a
    // child other than the first) becomes its successor. If the successor
    // lies outside that subtree, the subtree is now empty and the
    // separator goes with it below.
    const Leaf* succ_leaf = leaf->n > 1 ? leaf : leaf->next;
    if (succ_leaf != nullptr) {
      const T succ = succ_leaf->items[succ_leaf == leaf ? 1 : 0];
      for (int i = p.depth - 1; i >= 0; --i) {
        if (p.steps[i].idx > 0) {
          p.steps[i].node->keys[p.steps[i].idx - 1] = succ;
          break;
        }
      }
    }
  }
  std::memmove(&leaf->items[pos], &leaf->items[pos + 1], (leaf->n - pos - 1) * sizeof(T));
  leaf->n--;
  --size_;
  FixLeaf(leaf, p);
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::RemoveChild(Inner* in, unsigned idx) {
  const unsigned n = in->n;
  std::memmove(&in->kids[idx], &in->kids[idx + 1], (n - idx - 1) * sizeof(Node*));
  std::memmove(&in->counts[idx], &in->counts[idx + 1], (n - idx - 1) * sizeof(size_t));
  if (n > 1) {
    // The separator left of the child goes with it (for the first child,
    // the one to its right: the next child becomes the first).
    const unsigned k = idx > 0 ? idx - 1 : 0;
    std::memmove(&in->keys[k], &in->keys[k + 1], (n - 2 - k) * sizeof(T));
  }
  in->n--;
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::FixLeaf(Leaf* leaf, Path& p) {
  if (p.depth == 0) {
    if (leaf->n == 0) {
      FreeNode(leaf);
      root_ = nullptr;
      first_ = last_ = nullptr;
    }
    return;
  }
  Inner* parent = p.steps[p.depth - 1].node;
  const unsigned i = p.steps[p.depth - 1].idx;
  if (leaf->n == 0) {
    if (leaf->prev != nullptr) {
      leaf->prev->next = leaf->next;
    } else {
      first_ = leaf->next;
    }
    if (leaf->next != nullptr) {
      leaf->next->prev = leaf->prev;
    } else {
      last_ = leaf->prev;
    }
    FreeNode(leaf);
    RemoveChild(parent, i);
    FixInner(p, p.depth - 1);
    return;
  }
  if (leaf->n >= kLeafMin || leaf->prev == nullptr || leaf->next == nullptr) return;
  if (parent->n < 2) return;
  const unsigned a = i > 0 ? i - 1 : i;
  Leaf* left = static_cast<Leaf*>(parent->kids[a]);
  Leaf* right = static_cast<Leaf*>(parent->kids[a + 1]);
  const unsigned total = left->n + right->n;
  if (total <= kLeafCap) {
    std::memcpy(&left->items[left->n], right->items, right->n * sizeof(T));
    left->n = static_cast<uint16_t>(total);
    left->next = right->next;
    if (right->next != nullptr) {
      right->next->prev = left;
    } else {
      last_ = left;
    }
    parent->counts[a] += parent->counts[a + 1];
    RemoveChild(parent, a + 1);
    FreeNode(right);
    FixInner(p, p.depth - 1);
    return;
  }
  // Even the two out.
  T tmp[2 * kLeafCap];
  std::memcpy(tmp, left->items, left->n * sizeof(T));
  std::memcpy(tmp + left->n, right->items, right->n * sizeof(T));
  const unsigned k = total / 2;
  std::memcpy(left->items, tmp, k * sizeof(T));
  left->n = static_cast<uint16_t>(k);
  std::memcpy(right->items, tmp + k, (total - k) * sizeof(T));
  right->n = static_cast<uint16_t>(total - k);
  parent->keys[a] = right->items[0];
  parent->counts[a] = left->n;
  parent->counts[a + 1] = right->n;
}

template <typename T, typename Cmp, size_t kNodeBytes>
void OrderTree<T, Cmp, kNodeBytes>::FixInner(Path& p, int level) {
  Inner* x = p.steps[level].node;
  if (level == 0) {
    // The root keeps at least two children: collapse single-child roots
    // (an edge node below may itself have a single child).
    while (!root_->leaf && root_->n == 1) {
      Node* child = static_cast<Inner*>(root_)->kids[0];
      FreeNode(root_);
      root_ = child;
    }
    return;
  }
  Inner* g = p.steps[level - 1].node;
  const unsigned i = p.steps[level - 1].idx;
  if (x->n == 0) {
    FreeNode(x);
    RemoveChild(g, i);
    FixInner(p, level - 1);
    return;
  }
  if (x->n >= kInnerMin || IsEdge(p, level) || g->n < 2) return;
  const unsigned a = i > 0 ? i - 1 : i;
  Inner* left = static_cast<Inner*>(g->kids[a]);
  Inner* right = static_cast<Inner*>(g->kids[a + 1]);
  const unsigned total = left->n + right->n;
  if (total <= kInnerCap) {
    const unsigned ln = left->n;
    left->keys[ln - 1] = g->keys[a];
    std::memcpy(&left->keys[ln], right->keys, (right->n - 1) * sizeof(T));
    std::memcpy(&left->kids[ln], right->kids, right->n * sizeof(Node*));
    std::memcpy(&left->counts[ln], right->counts, right->n * sizeof(size_t));
    left->n = static_cast<uint16_t>(total);
    g->counts[a] += g->counts[a + 1];
    RemoveChild(g, a + 1);
    FreeNode(right);
    FixInner(p, level - 1);
    return;
  }
  // Even the two out, rotating the separators through the parent.
  Node* kids[2 * kInnerCap];
  size_t counts[2 * kInnerCap];
  T keys[2 * kInnerCap];
  const unsigned ln = left->n, rn = right->n;
  std::memcpy(kids, left->kids, ln * sizeof(Node*));
  std::memcpy(kids + ln, right->kids, rn * sizeof(Node*));
  std::memcpy(counts, left->counts, ln * sizeof(size_t));
  std::memcpy(counts + ln, right->counts, rn * sizeof(size_t));
  std::memcpy(keys, left->keys, (ln - 1) * sizeof(T));
  keys[ln - 1] = g->keys[a];
  std::memcpy(keys + ln, right->keys, (rn - 1) * sizeof(T));
  const unsigned k = total / 2;
  std::memcpy(left->kids, kids, k * sizeof(Node*));
  std::memcpy(left->counts, counts, k * sizeof(size_t));
  std::memcpy(left->keys, keys, (k - 1) * sizeof(T));
  left->n = static_cast<uint16_t>(k);
  g->keys[a] = keys[k - 1];
  std::memcpy(right->kids, kids + k, (total - k) * sizeof(Node*));
  std::memcpy(right->counts, counts + k, (total - k) * sizeof(size_t));
  std::memcpy(right->keys, keys + k, (total - k - 1) * sizeof(T));
  right->n = static_cast<uint16_t>(total - k);
  size_t lsum = 0, rsum = 0;
  for (unsigned j = 0; j < k; ++j) lsum += counts[j];
  for (unsigned j = k; j < total; ++j) rsum += counts[j];
  g->counts[a] = lsum;
  g->counts[a + 1] = rsum;
}

template <typename T, typename Cmp, size_t kNodeBytes>
typename OrderTree<T, Cmp, kNodeBytes>::Iterator OrderTree<T, Cmp, kNodeBytes>::AtRank(
    size_t rank) const {
  assert(rank < size_);
  const Node* n = root_;
  while (!n->leaf) {
    const Inner* in = static_cast<const Inner*>(n);
    unsigned i = 0;
    while (rank >= in->counts[i]) rank -= in->counts[i++];
    n = in->kids[i];
  }
  return Iterator(static_cast<const Leaf*>(n), static_cast<unsigned>(rank));
}

template <typename T, typename Cmp, size_t kNodeBytes>
template <typename Below>
typename OrderTree<T, Cmp, kNodeBytes>::Iterator OrderTree<T, Cmp, kNodeBytes>::PartitionPoint(
    Below below, size_t* rank) const {
  size_t r = 0;
  if (root_ == nullptr) {
    *rank = 0;
    return Iterator();
  }
  const Node* n = root_;
  while (!n->leaf) {
    const Inner* in = static_cast<const Inner*>(n);
    unsigned i = CountBelow(in->keys, in->n - 1, below);
    for (unsigned j = 0; j < i; ++j) r += in->counts[j];
    n = in->kids[i];
  }
  const Leaf* leaf = static_cast<const Leaf*>(n);
  unsigned idx = CountBelow(leaf->items, leaf->n, below);
  *rank = r + idx;
  return Iterator(leaf, idx);
}

template <typename T, typename Cmp, size_t kNodeBytes>
bool OrderTree<T, Cmp, kNodeBytes>::ValidateNode(const Node* n, const T* lo, const T* hi,
                                                 size_t* count, int depth,
                                                 int* leaf_depth) const {
  if (n->leaf) {
    const Leaf* l = static_cast<const Leaf*>(n);
    if (*leaf_depth < 0) *leaf_depth = depth;
    if (*leaf_depth != depth) return false;
    if (l->n == 0 || l->n > kLeafCap) return false;
    for (unsigned i = 0; i < l->n; ++i) {
      if (i > 0 && cmp_(l->items[i - 1], l->items[i]) >= 0) return false;
      if (lo != nullptr && cmp_(l->items[i], *lo) < 0) return false;
      if (hi != nullptr && cmp_(l->items[i], *hi) >= 0) return false;
    }
    *count = l->n;
    return true;
  }
  const Inner* in = static_cast<const Inner*>(n);
  if (in->n == 0 || in->n > kInnerCap) return false;
  size_t total = 0;
  for (unsigned i = 0; i < in->n; ++i) {
    if (i > 0 && i + 1 < in->n && cmp_(in->keys[i - 1], in->keys[i]) >= 0) return false;
    const T* clo = i > 0 ? &in->keys[i - 1] : lo;
    const T* chi = i + 1 < in->n ? &in->keys[i] : hi;
    size_t c = 0;
    if (!ValidateNode(in->kids[i], clo, chi, &c, depth + 1, leaf_depth)) return false;
    if (i > 0) {
      // The separator is the subtree's actual minimum (a live key).
      const Node* m = in->kids[i];
      while (!m->leaf) m = static_cast<const Inner*>(m)->kids[0];
      if (cmp_(static_cast<const Leaf*>(m)->items[0], in->keys[i - 1]) != 0) return false;
    }
    if (c != in->counts[i]) return false;
    total += c;
  }
  *count = total;
  return true;
}

template <typename T, typename Cmp, size_t kNodeBytes>
bool OrderTree<T, Cmp, kNodeBytes>::Validate() const {
  if (root_ == nullptr) return size_ == 0 && first_ == nullptr && last_ == nullptr;
  if (!root_->leaf && root_->n < 2) return false;
  size_t count = 0;
  int leaf_depth = -1;
  if (!ValidateNode(root_, nullptr, nullptr, &count, 0, &leaf_depth)) return false;
  if (count != size_) return false;
  // The leaf chain visits every key once, in order, both ways.
  size_t forward = 0;
  const Leaf* prev = nullptr;
  for (const Leaf* l = first_; l != nullptr; l = l->next) {
    if (l->prev != prev) return false;
    forward += l->n;
    prev = l;
  }
  return prev == last_ && forward == size_;
}

}  // namespace grabkv::storage
