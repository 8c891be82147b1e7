// libFuzzer target for protocol::RespParser (protocol/ only).
//
// Input layout: byte 0 picks the limits (small bulk/inline limits, the
// unauthenticated limits), bytes 1-2 seed the split points; the rest is the
// client's byte stream. The stream is parsed three ways:
//   - whole, in one view (the reference);
//   - in pieces ending at pseudo-random cuts, the caller's buffer moved to a
//     new allocation before every Parse() (as tests/resp_parser_test.cc does,
//     so a parser that kept pointers instead of offsets reads freed memory);
//   - one byte at a time (short inputs only).
// All must give the same commands, the same error and the same leftover,
// except where Redis itself depends on how bytes arrive: a header or inline
// line longer than max_inline_len whose line end has not arrived yet fails
// with a "too big" error (Redis checks the query buffer length the same way),
// so a split feed may fail that way earlier than the whole feed; then what it
// parsed before must be a prefix of the reference.
// Limits are asserted on every command: no bulk longer than max_bulk_len, no
// more than 10 args / 16384-byte bulks when unauthenticated. Giant
// allocations are caught by libFuzzer's -malloc_limit_mb (scripts/fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"
#include "tests/protocol/resp_feed.h"

namespace {

using grabkv::protocol::ParserLimits;
using grabkv::protocol::RespParser;

#define FUZZ_CHECK(cond)                                                     \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond,        \
                   __FILE__, __LINE__);                                      \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

using Outcome = grabkv::protocol::testing::FeedOutcome;

bool TooBigError(const std::string& e) {
  return e == "Protocol error: too big mbulk count string" ||
         e == "Protocol error: too big bulk count string" ||
         e == "Protocol error: too big inline request";
}

void CheckLimits(const RespParser& p, const ParserLimits& lim, bool multibulk) {
  const auto& args = p.args();
  if (!lim.authenticated && multibulk) FUZZ_CHECK(args.size() <= 10);
  for (std::string_view a : args) {
    if (multibulk) {
      FUZZ_CHECK(static_cast<int64_t>(a.size()) <= lim.max_bulk_len);
      if (!lim.authenticated) FUZZ_CHECK(a.size() <= 16384);
    }
  }
}

// Plays a connection (tests/resp_feed.h) and checks, after every Parse():
// it never asks for more than a bulk can need, an error has a text, each
// command keeps to the limits, multibulk arguments are views into the
// caller's buffer.
Outcome Feed(std::string_view input, const std::vector<size_t>& cuts, const ParserLimits& lim,
             bool move_buffer) {
  return grabkv::protocol::testing::FeedInPieces(
      input, cuts, lim, move_buffer,
      [](bool ok, const char* what) {
        if (!ok) {
          std::fprintf(stderr, "FUZZ_CHECK failed: %s\n", what);
          std::abort();
        }
      },
      [&lim](const RespParser& parser, const std::string& buf, RespParser::Status st) {
        FUZZ_CHECK(parser.BytesWanted() <= static_cast<uint64_t>(lim.max_bulk_len) + 2);
        if (st == RespParser::Status::kError) FUZZ_CHECK(!parser.error().empty());
        if (st != RespParser::Status::kCommand) return;
        bool multibulk = buf[0] == '*';
        CheckLimits(parser, lim, multibulk);
        if (!multibulk) return;
        for (std::string_view a : parser.args()) {
          FUZZ_CHECK(a.data() >= buf.data() && a.data() + a.size() <= buf.data() + buf.size());
        }
      });
}

// Split feeds may fail "too big" where the whole feed did not (see top).
void CheckSame(const Outcome& ref, const Outcome& got) {
  if (got == ref) return;
  if (TooBigError(got.error) && got.commands.size() <= ref.commands.size()) {
    for (size_t i = 0; i < got.commands.size(); ++i) FUZZ_CHECK(got.commands[i] == ref.commands[i]);
    return;
  }
  std::fprintf(stderr, "split/whole mismatch: ref %zu cmds err='%s' left=%zu; got %zu cmds err='%s' left=%zu\n",
               ref.commands.size(), ref.error.c_str(), ref.leftover, got.commands.size(),
               got.error.c_str(), got.leftover);
  for (size_t i = 0; i < ref.commands.size() && i < got.commands.size(); ++i) {
    if (ref.commands[i] != got.commands[i]) std::fprintf(stderr, "first differing command: #%zu\n", i);
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  uint8_t mode = data[0];
  uint32_t seed = static_cast<uint32_t>(data[1]) | (static_cast<uint32_t>(data[2]) << 8);
  std::string_view input(reinterpret_cast<const char*>(data + 3), size - 3);

  ParserLimits lim;
  // Small limits so that inputs of a few KB reach them.
  static constexpr int64_t kBulkLimits[] = {512LL * 1024 * 1024, 1, 16, 100};
  static constexpr size_t kInlineLimits[] = {64 * 1024, 8, 32, 200};
  lim.max_bulk_len = kBulkLimits[mode & 3];
  lim.max_inline_len = kInlineLimits[(mode >> 2) & 3];
  lim.authenticated = (mode & 0x10) == 0;

  Outcome ref = Feed(input, {}, lim, false);
  // Once more from scratch: parsing is deterministic.
  FUZZ_CHECK(Feed(input, {}, lim, true) == ref);

  // Pseudo-random cuts (xorshift from the seed), 1 to ~16 bytes apart.
  std::vector<size_t> cuts;
  uint32_t x = seed * 2654435761u + 1;
  size_t max_step = 1 + (seed % 16);
  for (size_t pos = 0;;) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    pos += 1 + x % max_step;
    if (pos >= input.size()) break;
    cuts.push_back(pos);
  }
  CheckSame(ref, Feed(input, cuts, lim, true));

  if (input.size() <= 512) {
    std::vector<size_t> bytewise;
    for (size_t i = 1; i < input.size(); ++i) bytewise.push_back(i);
    CheckSame(ref, Feed(input, bytewise, lim, true));
  }
  return 0;
}
