#include "storage/packed_formats.h"

#include <string>

#include "storage/value.h"

namespace grabkv::storage {

namespace {

void PutLE(std::string& s, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}

void SetLE(std::string& s, size_t at, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}

uint64_t GetLE(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Sign-extends the low `bits` bits of u.
int64_t SignExtend(uint64_t u, int bits) {
  if (bits == 64) return static_cast<int64_t>(u);
  uint64_t sign = uint64_t{1} << (bits - 1);
  u &= (sign << 1) - 1;
  return static_cast<int64_t>((u ^ sign) - sign);
}

bool Bad(std::string* why, const char* what) {
  if (why != nullptr) *why = what;
  return false;
}

}  // namespace

std::string_view PackedEntry::View(std::string* scratch) const {
  if (!is_int) return sval;
  *scratch = std::to_string(ival);
  return *scratch;
}

// --- listpack ---
//
// Header: total bytes (u32 LE), entry count (u16 LE, 65535 = unknown).
// Entry: encoding [+ data] + back-length (the size of encoding + data,
// 7 bits a byte, read from the last byte backwards). Terminator 0xFF.

constexpr size_t kLpHeader = 6;
constexpr uint8_t kLpEnd = 0xFF;

ListpackWriter::ListpackWriter() { buf_.assign(kLpHeader, '\0'); }

void ListpackWriter::AppendBacklen(size_t l) {
  if (l <= 127) {
    buf_.push_back(static_cast<char>(l));
  } else if (l < 16383) {
    buf_.push_back(static_cast<char>(l >> 7));
    buf_.push_back(static_cast<char>((l & 127) | 128));
  } else if (l < 2097151) {
    buf_.push_back(static_cast<char>(l >> 14));
    buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
    buf_.push_back(static_cast<char>((l & 127) | 128));
  } else if (l < 268435455) {
    buf_.push_back(static_cast<char>(l >> 21));
    buf_.push_back(static_cast<char>(((l >> 14) & 127) | 128));
    buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
    buf_.push_back(static_cast<char>((l & 127) | 128));
  } else {
    buf_.push_back(static_cast<char>(l >> 28));
    buf_.push_back(static_cast<char>(((l >> 21) & 127) | 128));
    buf_.push_back(static_cast<char>(((l >> 14) & 127) | 128));
    buf_.push_back(static_cast<char>(((l >> 7) & 127) | 128));
    buf_.push_back(static_cast<char>((l & 127) | 128));
  }
}

void ListpackWriter::AppendInt(int64_t v) {
  size_t start = buf_.size();
  if (v >= 0 && v <= 127) {
    buf_.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = static_cast<uint64_t>(v) & 0x1fff;
    buf_.push_back(static_cast<char>(0xC0 | (u >> 8)));
    buf_.push_back(static_cast<char>(u & 0xff));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    buf_.push_back(static_cast<char>(0xF1));
    PutLE(buf_, static_cast<uint64_t>(v), 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    buf_.push_back(static_cast<char>(0xF2));
    PutLE(buf_, static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    buf_.push_back(static_cast<char>(0xF3));
    PutLE(buf_, static_cast<uint64_t>(v), 4);
  } else {
    buf_.push_back(static_cast<char>(0xF4));
    PutLE(buf_, static_cast<uint64_t>(v), 8);
  }
  AppendBacklen(buf_.size() - start);
  ++count_;
}

void ListpackWriter::Append(std::string_view s) {
  int64_t v;
  if (s.size() <= 20 && ParseInt64(s, &v)) {
    AppendInt(v);
    return;
  }
  size_t start = buf_.size();
  size_t n = s.size();
  if (n < 64) {
    buf_.push_back(static_cast<char>(0x80 | n));
  } else if (n < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (n >> 8)));
    buf_.push_back(static_cast<char>(n & 0xff));
  } else {
    buf_.push_back(static_cast<char>(0xF0));
    PutLE(buf_, n, 4);
  }
  buf_.append(s);
  AppendBacklen(buf_.size() - start);
  ++count_;
}

std::string ListpackWriter::Finish() {
  buf_.push_back(static_cast<char>(kLpEnd));
  SetLE(buf_, 0, buf_.size(), 4);
  SetLE(buf_, 4, count_ < 65535 ? count_ : 65535, 2);
  std::string out = std::move(buf_);
  buf_.assign(kLpHeader, '\0');
  count_ = 0;
  return out;
}

namespace {

// Decodes the listpack entry at p (before `end`, the terminator's
// position): *e and the size of encoding + data. False when malformed.
bool LpDecode(const unsigned char* p, const unsigned char* end, PackedEntry* e, size_t* size) {
  size_t avail = end - p;
  unsigned b = p[0];
  auto need = [&](size_t n) { return n <= avail; };
  if ((b & 0x80) == 0) {
    e->is_int = true;
    e->ival = b & 0x7f;
    *size = 1;
  } else if ((b & 0xC0) == 0x80) {
    size_t n = b & 0x3f;
    if (!need(1 + n)) return false;
    e->is_int = false;
    e->sval = {reinterpret_cast<const char*>(p + 1), n};
    *size = 1 + n;
  } else if ((b & 0xE0) == 0xC0) {
    if (!need(2)) return false;
    e->is_int = true;
    e->ival = SignExtend((uint64_t{b & 0x1fu} << 8) | p[1], 13);
    *size = 2;
  } else if ((b & 0xF0) == 0xE0) {
    if (!need(2)) return false;
    size_t n = (size_t{b & 0x0fu} << 8) | p[1];
    if (!need(2 + n)) return false;
    e->is_int = false;
    e->sval = {reinterpret_cast<const char*>(p + 2), n};
    *size = 2 + n;
  } else {
    int bytes;
    switch (b) {
      case 0xF0: {
        if (!need(5)) return false;
        size_t n = GetLE(p + 1, 4);
        if (n > avail - 5) return false;
        e->is_int = false;
        e->sval = {reinterpret_cast<const char*>(p + 5), n};
        *size = 5 + n;
        return true;
      }
      case 0xF1: bytes = 2; break;
      case 0xF2: bytes = 3; break;
      case 0xF3: bytes = 4; break;
      case 0xF4: bytes = 8; break;
      default: return false;  // 0xF5..0xFE unused, 0xFF is the terminator
    }
    if (!need(1 + bytes)) return false;
    e->is_int = true;
    e->ival = SignExtend(GetLE(p + 1, bytes), bytes * 8);
    *size = 1 + bytes;
  }
  return true;
}

size_t BacklenSize(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Reads the back-length that ends just before `last_plus_one`.
bool LpReadBacklen(const unsigned char* first, const unsigned char* last_plus_one, size_t* out) {
  size_t v = 0;
  int shift = 0;
  const unsigned char* p = last_plus_one - 1;
  for (int i = 0; i < 5; ++i, --p) {
    if (p < first) return false;
    v |= size_t{*p & 127u} << shift;
    shift += 7;
    if ((*p & 128) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ListpackRead(std::string_view lp, size_t* count, const PackedEntryFn& fn, std::string* why) {
  if (lp.size() < kLpHeader + 1) return Bad(why, "listpack too short");
  const auto* base = reinterpret_cast<const unsigned char*>(lp.data());
  if (GetLE(base, 4) != lp.size()) return Bad(why, "listpack size mismatch");
  size_t declared = GetLE(base + 4, 2);
  const unsigned char* end = base + lp.size() - 1;
  if (*end != kLpEnd) return Bad(why, "listpack terminator missing");
  // Pass 1 validates, pass 2 hands out entries: a blob is used whole or not.
  for (int pass = 0; pass < 2; ++pass) {
    size_t n = 0;
    const unsigned char* p = base + kLpHeader;
    while (p < end) {
      PackedEntry e;
      size_t size;
      if (!LpDecode(p, end, &e, &size)) return Bad(why, "invalid listpack entry");
      size_t bl = BacklenSize(size);
      if (size + bl > static_cast<size_t>(end - p)) return Bad(why, "listpack entry out of bounds");
      size_t back;
      if (!LpReadBacklen(p + size, p + size + bl, &back) || back != size) {
        return Bad(why, "listpack back-length mismatch");
      }
      if (pass == 1) fn(e);
      p += size + bl;
      ++n;
    }
    if (declared != 65535 && declared != n) return Bad(why, "listpack count mismatch");
    *count = n;
  }
  return true;
}

// --- ziplist ---
//
// Header: total bytes (u32 LE), offset of the last entry (u32 LE), entry
// count (u16 LE, 65535 = count by walking). Entry: previous entry's size
// (1 byte, or 0xFE + u32 LE), encoding [+ data]. Terminator 0xFF.

constexpr size_t kZlHeader = 10;

ZiplistWriter::ZiplistWriter() { buf_.assign(kZlHeader, '\0'); }

void ZiplistWriter::Append(std::string_view s) {
  size_t start = buf_.size();
  if (prev_len_ < 254) {
    buf_.push_back(static_cast<char>(prev_len_));
  } else {
    buf_.push_back(static_cast<char>(0xFE));
    PutLE(buf_, prev_len_, 4);
  }
  int64_t v;
  if (s.size() <= 20 && ParseInt64(s, &v)) {
    if (v >= 0 && v <= 12) {
      buf_.push_back(static_cast<char>(0xF1 + v));
    } else if (v >= INT8_MIN && v <= INT8_MAX) {
      buf_.push_back(static_cast<char>(0xFE));
      PutLE(buf_, static_cast<uint64_t>(v), 1);
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
      buf_.push_back(static_cast<char>(0xC0));
      PutLE(buf_, static_cast<uint64_t>(v), 2);
    } else if (v >= -(1 << 23) && v < (1 << 23)) {
      buf_.push_back(static_cast<char>(0xF0));
      PutLE(buf_, static_cast<uint64_t>(v), 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      buf_.push_back(static_cast<char>(0xD0));
      PutLE(buf_, static_cast<uint64_t>(v), 4);
    } else {
      buf_.push_back(static_cast<char>(0xE0));
      PutLE(buf_, static_cast<uint64_t>(v), 8);
    }
  } else {
    size_t n = s.size();
    if (n < 64) {
      buf_.push_back(static_cast<char>(n));
    } else if (n < 16384) {
      buf_.push_back(static_cast<char>(0x40 | (n >> 8)));
      buf_.push_back(static_cast<char>(n & 0xff));
    } else {
      buf_.push_back(static_cast<char>(0x80));
      for (int i = 3; i >= 0; --i) buf_.push_back(static_cast<char>(n >> (8 * i)));
    }
    buf_.append(s);
  }
  tail_ = start;
  prev_len_ = buf_.size() - start;
  ++count_;
}

std::string ZiplistWriter::Finish() {
  buf_.push_back(static_cast<char>(0xFF));
  SetLE(buf_, 0, buf_.size(), 4);
  SetLE(buf_, 4, count_ > 0 ? tail_ : kZlHeader, 4);
  SetLE(buf_, 8, count_ < 65535 ? count_ : 65535, 2);
  std::string out = std::move(buf_);
  buf_.assign(kZlHeader, '\0');
  count_ = prev_len_ = tail_ = 0;
  return out;
}

namespace {

// Decodes the ziplist entry at p (before end): *e, *prevlen and its size.
bool ZlDecode(const unsigned char* p, const unsigned char* end, PackedEntry* e, size_t* prevlen,
              size_t* size) {
  size_t avail = end - p;
  size_t h;
  if (avail < 1) return false;
  if (p[0] < 254) {
    *prevlen = p[0];
    h = 1;
  } else if (p[0] == 0xFE) {
    if (avail < 5) return false;
    *prevlen = GetLE(p + 1, 4);
    h = 5;
  } else {
    return false;
  }
  if (avail < h + 1) return false;
  unsigned b = p[h];
  size_t data_len;
  size_t enc_len;
  switch (b >> 6) {
    case 0:
      enc_len = 1;
      data_len = b & 0x3f;
      break;
    case 1:
      if (avail < h + 2) return false;
      enc_len = 2;
      data_len = (size_t{b & 0x3fu} << 8) | p[h + 1];
      break;
    case 2:
      if (b != 0x80 || avail < h + 5) return false;
      enc_len = 5;
      data_len = (size_t{p[h + 1]} << 24) | (size_t{p[h + 2]} << 16) | (size_t{p[h + 3]} << 8) |
                 p[h + 4];
      break;
    default: {
      int bytes;
      switch (b) {
        case 0xC0: bytes = 2; break;
        case 0xD0: bytes = 4; break;
        case 0xE0: bytes = 8; break;
        case 0xF0: bytes = 3; break;
        case 0xFE: bytes = 1; break;
        default:
          if (b >= 0xF1 && b <= 0xFD) {
            e->is_int = true;
            e->ival = static_cast<int64_t>(b & 0x0f) - 1;
            *size = h + 1;
            return true;
          }
          return false;
      }
      if (avail < h + 1 + bytes) return false;
      e->is_int = true;
      e->ival = SignExtend(GetLE(p + h + 1, bytes), bytes * 8);
      *size = h + 1 + bytes;
      return true;
    }
  }
  if (data_len > avail - h - enc_len) return false;
  e->is_int = false;
  e->sval = {reinterpret_cast<const char*>(p + h + enc_len), data_len};
  *size = h + enc_len + data_len;
  return true;
}

}  // namespace

bool ZiplistRead(std::string_view zl, size_t* count, const PackedEntryFn& fn, std::string* why) {
  if (zl.size() < kZlHeader + 1) return Bad(why, "ziplist too short");
  const auto* base = reinterpret_cast<const unsigned char*>(zl.data());
  if (GetLE(base, 4) != zl.size()) return Bad(why, "ziplist size mismatch");
  size_t tail = GetLE(base + 4, 4);
  size_t declared = GetLE(base + 8, 2);
  const unsigned char* end = base + zl.size() - 1;
  if (*end != 0xFF) return Bad(why, "ziplist terminator missing");
  for (int pass = 0; pass < 2; ++pass) {
    size_t n = 0;
    size_t prev_size = 0;
    size_t last = kZlHeader;
    const unsigned char* p = base + kZlHeader;
    while (p < end) {
      PackedEntry e;
      size_t prevlen, size;
      if (!ZlDecode(p, end, &e, &prevlen, &size)) return Bad(why, "invalid ziplist entry");
      if (prevlen != prev_size) return Bad(why, "ziplist prev-length mismatch");
      if (pass == 1) fn(e);
      last = p - base;
      prev_size = size;
      p += size;
      ++n;
    }
    if (last != tail) return Bad(why, "ziplist tail offset mismatch");
    if (declared != 65535 && declared != n) return Bad(why, "ziplist count mismatch");
    *count = n;
  }
  return true;
}

// --- intset ---
//
// Width in bytes (u32 LE: 2, 4 or 8), count (u32 LE), the values (LE, in
// ascending order, no repeats).

std::string IntsetEncode(const std::vector<int64_t>& v) {
  uint32_t width = 2;
  for (int64_t x : v) {
    if (x < INT32_MIN || x > INT32_MAX) {
      width = 8;
      break;
    }
    if (x < INT16_MIN || x > INT16_MAX) width = 4;
  }
  std::string out;
  out.reserve(8 + v.size() * width);
  PutLE(out, width, 4);
  PutLE(out, v.size(), 4);
  for (int64_t x : v) PutLE(out, static_cast<uint64_t>(x), static_cast<int>(width));
  return out;
}

bool IntsetRead(std::string_view is, std::vector<int64_t>* out, std::string* why) {
  if (is.size() < 8) return Bad(why, "intset too short");
  const auto* p = reinterpret_cast<const unsigned char*>(is.data());
  uint64_t width = GetLE(p, 4);
  uint64_t n = GetLE(p + 4, 4);
  if (width != 2 && width != 4 && width != 8) return Bad(why, "intset width invalid");
  if (8 + n * width != is.size()) return Bad(why, "intset size mismatch");
  out->clear();
  out->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    int64_t x = SignExtend(GetLE(p + 8 + i * width, static_cast<int>(width)), static_cast<int>(width) * 8);
    if (!out->empty() && x <= out->back()) return Bad(why, "intset not ascending");
    out->push_back(x);
  }
  return true;
}

// --- zipmap ---
//
// zmlen (1 byte, 254 = unknown), then per pair: key length (1 byte below
// 254, else 254 + u32 LE), key, value length, a "free" byte, value, free
// bytes. Terminator 0xFF.

bool ZipmapRead(std::string_view zm, size_t* pairs,
                const std::function<void(std::string_view, std::string_view)>& fn,
                std::string* why) {
  const auto* base = reinterpret_cast<const unsigned char*>(zm.data());
  size_t size = zm.size();
  if (size < 2) return Bad(why, "zipmap too short");
  if (base[size - 1] != 0xFF) return Bad(why, "zipmap terminator missing");
  size_t declared = base[0];
  auto read_len = [&](size_t* pos, size_t* len) {
    if (*pos >= size - 1) return false;
    if (base[*pos] < 254) {
      *len = base[(*pos)++];
      return true;
    }
    if (base[*pos] != 254 || *pos + 5 > size - 1) return false;
    *len = GetLE(base + *pos + 1, 4);
    *pos += 5;
    return true;
  };
  for (int pass = 0; pass < 2; ++pass) {
    size_t pos = 1, n = 0;
    while (pos < size - 1) {
      size_t klen, vlen;
      if (!read_len(&pos, &klen) || klen > size - 1 - pos) return Bad(why, "invalid zipmap entry");
      std::string_view key(zm.data() + pos, klen);
      pos += klen;
      if (!read_len(&pos, &vlen) || pos >= size - 1) return Bad(why, "invalid zipmap entry");
      size_t free = base[pos++];
      if (vlen > size - 1 - pos || free > size - 1 - pos - vlen) {
        return Bad(why, "invalid zipmap entry");
      }
      if (pass == 1) fn(key, std::string_view(zm.data() + pos, vlen));
      pos += vlen + free;
      ++n;
    }
    if (declared < 254 && declared != n) return Bad(why, "zipmap count mismatch");
    *pairs = n;
  }
  return true;
}

}  // namespace grabkv::storage
