// RespParser tests. The central property (after hiredis and Envoy's codec
// tests): feeding a stream in any split, down to one byte at a time, gives
// the same commands and the same error as feeding it at once. Expected error
// texts were checked against redis-server 7.0.15.
#include "protocol/resp_parser.h"

#include <gtest/gtest.h>

#include <climits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "tests/protocol/resp_feed.h"

namespace grabkv::protocol {
namespace {

using Args = std::vector<std::string>;

struct Outcome {
  std::vector<Args> commands;
  std::string error;    // empty when the stream had no protocol error
  size_t leftover = 0;  // bytes of an unfinished command at the end

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{commands=[";
  for (const Args& a : o.commands) {
    os << "[";
    for (const std::string& s : a) os << '"' << s << "\",";
    os << "],";
  }
  return os << "] error=\"" << o.error << "\" leftover=" << o.leftover << "}";
}

// Plays a connection (tests/resp_feed.h), the buffer moved before every
// Parse(); the commands without the empty ones of blank inline lines.
Outcome Feed(std::string_view input, const std::vector<size_t>& cuts,
             ParserLimits limits = {}) {
  testing::FeedOutcome fed = testing::FeedInPieces(
      input, cuts, limits, /*move_buffer=*/true,
      [](bool ok, const char* what) { EXPECT_TRUE(ok) << what; },
      [](const RespParser&, const std::string&, RespParser::Status) {});
  Outcome out;
  for (auto& args : fed.commands) {
    if (!args.empty()) out.commands.push_back(std::move(args));
  }
  out.error = std::move(fed.error);
  out.leftover = fed.leftover;
  return out;
}

Outcome FeedAll(std::string_view input, ParserLimits limits = {}) {
  return Feed(input, {}, limits);
}

std::vector<size_t> Chunks(size_t n, size_t step) {
  std::vector<size_t> cuts;
  for (size_t i = step; i < n; i += step) cuts.push_back(i);
  return cuts;
}

// Every split into two pieces, byte-at-a-time and a few chunk sizes must all
// agree with the single feed.
void ExpectSplitInvariant(std::string_view input, ParserLimits limits = {}) {
  Outcome whole = FeedAll(input, limits);
  for (size_t i = 1; i < input.size(); ++i)
    ASSERT_EQ(Feed(input, {i}, limits), whole) << "split at " << i;
  for (size_t step : {1, 2, 3, 7, 16})
    ASSERT_EQ(Feed(input, Chunks(input.size(), step), limits), whole)
        << "chunks of " << step;
}

std::string Multibulk(const Args& args) {
  // append() rather than operator+ chains: GCC 12 warns falsely on those
  // (-Wrestrict, GCC bug 105329).
  std::string s = "*";
  s.append(std::to_string(args.size())).append("\r\n");
  for (const std::string& a : args) {
    s.append("$").append(std::to_string(a.size())).append("\r\n");
    s.append(a).append("\r\n");
  }
  return s;
}

std::string SetBatch(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += Multibulk({"SET", "key:000001", "value"});
  return s;
}

// ---------------------------------------------------------------- valid

struct ValidCase {
  std::string input;
  std::vector<Args> expected;
};

std::vector<ValidCase> ValidCases() {
  using namespace std::string_literals;
  return {
      {"*1\r\n$4\r\nPING\r\n", {{"PING"}}},
      {"*3\r\n$3\r\nSET\r\n$10\r\nkey:000001\r\n$5\r\nvalue\r\n",
       {{"SET", "key:000001", "value"}}},
      {"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", {{"ECHO", ""}}},
      // Binary payload with CR, LF, NUL and '$' inside.
      {"*2\r\n$4\r\nECHO\r\n$8\r\na\r\n\0\r$b\n\r\n"s,
       {{"ECHO", "a\r\n\0\r$b\n"s}}},
      // Empty multibulks are skipped, as are empty inline lines.
      {"*0\r\n*-1\r\n\r\n\n  \t\r\n*1\r\n$4\r\nPING\r\n", {{"PING"}}},
      {"*-9223372036854775808\r\nPING\r\n", {{"PING"}}},
      {"PING\r\n", {{"PING"}}},
      {"PING\n", {{"PING"}}},
      {"SET k \"a b\\x41\\n\\t\\r\\b\\a\\\\\\\"\\z\" 'c\\'d'\r\n",
       {{"SET", "k", "a bA\n\t\r\b\a\\\"z", "c'd"}}},
      {"ECHO a\"b c\"\r\n", {{"ECHO", "ab c"}}},
      {"ECHO \"\" ''\r\n", {{"ECHO", "", ""}}},
      {"ECHO \"\\xZZ\" \"\\x4\" \"\\xfF\"\r\n",
       {{"ECHO", "xZZ", "x4", "\xff"}}},
      // Leading \v and \f are blanks, inside a token they are bytes; a
      // closing quote may be followed by any blank.
      {"\v\fECHO a\vb \"q\"\v\r\n", {{"ECHO", "a\vb", "q"}}},
      // Only a CR right before the LF belongs to the line end.
      {"ECHO a\rb\n", {{"ECHO", "a", "b"}}},
      {"ECHO foo\r\r\n", {{"ECHO", "foo"}}},
      {"\tSET\tk\t  v  \r\n", {{"SET", "k", "v"}}},
      // Redis skips the byte after a header's CR and the two bytes after a
      // payload without looking at them.
      {"*1\rX$4\rXPINGXX*1\r\n$4\r\nPING\r\n", {{"PING"}, {"PING"}}},
      // Mixed pipeline.
      {"*1\r\n$4\r\nPING\r\nECHO hi\r\n*2\r\n$4\r\nECHO\r\n$2\r\nyo\r\n",
       {{"PING"}, {"ECHO", "hi"}, {"ECHO", "yo"}}},
  };
}

TEST(RespParserTest, ValidFramesAllAtOnce) {
  for (const ValidCase& c : ValidCases()) {
    Outcome o = FeedAll(c.input);
    EXPECT_EQ(o.error, "") << c.input;
    EXPECT_EQ(o.leftover, 0u) << c.input;
    EXPECT_EQ(o.commands, c.expected) << c.input;
  }
}

TEST(RespParserTest, ValidFramesSplitEverywhere) {
  for (const ValidCase& c : ValidCases()) {
    SCOPED_TRACE(c.input);
    ExpectSplitInvariant(c.input);
  }
}

TEST(RespParserTest, AllValidFramesConcatenated) {
  std::string all;
  std::vector<Args> expected;
  for (const ValidCase& c : ValidCases()) {
    all += c.input;
    expected.insert(expected.end(), c.expected.begin(), c.expected.end());
  }
  EXPECT_EQ(FeedAll(all).commands, expected);
  ExpectSplitInvariant(all);
}

TEST(RespParserTest, PipelinedBatch) {
  std::string batch = SetBatch(16);
  Outcome o = FeedAll(batch);
  ASSERT_EQ(o.commands.size(), 16u);
  for (const Args& a : o.commands)
    EXPECT_EQ(a, (Args{"SET", "key:000001", "value"}));
  ExpectSplitInvariant(batch);
}

TEST(RespParserTest, PipelinedBatchWithPartialTail) {
  std::string batch = SetBatch(3);
  batch += "*3\r\n$3\r\nSET\r\n$2\r\nk";
  Outcome o = FeedAll(batch);
  EXPECT_EQ(o.commands.size(), 3u);
  EXPECT_EQ(o.leftover, 18u);
  EXPECT_EQ(o.error, "");
}

TEST(RespParserTest, BigBulkAtSampledSplits) {
  // Larger than the 64KB header-line limit, which must not apply to data.
  std::string payload(200 * 1024, 'v');
  for (size_t i = 0; i < payload.size(); i += 1000) payload[i] = '\r';
  std::string frame = Multibulk({"SET", "big", payload}) + "PING\r\n";
  Outcome whole = FeedAll(frame);
  ASSERT_EQ(whole.commands.size(), 2u);
  EXPECT_EQ(whole.commands[0][2], payload);
  std::vector<size_t> splits;
  for (size_t i = 1; i < 64; ++i) {
    splits.push_back(i);
    splits.push_back(frame.size() - i);
  }
  for (size_t i = 64; i < frame.size(); i += 4099) splits.push_back(i);
  for (size_t i : splits) ASSERT_EQ(Feed(frame, {i}), whole) << i;
  EXPECT_EQ(Feed(frame, Chunks(frame.size(), 16 * 1024)), whole);
  EXPECT_EQ(Feed(frame, Chunks(frame.size(), 1000)), whole);
}

TEST(RespParserTest, RandomChunking) {
  std::string stream;
  for (const ValidCase& c : ValidCases()) stream += c.input;
  stream += SetBatch(16);
  Outcome whole = FeedAll(stream);
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<size_t> cuts;
    size_t at = 0;
    while (true) {
      at += 1 + rng() % 24;
      if (at >= stream.size()) break;
      cuts.push_back(at);
    }
    ASSERT_EQ(Feed(stream, cuts), whole) << "round " << round;
  }
}

TEST(RespParserTest, MultibulkArgsAreViewsIntoTheBuffer) {
  std::string buf = Multibulk({"SET", "k", "v"});
  RespParser p;
  ASSERT_EQ(p.Parse(buf), RespParser::Status::kCommand);
  ASSERT_EQ(p.args().size(), 3u);
  EXPECT_EQ(p.args()[1].data(), buf.data() + 17);
  EXPECT_EQ(p.consumed(), buf.size());
}

TEST(RespParserTest, SkippedCommandsReportConsumed) {
  RespParser p;
  std::string buf = "*0\r\nrest";
  ASSERT_EQ(p.Parse(buf), RespParser::Status::kCommand);
  EXPECT_TRUE(p.args().empty());
  EXPECT_EQ(p.consumed(), 4u);
  buf = "\r\nrest";
  ASSERT_EQ(p.Parse(buf), RespParser::Status::kCommand);
  EXPECT_TRUE(p.args().empty());
  EXPECT_EQ(p.consumed(), 2u);
}

TEST(RespParserTest, EmptyViewNeedsMore) {
  RespParser p;
  EXPECT_EQ(p.Parse(""), RespParser::Status::kNeedMore);
}

TEST(RespParserTest, BytesWantedForPartialBulk) {
  RespParser p;
  std::string buf = "*1\r\n$10\r\nabc";
  EXPECT_EQ(p.BytesWanted(), 0u);
  ASSERT_EQ(p.Parse(buf), RespParser::Status::kNeedMore);
  EXPECT_EQ(p.BytesWanted(), 9u);  // 7 payload bytes + CRLF
  buf += "defghij\r";
  ASSERT_EQ(p.Parse(buf), RespParser::Status::kNeedMore);
  EXPECT_EQ(p.BytesWanted(), 1u);
  buf += "\n";
  ASSERT_EQ(p.Parse(buf), RespParser::Status::kCommand);
  EXPECT_EQ(p.BytesWanted(), 0u);
  EXPECT_EQ(p.args()[0], "abcdefghij");
}

TEST(RespParserTest, ResetForgetsPartialCommand) {
  RespParser p;
  ASSERT_EQ(p.Parse("*2\r\n$3\r\nGET"), RespParser::Status::kNeedMore);
  p.Reset();
  ASSERT_EQ(p.Parse("PING\r\n"), RespParser::Status::kCommand);
  EXPECT_EQ(p.args()[0], "PING");
  ASSERT_EQ(p.Parse("*1\r\nX\r\n"), RespParser::Status::kError);
  p.Reset();
  EXPECT_EQ(p.error(), "");
  ASSERT_EQ(p.Parse("*1\r\n$1\r\nx\r\n"), RespParser::Status::kCommand);
}

TEST(RespParserTest, HugeDeclaredCountIsNotPreallocated) {
  // Would need 32GB of arg slots if the count were trusted.
  RespParser p;
  EXPECT_EQ(p.Parse("*2147483647\r\n$1\r\na\r\n"),
            RespParser::Status::kNeedMore);
}

// ---------------------------------------------------------------- errors

struct BadCase {
  std::string input;
  std::string error;
};

constexpr char kInvalidMbulk[] = "Protocol error: invalid multibulk length";
constexpr char kInvalidBulk[] = "Protocol error: invalid bulk length";
constexpr char kUnbalanced[] = "Protocol error: unbalanced quotes in request";

std::vector<BadCase> BadCases() {
  return {
      {"*2147483648\r\n", kInvalidMbulk},
      {"*9223372036854775807\r\n", kInvalidMbulk},
      {"*9223372036854775808\r\n", kInvalidMbulk},
      {"*-9223372036854775809\r\n", kInvalidMbulk},
      {"*123456789012345678901\r\n", kInvalidMbulk},
      {"*01\r\n", kInvalidMbulk},
      {"*+1\r\n", kInvalidMbulk},
      {"*-0\r\n", kInvalidMbulk},
      {"*-\r\n", kInvalidMbulk},
      {"*\r\n", kInvalidMbulk},
      {"*1x\r\n", kInvalidMbulk},
      {"* 1\r\n", kInvalidMbulk},
      {"*1 \r\n", kInvalidMbulk},
      {"*1\n$4\r\n", kInvalidMbulk},  // the count line ends at the CR only
      {"*1\r\nX\r\n", "Protocol error: expected '$', got 'X'"},
      {"*1\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      {"*1\r\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n\n$4\r\n", "Protocol error: expected '$', got ' '"},
      {"*2\r\n$1\r\na\r\n*1\r\n", "Protocol error: expected '$', got '*'"},
      {"*1\r\n$-1\r\n", kInvalidBulk},
      {"*1\r\n$\r\n", kInvalidBulk},
      {"*1\r\n$04\r\n", kInvalidBulk},
      {"*1\r\n$+4\r\n", kInvalidBulk},
      {"*1\r\n$4x\r\n", kInvalidBulk},
      {"*1\r\n$536870913\r\n", kInvalidBulk},
      {"*1\r\n$99999999999999999999\r\n", kInvalidBulk},
      {"*1\r\n$123456789012345678\r\n", kInvalidBulk},   // 18 digits
      {"*1\r\n$1234567890123456789\r\n", kInvalidBulk},  // 19 digits
      {"*1\r\n$00\r\n", kInvalidBulk},
      {"*1\r\n$-0\r\n", kInvalidBulk},
      {"*1\r\n$ 1\r\n", kInvalidBulk},
      {"ECHO \"a\"b\r\n", kUnbalanced},
      {"ECHO 'a'b\r\n", kUnbalanced},
      {"ECHO \"a\"\"b\"\r\n", kUnbalanced},
      {"ECHO 'ab\r\n", kUnbalanced},
      {"ECHO \"ab\r\n", kUnbalanced},
      {"ECHO \"ab\\\"\r\n", kUnbalanced},
      {"ECHO \"\\\r\n", kUnbalanced},
      {"ECHO 'a\\'\r\n", kUnbalanced},
      // Commands before the bad one are still delivered.
      {"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n", kInvalidMbulk},
  };
}

TEST(RespParserTest, BadFramesExactErrors) {
  for (const BadCase& c : BadCases()) {
    Outcome o = FeedAll(c.input);
    EXPECT_EQ(o.error, c.error) << c.input;
  }
}

TEST(RespParserTest, BadFramesSplitEverywhere) {
  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.input);
    ExpectSplitInvariant(c.input);
  }
}

TEST(RespParserTest, CommandsBeforeErrorAreDelivered) {
  Outcome o = FeedAll("PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n");
  EXPECT_EQ(o.commands, (std::vector<Args>{{"PING"}, {"PING"}}));
  EXPECT_EQ(o.error, kInvalidMbulk);
}

TEST(RespParserTest, ErrorNeedsWholeHeaderLine) {
  // Like Redis, a header is judged only once its CR and one more byte are
  // here: until then a bad byte just waits.
  EXPECT_EQ(FeedAll("*1\r\nX").error, "");
  EXPECT_EQ(FeedAll("*1\r\nX\r").error, "");
  EXPECT_EQ(FeedAll("*x\r").error, "");
  EXPECT_EQ(FeedAll("*x\r\n").error, kInvalidMbulk);
}

// ---------------------------------------------------------------- limits

TEST(RespParserTest, MultibulkCountLimit) {
  EXPECT_EQ(FeedAll("*2147483647\r\n").error, "");
  EXPECT_EQ(FeedAll("*2147483647\r\n").leftover, 13u);
  EXPECT_EQ(FeedAll("*2147483648\r\n").error, kInvalidMbulk);
}

TEST(RespParserTest, BulkLengthLimit) {
  EXPECT_EQ(FeedAll("*1\r\n$536870912\r\n").error, "");
  EXPECT_EQ(FeedAll("*1\r\n$536870913\r\n").error, kInvalidBulk);
  ParserLimits small;
  small.max_bulk_len = 10;
  EXPECT_EQ(FeedAll("*1\r\n$10\r\n0123456789\r\n", small).commands.size(), 1u);
  EXPECT_EQ(FeedAll("*1\r\n$11\r\n", small).error, kInvalidBulk);
  ExpectSplitInvariant("*2\r\n$1\r\na\r\n$11\r\n", small);
}

TEST(RespParserTest, BulkLengthsAtEveryDigitCount) {
  // Lengths of 1 to 19 digits, which cross from the one-pass header scan to
  // the general path; both must agree, in every split.
  ParserLimits unlimited;
  unlimited.max_bulk_len = INT64_MAX;
  uint64_t len = 0;
  for (int digits = 1; digits <= 19; ++digits) {
    len = len * 10 + static_cast<uint64_t>(digits % 10);
    std::string frame = "*1\r\n$" + std::to_string(len) + "\r\n";
    SCOPED_TRACE(frame);
    Outcome o = FeedAll(frame, unlimited);
    EXPECT_EQ(o.error, "");
    EXPECT_EQ(o.leftover, frame.size());
    ExpectSplitInvariant(frame, unlimited);
    RespParser p(unlimited);
    ASSERT_EQ(p.Parse(frame), RespParser::Status::kNeedMore);
    EXPECT_EQ(p.BytesWanted(), len + 2);
  }
  EXPECT_EQ(FeedAll("*1\r\n$9223372036854775807\r\n", unlimited).error, "");
  EXPECT_EQ(FeedAll("*1\r\n$9223372036854775808\r\n", unlimited).error,
            kInvalidBulk);
}

TEST(RespParserTest, UnauthenticatedLimits) {
  ParserLimits unauth;
  unauth.authenticated = false;
  EXPECT_EQ(FeedAll("*10\r\n", unauth).error, "");
  EXPECT_EQ(FeedAll("*11\r\n", unauth).error,
            "Protocol error: unauthenticated multibulk length");
  // The generic check comes first, as in Redis.
  EXPECT_EQ(FeedAll("*2147483648\r\n", unauth).error, kInvalidMbulk);
  EXPECT_EQ(FeedAll("*1\r\n$16384\r\n", unauth).error, "");
  EXPECT_EQ(FeedAll("*1\r\n$16385\r\n", unauth).error,
            "Protocol error: unauthenticated bulk length");
  EXPECT_EQ(FeedAll("*1\r\n$536870913\r\n", unauth).error, kInvalidBulk);
  ExpectSplitInvariant("*2\r\n$4\r\nAUTH\r\n$16385\r\n", unauth);
  // Inline commands have no such count limit in Redis.
  EXPECT_EQ(FeedAll("a b c d e f g h i j k l\r\n", unauth).commands[0].size(),
            12u);
  // Limits can change on the fly (after AUTH).
  RespParser p(unauth);
  ASSERT_EQ(p.Parse("*11\r\n"), RespParser::Status::kError);
  p.Reset();
  p.set_limits(ParserLimits{});
  EXPECT_EQ(p.Parse("*11\r\n"), RespParser::Status::kNeedMore);
}

TEST(RespParserTest, HeaderLineWithoutCrLimit) {
  // Redis errors once more than 64KB follow the line start with no CR.
  std::string count = "*" + std::string(65535, '1');
  EXPECT_EQ(FeedAll(count).error, "");
  EXPECT_EQ(FeedAll(count + "1").error,
            "Protocol error: too big mbulk count string");
  std::string bulk = "*1\r\n$" + std::string(65535, '1');
  EXPECT_EQ(FeedAll(bulk).error, "");
  EXPECT_EQ(FeedAll(bulk + "1").error,
            "Protocol error: too big bulk count string");
  // Later in a command the limit counts from the current header line.
  std::string later = "*2\r\n$1\r\na\r\n$" + std::string(65535, '1');
  EXPECT_EQ(FeedAll(later).error, "");
  EXPECT_EQ(FeedAll(later + "1").error,
            "Protocol error: too big bulk count string");
  // Once a CR is in, the line is judged as a number instead.
  EXPECT_EQ(FeedAll(count + "11\r").error, "");
  EXPECT_EQ(FeedAll(count + "11\r\n").error, kInvalidMbulk);
  // Fed in 16KB reads, as a server would read it.
  std::string big = count + std::string(20000, '1');
  EXPECT_EQ(Feed(big, Chunks(big.size(), 16 * 1024)).error,
            "Protocol error: too big mbulk count string");
}

TEST(RespParserTest, InlineLengthLimit) {
  std::string line(65536, 'x');
  EXPECT_EQ(FeedAll(line).error, "");
  EXPECT_EQ(FeedAll(line + "x").error,
            "Protocol error: too big inline request");
  // A longer line whose LF has already arrived is accepted, as in Redis.
  Outcome o = FeedAll(line + "xyz\r\n");
  EXPECT_EQ(o.error, "");
  ASSERT_EQ(o.commands.size(), 1u);
  EXPECT_EQ(o.commands[0][0].size(), 65539u);
  ParserLimits small;
  small.max_inline_len = 8;
  EXPECT_EQ(FeedAll("PING", small).error, "");
  EXPECT_EQ(FeedAll("PING  abcd", small).error,
            "Protocol error: too big inline request");
  ExpectSplitInvariant("PING\r\nECHO aaaaaaaaaaa", small);
}

}  // namespace
}  // namespace grabkv::protocol
