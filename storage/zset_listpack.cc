#include "storage/zset_listpack.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/heap.h"
#include "storage/varint.h"

namespace grabkv::storage {

namespace {

// Scores: an integral score of magnitude below 2^52 is stored as the LEB128
// of its zigzag form shifted left by one (1 to 8 bytes, 1 for -32..31,
// 2 up to 8191); anything else as the byte 0x01 and the 8-byte double. The
// low bit of the first byte tells them apart. (-0 keeps its sign: it takes
// the double form.)
constexpr double kIntLimit = 4503599627370496.0;  // 2^52

bool SmallInt(double s, int64_t* v) {
  if (!(s > -kIntLimit && s < kIntLimit)) return false;
  const auto i = static_cast<int64_t>(s);
  if (static_cast<double>(i) != s || (i == 0 && std::signbit(s))) return false;
  *v = i;
  return true;
}

uint64_t ZigzagShifted(int64_t v) {
  const uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  return z << 1;
}

size_t ScoreSize(double s) {
  int64_t v;
  return SmallInt(s, &v) ? VarintLen(ZigzagShifted(v)) : 9;
}

// Body: everything but the trailing length.
size_t BodySize(size_t member_len, double score) {
  return VarintLen(member_len) + member_len + ScoreSize(score);
}

char* PutScore(char* p, double s) {
  int64_t v;
  if (SmallInt(s, &v)) return PutVarint(p, ZigzagShifted(v));
  *p++ = 0x01;
  std::memcpy(p, &s, sizeof(s));
  return p + sizeof(s);
}

double GetScore(const char* p) {
  size_t len;
  const uint64_t u = GetVarint(p, &len);
  if (u & 1) {
    double d;
    std::memcpy(&d, p + 1, sizeof(d));
    return d;
  }
  const uint64_t z = u >> 1;
  return static_cast<double>(static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1));
}

int CompareEntry(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return CompareMembers(m1, m2);
}

}  // namespace

ZListpack::ZListpack(const ZListpack& o) : used_(o.used_), count_(o.count_) {
  if (used_ > 0) {
    data_ = static_cast<char*>(std::malloc(used_));
    if (data_ == nullptr) throw std::bad_alloc();
    std::memcpy(data_, o.data_, used_);
  }
}

ZListpack::ZListpack(ZListpack&& o) noexcept : data_(o.data_), used_(o.used_), count_(o.count_) {
  o.data_ = nullptr;
  o.used_ = o.count_ = 0;
}

ZListpack& ZListpack::operator=(ZListpack&& o) noexcept {
  if (this != &o) {
    std::free(data_);
    data_ = o.data_;
    used_ = o.used_;
    count_ = o.count_;
    o.data_ = nullptr;
    o.used_ = o.count_ = 0;
  }
  return *this;
}

ZListpack::~ZListpack() { std::free(data_); }

size_t ZListpack::MemoryUsage() const { return used_ == 0 ? 0 : ChunkEstimate(used_); }

void ZListpack::Decode(size_t pos, std::string_view* member, size_t* entry_size) const {
  size_t vl;
  const size_t len = GetVarint(data_ + pos, &vl);
  const char* score = data_ + pos + vl + len;
  if (member != nullptr) *member = std::string_view(data_ + pos + vl, len);
  size_t sl;
  if (static_cast<unsigned char>(*score) & 1) {
    sl = 9;
  } else {
    GetVarint(score, &sl);
  }
  const size_t body = vl + len + sl;
  *entry_size = body + VarintLen(body);
}

size_t ZListpack::Next(size_t pos) const {
  size_t sz;
  Decode(pos, nullptr, &sz);
  pos += sz;
  return pos < used_ ? pos : kNpos;
}

size_t ZListpack::Prev(size_t pos) const {
  if (pos == 0) return kNpos;
  size_t vl;
  const size_t body = GetReverseVarint(data_ + pos, &vl);
  return pos - vl - body;
}

std::string_view ZListpack::Member(size_t pos) const {
  size_t vl;
  const size_t len = GetVarint(data_ + pos, &vl);
  return std::string_view(data_ + pos + vl, len);
}

double ZListpack::Score(size_t pos) const {
  size_t vl;
  const size_t len = GetVarint(data_ + pos, &vl);
  return GetScore(data_ + pos + vl + len);
}

size_t ZListpack::Find(std::string_view member, size_t* rank) const {
  size_t pos = 0;
  for (size_t r = 0; r < count_; ++r) {
    std::string_view m;
    size_t sz;
    Decode(pos, &m, &sz);
    if (m.size() == member.size() && std::memcmp(m.data(), member.data(), m.size()) == 0) {
      if (rank != nullptr) *rank = r;
      return pos;
    }
    pos += sz;
  }
  return kNpos;
}

size_t ZListpack::AtRank(size_t rank) const {
  // From whichever end is nearer.
  if (rank < count_ / 2) {
    size_t pos = 0;
    while (rank-- > 0) pos = Next(pos);
    return pos;
  }
  size_t pos = Last();
  for (size_t r = count_ - 1; r > rank; --r) pos = Prev(pos);
  return pos;
}

char* ZListpack::OpenGap(size_t pos, size_t n) {
  char* grown = static_cast<char*>(std::realloc(data_, used_ + n));
  if (grown == nullptr) throw std::bad_alloc();
  data_ = grown;
  std::memmove(data_ + pos + n, data_ + pos, used_ - pos);
  used_ += static_cast<uint32_t>(n);
  return data_ + pos;
}

void ZListpack::WriteEntry(char* at, double score, std::string_view member) {
  const size_t body = BodySize(member.size(), score);
  at = PutVarint(at, member.size());
  if (!member.empty()) std::memcpy(at, member.data(), member.size());
  at += member.size();
  at = PutScore(at, score);
  PutReverseVarint(at, body);
}

void ZListpack::Insert(double score, std::string_view member) {
  size_t pos = 0;
  while (pos < used_) {
    std::string_view m;
    size_t sz;
    Decode(pos, &m, &sz);
    const double s = GetScore(m.data() + m.size());
    if (CompareEntry(s, m, score, member) > 0) break;
    pos += sz;
  }
  const size_t body = BodySize(member.size(), score);
  WriteEntry(OpenGap(pos, body + VarintLen(body)), score, member);
  ++count_;
}

void ZListpack::Append(double score, std::string_view member) {
  const size_t body = BodySize(member.size(), score);
  WriteEntry(OpenGap(used_, body + VarintLen(body)), score, member);
  ++count_;
}

void ZListpack::Erase(size_t pos, size_t count) {
  size_t end = pos;
  for (size_t i = 0; i < count; ++i) {
    size_t sz;
    Decode(end, nullptr, &sz);
    end += sz;
  }
  std::memmove(data_ + pos, data_ + end, used_ - end);
  used_ -= static_cast<uint32_t>(end - pos);
  count_ -= static_cast<uint32_t>(count);
  if (used_ == 0) {
    std::free(data_);
    data_ = nullptr;
    return;
  }
  // Exact size, like Redis's listpack (glibc shrinks in place).
  if (char* shrunk = static_cast<char*>(std::realloc(data_, used_))) data_ = shrunk;
}

}  // namespace grabkv::storage
