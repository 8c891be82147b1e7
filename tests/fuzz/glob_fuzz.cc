// libFuzzer target: GlobMatch (server/core/util.h) against an independent
// reference of Redis 7.0's stringmatchlen, and a hang detector.
//
// Input: byte 0 bit 0 = nocase, byte 1 = where the rest splits into
// (pattern, string) (scaled to the rest's length).
//
// The reference follows stringmatchlen's loop token by token (including its
// reads of the terminating NUL past the pattern, its signed chars in ranges
// and its bracket quirks), but memoizes (pattern pos, string pos), so it is
// polynomial itself. Redis's "nesting > 1000" cut-off only matters with more
// than 1000 stars, which inputs of -max_len=4096 can have: such patterns are
// checked for time only.
//
// Checks: same result; each GlobMatch call takes under kSlowSeconds (a
// bounded matcher needs microseconds here; this is a hang detector, and
// libFuzzer's -timeout catches a real hang too).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/util.h"

namespace {

constexpr double kSlowSeconds = 0.5;

class Reference {
 public:
  Reference(std::string_view p, std::string_view s, bool nocase)
      : p_(p), s_(s), nocase_(nocase), memo_((p.size() + 1) * (s.size() + 1), -1) {}
  bool Match() { return At(0, 0); }

 private:
  // The pattern byte at i as stringmatchlen sees it (NUL past the end),
  // as a signed char like Redis's `char` on x86-64.
  int P(size_t i) const { return i < p_.size() ? static_cast<signed char>(p_[i]) : 0; }
  static int Lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
  bool Eq(int a, int b) const { return nocase_ ? Lower(a) == Lower(b) : a == b; }

  bool At(size_t pi, size_t si) {
    // The loop runs while both have bytes left.
    if (pi >= p_.size() || si >= s_.size()) return pi >= p_.size() && si >= s_.size();
    int8_t& m = memo_[pi * (s_.size() + 1) + si];
    if (m < 0) m = Step(pi, si) ? 1 : 0;
    return m == 1;
  }

  bool Step(size_t pi, size_t si) {
    const size_t plen = p_.size();
    const int c = static_cast<signed char>(s_[si]);
    size_t next;  // pattern index of the token's last byte
    switch (P(pi)) {
      case '*': {
        size_t q = pi;
        while (q + 1 < plen && P(q + 1) == '*') ++q;
        if (q + 1 == plen) return true;
        for (size_t k = si; k < s_.size(); ++k) {
          if (At(q + 1, k)) return true;
        }
        return false;
      }
      case '?':
        next = pi;
        break;
      case '[': {
        size_t i = pi + 1;
        bool negate = P(i) == '^';
        if (negate) ++i;
        bool match = false;
        while (true) {
          if (P(i) == '\\' && plen - i >= 2) {
            ++i;
            if (P(i) == c) match = true;
          } else if (P(i) == ']') {
            break;
          } else if (plen - i == 0) {
            --i;
            break;
          } else if (plen - i >= 3 && P(i + 1) == '-') {
            int lo = P(i), hi = P(i + 2), cc = c;
            if (lo > hi) std::swap(lo, hi);
            if (nocase_) {
              lo = Lower(lo);
              hi = Lower(hi);
              cc = Lower(cc);
            }
            i += 2;
            if (cc >= lo && cc <= hi) match = true;
          } else if (Eq(P(i), c)) {
            match = true;
          }
          ++i;
        }
        if (negate) match = !match;
        if (!match) return false;
        next = i;
        break;
      }
      case '\\': {
        size_t i = pi;
        if (plen - i >= 2) ++i;
        if (!Eq(P(i), c)) return false;
        next = i;
        break;
      }
      default:
        if (!Eq(P(pi), c)) return false;
        next = pi;
        break;
    }
    size_t np = next + 1;
    size_t ns = si + 1;
    if (ns == s_.size()) {
      while (P(np) == '*') ++np;
      return np >= plen;
    }
    return At(np, ns);
  }

  std::string_view p_, s_;
  bool nocase_;
  std::vector<int8_t> memo_;
};

std::string Escape(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    char buf[8];
    if (c >= 32 && c < 127 && c != '\\') o += static_cast<char>(c);
    else {
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      o += buf;
    }
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool nocase = data[0] & 1;
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t split = rest.size() * data[1] / 255;
  std::string_view pattern = rest.substr(0, split), str = rest.substr(split);
  size_t stars = 0;
  for (char ch : pattern) stars += ch == '*';

  const auto t0 = std::chrono::steady_clock::now();
  const bool got = grabkv::server::GlobMatch(pattern, str, nocase);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (secs > kSlowSeconds) {
    std::fprintf(stderr, "FUZZ FAILURE: GlobMatch took %.3fs\npattern \"%s\"\nstring \"%s\"\n", secs,
                 Escape(pattern).c_str(), Escape(str).c_str());
    std::abort();
  }
  if (stars <= 1000) {
    const bool want = Reference(pattern, str, nocase).Match();
    if (got != want) {
      std::fprintf(stderr, "FUZZ FAILURE: GlobMatch=%d reference=%d nocase=%d\npattern \"%s\"\nstring \"%s\"\n",
                   got, want, nocase, Escape(pattern).c_str(), Escape(str).c_str());
      std::abort();
    }
  }
  return 0;
}
