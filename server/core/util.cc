#include "server/core/util.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "storage/value.h"

namespace grabkv::server {

bool ParseInt64(std::string_view s, int64_t* out) { return storage::ParseInt64(s, out); }

namespace {
// strtold/strtod need a NUL-terminated buffer; arguments are views.
template <typename T, typename Fn>
bool ParseFloating(std::string_view s, T* out, Fn conv) {
  if (s.empty() || s.size() >= 5120) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char stack[256];
  std::string heap;
  const char* p;
  if (s.size() < sizeof(stack)) {
    std::memcpy(stack, s.data(), s.size());
    stack[s.size()] = '\0';
    p = stack;
  } else {
    heap.assign(s);
    p = heap.c_str();
  }
  char* end;
  errno = 0;
  T v = conv(p, &end);
  // The whole argument must be the number: Redis 7.0 rejects "1\0abc".
  if (end != p + s.size() || std::isnan(v)) return false;
  // Like Redis: overflow to infinity and underflow to zero are errors, a
  // denormal result is not.
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return false;
  *out = v;
  return true;
}
}  // namespace

bool ParseLongDouble(std::string_view s, long double* out) {
  // Redis string2ld: strtold; spaces, NaN, overflow and underflow to zero
  // are errors.
  return ParseFloating<long double>(s, out, [](const char* p, char** e) { return std::strtold(p, e); });
}

bool ParseDouble(std::string_view s, double* out) {
  double v;
  if (!ParseFloating<double>(s, &v, [](const char* p, char** e) { return std::strtod(p, e); }))
    return false;
  *out = v;
  return true;
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5600];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(buf)) return "0";
  // Trim trailing zeros and a trailing dot, as Redis's human-friendly form.
  if (std::memchr(buf, '.', static_cast<size_t>(len)) != nullptr) {
    char* p = buf + len - 1;
    while (*p == '0') {
      --p;
      --len;
    }
    if (*p == '.') --len;
  }
  std::string r(buf, static_cast<size_t>(len));
  if (r == "-0") r = "0";
  return r;
}

bool ParseMemory(std::string_view s, int64_t* out) {
  size_t i = 0;
  // Unsigned, like Redis's memtoull: "-1" is not a memory value.
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  std::string_view num = s.substr(0, i), unit = s.substr(i);
  int64_t mul = 1;
  std::string u;
  for (char c : unit) u.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (u.empty() || u == "b") {
    mul = 1;
  } else if (u == "k") {
    mul = 1000;
  } else if (u == "kb") {
    mul = 1024;
  } else if (u == "m") {
    mul = 1000 * 1000;
  } else if (u == "mb") {
    mul = 1024 * 1024;
  } else if (u == "g") {
    mul = 1000LL * 1000 * 1000;
  } else if (u == "gb") {
    mul = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  int64_t v;
  if (!ParseInt64(num, &v)) return false;
  if (v != 0 && (v > INT64_MAX / mul || v < INT64_MIN / mul)) return false;
  *out = v * mul;
  return true;
}

namespace {
// Redis compares pattern and string bytes as (signed) char and folds case with
// tolower() in the C locale, which leaves bytes >= 0x80 alone.
int Fold(char c, bool nocase) {
  const int v = c;
  return nocase && v >= 'A' && v <= 'Z' ? v - 'A' + 'a' : v;
}

// Redis 7.0's stringmatchlen, with its two defences against abusive
// patterns (CVE-2022-36021): recursion through '*' stops at 1,000 levels (the
// match then fails, as in Redis), and once the rest of a pattern has failed
// to match anywhere in the rest of the string, no outer '*' retries with a
// longer match (*skip). Each star's loop then runs at most once per call
// chain, so the cost is O(pattern x string) instead of exponential.
// A pattern is read as if followed by a NUL byte (Redis's strings are), which
// matters for an unterminated class and for trailing stars.
struct Glob {
  const char* pe;
  const char* se;
  bool nocase;
  bool skip = false;

  char At(const char* p) const { return p < pe ? *p : '\0'; }

  bool Match(const char* p, const char* s, int nesting) {
    if (nesting > 1000) return false;
    while (p < pe && s < se) {
      switch (*p) {
        case '*': {
          while (p + 1 < pe && p[1] == '*') ++p;
          if (p + 1 == pe) return true;
          for (; s < se; ++s) {
            if (Match(p + 1, s, nesting + 1)) return true;
            if (skip) return false;
          }
          skip = true;
          return false;
        }
        case '?':
          ++s;
          break;
        case '[': {
          ++p;
          const bool negate = At(p) == '^';
          if (negate) ++p;
          bool match = false;
          while (true) {
            if (At(p) == '\\' && pe - p >= 2) {
              ++p;
              if (*p == *s) match = true;
            } else if (At(p) == ']') {
              break;
            } else if (p >= pe) {
              --p;  // unterminated class: the pattern's end closes it
              break;
            } else if (pe - p >= 3 && p[1] == '-') {
              int lo = p[0], hi = p[2];
              if (lo > hi) std::swap(lo, hi);
              if (nocase) {
                lo = Fold(static_cast<char>(lo), true);
                hi = Fold(static_cast<char>(hi), true);
              }
              const int c = Fold(*s, nocase);
              p += 2;
              if (c >= lo && c <= hi) match = true;
            } else if (Fold(*p, nocase) == Fold(*s, nocase)) {
              match = true;
            }
            ++p;
          }
          if (negate) match = !match;
          if (!match) return false;
          ++s;
          break;
        }
        case '\\':
          if (pe - p >= 2) ++p;
          [[fallthrough]];
        default:
          if (Fold(*p, nocase) != Fold(*s, nocase)) return false;
          ++s;
          break;
      }
      ++p;
      if (s == se) {
        while (p < pe && *p == '*') ++p;
        break;
      }
    }
    return p >= pe && s == se;
  }
};
}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  Glob g{pattern.data() + pattern.size(), str.data() + str.size(), nocase};
  return g.Match(pattern.data(), str.data(), 0);
}

namespace {
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  size_t i = 0, n = line.size();
  while (true) {
    while (i < n && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= n) return true;
    std::string cur;
    bool inq = false, insq = false, done = false;
    while (!done) {
      if (inq) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && HexVal(line[i + 2]) >= 0 &&
            HexVal(line[i + 3]) >= 0) {
          cur.push_back(static_cast<char>(HexVal(line[i + 2]) * 16 + HexVal(line[i + 3])));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          ++i;
          switch (line[i]) {
            case 'n': cur.push_back('\n'); break;
            case 'r': cur.push_back('\r'); break;
            case 't': cur.push_back('\t'); break;
            case 'b': cur.push_back('\b'); break;
            case 'a': cur.push_back('\a'); break;
            default: cur.push_back(line[i]); break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < n && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          done = true;
        } else {
          cur.push_back(c);
        }
      } else if (insq) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < n && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          done = true;
        } else {
          cur.push_back(c);
        }
      } else {
        if (i >= n) break;
        char c = line[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') {
          done = true;
        } else if (c == '"') {
          inq = true;
        } else if (c == '\'') {
          insq = true;
        } else {
          cur.push_back(c);
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(cur));
  }
}

bool ParseScanCursor(std::string_view s, uint64_t* out) {
  const std::string buf(AsCString(s));
  if (!buf.empty() && std::isspace(static_cast<unsigned char>(buf[0]))) return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long v = std::strtoul(buf.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *out = v;
  return true;
}

const char* ParseScanOptions(std::span<const std::string_view> args, size_t from,
                             ScanOptions* out) {
  for (size_t i = from; i < args.size(); i += 2) {
    const bool has_value = i + 1 < args.size();
    const std::string_view opt = AsCString(args[i]);
    if (has_value && EqualsIgnoreCase(opt, "count")) {
      if (!ParseInt64(args[i + 1], &out->count)) return "ERR value is not an integer or out of range";
      if (out->count < 1) return "ERR syntax error";
    } else if (has_value && EqualsIgnoreCase(opt, "match")) {
      out->pattern = args[i + 1];
      if (*out->pattern == "*") out->pattern.reset();
    } else {
      return "ERR syntax error";
    }
  }
  return nullptr;
}

std::string ToUpper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace grabkv::server

namespace grabkv::server {
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

void ToLower(std::string_view in, std::string* out) {
  out->resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    (*out)[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(in[i])));
  }
}
}  // namespace grabkv::server
