// libFuzzer target: arbitrary bytes stored as a string and given to the
// HyperLogLog commands, the path of Redis's HLL CVEs (sparse runs past the
// 16384 registers, huge run lengths, truncated opcodes).
//
// Input: byte 0 picks how the value is built (low 2 bits: the bytes as they
// are; a sparse header "HYLL\x01..." + the bytes; a dense header + the bytes
// cut or zero-padded to 12288; or two values split at byte 1's position), bit
// 2 whether the cached cardinality is marked valid, byte 1 is also the
// hll-sparse-max-bytes setting (x 16). The rest is the value.
//
// Each input runs, in-process through server::Dispatch on one ServerState:
// PFCOUNT (one key, two keys), PFMERGE into a new key and into the value's
// own key, PFDEBUG ENCODING/DECODE/GETREG/TODENSE, PFADD of a few elements.
// Sanitizers catch out-of-bounds reads and writes; the harness checks that
//   - every reply is one well-formed RESP value, an error only of the kinds
//     Redis gives here (WRONGTYPE, INVALIDOBJ, ERR HLL encoding is not sparse);
//   - the union count (PFCOUNT k k, which never reads the cache) fails
//     exactly when TODENSE fails, and is the same before and after TODENSE;
//   - PFMERGE succeeds exactly when the union count does, and its result
//     counts the same.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "storage/hyperloglog.h"
#include "tests/fuzz/in_process_server.h"

namespace {

namespace hll = grabkv::storage::hll;

[[noreturn]] void Fail(const std::string& what, std::string_view out) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\noutput: %.*s\n", what.c_str(),
               static_cast<int>(std::min<size_t>(out.size(), 2000)), out.data());
  std::abort();
}

// Every reply must be complete, and an error only one Redis gives here.
struct World : grabkv::fuzz::InProcessServer {
  std::string Run(std::vector<std::string> args) {
    std::string out = InProcessServer::Run(args);
    if (out.empty() || out.back() != '\n') Fail("no complete reply to " + args[0], out);
    if (out[0] == '-' && out.rfind("-WRONGTYPE ", 0) != 0 &&
        out != "-INVALIDOBJ Corrupted HLL object detected\r\n" &&
        out != "-ERR HLL encoding is not sparse\r\n") {
      Fail("unexpected error from " + args[0], out);
    }
    return out;
  }
};

World& W() { return grabkv::fuzz::TheWorld<World>(); }

bool IsError(const std::string& r) { return !r.empty() && r[0] == '-'; }

std::string Header(hll::Encoding enc, bool cache_valid) {
  std::string h = hll::CreateEmpty().substr(0, hll::kHeaderSize);
  h[4] = static_cast<char>(enc);
  if (!cache_valid) h[15] = static_cast<char>(0x80);
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  W();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  World& w = W();
  const uint8_t mode = data[0];
  const uint8_t knob = data[1];
  std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
  const bool cache_valid = mode & 4;
  std::string v1, v2;
  switch (mode & 3) {
    case 0:
      v1 = body;
      break;
    case 1:
      v1 = Header(hll::kSparse, cache_valid) + body;
      break;
    case 2:
      body.resize(hll::kDenseSize - hll::kHeaderSize, '\0');
      v1 = Header(hll::kDense, cache_valid) + body;
      break;
    case 3: {
      const size_t cut = std::min<size_t>(knob, body.size());
      v1 = Header(hll::kSparse, cache_valid) + body.substr(0, cut);
      v2 = Header(hll::kSparse, cache_valid) + body.substr(cut);
      break;
    }
  }
  w.Run({"FLUSHALL"});
  w.Run({"CONFIG", "SET", "hll-sparse-max-bytes", std::to_string(knob * 16)});
  w.Run({"SET", "k", v1});
  if (!v2.empty()) w.Run({"SET", "k2", v2});

  w.Run({"PFCOUNT", "k"});
  w.Run({"PFDEBUG", "ENCODING", "k"});
  w.Run({"PFDEBUG", "DECODE", "k"});
  const std::string union_before = w.Run({"PFCOUNT", "k", "k"});
  const std::string merged = w.Run({"PFMERGE", "m", "k", "k2"});
  const std::string both = w.Run({"PFCOUNT", "k", "k2"});
  if (IsError(merged) != IsError(both)) Fail("PFMERGE and PFCOUNT disagree", merged + both);
  if (!IsError(merged) && w.Run({"PFCOUNT", "m", "m"}) != both) Fail("PFMERGE result count", both);
  const std::string todense = w.Run({"PFDEBUG", "TODENSE", "k"});
  if (IsError(todense) != IsError(union_before)) {
    Fail("TODENSE and PFCOUNT disagree", todense + union_before);
  }
  if (!IsError(todense)) {
    const std::string union_after = w.Run({"PFCOUNT", "k", "k"});
    if (union_after != union_before) Fail("count changed by TODENSE", union_before + union_after);
  }
  w.Run({"PFDEBUG", "GETREG", "k"});
  w.Run({"PFADD", "k", "a", "b", "c", body.substr(0, 8)});
  w.Run({"PFCOUNT", "k"});
  w.Run({"PFADD", "k2", "x", "y"});
  w.Run({"PFMERGE", "k", "k2"});
  w.Run({"PFCOUNT", "k", "k2"});
  return 0;
}
