#include "storage/value.h"

#include <charconv>

namespace grabkv::storage {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  const char* p = s.data();
  const char* end = p + s.size();
  bool neg = false;
  if (*p == '-') {
    neg = true;
    ++p;
    if (p == end) return false;
  }
  // Redis rejects leading zeros ("01", "-0") so that the text round-trips.
  if (*p == '0') {
    if (p + 1 == end && !neg) {
      *out = 0;
      return true;
    }
    return false;
  }
  uint64_t v = 0;
  for (; p < end; ++p) {
    unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9) return false;
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

void Value::Release() {
  if (type() == ValueType::kString) {
    if (owns_heap_string()) delete heap_string();
  } else {
    delete container();
  }
}

void Value::SetInline(std::string_view s, StringEncoding enc) {
  bytes_[0] = static_cast<unsigned char>(ValueType::kString) |
              static_cast<unsigned char>(static_cast<unsigned char>(enc) << 4);
  bytes_[1] = static_cast<unsigned char>(s.size());
  if (!s.empty()) std::memcpy(bytes_ + 2, s.data(), s.size());
}

void Value::SetHeap(std::string_view s, StringEncoding enc) {
  auto* str = new std::string(s);
  bytes_[0] = static_cast<unsigned char>(ValueType::kString) |
              static_cast<unsigned char>(static_cast<unsigned char>(enc) << 4);
  bytes_[1] = kHeapFlag;
  std::memcpy(bytes_ + 8, &str, 8);
}

void Value::SetString(std::string_view s) {
  int64_t v;
  if (s.size() <= 20 && ParseInt64(s, &v)) {
    SetInt(v);
    return;
  }
  SetEmbstr(s);
}

void Value::SetBytes(std::string_view s, StringEncoding enc) {
  if (s.size() <= kInlineMax) {
    Release();
    SetInline(s, enc);
    return;
  }
  if (is_string() && owns_heap_string()) {
    heap_string()->assign(s.data(), s.size());
    bytes_[0] = static_cast<unsigned char>(ValueType::kString) |
                static_cast<unsigned char>(static_cast<unsigned char>(enc) << 4);
    return;
  }
  Release();
  SetHeap(s, enc);
}

void Value::SetRawString(std::string_view s) { SetBytes(s, StringEncoding::kRaw); }

void Value::SetEmbstr(std::string_view s) {
  SetBytes(s, s.size() <= kEmbstrMax ? StringEncoding::kEmbstr : StringEncoding::kRaw);
}

void Value::SetInt(int64_t v) {
  Release();
  bytes_[0] = static_cast<unsigned char>(ValueType::kString) |
              static_cast<unsigned char>(static_cast<unsigned char>(StringEncoding::kInt) << 4);
  bytes_[1] = 0;
  std::memcpy(bytes_ + 8, &v, 8);
}

std::string_view Value::GetString(std::string* scratch) const {
  if (encoding() == StringEncoding::kInt) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), int_value());
    scratch->assign(buf, res.ptr);
    return *scratch;
  }
  if (owns_heap_string()) return *heap_string();
  return {reinterpret_cast<const char*>(bytes_ + 2), bytes_[1]};
}

size_t Value::StringLength() const {
  if (encoding() == StringEncoding::kInt) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), int_value());
    return static_cast<size_t>(res.ptr - buf);
  }
  if (owns_heap_string()) return heap_string()->size();
  return bytes_[1];
}

std::string* Value::MutableRawString() {
  if (!owns_heap_string()) {
    std::string scratch;
    std::string copy(GetString(&scratch));
    Release();
    SetHeap(copy, StringEncoding::kRaw);
  }
  bytes_[0] = static_cast<unsigned char>(ValueType::kString) |
              static_cast<unsigned char>(static_cast<unsigned char>(StringEncoding::kRaw) << 4);
  return heap_string();
}

void Value::SetContainer(std::unique_ptr<Container> c) {
  Release();
  ValueType t = c->type();
  Container* raw = c.release();
  bytes_[0] = static_cast<unsigned char>(t);
  bytes_[1] = 0;
  std::memcpy(bytes_ + 8, &raw, 8);
}

const char* Value::EncodingName() const {
  if (!is_string()) return container()->encoding();
  switch (encoding()) {
    case StringEncoding::kInt:
      return "int";
    case StringEncoding::kEmbstr:
      return "embstr";
    case StringEncoding::kRaw:
      return "raw";
  }
  return "raw";
}

Value Value::Clone() const {
  Value v;
  if (!is_string()) {
    v.SetContainer(container()->Clone());
    return v;
  }
  if (owns_heap_string()) {
    v.SetHeap(*heap_string(), encoding());
  } else {
    std::memcpy(v.bytes_, bytes_, sizeof(bytes_));
  }
  return v;
}

size_t Value::HeapUsage() const {
  if (!is_string()) return container()->MemoryUsage();
  if (owns_heap_string()) return sizeof(std::string) + heap_string()->capacity() + 1;
  return 0;
}

}  // namespace grabkv::storage
