// Sorted-set family in process: exact RESP2/RESP3 bytes of normal and error
// replies (taken from redis-server 7.0.15), encodings, notifications and
// the dirty counter, and the blocking pops.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"
#include "storage/db.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;

// What one command reported: its events in order and its changes (dirty).
struct Seen {
  std::vector<std::string> events;
  uint64_t changes;
  bool operator==(const Seen&) const = default;
};
void PrintTo(const Seen& s, std::ostream* os) {
  *os << "{";
  for (const auto& e : s.events) *os << e << " ";
  *os << "changes=" << s.changes << "}";
}

class ZSetFamilyTest : public testing::FamilyTest {};

TEST_F(ZSetFamilyTest, AddAndRead) {
  EXPECT_EQ(Cmd("ZADD z 1 a 2 b 3 c"), Int(3));
  EXPECT_EQ(Cmd("ZADD z 1 a 5 b"), Int(0));
  EXPECT_EQ(Cmd("ZADD z CH 1 a 6 b 0.5 d"), Int(2));
  EXPECT_EQ(Cmd("ZCARD z"), Int(4));
  EXPECT_EQ(Cmd("ZSCORE z b"), Bulk("6"));
  EXPECT_EQ(Cmd("ZSCORE z d"), Bulk("0.5"));
  EXPECT_EQ(Cmd("ZSCORE z x"), kNil);
  EXPECT_EQ(Cmd("ZMSCORE z a x d"), Arr({Bulk("1"), kNil, Bulk("0.5")}));
  EXPECT_EQ(Cmd("ZRANGE z 0 -1 WITHSCORES"),
            Bulks({"d", "0.5", "a", "1", "c", "3", "b", "6"}));
  EXPECT_EQ(Cmd("ZRANK z c"), Int(2));
  EXPECT_EQ(Cmd("ZREVRANK z c"), Int(1));
  EXPECT_EQ(Cmd("ZRANK z x"), kNil);
  EXPECT_EQ(Cmd("OBJECT ENCODING z"), Bulk("listpack"));
  EXPECT_EQ(Cmd("TYPE z"), "+zset\r\n");
  EXPECT_EQ(Cmd("ZADD z 0.1 e 1e20 f"), Int(2));
  EXPECT_EQ(Cmd("ZSCORE z e"), Bulk("0.10000000000000001"));
  EXPECT_EQ(Cmd("ZSCORE z f"), Bulk("1e+20"));
}

TEST_F(ZSetFamilyTest, AddOptionErrors) {
  EXPECT_EQ(Cmd("ZADD z NX XX 1 a"),
            Err("ERR XX and NX options at the same time are not compatible"));
  EXPECT_EQ(Cmd("ZADD z GT LT 1 a"),
            Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(Cmd("ZADD z NX GT 1 a"),
            Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(Cmd("ZADD z INCR 1 a 2 b"),
            Err("ERR INCR option supports a single increment-element pair"));
  EXPECT_EQ(Cmd("ZADD z 1 a 2"), kSyntax);
  EXPECT_EQ(Cmd("ZADD z NX"), Err("ERR wrong number of arguments for 'zadd' command"));
  EXPECT_EQ(Cmd("ZADD z x a"), kNotFloat);
  EXPECT_EQ(Cmd("ZADD z nan a"), kNotFloat);
  EXPECT_FALSE(Exists("z"));
  Cmd("SET s v");
  // Scores are checked before the key's type.
  EXPECT_EQ(Cmd("ZADD s x a"), kNotFloat);
  EXPECT_EQ(Cmd("ZADD s 1 a"), kWrongType);
}

TEST_F(ZSetFamilyTest, AddConditionsAndIncr) {
  EXPECT_EQ(Cmd("ZADD z XX 1 a"), Int(0));
  EXPECT_EQ(Cmd("ZADD z XX INCR 1 a"), kNil);
  EXPECT_FALSE(Exists("z"));
  EXPECT_EQ(Cmd("ZADD z INCR 2 a"), Bulk("2"));
  EXPECT_EQ(Cmd("ZINCRBY z 0.5 a"), Bulk("2.5"));
  EXPECT_EQ(Cmd("ZADD z NX INCR 1 a"), kNil);
  EXPECT_EQ(Cmd("ZADD z GT INCR -1 a"), kNil);
  EXPECT_EQ(Cmd("ZADD z LT CH 1 a"), Int(1));
  EXPECT_EQ(Cmd("ZADD z GT 5 b"), Int(1));  // new members are added anyway
  EXPECT_EQ(Cmd("ZADD z +inf c"), Int(1));
  EXPECT_EQ(Cmd("ZINCRBY z -inf c"), Err("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(Cmd("ZINCRBY z x c"), kNotFloat);
  EXPECT_EQ(Cmd("ZSCORE z c"), Bulk("inf"));
  Resp3();
  EXPECT_EQ(Cmd("ZINCRBY z 1 a"), Dbl("2"));
  EXPECT_EQ(Cmd("ZSCORE z c"), Dbl("inf"));
  EXPECT_EQ(Cmd("ZSCORE z x"), "_\r\n");
}

TEST_F(ZSetFamilyTest, RemoveDeletesEmptyKey) {
  Cmd("ZADD z 1 a 2 b");
  const uint64_t before = dirty();
  const int touched = observer_.touched;
  EXPECT_EQ(Cmd("ZREM z a x"), Int(1));
  EXPECT_EQ(dirty(), before + 1);
  EXPECT_EQ(observer_.touched, touched + 1);
  EXPECT_EQ(Cmd("ZREM z b b"), Int(1));
  EXPECT_EQ(observer_.touched, touched + 2);  // the delete reports once
  EXPECT_FALSE(Exists("z"));
  EXPECT_EQ(Cmd("ZREM z a"), Int(0));
  EXPECT_EQ(observer_.touched, touched + 2);
}

// Event names, their order and the dirty increments as redis-server 7.0.15
// reports them (notify-keyspace-events KEA, __keyevent@*; INFO persistence
// rdb_changes_since_last_save before and after each command).
TEST_F(ZSetFamilyTest, WritesReportRedisEventNames) {
  auto seen = [&](std::string_view line) {
    const uint64_t changes = observer_.changes;
    const auto e = Observe(line);
    Seen s{e.events, observer_.changes - changes};
    EXPECT_EQ(e.changes, s.changes) << line;  // counted once
    return s;
  };
  EXPECT_EQ(seen("ZADD z 1 a 2 b"), (Seen{{"zadd"}, 2}));
  EXPECT_EQ(seen("ZADD z XX 1 a"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZADD z NX 1 a"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZADD z CH 5 a"), (Seen{{"zadd"}, 1}));
  EXPECT_EQ(seen("ZADD z XX 1 zz"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZADD nz XX 1 a"), (Seen{{}, 0}));
  EXPECT_FALSE(Exists("nz"));
  EXPECT_EQ(seen("ZADD z INCR 1 a"), (Seen{{"zincr"}, 1}));
  EXPECT_EQ(seen("ZINCRBY z 2 b"), (Seen{{"zincr"}, 1}));
  EXPECT_EQ(seen("ZADD z INCR 1 a NX"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZADD z CH 2 a 3 b 4 c"), (Seen{{"zadd"}, 3}));
  EXPECT_EQ(seen("ZADD z GT CH 1 a 5 b"), (Seen{{"zadd"}, 1}));
  EXPECT_EQ(seen("ZADD z INCR -inf a"), (Seen{{"zincr"}, 1}));
  EXPECT_EQ(seen("ZADD z INCR +inf a"), (Seen{{}, 0}));  // NaN: an error
  EXPECT_EQ(seen("ZINCRBY newk 5 m"), (Seen{{"zincr"}, 1}));
  EXPECT_EQ(seen("ZREM z nope"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZREM z a"), (Seen{{"zrem"}, 1}));
  EXPECT_EQ(seen("ZREM z b c d"), (Seen{{"zrem", "del"}, 2}));
  EXPECT_FALSE(Exists("z"));
  EXPECT_EQ(seen("ZREM z a"), (Seen{{}, 0}));

  Cmd("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(seen("ZREMRANGEBYSCORE z 10 20"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZREMRANGEBYSCORE z 1 1"), (Seen{{"zremrangebyscore"}, 1}));
  EXPECT_EQ(seen("ZREMRANGEBYRANK z 0 0"), (Seen{{"zremrangebyrank"}, 1}));
  EXPECT_EQ(seen("ZREMRANGEBYLEX z - +"), (Seen{{"zremrangebylex", "del"}, 1}));
  EXPECT_EQ(seen("ZREMRANGEBYSCORE nokey 0 1"), (Seen{{}, 0}));
  Cmd("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(seen("ZREMRANGEBYRANK z 0 -1"), (Seen{{"zremrangebyrank", "del"}, 3}));

  Cmd("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(seen("ZPOPMIN z"), (Seen{{"zpopmin"}, 1}));
  EXPECT_EQ(seen("ZPOPMAX z 0"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZPOPMAX z 5"), (Seen{{"zpopmax", "del"}, 2}));
  EXPECT_EQ(seen("ZPOPMIN missing"), (Seen{{}, 0}));
  Cmd("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(seen("ZMPOP 1 z MIN COUNT 2"), (Seen{{"zpopmin"}, 2}));
  EXPECT_EQ(seen("ZMPOP 2 missing z MAX COUNT 2"), (Seen{{"zpopmax", "del"}, 1}));
  Cmd("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(seen("BZPOPMIN z 0"), (Seen{{"zpopmin"}, 1}));
  EXPECT_EQ(seen("BZPOPMAX z 0"), (Seen{{"zpopmax"}, 1}));
  EXPECT_EQ(seen("BZMPOP 0 1 z MIN COUNT 5"), (Seen{{"zpopmin", "del"}, 1}));

  // A parked client served by the write that woke it: the push, then the pop.
  Client& b = runner_.AddClient();
  EXPECT_EQ(On(b, "BZPOPMIN bz 0"), "");
  EXPECT_EQ(seen("ZADD bz 1 a 2 b"), (Seen{{"zadd", "zpopmin"}, 3}));
  EXPECT_EQ(On(b, "BZMPOP 0 1 bz2 MAX COUNT 3"), "");
  EXPECT_EQ(seen("ZADD bz2 1 a 2 b"), (Seen{{"zadd", "zpopmax", "del"}, 4}));
  EXPECT_FALSE(Exists("bz2"));

  Cmd("ZADD a 1 x 2 y 3 z");
  Cmd("ZADD b 2 y 4 w");
  Cmd("SADD s y q");
  EXPECT_EQ(seen("ZUNIONSTORE d 2 a b"), (Seen{{"zunionstore"}, 1}));
  EXPECT_EQ(seen("ZUNIONSTORE d 2 a s"), (Seen{{"zunionstore"}, 1}));
  EXPECT_EQ(seen("ZINTERSTORE d 2 a b"), (Seen{{"zinterstore"}, 1}));
  EXPECT_EQ(seen("ZINTERSTORE d 2 a missing"), (Seen{{"del"}, 1}));
  EXPECT_EQ(seen("ZINTERSTORE d 2 a missing"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZDIFFSTORE d 2 a b"), (Seen{{"zdiffstore"}, 1}));
  EXPECT_EQ(seen("ZDIFFSTORE d 2 a a"), (Seen{{"del"}, 1}));
  EXPECT_EQ(seen("ZRANGESTORE d a 0 1"), (Seen{{"zrangestore"}, 1}));
  EXPECT_EQ(seen("ZRANGESTORE d a 5 10"), (Seen{{"del"}, 1}));
  EXPECT_EQ(seen("ZRANGESTORE d a 5 10"), (Seen{{}, 0}));
  Cmd("SET str v");
  EXPECT_EQ(seen("ZUNIONSTORE str 1 a"), (Seen{{"zunionstore"}, 1}));
  Cmd("SET str v");
  EXPECT_EQ(seen("ZRANGESTORE str a 0 0"), (Seen{{"zrangestore"}, 1}));
  Cmd("SET str v");
  EXPECT_EQ(seen("ZINTERSTORE str 2 a missing"), (Seen{{"del"}, 1}));
  EXPECT_EQ(seen("ZUNIONSTORE a 2 a a"), (Seen{{"zunionstore"}, 1}));
  EXPECT_EQ(seen("ZRANGESTORE a a 0 -1"), (Seen{{"zrangestore"}, 1}));

  // Refused writes report nothing.
  Cmd("SET str v");
  EXPECT_EQ(seen("ZADD str 1 a"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZREM str a"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZPOPMIN str"), (Seen{{}, 0}));
  EXPECT_EQ(seen("ZREMRANGEBYRANK str 0 -1"), (Seen{{}, 0}));
}

TEST_F(ZSetFamilyTest, RangesAndErrors) {
  Cmd("ZADD z 1 a 2 b 3 c 4 d 5 e");
  EXPECT_EQ(Cmd("ZRANGE z 1 2"), Bulks({"b", "c"}));
  EXPECT_EQ(Cmd("ZRANGE z -2 -1 REV"), Bulks({"b", "a"}));
  EXPECT_EQ(Cmd("ZRANGE z (1 4 BYSCORE LIMIT 1 2"), Bulks({"c", "d"}));
  EXPECT_EQ(Cmd("ZRANGE z 4 (1 BYSCORE REV WITHSCORES"),
            Bulks({"d", "4", "c", "3", "b", "2"}));
  EXPECT_EQ(Cmd("ZRANGEBYSCORE z -inf +inf LIMIT -1 2"), kEmptyArray);
  EXPECT_EQ(Cmd("ZREVRANGEBYSCORE z 3 1 LIMIT 1 -1"), Bulks({"b", "a"}));
  EXPECT_EQ(Cmd("ZCOUNT z (1 3"), Int(2));
  EXPECT_EQ(Cmd("ZCOUNT z 3 1"), Int(0));
  EXPECT_EQ(Cmd("ZRANGE z 0 -1 LIMIT 0 1"),
            Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
                "BYLEX"));
  EXPECT_EQ(Cmd("ZRANGE z - + BYLEX WITHSCORES"),
            Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_EQ(Cmd("ZRANGE z x 1 BYSCORE"), Err("ERR min or max is not a float"));
  EXPECT_EQ(Cmd("ZRANGE z a b BYLEX"), Err("ERR min or max not valid string range item"));
  EXPECT_EQ(Cmd("ZRANGE z x 1"), kNotInt);
  EXPECT_EQ(Cmd("ZRANGE z 0 1 REV REV"), kSyntax);
  EXPECT_EQ(Cmd("ZRANGEBYSCORE z 0 1 REV"), kSyntax);
  EXPECT_EQ(Cmd("ZRANGE missing 0 -1"), kEmptyArray);
  Resp3();
  EXPECT_EQ(Cmd("ZRANGE z 0 1 WITHSCORES"),
            Arr({Arr({Bulk("a"), Dbl("1")}), Arr({Bulk("b"), Dbl("2")})}));
  EXPECT_EQ(Cmd("ZRANGE z 0 1"), Bulks({"a", "b"}));
}

TEST_F(ZSetFamilyTest, LexRanges) {
  Cmd("ZADD z 0 a 0 b 0 c 0 d");
  EXPECT_EQ(Cmd("ZRANGEBYLEX z [b +"), Bulks({"b", "c", "d"}));
  EXPECT_EQ(Cmd("ZREVRANGEBYLEX z (d - LIMIT 1 1"), Bulks({"b"}));
  EXPECT_EQ(Cmd("ZLEXCOUNT z - +"), Int(4));
  EXPECT_EQ(Cmd("ZLEXCOUNT z + -"), Int(0));
  EXPECT_EQ(Cmd("ZLEXCOUNT z b d"), Err("ERR min or max not valid string range item"));
  EXPECT_EQ(Cmd("ZREMRANGEBYLEX z [a (c"), Int(2));
  EXPECT_EQ(Cmd("ZRANGE z 0 -1"), Bulks({"c", "d"}));
}

TEST_F(ZSetFamilyTest, RangeStoreReplacesDestination) {
  Cmd("ZADD src 1 a 2 b 3 c");
  Cmd("SET dst x EX 100");
  EXPECT_EQ(Cmd("ZRANGESTORE dst src 0 1"), Int(2));
  EXPECT_EQ(Cmd("TTL dst"), Int(-1));
  EXPECT_EQ(Cmd("ZRANGE dst 0 -1 WITHSCORES"), Bulks({"a", "1", "b", "2"}));
  EXPECT_EQ(Cmd("ZRANGESTORE dst src 5 10"), Int(0));
  EXPECT_FALSE(Exists("dst"));
  EXPECT_EQ(Cmd("ZRANGESTORE dst src 0 -1 WITHSCORES"), kSyntax);
  EXPECT_EQ(Cmd("ZRANGESTORE src src 1 -1"), Int(2));
  EXPECT_EQ(Cmd("ZRANGE src 0 -1"), Bulks({"b", "c"}));
}

TEST_F(ZSetFamilyTest, RemoveRanges) {
  Cmd("ZADD z 1 a 2 b 3 c 4 d 5 e");
  EXPECT_EQ(Cmd("ZREMRANGEBYRANK z 0 0"), Int(1));
  EXPECT_EQ(Cmd("ZREMRANGEBYSCORE z (2 4"), Int(2));
  EXPECT_EQ(Cmd("ZRANGE z 0 -1"), Bulks({"b", "e"}));
  EXPECT_EQ(Cmd("ZREMRANGEBYSCORE z x 1"), Err("ERR min or max is not a float"));
  EXPECT_EQ(Cmd("ZREMRANGEBYRANK z 0 -1"), Int(2));
  EXPECT_FALSE(Exists("z"));
}

TEST_F(ZSetFamilyTest, PopShapes) {
  Cmd("ZADD z 1 a 2 b 3 c 4 d");
  EXPECT_EQ(Cmd("ZPOPMIN z"), Bulks({"a", "1"}));
  EXPECT_EQ(Cmd("ZPOPMAX z 2"), Bulks({"d", "4", "c", "3"}));
  EXPECT_EQ(Cmd("ZPOPMIN z 0"), kEmptyArray);
  EXPECT_EQ(Cmd("ZPOPMIN z -1"), Err("ERR value is out of range, must be positive"));
  EXPECT_EQ(Cmd("ZPOPMIN z 1 2"), kSyntax);
  Resp3();
  EXPECT_EQ(Cmd("ZPOPMIN z 1"), Arr({Arr({Bulk("b"), Dbl("2")})}));
  EXPECT_FALSE(Exists("z"));
  Cmd("ZADD z 1 a 2 b");
  EXPECT_EQ(Cmd("ZPOPMIN z"), Arr({Bulk("a"), Dbl("1")}));
  EXPECT_EQ(Cmd("ZMPOP 2 missing z MAX COUNT 3"),
            Arr({Bulk("z"), Arr({Arr({Bulk("b"), Dbl("2")})})}));
  EXPECT_EQ(Cmd("ZMPOP 1 z MIN"), "_\r\n");
}

TEST_F(ZSetFamilyTest, MPopErrors) {
  EXPECT_EQ(Cmd("ZMPOP 0 z MIN"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("ZMPOP 2 z MIN"), kSyntax);
  EXPECT_EQ(Cmd("ZMPOP 1 z foo"), kSyntax);
  EXPECT_EQ(Cmd("ZMPOP 1 z MIN COUNT 0"), Err("ERR count should be greater than 0"));
  EXPECT_EQ(Cmd("ZMPOP 1 z MIN COUNT 1 COUNT 1"), kSyntax);
  EXPECT_EQ(Cmd("ZMPOP 1 z MIN"), kNilArray);
  // BZMPOP checks numkeys before the timeout.
  EXPECT_EQ(Cmd("BZMPOP x 0 z MIN"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("BZMPOP x 1 z MIN"), Err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ZSetFamilyTest, BlockingPopServedByAdd) {
  Client& b = runner_.AddClient();
  Client& c = runner_.AddClient();
  EXPECT_EQ(On(b, "BZPOPMIN z 0"), "");
  EXPECT_EQ(On(c, "BZPOPMAX other z 0"), "");
  EXPECT_EQ(blocking().blocked_clients(), 2u);
  EXPECT_EQ(Cmd("ZADD z 1 a"), Int(1));
  EXPECT_EQ(b.out(), Bulks({"z", "a", "1"}));
  EXPECT_EQ(c.out(), "");
  EXPECT_FALSE(Exists("z"));
  EXPECT_EQ(Cmd("ZADD z 1 a 2 b"), Int(2));
  EXPECT_EQ(c.out(), Bulks({"z", "b", "2"}));
  EXPECT_EQ(Cmd("ZRANGE z 0 -1"), Bulks({"a"}));
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ZSetFamilyTest, BlockingMPopResp3) {
  Client& b = runner_.AddClient();
  b.set_resp(3);
  EXPECT_EQ(On(b, "BZMPOP 0 2 x y MIN COUNT 2"), "");
  Cmd("ZADD y 3 c 1 a 2 b");
  EXPECT_EQ(b.out(), Arr({Bulk("y"), Arr({Arr({Bulk("a"), Dbl("1")}),
                                          Arr({Bulk("b"), Dbl("2")})})}));
}

TEST_F(ZSetFamilyTest, BlockingPopKeepsWaitingOnOtherTypes) {
  Client& b = runner_.AddClient();
  EXPECT_EQ(On(b, "BZPOPMIN z 0"), "");
  Cmd("SET z v");
  EXPECT_EQ(b.out(), "");
  EXPECT_EQ(blocking().blocked_clients(), 1u);
  Cmd("DEL z");
  Cmd("ZADD z 7 m");
  EXPECT_EQ(b.out(), Bulks({"z", "m", "7"}));
}

TEST_F(ZSetFamilyTest, BlockingPopInMultiAndTimeouts) {
  Cmd("MULTI");
  EXPECT_EQ(Cmd("BZPOPMIN z 0"), "+QUEUED\r\n");
  EXPECT_EQ(Cmd("BZMPOP 0 1 z MAX"), "+QUEUED\r\n");
  EXPECT_EQ(Cmd("EXEC"), Arr({kNilArray, kNilArray}));
  EXPECT_EQ(Cmd("BZPOPMIN z x"), Err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(Cmd("BZPOPMIN z -1"), Err("ERR timeout is negative"));
  Client& b = runner_.AddClient();
  EXPECT_EQ(On(b, "BZPOPMIN z 0.01"), "");
  blocking().HandleTimeouts(ServerState::NowMs() + 1000);
  EXPECT_EQ(b.out(), kNilArray);
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ZSetFamilyTest, ClientUnblock) {
  Client& b = runner_.AddClient();
  Client& c = runner_.AddClient();
  EXPECT_EQ(On(b, "BZPOPMIN z 0"), "");
  EXPECT_EQ(On(c, "BZMPOP 0 1 z MIN"), "");
  EXPECT_TRUE(blocking().Unblock(b, /*with_error=*/false));
  EXPECT_EQ(b.out(), kNilArray);
  EXPECT_TRUE(blocking().Unblock(c, /*with_error=*/true));
  EXPECT_EQ(c.out(), Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ZSetFamilyTest, WatchedEnvelopeGrab) {
  Client& other = runner_.AddClient();
  Cmd("ZADD envelopes 1 e1 2 e2");
  EXPECT_EQ(Cmd("WATCH envelopes"), kOk);
  EXPECT_EQ(Cmd("ZCARD envelopes"), Int(2));
  On(other, "ZPOPMIN envelopes");
  Cmd("MULTI");
  Cmd("ZPOPMIN envelopes");
  EXPECT_EQ(Cmd("EXEC"), kNilArray);
  EXPECT_EQ(Cmd("WATCH envelopes"), kOk);
  Cmd("MULTI");
  Cmd("ZPOPMIN envelopes");
  EXPECT_EQ(Cmd("EXEC"), Arr({Bulks({"e2", "2"})}));
  EXPECT_FALSE(Exists("envelopes"));
}

TEST_F(ZSetFamilyTest, SetAlgebra) {
  Cmd("ZADD a 1 x 2 y 3 z");
  Cmd("ZADD b 10 y 20 z 30 w");
  EXPECT_EQ(Cmd("ZUNIONSTORE d 2 a b WEIGHTS 2 1 AGGREGATE MAX"), Int(4));
  EXPECT_EQ(Cmd("ZRANGE d 0 -1 WITHSCORES"),
            Bulks({"x", "2", "y", "10", "z", "20", "w", "30"}));
  EXPECT_EQ(Cmd("ZINTER 2 a b WITHSCORES"), Bulks({"y", "12", "z", "23"}));
  EXPECT_EQ(Cmd("ZDIFF 2 a b"), Bulks({"x"}));
  EXPECT_EQ(Cmd("ZINTERCARD 2 a b LIMIT 1"), Int(1));
  EXPECT_EQ(Cmd("ZINTERSTORE d 2 a missing"), Int(0));
  EXPECT_FALSE(Exists("d"));
  EXPECT_EQ(Cmd("ZUNIONSTORE d 0 a"),
            Err("ERR at least 1 input key is needed for 'zunionstore' command"));
  EXPECT_EQ(Cmd("ZUNIONSTORE d 1 a WEIGHTS x"), Err("ERR weight value is not a float"));
  EXPECT_EQ(Cmd("ZUNIONSTORE d 1 a WITHSCORES"), kSyntax);
  EXPECT_EQ(Cmd("ZINTERCARD 1 a LIMIT -1"), Err("ERR LIMIT can't be negative"));
  Cmd("SET s v");
  EXPECT_EQ(Cmd("ZUNION 2 s a WEIGHTS x"), kWrongType);
}

TEST_F(ZSetFamilyTest, RandMember) {
  Cmd("ZADD z 1 a 2 b 3 c");
  EXPECT_EQ(Cmd("ZRANDMEMBER missing"), kNil);
  EXPECT_EQ(Cmd("ZRANDMEMBER z 0"), kEmptyArray);
  // At least the whole set: all of it, from the highest score down.
  EXPECT_EQ(Cmd("ZRANDMEMBER z 5 WITHSCORES"), Bulks({"c", "3", "b", "2", "a", "1"}));
  EXPECT_EQ(Cmd("ZRANDMEMBER z x"), kNotInt);
  EXPECT_EQ(Cmd("ZRANDMEMBER z 1 foo"), kSyntax);
  EXPECT_EQ(Cmd("ZRANDMEMBER z 9223372036854775807 WITHSCORES"),
            Err("ERR value is out of range"));
  const std::string two = Cmd("ZRANDMEMBER z 2");
  EXPECT_EQ(two.substr(0, 4), "*2\r\n");
  EXPECT_NE(two.substr(4, 7), two.substr(11, 7));  // distinct members
  EXPECT_EQ(Cmd("ZRANDMEMBER z -5").substr(0, 4), "*5\r\n");
}

TEST_F(ZSetFamilyTest, ScanAndEncodings) {
  runner_.server().config().zset_max_listpack_entries = 4;
  Cmd("ZADD z 1 a 2 b 3 c 4 d");
  EXPECT_EQ(Cmd("OBJECT ENCODING z"), Bulk("listpack"));
  EXPECT_EQ(Cmd("ZSCAN z 0"),
            Arr({Bulk("0"), Bulks({"a", "1", "b", "2", "c", "3", "d", "4"})}));
  EXPECT_EQ(Cmd("ZSCAN z 0 MATCH [bc]"), Arr({Bulk("0"), Bulks({"b", "2", "c", "3"})}));
  Cmd("ZADD z 5 e");
  EXPECT_EQ(Cmd("OBJECT ENCODING z"), Bulk("skiplist"));
  EXPECT_EQ(Cmd("ZRANGE z 1 3"), Bulks({"b", "c", "d"}));
  EXPECT_EQ(Cmd("ZSCAN z x"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("ZSCAN z 0 COUNT 0"), kSyntax);
  EXPECT_EQ(Cmd("ZSCAN missing 0"), Arr({Bulk("0"), kEmptyArray}));
  // ZUNIONSTORE builds a listpack again when the result fits.
  EXPECT_EQ(Cmd("ZUNIONSTORE u 1 z"), Int(5));
  EXPECT_EQ(Cmd("OBJECT ENCODING u"), Bulk("skiplist"));
  Cmd("ZREM z a");
  EXPECT_EQ(Cmd("ZUNIONSTORE u 1 z"), Int(4));
  EXPECT_EQ(Cmd("OBJECT ENCODING u"), Bulk("listpack"));
}

TEST_F(ZSetFamilyTest, WrongTypeEverywhere) {
  Cmd("SET s v");
  for (const char* c : {"ZCARD s", "ZSCORE s a", "ZRANK s a", "ZREM s a", "ZCOUNT s 0 1",
                        "ZRANGE s 0 1", "ZPOPMIN s", "ZRANDMEMBER s", "ZSCAN s 0",
                        "ZRANGESTORE d s 0 1", "ZINCRBY s 1 a", "ZMSCORE s a"}) {
    EXPECT_EQ(Cmd(c), kWrongType) << c;
  }
}

}  // namespace
}  // namespace grabkv::server
