// The building blocks of Redis's RDB serialization (RDB files and DUMP
// payloads): type and opcode numbers, the length encoding, strings (plain,
// integer-encoded, LZF-compressed), doubles, and little-endian integers.
//
// RdbWriter appends to a buffer that the caller drains (a file writer flushes
// it as it grows; DUMP keeps it whole). RdbReader reads a buffer held in
// memory and never reads past it: every read checks bounds, and the first
// failure is remembered with the byte offset where it happened, after which
// every read fails. Neither knows about files or the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace grabkv::storage {

// The RDB version Redis 7.0 writes (and the newest it reads).
inline constexpr int kRdbVersion = 10;

namespace rdb {
// Value types.
inline constexpr uint8_t kString = 0;
inline constexpr uint8_t kList = 1;
inline constexpr uint8_t kSet = 2;
inline constexpr uint8_t kZSet = 3;  // string scores (RDB < 8)
inline constexpr uint8_t kHash = 4;
inline constexpr uint8_t kZSet2 = 5;  // binary double scores
inline constexpr uint8_t kModule = 6;
inline constexpr uint8_t kModule2 = 7;
inline constexpr uint8_t kHashZipmap = 9;
inline constexpr uint8_t kListZiplist = 10;
inline constexpr uint8_t kSetIntset = 11;
inline constexpr uint8_t kZSetZiplist = 12;
inline constexpr uint8_t kHashZiplist = 13;
inline constexpr uint8_t kListQuicklist = 14;
inline constexpr uint8_t kStreamListpacks = 15;
inline constexpr uint8_t kHashListpack = 16;
inline constexpr uint8_t kZSetListpack = 17;
inline constexpr uint8_t kListQuicklist2 = 18;
inline constexpr uint8_t kStreamListpacks2 = 19;
// Opcodes.
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunctionPreGa = 246;
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;
// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistPlain = 1;
inline constexpr uint64_t kQuicklistPacked = 2;
}  // namespace rdb

// Strings longer than this are LZF-compressed when compression is on.
inline constexpr size_t kRdbCompressMin = 20;

class RdbWriter {
 public:
  explicit RdbWriter(bool compress = true) : compress_(compress) {}

  std::string& buffer() { return buf_; }
  const std::string& buffer() const { return buf_; }

  void Byte(uint8_t b) { buf_.push_back(static_cast<char>(b)); }
  void Raw(std::string_view s) { buf_.append(s); }
  void U32LE(uint32_t v);
  void U64LE(uint64_t v);
  // The length encoding: 6, 14, 32 or 64 bits.
  void Len(uint64_t len);
  // A string: as an 8/16/32-bit integer when it is the canonical form of
  // one, LZF-compressed when longer than kRdbCompressMin and compression
  // saves at least 4 bytes, else plain.
  void String(std::string_view s);
  // An integer as a string object (Redis's rdbSaveLongLongAsStringObject).
  void IntString(int64_t v);
  // 8-byte little-endian IEEE double (ZSET_2 scores).
  void BinaryDouble(double d);

 private:
  bool compress_;
  std::string buf_;
};

class RdbReader {
 public:
  // `base_offset` is added to offsets in error messages (a payload inside a
  // larger buffer).
  explicit RdbReader(std::string_view data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  bool ok() const { return error_.empty(); }
  // The first failure ("... at offset N"), empty while ok().
  const std::string& error() const { return error_; }
  // Its parts: what went wrong, where, and whether the data simply ended.
  const std::string& error_what() const { return error_what_; }
  size_t error_offset() const { return error_offset_; }
  bool truncated() const { return truncated_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok() ? data_.size() - pos_ : 0; }
  std::string_view data() const { return data_; }
  // Records a failure at the current offset (later reads fail); returns false.
  bool Fail(std::string_view what);

  bool Byte(uint8_t* b);
  bool Raw(size_t n, std::string_view* out);
  bool U32LE(uint32_t* v);
  bool U64LE(uint64_t* v);
  // A length; *encoded is set for the special (11xxxxxx) forms, whose kind
  // (0-3) is then returned in *len. Without `encoded`, a special form fails.
  bool Len(uint64_t* len, bool* encoded = nullptr);
  // A string in any of its encodings, into *out.
  bool String(std::string* out);
  bool BinaryDouble(double* d);
  // The RDB < 8 form of a double: 1 length byte (253 nan, 254 +inf,
  // 255 -inf) and the text.
  bool StringDouble(double* d);

 private:
  std::string_view data_;
  size_t pos_ = 0;
  size_t base_;
  std::string error_;
  std::string error_what_;
  size_t error_offset_ = 0;
  bool truncated_ = false;
};

// Formats a double as Redis writes scores inside listpacks ("%.17g", or
// the integer form when integral and within 2^52).
std::string_view FormatScore(double d, char (&buf)[32]);
// Parses a score from a listpack/ziplist/RDB string (strtod rules, "inf" and
// "-inf" included); false for a non-number or NaN.
bool ParseScore(std::string_view s, double* out);

}  // namespace grabkv::storage
