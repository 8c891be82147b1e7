#include "storage/bitops.h"

#include <algorithm>
#include <cstring>

namespace grabkv::storage::bits {

namespace {

inline uint64_t Load64(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline void Store64(unsigned char* p, uint64_t w) { std::memcpy(p, &w, 8); }

// Four independent accumulators keep the popcnt units busy. Always inlined,
// so that in PopcountHw (compiled for the popcnt instruction) the builtin
// becomes that instruction rather than the portable bit-twiddling sequence.
template <bool kHardware>
[[gnu::always_inline]] inline uint64_t PopcountWords(const unsigned char* p, size_t n) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += __builtin_popcountll(Load64(p + i));
    c1 += __builtin_popcountll(Load64(p + i + 8));
    c2 += __builtin_popcountll(Load64(p + i + 16));
    c3 += __builtin_popcountll(Load64(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) c0 += __builtin_popcountll(Load64(p + i));
  for (; i < n; ++i) c1 += __builtin_popcount(p[i]);
  return c0 + c1 + c2 + c3;
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) uint64_t PopcountHw(const unsigned char* p, size_t n) {
  return PopcountWords<true>(p, n);
}
#endif

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// dst[i] op= src[i] for i < n, a word at a time.
template <typename F>
void ApplyWords(unsigned char* dst, const unsigned char* src, size_t n, F op) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) Store64(dst + i, op(Load64(dst + i), Load64(src + i)));
  for (; i < n; ++i) dst[i] = static_cast<unsigned char>(op(dst[i], src[i]));
}

}  // namespace

uint64_t Popcount(const unsigned char* p, size_t n) {
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("popcnt");
  if (hw) return PopcountHw(p, n);
#endif
  return PopcountWords<false>(p, n);
}

uint64_t CountRange(std::string_view s, uint64_t first, uint64_t last) {
  const unsigned char* p = Bytes(s);
  const uint64_t fb = first >> 3, lb = last >> 3;
  uint64_t count = Popcount(p + fb, lb - fb + 1);
  // Take away the bits of the edge bytes that lie outside the range.
  count -= __builtin_popcount(p[fb] & ~(0xffu >> (first & 7)) & 0xffu);
  count -= __builtin_popcount(p[lb] & (0xffu >> ((last & 7) + 1)));
  return count;
}

int64_t FindBit(std::string_view s, bool bit, uint64_t first, uint64_t last) {
  const unsigned char* p = Bytes(s);
  uint64_t pos = first;
  auto matches = [&](uint64_t i) { return ((p[i >> 3] >> (7 - (i & 7))) & 1) == bit; };
  for (; pos <= last && (pos & 7) != 0; ++pos) {
    if (matches(pos)) return static_cast<int64_t>(pos);
  }
  if (pos <= last) {
    // Whole bytes up to the last one fully inside the range: skip the ones
    // that cannot hold the bit (all 0 when looking for 1, all 1 for 0).
    uint64_t b = pos >> 3;
    const uint64_t end = (last + 1) >> 3;
    const unsigned char skip = bit ? 0x00 : 0xff;
    const uint64_t skip64 = bit ? 0 : ~uint64_t{0};
    while (b + 8 <= end && Load64(p + b) == skip64) b += 8;
    while (b < end && p[b] == skip) ++b;
    pos = b << 3;
  }
  for (; pos <= last; ++pos) {
    if (matches(pos)) return static_cast<int64_t>(pos);
  }
  return -1;
}

std::string Combine(BitOp op, std::span<const std::string_view> srcs) {
  size_t maxlen = 0;
  for (std::string_view s : srcs) maxlen = std::max(maxlen, s.size());
  std::string res(maxlen, '\0');
  if (srcs.empty() || maxlen == 0) return res;
  auto* out = reinterpret_cast<unsigned char*>(res.data());
  std::memcpy(out, srcs[0].data(), srcs[0].size());
  if (op == BitOp::kNot) {
    size_t i = 0;
    for (; i + 8 <= maxlen; i += 8) Store64(out + i, ~Load64(out + i));
    for (; i < maxlen; ++i) out[i] = static_cast<unsigned char>(~out[i]);
    return res;
  }
  for (size_t k = 1; k < srcs.size(); ++k) {
    const unsigned char* src = Bytes(srcs[k]);
    const size_t n = srcs[k].size();
    switch (op) {
      case BitOp::kAnd:
        ApplyWords(out, src, n, [](uint64_t a, uint64_t b) { return a & b; });
        std::memset(out + n, 0, maxlen - n);  // a shorter source is zero-padded
        break;
      case BitOp::kOr:
        ApplyWords(out, src, n, [](uint64_t a, uint64_t b) { return a | b; });
        break;
      case BitOp::kXor:
        ApplyWords(out, src, n, [](uint64_t a, uint64_t b) { return a ^ b; });
        break;
      case BitOp::kNot:
        break;
    }
  }
  return res;
}

uint64_t GetField(std::string_view s, uint64_t offset, unsigned bits) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bits; ++i) v = (v << 1) | (GetBit(s, offset + i) ? 1 : 0);
  return v;
}

void SetField(unsigned char* p, uint64_t offset, unsigned bits, uint64_t v) {
  for (unsigned i = 0; i < bits; ++i) SetBit(p, offset + i, (v >> (bits - 1 - i)) & 1);
}

int64_t SignExtend(uint64_t v, unsigned bits) {
  if (bits < 64 && (v & (uint64_t{1} << (bits - 1)))) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

int CheckUnsignedOverflow(uint64_t value, int64_t incr, unsigned bits, Overflow how,
                          uint64_t* limit) {
  const uint64_t max = (uint64_t{1} << bits) - 1;  // bits <= 63
  int dir = 0;
  if (value > max || (incr > 0 && static_cast<uint64_t>(incr) > max - value)) {
    dir = 1;
  } else if (incr < 0 && (uint64_t{0} - static_cast<uint64_t>(incr)) > value) {
    dir = -1;
  } else {
    return 0;
  }
  if (how == Overflow::kWrap) {
    *limit = (value + static_cast<uint64_t>(incr)) & max;
  } else if (how == Overflow::kSat) {
    *limit = dir > 0 ? max : 0;
  }
  return dir;
}

int CheckSignedOverflow(int64_t value, int64_t incr, unsigned bits, Overflow how,
                        int64_t* limit) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  // value is within int64: compare value + incr with the range without
  // overflowing.
  int dir = 0;
  if (value > max || (incr > 0 && value >= 0 && incr > max - value) ||
      (incr > 0 && value < 0 && bits < 64 && incr > max - value)) {
    dir = 1;
  } else if (value < min || (incr < 0 && value < 0 && incr < min - value) ||
             (incr < 0 && value >= 0 && bits < 64 && incr < min - value)) {
    dir = -1;
  } else {
    return 0;
  }
  if (how == Overflow::kWrap) {
    const uint64_t sum = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    *limit = SignExtend(bits == 64 ? sum : sum & ((uint64_t{1} << bits) - 1), bits);
  } else if (how == Overflow::kSat) {
    *limit = dir > 0 ? max : min;
  }
  return dir;
}

}  // namespace grabkv::storage::bits
