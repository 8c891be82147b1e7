// GRAB.* commands in-process: idempotency, outbox entries, counters and
// the double-average split.
#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "server/grab/grab_rng.h"
#include "server/grab/grab_state.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv {
namespace {

using namespace grabkv::testing::replies;

using testing::CommandRunner;

TEST(GrabPopTest, IssuesHeadOnceAndReplaysForTheSameUser) {
  CommandRunner r;
  r.Cmd("RPUSH stock c1 c2 c3");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u1"), Bulk("c1"));
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u1"), Bulk("c1"));  // retry: same item
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u2"), Bulk("c2"));
  EXPECT_EQ(r.Cmd("LRANGE stock 0 -1"), "*1\r\n$2\r\nc3\r\n");
  EXPECT_EQ(r.Cmd("HGET claims u1"), Bulk("c1"));
  EXPECT_EQ(r.Cmd("HLEN claims"), Int(2));
  EXPECT_EQ(GrabStatsOf(r.server()).issued, 2u);
  EXPECT_EQ(GrabStatsOf(r.server()).replayed, 1u);
}

// GRAB.* writes through the families' own operations: each key reports the
// event its plain command would (LPOP, HSET, RPUSH, HDEL, LPUSH, DECRBY,
// INCRBY), with one change each, and a retry or a sold-out call reports none.
class GrabEventsTest : public testing::FamilyTest {};

TEST_F(GrabEventsTest, WritesReportTheirPlainCommandsEvents) {
  auto events = [&](std::string_view line) {
    testing::Effects e = Observe(line);
    e.events.push_back(std::to_string(e.changes));  // the change count last
    return e.events;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(events("RPUSH stock c1 c2"), V({"rpush", "2"}));
  EXPECT_EQ(events("GRAB.POP stock claims u1 OUTBOX ob"), V({"lpop", "hset", "rpush", "3"}));
  EXPECT_EQ(events("GRAB.POP stock claims u1 OUTBOX ob"), V({"0"}));  // a retry
  EXPECT_EQ(events("GRAB.POP stock claims u2"), V({"lpop", "del", "hset", "2"}));
  EXPECT_EQ(events("GRAB.POP stock claims u3"), V({"0"}));  // sold out
  EXPECT_EQ(events("GRAB.UNDO stock claims u2"), V({"hdel", "lpush", "2"}));
  EXPECT_EQ(events("SET n 5"), V({"set", "1"}));
  EXPECT_EQ(events("GRAB.TAKE n taken u1 COUNT 2"), V({"incrby", "hset", "2"}));
  EXPECT_EQ(events("GRAB.UNTAKE n taken u1"), V({"hdel", "del", "incrby", "2"}));
  EXPECT_EQ(events("GRAB.SPLIT env 100 4"), V({"rpush", "4"}));
}

TEST(GrabPopTest, SoldOutIsNilAndEmptyStockKeyIsDeleted) {
  CommandRunner r;
  r.Cmd("RPUSH stock only");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims a"), Bulk("only"));
  EXPECT_EQ(r.Cmd("EXISTS stock"), Int(0));
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims b"), kNil);
  EXPECT_EQ(r.Cmd("GRAB.POP nostock claims c"), kNil);
  EXPECT_EQ(r.Cmd("HEXISTS claims b"), Int(0));
  // A holder still gets its item back after the stock is gone.
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims a"), Bulk("only"));
}

TEST(GrabPopTest, WrongTypeChangesNothing) {
  CommandRunner r;
  r.Cmd("RPUSH stock a");
  r.Cmd("SET claims x");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u"),
            kWrongType);
  r.Cmd("DEL claims");
  r.Cmd("SET out x");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u OUTBOX out"),
            kWrongType);
  EXPECT_EQ(r.Cmd("LLEN stock"), Int(1));
  EXPECT_EQ(r.Cmd("EXISTS claims"), Int(0));
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u BADOPT"), kSyntax);
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims"),
            Arity("grab.pop"));
}

TEST(GrabPopTest, OutboxGetsOneJsonEntryPerStateChange) {
  CommandRunner r;
  r.Run({"RPUSH", "rp:9", "8\"8"});
  r.Cmd("GRAB.POP rp:9 claims u42 OUTBOX out");
  r.Cmd("GRAB.POP rp:9 claims u42 OUTBOX out");  // replay: no entry
  EXPECT_EQ(r.Cmd("LLEN out"), Int(1));
  std::string entry = r.Cmd("LINDEX out 0");
  EXPECT_NE(entry.find("{\"op\":\"pop\",\"stock\":\"rp:9\",\"user\":\"u42\",\"item\":\"8\\\"8\",\"ms\":"),
            std::string::npos)
      << entry;
  r.Cmd("GRAB.UNDO rp:9 claims u42 OUTBOX out");
  EXPECT_EQ(r.Cmd("LLEN out"), Int(2));
  EXPECT_NE(r.Cmd("LINDEX out 1").find("\"op\":\"undo\""), std::string::npos);
}

// The outbox is a list: naming the claims hash or the counter (even before
// the command would create them) is a type clash, not a corrupted key.
TEST(GrabTest, OutboxCannotBeTheClaimsOrTheCounter) {
  CommandRunner r;
  const std::string wrong =
      kWrongType;
  r.Cmd("RPUSH stock a b");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u OUTBOX claims"), wrong);
  EXPECT_EQ(r.Cmd("LLEN stock"), Int(2));
  EXPECT_EQ(r.Cmd("EXISTS claims"), Int(0));
  r.Cmd("SET cnt 5");
  EXPECT_EQ(r.Cmd("GRAB.TAKE cnt tk u OUTBOX tk"), wrong);
  EXPECT_EQ(r.Cmd("EXISTS tk"), Int(0));
  r.Cmd("HSET tk u 3");
  EXPECT_EQ(r.Cmd("GRAB.UNTAKE nocnt tk u OUTBOX nocnt"), wrong);
  EXPECT_EQ(r.Cmd("EXISTS nocnt"), Int(0));
  EXPECT_EQ(r.Cmd("GRAB.UNTAKE nocnt tk u OUTBOX ob"), Int(3));
  // The stock itself may be the outbox: both are lists.
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u OUTBOX stock"), Bulk("a"));
  EXPECT_EQ(r.Cmd("LLEN stock"), Int(2));
}

TEST(GrabUndoTest, PutsItemBackAtTheHead) {
  CommandRunner r;
  r.Cmd("RPUSH stock a b c");
  r.Cmd("GRAB.POP stock claims u1");
  r.Cmd("GRAB.POP stock claims u2");
  EXPECT_EQ(r.Cmd("GRAB.UNDO stock claims u1"), Bulk("a"));
  EXPECT_EQ(r.Cmd("GRAB.UNDO stock claims u1"), kNil);
  EXPECT_EQ(r.Cmd("LRANGE stock 0 -1"), "*2\r\n$1\r\na\r\n$1\r\nc\r\n");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u3"), Bulk("a"));  // issued next
  EXPECT_EQ(r.Cmd("GRAB.UNDO stock nosuch u1"), kNil);
}

TEST(GrabTakeTest, CountsDownAndNeverBelowZero) {
  CommandRunner r;
  r.Cmd("SET count 3");
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u1"), Int(1));
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u1"), Int(1));  // replay
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u2 COUNT 3"), Int(0));  // only 2 left
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u2 COUNT 2"), Int(2));
  EXPECT_EQ(r.Cmd("GET count"), Bulk("0"));
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u3"), Int(0));
  EXPECT_EQ(r.Cmd("GRAB.TAKE missing claims u3"), Int(0));
  EXPECT_EQ(r.Cmd("GRAB.UNTAKE count claims u2"), Int(2));
  EXPECT_EQ(r.Cmd("GRAB.UNTAKE count claims u2"), Int(0));
  EXPECT_EQ(r.Cmd("GET count"), Bulk("2"));
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u4 COUNT 0"), Err("ERR COUNT must be a positive integer"));
  r.Cmd("SET bad abc");
  EXPECT_EQ(r.Cmd("GRAB.TAKE bad claims u"), kNotInt);
}

TEST(GrabTakeTest, RetryOnAClaimThatIsNotUnitsIsAnError) {
  CommandRunner r;
  r.Cmd("RPUSH stock C-1");
  r.Cmd("SET count 5");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims u"), Bulk("C-1"));
  // The same claims hash used by GRAB.TAKE: u's claim is an item, not units.
  EXPECT_EQ(r.Cmd("GRAB.TAKE count claims u"), Err("ERR claim is not a number of units taken"));
  EXPECT_EQ(r.Cmd("GET count"), Bulk("5"));
  EXPECT_EQ(r.Cmd("INFO grab").find("replayed:1"), std::string::npos);
}

// Cluster clients and proxies route by COMMAND GETKEYS: the OUTBOX key is a
// key like the others.
TEST(GrabKeysTest, GetKeysIncludesTheOutbox) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("COMMAND GETKEYS GRAB.POP s c u OUTBOX o"),
            "*3\r\n$1\r\ns\r\n$1\r\nc\r\n$1\r\no\r\n");
  EXPECT_EQ(r.Cmd("COMMAND GETKEYS GRAB.POP s c u"), "*2\r\n$1\r\ns\r\n$1\r\nc\r\n");
  EXPECT_EQ(r.Cmd("COMMAND GETKEYS GRAB.TAKE n c u COUNT 2 outbox o"),
            "*3\r\n$1\r\nn\r\n$1\r\nc\r\n$1\r\no\r\n");
  EXPECT_EQ(r.Cmd("COMMAND GETKEYS GRAB.UNDO s c u OUTBOX o"),
            "*3\r\n$1\r\ns\r\n$1\r\nc\r\n$1\r\no\r\n");
  EXPECT_EQ(r.Cmd("COMMAND GETKEYS GRAB.UNTAKE n c u OUTBOX o"),
            "*3\r\n$1\r\nn\r\n$1\r\nc\r\n$1\r\no\r\n");
}

TEST(GrabTakeTest, KeepsCounterTtl) {
  CommandRunner r;
  r.Cmd("SET count 5 EX 100");
  r.Cmd("GRAB.TAKE count claims u");
  EXPECT_EQ(r.Cmd("GET count"), Bulk("4"));
  // The key still exists with its expiry: TTL is a positive number of
  // seconds (not -1 = no TTL, not -2 = gone).
  std::string ttl = r.Cmd("TTL count");
  ASSERT_EQ(ttl.front(), ':');
  const long seconds = std::stol(ttl.substr(1));
  EXPECT_GT(seconds, 0);
  EXPECT_LE(seconds, 100);
}

TEST(GrabSplitTest, CreatesListOnceAndRefusesBadArguments) {
  CommandRunner r;
  std::string out = r.Cmd("GRAB.SPLIT env 1000 10 SEED 7");
  EXPECT_EQ(out.substr(0, 5), "*10\r\n");
  EXPECT_EQ(r.Cmd("LLEN env"), Int(10));
  EXPECT_EQ(r.Cmd("GRAB.SPLIT env 1000 10 SEED 7"), Err("ERR stock key already exists"));
  EXPECT_EQ(r.Cmd("GRAB.SPLIT e2 5 10"), Err("ERR total is less than count * MIN"));
  EXPECT_EQ(r.Cmd("GRAB.SPLIT e2 50 10 MIN 6"), Err("ERR total is less than count * MIN"));
  EXPECT_EQ(r.Cmd("GRAB.SPLIT e2 50 0"), Err("ERR count must be between 1 and 1000000"));
  EXPECT_EQ(r.Cmd("GRAB.SPLIT e2 5000000 1000001"), Err("ERR count must be between 1 and 1000000"));
  EXPECT_EQ(r.Cmd("GRAB.SPLIT e2 x 10"), kNotInt);
  // Same seed, same shares.
  EXPECT_EQ(r.Cmd("GRAB.SPLIT e3 1000 10 SEED 7"), out);
}

TEST(GrabSplitTest, PropertyOverManySeedsAndSizes) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    int64_t count = 1 + static_cast<int64_t>(seed % 97);
    int64_t min = 1 + static_cast<int64_t>(seed % 5);
    int64_t total = count * min + static_cast<int64_t>((seed * 7919) % 100000);
    auto shares = server::SplitDoubleAverage(total, count, min, seed);
    ASSERT_EQ(static_cast<int64_t>(shares.size()), count);
    EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), int64_t{0}), total);
    int64_t remaining = total;
    for (size_t i = 0; i < shares.size(); ++i) {
      EXPECT_GE(shares[i], min) << "seed " << seed;
      int64_t left = count - static_cast<int64_t>(i);
      if (left > 1) {
        int64_t hi = std::max(min, std::min(2 * remaining / left - 1, remaining - min * (left - 1)));
        EXPECT_LE(shares[i], hi) << "seed " << seed << " share " << i;
      }
      remaining -= shares[i];
    }
    EXPECT_EQ(shares, server::SplitDoubleAverage(total, count, min, seed));
  }
}

TEST(GrabTest, WorksInsideMultiAndIsSeenByWatch) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("RPUSH stock a b");
  r.Cmd("WATCH stock");
  r.RunOn(other, {"GRAB.POP", "stock", "claims", "x"});
  r.Cmd("MULTI");
  EXPECT_EQ(r.Cmd("GRAB.POP stock claims y"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("EXEC"), kNilArray);
  r.Cmd("MULTI");
  r.Cmd("GRAB.POP stock claims y");
  EXPECT_EQ(r.Cmd("EXEC"), "*1\r\n$1\r\nb\r\n");
}

}  // namespace
}  // namespace grabkv
