// CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones
// polynomial (0xad93d23594c935a9), reflected input and output, initial value
// 0, no final xor. Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
#pragma once

#include <cstddef>
#include <cstdint>

namespace grabkv::storage {

// Continues `crc` over n bytes at p.
uint64_t Crc64(uint64_t crc, const void* p, size_t n);

}  // namespace grabkv::storage
