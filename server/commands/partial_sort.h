// The partial quicksort Redis uses when only a window of a sorted result is
// returned (GEOSEARCH/GEORADIUS with COUNT, SORT BY with LIMIT): the
// Bentley-McIlroy three-way quicksort ("Engineering a Sort Function",
// 1993, as in the BSD libc qsort Redis's pqsort derives from), which only
// recurses into the parts that overlap the window. Elements that compare
// equal end up in an order that depends on the exact sequence of swaps, so
// this follows that algorithm step by step: with any other sort, ties
// inside the window come out in another order than Redis's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace grabkv::server {

namespace partial_sort_internal {

template <typename T, typename Cmp>
size_t Median3(std::vector<T>& v, size_t a, size_t b, size_t c, Cmp& cmp) {
  if (cmp(v[a], v[b]) < 0) {
    if (cmp(v[b], v[c]) < 0) return b;
    return cmp(v[a], v[c]) < 0 ? c : a;
  }
  if (cmp(v[b], v[c]) > 0) return b;
  return cmp(v[a], v[c]) < 0 ? a : c;
}

template <typename T, typename Cmp>
void InsertionSort(std::vector<T>& v, size_t base, size_t n, Cmp& cmp) {
  for (size_t m = base + 1; m < base + n; ++m) {
    for (size_t l = m; l > base && cmp(v[l - 1], v[l]) > 0; --l) std::swap(v[l], v[l - 1]);
  }
}

// Swaps the k elements from i with the k elements from j.
template <typename T>
void SwapBlocks(std::vector<T>& v, size_t i, size_t j, size_t k) {
  for (size_t x = 0; x < k; ++x) std::swap(v[i + x], v[j + x]);
}

// Sorts v[base, base + n) far enough that positions lo..hi (absolute)
// hold what a full sort would put there.
template <typename T, typename Cmp>
void Sort(std::vector<T>& v, size_t base, size_t n, Cmp& cmp, size_t lo, size_t hi) {
  for (;;) {
    if (n < 7) return InsertionSort(v, base, n, cmp);
    size_t pm = base + n / 2;
    if (n > 7) {
      size_t pl = base;
      size_t pn = base + n - 1;
      if (n > 40) {
        const size_t d = n / 8;
        pl = Median3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = Median3(v, pm - d, pm, pm + d, cmp);
        pn = Median3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = Median3(v, pl, pm, pn, cmp);
    }
    std::swap(v[base], v[pm]);
    // [base+1, pa): equal to the pivot; [pa, pb): less; (pc, pd]: greater;
    // (pd, end): equal.
    ptrdiff_t pa = static_cast<ptrdiff_t>(base) + 1, pb = pa;
    ptrdiff_t pc = static_cast<ptrdiff_t>(base + n) - 1, pd = pc;
    bool swapped = false;
    for (;;) {
      int r;
      while (pb <= pc && (r = cmp(v[pb], v[base])) <= 0) {
        if (r == 0) {
          swapped = true;
          std::swap(v[pa], v[pb]);
          ++pa;
        }
        ++pb;
      }
      while (pb <= pc && (r = cmp(v[pc], v[base])) >= 0) {
        if (r == 0) {
          swapped = true;
          std::swap(v[pc], v[pd]);
          --pd;
        }
        --pc;
      }
      if (pb > pc) break;
      std::swap(v[pb], v[pc]);
      swapped = true;
      ++pb;
      --pc;
    }
    if (!swapped) return InsertionSort(v, base, n, cmp);  // already in order

    const ptrdiff_t b = static_cast<ptrdiff_t>(base);
    const ptrdiff_t end = b + static_cast<ptrdiff_t>(n);
    ptrdiff_t r = std::min(pa - b, pb - pa);
    SwapBlocks(v, base, static_cast<size_t>(pb - r), static_cast<size_t>(r));
    r = std::min(pd - pc, end - pd - 1);
    SwapBlocks(v, static_cast<size_t>(pb), static_cast<size_t>(end - r), static_cast<size_t>(r));
    const auto overlaps = [&](size_t s, size_t m) { return !(hi < s || lo >= s + m); };
    if ((r = pb - pa) > 1) {
      if (overlaps(base, static_cast<size_t>(r))) Sort(v, base, static_cast<size_t>(r), cmp, lo, hi);
    }
    if ((r = pd - pc) > 1) {
      base = static_cast<size_t>(end - r);
      n = static_cast<size_t>(r);
      if (overlaps(base, n)) continue;
    }
    return;
  }
}

}  // namespace partial_sort_internal

// Puts into v[lo..hi] what a full sort by `cmp` (a three-way comparison:
// negative, zero or positive) would put there, as Redis's pqsort does.
template <typename T, typename Cmp>
void PartialQuickSort(std::vector<T>& v, Cmp cmp, size_t lo, size_t hi) {
  if (v.empty()) return;
  partial_sort_internal::Sort(v, 0, v.size(), cmp, lo, hi);
}

}  // namespace grabkv::server
