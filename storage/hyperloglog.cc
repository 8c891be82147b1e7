#include "storage/hyperloglog.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace grabkv::storage::hll {

namespace {

// ---------------------------------------------------------------------------
// Sparse opcodes (see the header).

constexpr int kZeroMaxLen = 64;
constexpr int kXZeroMaxLen = 16384;
constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;

bool IsZero(uint8_t b) { return (b & 0xc0) == 0; }
bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
bool IsVal(uint8_t b) { return (b & 0x80) != 0; }
int ZeroLen(uint8_t b) { return (b & 0x3f) + 1; }
int XZeroLen(uint8_t b0, uint8_t b1) { return (((b0 & 0x3f) << 8) | b1) + 1; }
int ValValue(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
int ValLen(uint8_t b) { return (b & 0x3) + 1; }
uint8_t ZeroOp(int len) { return static_cast<uint8_t>(len - 1); }
uint8_t ValOp(int value, int len) {
  return static_cast<uint8_t>(0x80 | ((value - 1) << 2) | (len - 1));
}
// Appends a run of zeros as one ZERO or XZERO opcode. REQUIRES: 1 <= len <= 16384.
size_t PutZeros(uint8_t* out, long len) {
  if (len > kZeroMaxLen) {
    out[0] = static_cast<uint8_t>(0x40 | ((len - 1) >> 8));
    out[1] = static_cast<uint8_t>((len - 1) & 0xff);
    return 2;
  }
  out[0] = ZeroOp(static_cast<int>(len));
  return 1;
}

// A read-only walk over a sparse code, one opcode at a time.
struct SparseCursor {
  const uint8_t* p;
  size_t len;
  size_t pos = 0;

  SparseCursor(std::string_view hll)
      : p(reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize),
        len(hll.size() - kHeaderSize) {}
  bool done() const { return pos >= len; }
  // The byte at i, or 0 past the end (Redis reads the terminating NUL).
  uint8_t At(size_t i) const { return i < len ? p[i] : 0; }
  // The current opcode: its run length, value (0 for zeros) and size.
  void Read(long* runlen, int* value, size_t* oplen) const {
    const uint8_t b = p[pos];
    if (IsZero(b)) {
      *runlen = ZeroLen(b), *value = 0, *oplen = 1;
    } else if (IsXZero(b)) {
      *runlen = XZeroLen(b, At(pos + 1)), *value = 0, *oplen = 2;
    } else {
      *runlen = ValLen(b), *value = ValValue(b), *oplen = 1;
    }
  }
};

uint8_t* Registers(std::string* hll) { return reinterpret_cast<uint8_t*>(hll->data()) + kHeaderSize; }
const uint8_t* Registers(std::string_view hll) {
  return reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
}

// Walks a sparse code calling fn(first_register, runlen, value) per opcode,
// stopping before a run that would pass the last register. Returns whether
// the runs cover exactly kRegisters registers.
template <typename Fn>
bool WalkSparse(std::string_view hll, Fn&& fn) {
  SparseCursor c(hll);
  long idx = 0;
  while (!c.done()) {
    long runlen;
    int value;
    size_t oplen;
    c.Read(&runlen, &value, &oplen);
    if (runlen + idx > kRegisters) return false;
    fn(idx, runlen, value);
    idx += runlen;
    c.pos += oplen;
  }
  return idx == kRegisters;
}

// Calls fn(index, value) for every register of a dense value, four at a
// time: each 3 bytes hold 4 registers (kRegisters is a multiple of 4), so
// the loop has no per-register shifts to compute and no branch.
template <typename Fn>
void ForEachDense(const uint8_t* r, Fn&& fn) {
  static_assert(kBits == 6 && kRegisters % 4 == 0);
  for (int i = 0; i < kRegisters; i += 4, r += 3) {
    const unsigned b0 = r[0], b1 = r[1], b2 = r[2];
    fn(i, b0 & 63);
    fn(i + 1, ((b0 >> 6) | (b1 << 2)) & 63);
    fn(i + 2, ((b1 >> 4) | (b2 << 4)) & 63);
    fn(i + 3, b2 >> 2);
  }
}

// ---------------------------------------------------------------------------
// The estimator (Ertl 2017, as Redis 7.0 computes it).

double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prev;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prev;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    const double d = 1 - x;
    z -= d * d * y;
  } while (z_prev != z);
  return z / 3;
}

// histogram[v]: how many registers hold v (v up to 63; only 0..kQ+1 count).
uint64_t Estimate(const int* histogram) {
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  const double m = kRegisters;
  double z = m * Tau((m - histogram[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * Sigma(histogram[0] / m);
  const double e = static_cast<double>(std::llround(kAlphaInf * m * m / z));
  return static_cast<uint64_t>(e);
}

}  // namespace

// ---------------------------------------------------------------------------

uint64_t MurmurHash64A(const void* key, size_t len, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = seed ^ (len * m);
  const uint8_t* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  for (; data != end; data += 8) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];  // little-endian word
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const size_t tail = len & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= static_cast<uint64_t>(data[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

uint8_t PatLen(std::string_view element, int* index) {
  uint64_t hash = MurmurHash64A(element.data(), element.size(), kSeed);
  *index = static_cast<int>(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // bounds the count at kQ + 1
  uint8_t count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
  return count;
}

bool IsValid(std::string_view s) {
  if (s.size() < kHeaderSize || s.substr(0, 4) != "HYLL") return false;
  const uint8_t enc = static_cast<uint8_t>(s[4]);
  if (enc > kSparse) return false;
  return enc != kDense || s.size() == kDenseSize;
}

std::string CreateEmpty() {
  std::string s(kHeaderSize, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  uint8_t op[2];
  PutZeros(op, kRegisters);
  s.append(reinterpret_cast<const char*>(op), 2);
  return s;
}

Encoding GetEncoding(std::string_view hll) { return static_cast<Encoding>(hll[4]); }

bool CachedCardinality(std::string_view hll, uint64_t* card) {
  const uint8_t* c = reinterpret_cast<const uint8_t*>(hll.data()) + 8;
  if (c[7] & 0x80) return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | c[i];
  *card = v;
  return true;
}

void SetCachedCardinality(std::string* hll, uint64_t card) {
  for (int i = 0; i < 8; ++i) (*hll)[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

void InvalidateCache(std::string* hll) { (*hll)[15] = static_cast<char>((*hll)[15] | 0x80); }

uint8_t DenseGet(const uint8_t* registers, int index) {
  const size_t bit = static_cast<size_t>(index) * kBits;
  const size_t byte = bit / 8;
  const unsigned fb = bit & 7;
  unsigned v = registers[byte] >> fb;
  // Only a register starting past bit 2 spills into the next byte (the last
  // register, at bit 2 of the last byte, never reads past the array).
  if (fb > 8 - kBits) v |= static_cast<unsigned>(registers[byte + 1]) << (8 - fb);
  return static_cast<uint8_t>(v & kRegisterMax);
}

void DenseSet(uint8_t* registers, int index, uint8_t value) {
  const size_t bit = static_cast<size_t>(index) * kBits;
  const size_t byte = bit / 8;
  const unsigned fb = bit & 7;
  registers[byte] = static_cast<uint8_t>((registers[byte] & ~(kRegisterMax << fb)) | (value << fb));
  if (fb > 8 - kBits) {
    const unsigned fb8 = 8 - fb;
    registers[byte + 1] =
        static_cast<uint8_t>((registers[byte + 1] & ~(kRegisterMax >> fb8)) | (value >> fb8));
  }
}

bool ToDense(std::string* hll) {
  if (GetEncoding(*hll) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), hll->data(), kHeaderSize);  // magic, unused bytes, cache
  dense[4] = static_cast<char>(kDense);
  uint8_t* regs = Registers(&dense);
  const bool ok = WalkSparse(*hll, [&](long first, long runlen, int value) {
    if (value == 0) return;
    for (long i = first; i < first + runlen; ++i) DenseSet(regs, static_cast<int>(i), value);
  });
  if (!ok) return false;
  *hll = std::move(dense);
  return true;
}

namespace {

SetResult DenseSetIfGreater(std::string* hll, int index, uint8_t count) {
  uint8_t* regs = Registers(hll);
  if (count <= DenseGet(regs, index)) return SetResult::kUnchanged;
  DenseSet(regs, index, count);
  return SetResult::kUpdated;
}

SetResult Promote(std::string* hll, int index, uint8_t count) {
  if (!ToDense(hll)) return SetResult::kCorrupt;
  return DenseSetIfGreater(hll, index, count);
}

// After an update: VAL opcodes next to each other with the same value are
// joined while the run fits, looking at up to 5 opcodes from `from`.
void MergeNeighbours(std::string* hll, size_t from) {
  size_t p = from;
  size_t end = hll->size() - kHeaderSize;
  uint8_t* s = Registers(hll);
  for (int scan = 5; p < end && scan-- > 0;) {
    if (IsXZero(s[p])) {
      p += 2;
      continue;
    }
    if (IsZero(s[p])) {
      ++p;
      continue;
    }
    if (p + 1 < end && IsVal(s[p + 1])) {
      const int v1 = ValValue(s[p]), v2 = ValValue(s[p + 1]);
      const int len = ValLen(s[p]) + ValLen(s[p + 1]);
      if (v1 == v2 && len <= kValMaxLen) {
        s[p + 1] = ValOp(v1, len);
        hll->erase(kHeaderSize + p, 1);
        s = Registers(hll);
        --end;
        continue;  // the joined run may join the next one too
      }
    }
    ++p;
  }
}

SetResult SparseSet(std::string* hll, int index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kValMaxValue) return Promote(hll, index, count);

  // Find the opcode covering register `index`.
  SparseCursor c(*hll);
  size_t prev = SIZE_MAX;
  long first = 0, span = 0;
  size_t oplen = 1;
  int value = 0;
  while (!c.done()) {
    c.Read(&span, &value, &oplen);
    if (index <= first + span - 1) break;
    prev = c.pos;
    c.pos += oplen;
    first += span;
  }
  if (span == 0 || c.done()) return SetResult::kCorrupt;
  const size_t pos = c.pos;
  const uint8_t op = c.p[pos];
  const bool is_val = IsVal(op);
  uint8_t* s = Registers(hll);

  if (is_val && value >= count) return SetResult::kUnchanged;
  if (span == 1 && (is_val || IsZero(op))) {
    s[pos] = ValOp(count, 1);  // a run of one: rewritten in place
  } else {
    // Split the run into [first, index) + index + (index, last].
    const long last = first + span - 1;
    uint8_t seq[5];
    size_t n = 0;
    if (is_val) {
      if (index != first) seq[n++] = ValOp(value, static_cast<int>(index - first));
      seq[n++] = ValOp(count, 1);
      if (index != last) seq[n++] = ValOp(value, static_cast<int>(last - index));
    } else {
      if (index != first) n += PutZeros(seq + n, index - first);
      seq[n++] = ValOp(count, 1);
      if (index != last) n += PutZeros(seq + n, last - index);
    }
    const long delta = static_cast<long>(n) - static_cast<long>(oplen);
    if (delta > 0 && hll->size() + delta > sparse_max_bytes) return Promote(hll, index, count);
    // Replace the opcode. Its declared size may pass the end (an XZERO cut
    // short): the new length is then the old one plus delta, as in Redis.
    const size_t new_size = hll->size() + delta;
    const size_t next = pos + oplen;
    std::string out(hll->data(), kHeaderSize + pos);
    out.append(reinterpret_cast<const char*>(seq), n);
    if (next < c.len) out.append(hll->data() + kHeaderSize + next, c.len - next);
    out.resize(new_size);
    *hll = std::move(out);
  }
  MergeNeighbours(hll, prev == SIZE_MAX ? 0 : prev);
  InvalidateCache(hll);
  return SetResult::kUpdated;
}

}  // namespace

SetResult Set(std::string* hll, int index, uint8_t count, size_t sparse_max_bytes) {
  if (GetEncoding(*hll) == kDense) return DenseSetIfGreater(hll, index, count);
  return SparseSet(hll, index, count, sparse_max_bytes);
}

SetResult Add(std::string* hll, std::string_view element, size_t sparse_max_bytes) {
  int index;
  const uint8_t count = PatLen(element, &index);
  return Set(hll, index, count, sparse_max_bytes);
}

bool MergeInto(uint8_t* registers, std::string_view hll) {
  if (GetEncoding(hll) == kDense) {
    ForEachDense(Registers(hll), [registers](int i, unsigned v) {
      if (v > registers[i]) registers[i] = static_cast<uint8_t>(v);
    });
    return true;
  }
  return WalkSparse(hll, [&](long first, long runlen, int value) {
    for (long i = first; i < first + runlen; ++i) {
      if (value > registers[i]) registers[i] = static_cast<uint8_t>(value);
    }
  });
}

uint64_t Count(std::string_view hll, bool* corrupt) {
  int histogram[64] = {};
  if (GetEncoding(hll) == kDense) {
    ForEachDense(Registers(hll), [&histogram](int, unsigned v) { ++histogram[v]; });
  } else {
    // Runs are only counted, never stored: a code that does not add up to
    // kRegisters is reported, whatever it holds.
    SparseCursor c(hll);
    long idx = 0;
    while (!c.done() && idx <= kRegisters) {
      long runlen;
      int value;
      size_t oplen;
      c.Read(&runlen, &value, &oplen);
      idx += runlen;
      histogram[value] += static_cast<int>(runlen);
      c.pos += oplen;
    }
    if (idx != kRegisters) {
      *corrupt = true;
      return 0;
    }
  }
  return Estimate(histogram);
}

uint64_t CountRegisters(const uint8_t* registers) {
  int histogram[64] = {};
  for (int i = 0; i < kRegisters; ++i) ++histogram[registers[i] & 63];
  return Estimate(histogram);
}

std::string DecodeSparse(std::string_view hll) {
  std::string out;
  SparseCursor c(hll);
  while (!c.done()) {
    long runlen;
    int value;
    size_t oplen;
    c.Read(&runlen, &value, &oplen);
    if (!out.empty()) out += ' ';
    if (value != 0) {
      out += "v:" + std::to_string(value) + "," + std::to_string(runlen);
    } else {
      out += (oplen == 2 ? "Z:" : "z:") + std::to_string(runlen);
    }
    c.pos += oplen;
  }
  return out;
}

std::string SelfTest() {
  std::mt19937_64 rng(12345);
  // 1. Register packing: every register keeps its own value.
  std::vector<uint8_t> regs((kRegisters * kBits + 7) / 8, 0);
  std::vector<uint8_t> expect(kRegisters);
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < kRegisters; ++i) {
      expect[i] = static_cast<uint8_t>(rng() & kRegisterMax);
      DenseSet(regs.data(), i, expect[i]);
    }
    for (int i = 0; i < kRegisters; ++i) {
      if (DenseGet(regs.data(), i) != expect[i]) {
        return "TESTFAILED Register error at index " + std::to_string(i);
      }
    }
  }
  // 2. The estimate on both encodings: equal to each other and within
  // 5 standard errors (1.04/sqrt(m)) of the truth, on the way up to 100000.
  std::string sparse = CreateEmpty();
  std::string dense = CreateEmpty();
  ToDense(&dense);
  const double relerr = 1.04 / std::sqrt(static_cast<double>(kRegisters));
  uint64_t checkpoint = 1;
  const uint64_t seed = rng();
  for (uint64_t j = 1; j <= 100000; ++j) {
    const uint64_t ele = j ^ seed;
    std::string_view e(reinterpret_cast<const char*>(&ele), sizeof(ele));
    Add(&sparse, e, kDefaultSparseMaxBytes);
    Add(&dense, e, kDefaultSparseMaxBytes);
    if (j != checkpoint) continue;
    bool corrupt = false;
    const uint64_t a = Count(sparse, &corrupt), b = Count(dense, &corrupt);
    if (corrupt || a != b) return "TESTFAILED sparse and dense counts differ at " + std::to_string(j);
    const double maxerr = j < 10 ? 1 : j * relerr * 5;
    if (std::fabs(static_cast<double>(a) - static_cast<double>(j)) > maxerr) {
      return "TESTFAILED Too big error. card:" + std::to_string(j) + " error:" +
             std::to_string(static_cast<double>(a) - static_cast<double>(j));
    }
    checkpoint = checkpoint < 1000 ? checkpoint + 1 : checkpoint * 2;
  }
  return {};
}

}  // namespace grabkv::storage::hll
