// DUMP / RESTORE in-process: round trips of every type through the command
// pair, what a RESTORE reports (events, dirty), and that a refused payload
// changes nothing. Exact error texts and Redis's own payloads are in
// tests/integration/cases/dump_restore.txt.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/resp_parser.h"
#include "tests/server/command_test_util.h"

namespace grabkv::testing {
namespace {

class DumpTest : public FamilyTest {
 protected:
  // DUMP's payload (the bulk string's bytes).
  std::string Dump(std::string_view key) {
    std::string r = Cmd("DUMP " + std::string(key));
    size_t crlf = r.find("\r\n");
    EXPECT_EQ(r[0], '$');
    return r.substr(crlf + 2, r.size() - crlf - 4);
  }
};

TEST_F(DumpTest, EveryTypeRoundTrips) {
  Cmd("SET s hello");
  Cmd("SET i 123456789012");
  Cmd("RPUSH l a b 3 " + std::string(100, 'x'));
  Cmd("HSET h f v g 2");
  Cmd("SADD si 1 2 3");
  Cmd("SADD ss a b");
  Cmd("ZADD z 1 a 2.5 b");
  for (const char* key : {"s", "i", "l", "h", "si", "ss", "z"}) {
    const std::string p = Dump(key);
    const std::string copy = std::string(key) + "2";
    EXPECT_EQ(Run({"RESTORE", copy, "0", p}), "+OK\r\n") << key;
    // A hash-table set has no order of its own (its iteration order follows
    // the per-process hash seed and the insertion order within a bucket):
    // its members are compared below instead of its bytes.
    if (std::string_view(key) != "ss") EXPECT_EQ(Dump(copy), p) << key;
    EXPECT_EQ(Encoding(copy), Encoding(key)) << key;
  }
  EXPECT_EQ(Cmd("LRANGE l2 0 -1"), Cmd("LRANGE l 0 -1"));
  EXPECT_EQ(Cmd("ZRANGE z2 0 -1 WITHSCORES"), Cmd("ZRANGE z 0 -1 WITHSCORES"));
  EXPECT_EQ(Cmd("SCARD ss2"), ":2\r\n");
  EXPECT_EQ(Cmd("SMISMEMBER ss2 a b"), "*2\r\n:1\r\n:1\r\n");
  EXPECT_EQ(Cmd("DUMP nokey"), "$-1\r\n");
}

TEST_F(DumpTest, RestoreReportsOneChange) {
  Cmd("SET s hello");
  const std::string p = Dump("s");
  const size_t from = observer_.events.size();
  EXPECT_EQ(Run({"RESTORE", "t", "0", p}), "+OK\r\n");
  EXPECT_EQ(std::vector<std::string>(observer_.events.begin() + from, observer_.events.end()),
            (std::vector<std::string>{"restore"}));
  // REPLACE of an existing key: one "restore", one change.
  const uint64_t d0 = dirty();
  EXPECT_EQ(Run({"RESTORE", "t", "0", p, "REPLACE"}), "+OK\r\n");
  EXPECT_EQ(dirty() - d0, 1u);
  EXPECT_EQ(observer_.events.back(), "restore");
}

TEST_F(DumpTest, RefusedPayloadsChangeNothing) {
  Cmd("HSET h f v");
  std::string p = Dump("h");
  Cmd("SET t old");
  const uint64_t d0 = dirty();
  std::string bad = p;
  bad[3] ^= 1;  // body byte: the checksum no longer matches
  EXPECT_EQ(Run({"RESTORE", "t", "0", bad, "REPLACE"}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(Run({"RESTORE", "t", "0", p.substr(0, 5), "REPLACE"}),
            "-ERR DUMP payload version or checksum are wrong\r\n");
  EXPECT_EQ(Cmd("GET t"), "$3\r\nold\r\n");
  EXPECT_EQ(dirty(), d0);
}

}  // namespace
}  // namespace grabkv::testing
