// Hostile counts that the differential test cannot compare because Redis
// 7.0 never answers them: RAND commands with a negative count whose reply
// must exceed proto-max-bulk-len are refused (RandCountTooLarge in
// server/util.h), at once, and GRAB.SPLIT (grabkv's own) at extreme values.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "server/core/config.h"
#include "tests/server/command_test_util.h"

namespace grabkv::server {
namespace {

using grabkv::testing::CommandRunner;

constexpr const char* kTooLarge =
    "-ERR count is too large: the reply would exceed proto-max-bulk-len\r\n";

Config SmallBulk() {
  Config c;
  c.proto_max_bulk_len = 1048576;
  return c;
}

// "*N\r\n" of a reply.
std::string Header(const std::string& reply) { return reply.substr(0, reply.find("\r\n")); }

TEST(RandCountTest, HugeNegativeCountsAreRefusedAtOnce) {
  CommandRunner r;
  r.Cmd("SADD st a b c");
  r.Cmd("ZADD z 1 a 2 b");
  r.Cmd("HSET h f v");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(r.Cmd("SRANDMEMBER st -9223372036854775807"), kTooLarge);
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -9223372036854775807"), kTooLarge);
  EXPECT_EQ(r.Cmd("HRANDFIELD h -9223372036854775807"), kTooLarge);
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -4611686018427387903 WITHSCORES"), kTooLarge);
  EXPECT_EQ(r.Cmd("HRANDFIELD h -4611686018427387903 WITHVALUES"), kTooLarge);
  EXPECT_EQ(r.Cmd("SRANDMEMBER st -4294967296"), kTooLarge);
  EXPECT_EQ(r.Cmd("SRANDMEMBER st -2147483648"), kTooLarge);
  // Just past the default bound: 512MB / 6 bytes, 512MB / 12 per pair.
  EXPECT_EQ(r.Cmd("SRANDMEMBER st -89478486"), kTooLarge);
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -89478486"), kTooLarge);
  EXPECT_EQ(r.Cmd("HRANDFIELD h -44739243 WITHVALUES"), kTooLarge);
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -44739243 WITHSCORES"), kTooLarge);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  // Redis's own range errors still come first, byte for byte.
  EXPECT_EQ(r.Cmd("SRANDMEMBER st -9223372036854775808"),
            "-ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807\r\n");
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -9223372036854775807 WITHSCORES"),
            "-ERR value is out of range\r\n");
  // A missing key is an empty array whatever the count, as in Redis.
  EXPECT_EQ(r.Cmd("SRANDMEMBER nokey -9223372036854775807"), "*0\r\n");
  EXPECT_EQ(r.Cmd("HRANDFIELD nokey -9223372036854775807"), "*0\r\n");
  EXPECT_EQ(r.Cmd("HRANDFIELD nokey -4611686018427387903 WITHVALUES"), "*0\r\n");
  // Positive counts are bounded by the key's size: unchanged.
  EXPECT_EQ(Header(r.Cmd("SRANDMEMBER st 9223372036854775807")), "*3");
  EXPECT_EQ(Header(r.Cmd("HRANDFIELD h 4611686018427387903 WITHVALUES")), "*2");
}

TEST(RandCountTest, BoundFollowsProtoMaxBulkLen) {
  CommandRunner r(SmallBulk());
  r.Cmd("SADD st a");
  r.Cmd("ZADD z 1 a");
  r.Cmd("HSET h f v");
  // 1048576 / 6 = 174762 bulks; / 12 = 87381 pairs.
  EXPECT_EQ(Header(r.Cmd("SRANDMEMBER st -174762")), "*174762");
  EXPECT_EQ(r.Cmd("SRANDMEMBER st -174763"), kTooLarge);
  EXPECT_EQ(Header(r.Cmd("ZRANDMEMBER z -174762")), "*174762");
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -174763"), kTooLarge);
  EXPECT_EQ(Header(r.Cmd("HRANDFIELD h -87381 WITHVALUES")), "*174762");
  EXPECT_EQ(r.Cmd("HRANDFIELD h -87382 WITHVALUES"), kTooLarge);
  EXPECT_EQ(Header(r.Cmd("ZRANDMEMBER z -87381 WITHSCORES")), "*174762");
  EXPECT_EQ(r.Cmd("ZRANDMEMBER z -87382 WITHSCORES"), kTooLarge);
  // CONFIG SET moves the bound.
  EXPECT_EQ(r.Cmd("CONFIG SET proto-max-bulk-len 2097152"), "+OK\r\n");
  EXPECT_EQ(Header(r.Cmd("SRANDMEMBER st -174763")), "*174763");
}

TEST(RandCountTest, GrabSplitExtremes) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("GRAB.SPLIT k 100 9223372036854775807"),
            "-ERR count must be between 1 and 1000000\r\n");
  EXPECT_EQ(r.Cmd("GRAB.SPLIT k 100 -9223372036854775808"),
            "-ERR count must be between 1 and 1000000\r\n");
  EXPECT_EQ(r.Cmd("GRAB.SPLIT k 100 0"), "-ERR count must be between 1 and 1000000\r\n");
  EXPECT_EQ(r.Cmd("GRAB.SPLIT k -9223372036854775808 1"),
            "-ERR total is less than count * MIN\r\n");
  EXPECT_EQ(r.Cmd("GRAB.SPLIT k 9223372036854775807 2 MIN 9223372036854775807"),
            "-ERR total is less than count * MIN\r\n");
  EXPECT_EQ(r.Cmd("GRAB.SPLIT k 100 1 MIN -9223372036854775808"),
            "-ERR MIN must be a positive integer\r\n");
  // The largest total splits into shares that add up exactly.
  const std::string rep = r.Cmd("GRAB.SPLIT k 9223372036854775807 3 SEED 1");
  ASSERT_EQ(Header(rep), "*3") << rep;
  unsigned __int128 sum = 0;
  size_t pos = 0;
  while ((pos = rep.find(':', pos)) != std::string::npos) {
    const long long v = std::stoll(rep.substr(pos + 1));
    EXPECT_GE(v, 1);
    sum += static_cast<unsigned __int128>(v);
    ++pos;
  }
  EXPECT_TRUE(sum == static_cast<unsigned __int128>(9223372036854775807LL));
}

}  // namespace
}  // namespace grabkv::server
