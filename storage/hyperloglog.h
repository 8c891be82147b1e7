// HyperLogLog values in Redis 7.0's own byte format, so that a value moves
// between Redis and grabkv (GET/SET, AOF) and counts the same on both.
//
// A HyperLogLog is a string: a 16-byte header ("HYLL", the encoding byte,
// 3 unused bytes, the cached cardinality as 8 little-endian bytes whose top
// bit marks it invalid) followed by 16384 6-bit registers (P = 14), either
// dense (12288 bytes, register j at bit 6*j, least significant bits first)
// or sparse: a run-length code of three opcodes,
//   ZERO   00xxxxxx           xxxxxx+1 (1..64) registers at 0
//   XZERO  01xxxxxx yyyyyyyy  14 bits + 1 (1..16384) registers at 0
//   VAL    1vvvvvxx           xx+1 (1..4) registers at vvvvv+1 (1..32)
// A sparse value becomes dense when an update needs a register above 32 or
// would make it longer than hll-sparse-max-bytes. The exact bytes of every
// update follow Redis's (same splits of runs, same merging of neighbouring
// VAL opcodes), so the same commands give the same value on both servers.
//
// Elements are hashed with MurmurHash64A (seed 0xadc83b19): the low 14 bits
// pick the register, the position of the first set bit in the other 50 is
// the candidate value. The estimate is Ertl's improved raw estimator
// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017),
// computed in the same order of double operations as Redis 7.0.
//
// Nothing here trusts its input beyond the header check (IsValid): a sparse
// code whose runs do not add up to 16384 registers is reported as corrupt,
// and no function reads or writes outside the string it is given. A missing
// second byte of an XZERO opcode at the very end reads as 0, as Redis reads
// the string's terminating NUL there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace grabkv::storage::hll {

inline constexpr int kP = 14;
inline constexpr int kRegisters = 1 << kP;  // 16384
inline constexpr int kQ = 64 - kP;          // bits of the hash left for the count
inline constexpr int kBits = 6;
inline constexpr uint8_t kRegisterMax = (1 << kBits) - 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * kBits + 7) / 8;  // 12304
inline constexpr uint64_t kSeed = 0xadc83b19ULL;
inline constexpr size_t kDefaultSparseMaxBytes = 3000;

enum Encoding : uint8_t { kDense = 0, kSparse = 1 };

// Result of adding to one register.
enum class SetResult : int { kCorrupt = -1, kUnchanged = 0, kUpdated = 1 };

uint64_t MurmurHash64A(const void* key, size_t len, uint64_t seed);

// The register an element falls in and the value it proposes (1..51).
uint8_t PatLen(std::string_view element, int* index);

// Whether `s` looks like a HyperLogLog as Redis checks it before any
// PF* command: long enough for the header, "HYLL", encoding 0 or 1, and a
// dense value exactly kDenseSize bytes. The sparse code is not checked.
bool IsValid(std::string_view s);

// A new, empty HyperLogLog: sparse, one XZERO of 16384, cached count 0.
std::string CreateEmpty();

// REQUIRES (all below): IsValid(hll).
Encoding GetEncoding(std::string_view hll);

// The cached cardinality, if valid.
bool CachedCardinality(std::string_view hll, uint64_t* card);
void SetCachedCardinality(std::string* hll, uint64_t card);
void InvalidateCache(std::string* hll);

// Adds an element (PFADD). kUpdated when a register grew; kCorrupt when a
// sparse code is broken (the value may have been partly changed before,
// as in Redis).
SetResult Add(std::string* hll, std::string_view element, size_t sparse_max_bytes);
// Raises register `index` to `count` if lower, keeping the encoding rules.
// REQUIRES: 0 <= index < kRegisters, 1 <= count <= kRegisterMax.
SetResult Set(std::string* hll, int index, uint8_t count, size_t sparse_max_bytes);

// Converts a sparse value to dense in place (a dense one is left as is).
// False, with the value unchanged, when the sparse code is corrupt.
bool ToDense(std::string* hll);

// Raises each of registers[0..kRegisters) to the value's register (the
// union of PFMERGE and multi-key PFCOUNT). False when the value is corrupt.
bool MergeInto(uint8_t* registers, std::string_view hll);

// The estimated cardinality; *corrupt is set for a broken sparse code.
uint64_t Count(std::string_view hll, bool* corrupt);
// The same over plain registers (one byte each, kRegisters of them).
uint64_t CountRegisters(const uint8_t* registers);

// Register `index` of a dense value's register bytes.
uint8_t DenseGet(const uint8_t* registers, int index);
void DenseSet(uint8_t* registers, int index, uint8_t value);

// PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len", "v:value,len"
// separated by spaces. REQUIRES: GetEncoding(hll) == kSparse.
std::string DecodeSparse(std::string_view hll);

// PFSELFTEST: checks the register packing and the estimator's error on
// both encodings. Returns an empty string on success, else what failed.
std::string SelfTest();

}  // namespace grabkv::storage::hll
