// Bitmap family in-process: what each write reports (events, dirty count)
// as Redis 7.0 does, the string encodings it leaves, and BITOP reading
// short sources that a lazy expiry during the same command could move.
// The replies themselves are compared with redis-server 7.0.15 by the
// differential cases (tests/integration/cases/bitmaps.txt).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/server/command_test_util.h"

namespace grabkv::server {
namespace {

class BitmapFamilyTest : public testing::FamilyTest {
 protected:
  using V = std::vector<std::string>;
  std::pair<V, uint64_t> Effects(std::string_view line) {
    const auto e = Observe(line);
    return {e.events, e.changes};
  }
  static std::pair<V, uint64_t> Is(V events, uint64_t changes) { return {std::move(events), changes}; }
};

TEST_F(BitmapFamilyTest, WritesReportOnlyWhatChanged) {
  EXPECT_EQ(Effects("setbit b 1 1"), Is({"setbit"}, 1));
  EXPECT_EQ(Effects("setbit b 1 1"), Is({}, 0));    // already set
  EXPECT_EQ(Effects("setbit b 6 0"), Is({}, 0));    // already clear, no growth
  EXPECT_EQ(Effects("setbit b 20 0"), Is({"setbit"}, 1));  // grows the string
  EXPECT_EQ(Effects("getbit b 1"), Is({}, 0));
  EXPECT_EQ(Effects("bitfield b set u8 0 1 incrby u8 0 1 get u8 0"), Is({"setbit"}, 2));
  EXPECT_EQ(Effects("bitfield b get u8 0"), Is({}, 0));
  EXPECT_EQ(Effects("bitfield b overflow fail set u8 0 300"), Is({}, 0));
  // Refused, but the key grew: recorded (a difference from Redis, which
  // would leave the AOF without the new bytes), still without an event.
  EXPECT_EQ(Effects("bitfield b overflow fail set u8 100 300"), Is({}, 1));
  EXPECT_EQ(Effects("bitfield nb overflow fail set u8 0 300"), Is({}, 1));
  EXPECT_EQ(Effects("bitfield b overflow fail set u8 0 300 set u8 0 3"), Is({"setbit"}, 1));
  EXPECT_EQ(Effects("bitfield_ro b get u8 0"), Is({}, 0));
  EXPECT_EQ(Effects("bitop not c b"), Is({"set"}, 1));
  EXPECT_EQ(Effects("bitop and c missing"), Is({"del"}, 1));
  EXPECT_EQ(Effects("bitop and c missing"), Is({}, 0));
  EXPECT_EQ(Effects("setbit l:x 1 x"), Is({}, 0));  // errors change nothing
  Cmd("lpush l a");
  EXPECT_EQ(Effects("setbit l 1 1"), Is({}, 0));
  EXPECT_EQ(Effects("bitfield l set u8 0 1"), Is({}, 0));
  EXPECT_EQ(Effects("bitop or l b"), Is({"set"}, 1));  // BITOP overwrites any type
}

TEST_F(BitmapFamilyTest, EncodingsAsRedis) {
  Cmd("set n 255");
  Cmd("getbit n 0");
  Cmd("bitfield n get u8 0");
  EXPECT_EQ(Encoding("n"), "$3\r\nint\r\n");   // reads leave an int alone
  Cmd("setbit n 1 1");
  EXPECT_EQ(Encoding("n"), "$3\r\nraw\r\n");
  EXPECT_EQ(Cmd("get n"), "$3\r\nr55\r\n");     // '2' | 0x40
  Cmd("setbit fresh 0 1");
  EXPECT_EQ(Encoding("fresh"), "$3\r\nraw\r\n");
  Cmd("bitop or dest fresh");
  EXPECT_EQ(Encoding("dest"), "$3\r\nraw\r\n");
}

TEST_F(BitmapFamilyTest, BitopSourcesSurviveLazyExpiryOfLaterKeys) {
  // Many short keys, half about to expire: looking up the expired sources
  // deletes them, which may shrink the table and move the short values
  // already read.
  std::string line = "bitop or dest";
  for (int i = 0; i < 64; ++i) {
    const std::string k = "k" + std::to_string(i);
    Cmd("set " + k + " " + std::string(1, static_cast<char>('a' + i % 26)));
    if (i % 2) Cmd("pexpire " + k + " 1");
    line += " " + k;
  }
  for (int i = 0; i < 200; ++i) Cmd("set filler" + std::to_string(i) + " x");
  for (int i = 0; i < 200; ++i) Cmd("del filler" + std::to_string(i));
  ::usleep(5000);
  EXPECT_EQ(Cmd(line), ":1\r\n");
  unsigned char want = 0;
  for (int i = 0; i < 64; i += 2) want |= static_cast<unsigned char>('a' + i % 26);
  EXPECT_EQ(Cmd("get dest"), "$1\r\n" + std::string(1, static_cast<char>(want)) + "\r\n");
}

}  // namespace
}  // namespace grabkv::server
