// Value: a typed value of the keyspace in 16 bytes.
//
// Strings are kept the way Redis reports them in OBJECT ENCODING: "int"
// (an int64 held directly: INCR never parses or formats), "embstr" (short,
// created whole) and "raw" (modified in place, e.g. by APPEND). Up to
// kInlineMax bytes live inside the Value itself, so a short value costs no
// allocation; longer strings own a heap std::string.
//
// Container types (lists, hashes, sets, sorted sets) are owned through a
// pointer to a storage::Container subclass; the Value destroys what it owns.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace grabkv::storage {

enum class ValueType : uint8_t { kString = 0, kList, kHash, kSet, kZSet };
enum class StringEncoding : uint8_t { kInt = 0, kEmbstr, kRaw };

// Base of the container types; the Value owns one through a pointer.
class Container {
 public:
  virtual ~Container() = default;
  virtual ValueType type() const = 0;
  // OBJECT ENCODING name ("listpack", "quicklist", "hashtable", ...).
  virtual const char* encoding() const = 0;
  virtual std::unique_ptr<Container> Clone() const = 0;
  virtual size_t MemoryUsage() const = 0;
  // Number of elements (LLEN, HLEN, SCARD, ZCARD): also the "free effort"
  // that decides whether UNLINK frees it on the helper thread.
  virtual size_t Length() const = 0;
};

// Redis strings up to 44 bytes are embstr (OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
inline constexpr size_t kEmbstrMax = 44;

// Parses a Redis integer ("string2ll"): optional '-', no '+', no leading
// zeros, no spaces, fits int64.
bool ParseInt64(std::string_view s, int64_t* out);

class Value {
 public:
  static constexpr size_t kInlineMax = 14;

  Value() { SetInline({}, StringEncoding::kEmbstr); }
  ~Value() { Release(); }
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  Value(Value&& o) noexcept { std::memcpy(bytes_, o.bytes_, sizeof(bytes_)); o.Forget(); }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      Release();
      std::memcpy(bytes_, o.bytes_, sizeof(bytes_));
      o.Forget();
    }
    return *this;
  }

  ValueType type() const { return static_cast<ValueType>(bytes_[0] & 0x0f); }
  bool is_string() const { return type() == ValueType::kString; }

  // --- strings ---
  // Stores `s` as SET would (Redis tryObjectEncoding): int when it is a
  // canonical integer of at most 20 chars, else embstr/raw by length.
  void SetString(std::string_view s);
  // Stores bytes as a freshly created string object, never as an int
  // (INCRBYFLOAT's result): embstr up to 44 bytes, raw above.
  void SetEmbstr(std::string_view s);
  // Stores bytes with "raw" encoding (the result of APPEND/SETRANGE).
  void SetRawString(std::string_view s);
  void SetInt(int64_t v);
  StringEncoding encoding() const { return static_cast<StringEncoding>(bytes_[0] >> 4); }
  bool is_int() const { return is_string() && encoding() == StringEncoding::kInt; }
  // REQUIRES: is_int().
  int64_t int_value() const { int64_t v; std::memcpy(&v, bytes_ + 8, 8); return v; }
  // The string's bytes. For an int, formats into *scratch and returns a view
  // of it. REQUIRES: is_string().
  std::string_view GetString(std::string* scratch) const;
  // Length without formatting where possible. REQUIRES: is_string().
  size_t StringLength() const;
  // A mutable heap string for in-place edits (APPEND, SETRANGE); converts the
  // value to raw encoding first. REQUIRES: is_string().
  std::string* MutableRawString();

  // --- containers ---
  void SetContainer(std::unique_ptr<Container> c);
  // REQUIRES: !is_string().
  Container* container() const { Container* c; std::memcpy(&c, bytes_ + 8, 8); return c; }
  template <typename T>
  T* As() const { return static_cast<T*>(container()); }

  // OBJECT ENCODING text.
  const char* EncodingName() const;
  // Deep copy (COPY command).
  Value Clone() const;
  // Approximate bytes owned outside the Value itself.
  size_t HeapUsage() const;

 private:
  // Layout: byte 0 = type | encoding << 4. Byte 1 = 0x80 when bytes 8..15
  // point to an owned heap std::string, else the inline length (0..14) with
  // the inline bytes at 2..15. An int or a Container* lives in bytes 8..15.
  void SetInline(std::string_view s, StringEncoding enc);
  void SetHeap(std::string_view s, StringEncoding enc);
  void SetBytes(std::string_view s, StringEncoding enc);
  void Release();
  void Forget() { bytes_[0] = 0; bytes_[1] = 0; }
  bool owns_heap_string() const { return bytes_[1] == kHeapFlag; }
  static constexpr unsigned char kHeapFlag = 0x80;
  std::string* heap_string() const { std::string* p; std::memcpy(&p, bytes_ + 8, 8); return p; }

  alignas(8) unsigned char bytes_[16];
};
static_assert(sizeof(Value) == 16);

}  // namespace grabkv::storage
