#include "protocol/resp_parser.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstring>

namespace grabkv::protocol {

namespace {

// Redis never preallocates more argument slots than this for a declared
// count: a client announcing "*2147483647" must not make us allocate.
constexpr int64_t kMaxArgsPrealloc = 1024;
// Limits for clients that still have to AUTH (Redis's authRequired()).
constexpr int64_t kUnauthMaxArgs = 10;
constexpr int64_t kUnauthMaxBulk = 16384;

// Same acceptance rules as Redis's string2ll(), which decides what is a
// "valid" length: no sign but '-', no leading zeros, no "-0", at most 20
// chars, and the full long long range.
bool ParseLength(const char* p, size_t len, int64_t* out) {
  if (len == 0 || len > 20) return false;
  if (len == 1 && p[0] == '0') {
    *out = 0;
    return true;
  }
  const char* end = p + len;
  bool negative = false;
  if (*p == '-') {
    negative = true;
    if (++p == end) return false;
  }
  if (*p < '1' || *p > '9') return false;
  uint64_t v = static_cast<uint64_t>(*p++ - '0');
  for (; p != end; ++p) {
    unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9) return false;
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

// Fast path for the usual bulk header: reads "$<digits>\r" plus one more
// byte in a single pass instead of memchr followed by ParseLength. Returns the
// offset of the CR and the length, or 0 when the line is anything else
// (partial, leading zero, sign, over 18 digits, wrong prefix): the general
// path then decides, so both paths accept exactly the same inputs.
size_t ScanPlainBulkHeader(std::string_view buf, size_t pos, uint64_t* len) {
  if (buf.size() - pos < 4 || buf[pos] != '$') return 0;
  const char* digits = buf.data() + pos + 1;
  const char* end = buf.data() + buf.size() - 1;  // the CR needs a successor
  const char* p = digits;
  uint64_t v = 0;
  while (p < end && p - digits < 18 &&
         static_cast<unsigned char>(*p - '0') <= 9)
    v = v * 10 + static_cast<unsigned>(*p++ - '0');
  if (p == end || *p != '\r' || p == digits) return 0;
  if (digits[0] == '0' && p - digits > 1) return 0;
  *len = v;
  return static_cast<size_t>(p - buf.data());
}

// isspace() in the C locale, which is what sdssplitargs() skips between
// arguments (a token itself only ends at ' ', '\t', '\r' or '\n').
inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

inline bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

inline int HexValue(char c) {
  if (c <= '9') return c - '0';
  if (c <= 'F') return c - 'A' + 10;
  return c - 'a' + 10;
}

}  // namespace

void RespParser::Reset() {
  state_ = State::kStart;
  pos_ = 0;
  scan_ = 0;
  last_view_len_ = 0;
  remaining_args_ = 0;
  bulk_len_ = -1;
  spans_.clear();
  args_.clear();
  inline_storage_.clear();
  consumed_ = 0;
  error_.clear();
}

size_t RespParser::BytesWanted() const {
  if (state_ != State::kBulkData) return 0;
  size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
  return need > last_view_len_ ? need - last_view_len_ : 0;
}

RespParser::Status RespParser::Parse(std::string_view buf) {
  // A shorter view than last time would mean the caller dropped bytes we
  // already accounted for; offsets would then point at the wrong bytes.
  assert(state_ == State::kStart || state_ == State::kError ||
         buf.size() >= last_view_len_);
  last_view_len_ = buf.size();
  switch (state_) {
    case State::kStart:
      if (buf.empty()) return Status::kNeedMore;
      args_.clear();
      spans_.clear();
      pos_ = 0;
      scan_ = 0;
      if (buf[0] == '*') {
        state_ = State::kMultibulkCount;
        return ParseMultibulk(buf);
      }
      state_ = State::kInline;
      return ParseInline(buf);
    case State::kInline:
      return ParseInline(buf);
    case State::kError:
      return Status::kError;
    default:
      return ParseMultibulk(buf);
  }
}

RespParser::LineEnd RespParser::FindLineEnd(std::string_view buf,
                                            size_t* cr) {
  const void* hit = std::memchr(buf.data() + scan_, '\r', buf.size() - scan_);
  if (hit == nullptr) {
    scan_ = buf.size();
    return LineEnd::kNoCr;
  }
  size_t at = static_cast<const char*>(hit) - buf.data();
  // Redis only asks for one more byte after the '\r' and skips it unseen.
  if (at + 1 >= buf.size()) {
    scan_ = at;  // resume on the '\r' itself once its successor arrives
    return LineEnd::kIncomplete;
  }
  *cr = at;
  return LineEnd::kFound;
}

RespParser::Status RespParser::ParseMultibulk(std::string_view buf) {
  for (;;) {
    switch (state_) {
      case State::kMultibulkCount: {
        size_t cr;
        LineEnd le = FindLineEnd(buf, &cr);
        if (le != LineEnd::kFound) {
          if (le == LineEnd::kNoCr && buf.size() - pos_ > limits_.max_inline_len)
            return Fail("Protocol error: too big mbulk count string");
          return Status::kNeedMore;
        }
        int64_t n;
        if (!ParseLength(buf.data() + pos_ + 1, cr - pos_ - 1, &n) ||
            n > INT_MAX)
          return Fail("Protocol error: invalid multibulk length");
        if (!limits_.authenticated && n > kUnauthMaxArgs)
          return Fail("Protocol error: unauthenticated multibulk length");
        pos_ = cr + 2;
        if (n <= 0) return Finish(buf, pos_);  // "*0", "*-1": skipped
        remaining_args_ = n;
        spans_.reserve(static_cast<size_t>(std::min(n, kMaxArgsPrealloc)));
        state_ = State::kBulkLen;
        scan_ = pos_;
        break;
      }
      case State::kBulkLen: {
        size_t cr;
        int64_t len;
        uint64_t fast_len;
        if (scan_ == pos_ &&
            (cr = ScanPlainBulkHeader(buf, pos_, &fast_len)) != 0 &&
            static_cast<int64_t>(fast_len) <= limits_.max_bulk_len &&
            (limits_.authenticated ||
             fast_len <= static_cast<uint64_t>(kUnauthMaxBulk))) {
          pos_ = cr + 2;
          bulk_len_ = static_cast<int64_t>(fast_len);
          state_ = State::kBulkData;
          break;
        }
        LineEnd le = FindLineEnd(buf, &cr);
        if (le != LineEnd::kFound) {
          if (le == LineEnd::kNoCr && buf.size() - pos_ > limits_.max_inline_len)
            return Fail("Protocol error: too big bulk count string");
          return Status::kNeedMore;
        }
        // Like Redis, the '$' is only checked once the whole line is here.
        if (buf[pos_] != '$') {
          char got = buf[pos_];
          // Redis maps CR/LF in error texts to spaces.
          if (got == '\r' || got == '\n') got = ' ';
          std::string msg = "Protocol error: expected '$', got '";
          msg.push_back(got);
          msg.push_back('\'');
          return Fail(msg);
        }
        if (!ParseLength(buf.data() + pos_ + 1, cr - pos_ - 1, &len) ||
            len < 0 || len > limits_.max_bulk_len)
          return Fail("Protocol error: invalid bulk length");
        if (!limits_.authenticated && len > kUnauthMaxBulk)
          return Fail("Protocol error: unauthenticated bulk length");
        pos_ = cr + 2;
        bulk_len_ = len;
        state_ = State::kBulkData;
        [[fallthrough]];
      }
      case State::kBulkData: {
        size_t len = static_cast<size_t>(bulk_len_);
        // The 2 trailing bytes are required but, as in Redis, not checked.
        if (buf.size() - pos_ < len + 2) return Status::kNeedMore;
        spans_.emplace_back(pos_, len);
        pos_ += len + 2;
        bulk_len_ = -1;
        if (--remaining_args_ == 0) return Finish(buf, pos_);
        state_ = State::kBulkLen;
        scan_ = pos_;
        break;
      }
      default:
        assert(false);
        return Status::kError;
    }
  }
}

RespParser::Status RespParser::ParseInline(std::string_view buf) {
  const void* hit = std::memchr(buf.data() + scan_, '\n', buf.size() - scan_);
  if (hit == nullptr) {
    if (buf.size() > limits_.max_inline_len)
      return Fail("Protocol error: too big inline request");
    scan_ = buf.size();
    return Status::kNeedMore;
  }
  size_t nl = static_cast<const char*>(hit) - buf.data();
  size_t line_len = nl;
  if (line_len > 0 && buf[line_len - 1] == '\r') --line_len;
  if (!SplitInline(buf.substr(0, line_len)))
    return Fail("Protocol error: unbalanced quotes in request");
  // SplitInline left (offset, len) pairs into inline_storage_.
  args_.clear();
  for (const auto& [off, len] : spans_)
    args_.emplace_back(inline_storage_.data() + off, len);
  consumed_ = nl + 1;
  state_ = State::kStart;
  pos_ = 0;
  scan_ = 0;
  return Status::kCommand;
}

bool RespParser::SplitInline(std::string_view line) {
  // Unescaping never lengthens a token, so reserving the line length up
  // front means the storage never reallocates while spans are recorded.
  inline_storage_.clear();
  inline_storage_.reserve(line.size());
  spans_.clear();
  const char* p = line.data();
  const char* end = p + line.size();
  for (;;) {
    while (p != end && IsSpace(*p)) ++p;
    if (p == end) return true;
    size_t start = inline_storage_.size();
    bool in_dq = false;
    bool in_sq = false;
    bool done = false;
    while (!done) {
      if (in_dq) {
        if (p == end) return false;  // unterminated quotes
        if (*p == '\\' && end - p > 3 && p[1] == 'x' && IsHex(p[2]) &&
            IsHex(p[3])) {
          inline_storage_.push_back(
              static_cast<char>(HexValue(p[2]) * 16 + HexValue(p[3])));
          p += 3;
        } else if (*p == '\\' && end - p > 1) {
          ++p;
          char c;
          switch (*p) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: c = *p; break;
          }
          inline_storage_.push_back(c);
        } else if (*p == '"') {
          // A closing quote must end the token.
          if (end - p > 1 && !IsSpace(p[1])) return false;
          done = true;
        } else {
          inline_storage_.push_back(*p);
        }
      } else if (in_sq) {
        if (p == end) return false;
        if (*p == '\\' && end - p > 1 && p[1] == '\'') {
          ++p;
          inline_storage_.push_back('\'');
        } else if (*p == '\'') {
          if (end - p > 1 && !IsSpace(p[1])) return false;
          done = true;
        } else {
          inline_storage_.push_back(*p);
        }
      } else {
        if (p == end) break;
        switch (*p) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
            done = true;
            break;
          case '"':
            in_dq = true;  // quotes may open mid-token: a"b c" is "ab c"
            break;
          case '\'':
            in_sq = true;
            break;
          default:
            inline_storage_.push_back(*p);
            break;
        }
      }
      if (p != end) ++p;
    }
    spans_.emplace_back(start, inline_storage_.size() - start);
  }
}

RespParser::Status RespParser::Finish(std::string_view buf, size_t end) {
  args_.clear();
  for (const auto& [off, len] : spans_)
    args_.emplace_back(buf.data() + off, len);
  consumed_ = end;
  state_ = State::kStart;
  pos_ = 0;
  scan_ = 0;
  return Status::kCommand;
}

RespParser::Status RespParser::Fail(std::string_view msg) {
  error_.assign(msg);
  state_ = State::kError;
  return Status::kError;
}

}  // namespace grabkv::protocol
