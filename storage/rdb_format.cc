#include "storage/rdb_format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "storage/lzf.h"
#include "storage/value.h"

namespace grabkv::storage {

// --- writer ---

void RdbWriter::U32LE(uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  buf_.append(b, 4);
}

void RdbWriter::U64LE(uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  buf_.append(b, 8);
}

void RdbWriter::Len(uint64_t len) {
  if (len < (1 << 6)) {
    Byte(static_cast<uint8_t>(len));
  } else if (len < (1 << 14)) {
    Byte(static_cast<uint8_t>(0x40 | (len >> 8)));
    Byte(static_cast<uint8_t>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    Byte(0x80);
    for (int i = 3; i >= 0; --i) Byte(static_cast<uint8_t>(len >> (8 * i)));  // big-endian
  } else {
    Byte(0x81);
    for (int i = 7; i >= 0; --i) Byte(static_cast<uint8_t>(len >> (8 * i)));
  }
}

namespace {

// The 11xxxxxx forms of an integer; false when v needs more than 32 bits.
bool EncodeSmallInt(int64_t v, RdbWriter& w) {
  if (v >= INT8_MIN && v <= INT8_MAX) {
    w.Byte(0xC0);
    w.Byte(static_cast<uint8_t>(v));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    w.Byte(0xC1);
    w.Byte(static_cast<uint8_t>(v));
    w.Byte(static_cast<uint8_t>(v >> 8));
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    w.Byte(0xC2);
    w.U32LE(static_cast<uint32_t>(v));
  } else {
    return false;
  }
  return true;
}

}  // namespace

void RdbWriter::IntString(int64_t v) {
  if (EncodeSmallInt(v, *this)) return;
  std::string s = std::to_string(v);
  Len(s.size());
  Raw(s);
}

void RdbWriter::String(std::string_view s) {
  int64_t v;
  if (s.size() <= 11 && ParseInt64(s, &v) && EncodeSmallInt(v, *this)) return;
  if (compress_ && s.size() > kRdbCompressMin) {
    std::string out(s.size() - 4, '\0');
    size_t clen = LzfCompress(s.data(), s.size(), out.data(), out.size());
    if (clen > 0) {
      Byte(0xC3);
      Len(clen);
      Len(s.size());
      buf_.append(out.data(), clen);
      return;
    }
  }
  Len(s.size());
  Raw(s);
}

void RdbWriter::BinaryDouble(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  U64LE(bits);
}

// --- reader ---

bool RdbReader::Fail(std::string_view what) {
  if (error_.empty()) {
    error_what_ = what;
    error_offset_ = base_ + pos_;
    error_ = error_what_ + " at offset " + std::to_string(error_offset_);
  }
  return false;
}

bool RdbReader::Raw(size_t n, std::string_view* out) {
  if (!ok()) return false;
  if (n > data_.size() - pos_) {
    truncated_ = true;
    return Fail("Unexpected end of data");
  }
  *out = data_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool RdbReader::Byte(uint8_t* b) {
  std::string_view s;
  if (!Raw(1, &s)) return false;
  *b = static_cast<uint8_t>(s[0]);
  return true;
}

bool RdbReader::U32LE(uint32_t* v) {
  std::string_view s;
  if (!Raw(4, &s)) return false;
  *v = 0;
  for (int i = 3; i >= 0; --i) *v = (*v << 8) | static_cast<uint8_t>(s[i]);
  return true;
}

bool RdbReader::U64LE(uint64_t* v) {
  std::string_view s;
  if (!Raw(8, &s)) return false;
  *v = 0;
  for (int i = 7; i >= 0; --i) *v = (*v << 8) | static_cast<uint8_t>(s[i]);
  return true;
}

bool RdbReader::Len(uint64_t* len, bool* encoded) {
  uint8_t b;
  if (!Byte(&b)) return false;
  if (encoded != nullptr) *encoded = false;
  switch (b >> 6) {
    case 0:
      *len = b & 0x3f;
      return true;
    case 1: {
      uint8_t b2;
      if (!Byte(&b2)) return false;
      *len = (uint64_t{b & 0x3fu} << 8) | b2;
      return true;
    }
    case 2: {
      int n;
      if (b == 0x80) {
        n = 4;
      } else if (b == 0x81) {
        n = 8;
      } else {
        --pos_;
        return Fail("Unknown length encoding");
      }
      std::string_view s;
      if (!Raw(n, &s)) return false;
      *len = 0;
      for (char c : s) *len = (*len << 8) | static_cast<uint8_t>(c);
      return true;
    }
    default:
      if (encoded == nullptr) {
        --pos_;
        return Fail("Unexpected encoded length");
      }
      *encoded = true;
      *len = b & 0x3f;
      return true;
  }
}

bool RdbReader::String(std::string* out) {
  uint64_t len;
  bool encoded;
  if (!Len(&len, &encoded)) return false;
  if (!encoded) {
    std::string_view s;
    if (!Raw(len, &s)) return false;
    out->assign(s);
    return true;
  }
  switch (len) {
    case 0: {
      uint8_t b;
      if (!Byte(&b)) return false;
      *out = std::to_string(static_cast<int8_t>(b));
      return true;
    }
    case 1: {
      std::string_view s;
      if (!Raw(2, &s)) return false;
      auto v = static_cast<int16_t>(static_cast<uint8_t>(s[0]) | (static_cast<uint8_t>(s[1]) << 8));
      *out = std::to_string(v);
      return true;
    }
    case 2: {
      uint32_t v;
      if (!U32LE(&v)) return false;
      *out = std::to_string(static_cast<int32_t>(v));
      return true;
    }
    case 3: {
      uint64_t clen, ulen;
      if (!Len(&clen) || !Len(&ulen)) return false;
      std::string_view c;
      if (!Raw(clen, &c)) return false;
      // An LZF stream expands at most ~ 264/2 times per input byte; a
      // declared length beyond that cannot be honest (and must not make us
      // allocate).
      if (ulen == 0 || ulen / 132 > clen + 1) return Fail("Invalid LZF compressed string");
      out->resize(ulen);
      if (!LzfDecompress(c.data(), c.size(), out->data(), ulen)) {
        return Fail("Invalid LZF compressed string");
      }
      return true;
    }
    default:
      return Fail("Unknown RDB string encoding type");
  }
}

bool RdbReader::BinaryDouble(double* d) {
  uint64_t bits;
  if (!U64LE(&bits)) return false;
  std::memcpy(d, &bits, 8);
  return true;
}

bool RdbReader::StringDouble(double* d) {
  uint8_t len;
  if (!Byte(&len)) return false;
  switch (len) {
    case 253:
      *d = NAN;
      return true;
    case 254:
      *d = INFINITY;
      return true;
    case 255:
      *d = -INFINITY;
      return true;
    default: {
      std::string_view s;
      if (!Raw(len, &s)) return false;
      char buf[256];
      std::memcpy(buf, s.data(), s.size());
      buf[s.size()] = '\0';
      char* end;
      *d = std::strtod(buf, &end);
      if (end != buf + s.size() || s.empty()) return Fail("Invalid double value");
      return true;
    }
  }
}

std::string_view FormatScore(double d, char (&buf)[32]) {
  int n;
  if (std::isinf(d)) {
    n = std::snprintf(buf, sizeof(buf), "%s", d > 0 ? "inf" : "-inf");
  } else if (d > -4503599627370495.0 && d < 4503599627370496.0 &&
             d == static_cast<double>(static_cast<long long>(d))) {
    n = std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(d));
  } else {
    n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  }
  return {buf, static_cast<size_t>(n)};
}

bool ParseScore(std::string_view s, double* out) {
  if (s.empty() || s.size() >= 128) return false;
  char buf[128];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return false;
  char* end;
  double d = std::strtod(buf, &end);
  if (end != buf + s.size() || std::isnan(d)) return false;
  *out = d;
  return true;
}

}  // namespace grabkv::storage
