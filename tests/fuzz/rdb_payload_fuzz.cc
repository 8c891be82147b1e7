// libFuzzer target: the RESTORE payload decoder (storage/rdb_value.h), with
// its deep validation of listpacks, ziplists, intsets and zipmaps.
//
// Input: byte 0 = the RDB type byte, the rest = the value's body (the
// footer's checksum is skipped, or almost nothing would get past it).
//
// Checks: no crash, leak or sanitizer report on any input; a value that
// loads serializes again (DUMP) into a payload that passes RESTORE's checks
// and loads back into the same type and size (a round trip of the grabkv
// encodings); no allocation driven by a declared length alone (lengths are
// only ever followed by reads of that many bytes).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/rdb_format.h"
#include "storage/rdb_value.h"

using namespace grabkv::storage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Value v;
  RdbLimits limits;
  limits.hash.max_listpack_entries = 16;  // small limits reach the conversions
  limits.set.max_intset_entries = 16;
  limits.zset.max_listpack_entries = 16;
  if (!RdbLoadPayloadBody(in, limits, &v)) return 0;
  std::string payload = RdbDumpPayload(v, /*compress=*/(size & 1) != 0);
  std::string_view body;
  if (!RdbVerifyPayload(payload, &body)) {
    std::fprintf(stderr, "DUMP produced a payload RESTORE refuses\n");
    std::abort();
  }
  Value back;
  if (!RdbLoadPayloadBody(body, limits, &back) || back.type() != v.type() ||
      (!v.is_string() && back.container()->Length() != v.container()->Length())) {
    std::fprintf(stderr, "round trip changed the value\n");
    std::abort();
  }
  return 0;
}
