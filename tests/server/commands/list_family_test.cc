// List family: exact RESP bytes of every list command's normal and error
// replies (RESP2 and RESP3), checked against redis-server 7.0.15 (the
// expected bytes below were taken from it), plus key deletion, keyspace
// notifications, the dirty counter and the blocking commands.
#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"
#include "storage/db.h"
#include "storage/list.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;

class ListFamilyTest : public testing::FamilyTest {};

TEST_F(ListFamilyTest, PushAndRange) {
  EXPECT_EQ(Cmd("LPUSH l a"), Int(1));
  EXPECT_EQ(Cmd("LPUSH l b c"), Int(3));
  EXPECT_EQ(Cmd("RPUSH l x y"), Int(5));
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"c", "b", "a", "x", "y"}));
  EXPECT_EQ(Cmd("LLEN l"), Int(5));
  EXPECT_EQ(Cmd("LLEN missing"), Int(0));
  EXPECT_EQ(Cmd("OBJECT ENCODING l"), Bulk("quicklist"));
  EXPECT_EQ(Cmd("TYPE l"), "+list\r\n");
  EXPECT_EQ(Cmd("LPUSH l"), Err("ERR wrong number of arguments for 'lpush' command"));
}

TEST_F(ListFamilyTest, PushX) {
  EXPECT_EQ(Cmd("LPUSHX l a"), Int(0));
  EXPECT_EQ(Cmd("RPUSHX l a b"), Int(0));
  EXPECT_FALSE(Exists("l"));
  Cmd("RPUSH l a");
  EXPECT_EQ(Cmd("LPUSHX l b c"), Int(3));
  EXPECT_EQ(Cmd("RPUSHX l d"), Int(4));
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"c", "b", "a", "d"}));
  Cmd("SET s v");
  EXPECT_EQ(Cmd("LPUSHX s a"), kWrongType);
}

TEST_F(ListFamilyTest, WrongType) {
  Cmd("SET s v");
  for (const char* c :
       {"LPUSH s a", "RPUSH s a", "LPOP s", "RPOP s 2", "LLEN s", "LRANGE s 0 1", "LINDEX s x",
        "LSET s x v", "LREM s 0 a", "LTRIM s 0 1", "LINSERT s BEFORE a b", "LPOS s a",
        "LMOVE s d LEFT LEFT", "RPOPLPUSH s d", "LMPOP 1 s LEFT", "BLPOP s 0",
        "BLMOVE s d LEFT LEFT 0", "BRPOPLPUSH s d 0", "BLMPOP 0 1 s LEFT"}) {
    EXPECT_EQ(Cmd(c), kWrongType) << c;
  }
  // Argument errors that Redis checks before the key.
  EXPECT_EQ(Cmd("LRANGE s x 1"), kNotInt);
  EXPECT_EQ(Cmd("LINSERT s foo a b"), kSyntax);
  EXPECT_EQ(Cmd("LPOS s a RANK 0"),
            Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
                "... or use negative to start from the end of the list"));
  // A wrong-typed destination: nothing is popped.
  Cmd("RPUSH l a");
  EXPECT_EQ(Cmd("LMOVE l s LEFT LEFT"), kWrongType);
  EXPECT_EQ(Cmd("RPOPLPUSH l s"), kWrongType);
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"a"}));
}

TEST_F(ListFamilyTest, PopWithAndWithoutCount) {
  EXPECT_EQ(Cmd("LPOP missing"), kNil);
  EXPECT_EQ(Cmd("LPOP missing 0"), kNilArray);
  EXPECT_EQ(Cmd("RPOP missing 3"), kNilArray);
  EXPECT_EQ(Cmd("LPOP missing -1"), Err("ERR value is out of range, must be positive"));
  EXPECT_EQ(Cmd("LPOP missing abc"), Err("ERR value is out of range, must be positive"));
  Cmd("RPUSH l a b c d e");
  EXPECT_EQ(Cmd("LPOP l"), Bulk("a"));
  EXPECT_EQ(Cmd("RPOP l"), Bulk("e"));
  EXPECT_EQ(Cmd("LPOP l 0"), kEmptyArray);
  EXPECT_EQ(Cmd("LPOP l 1 2"), Err("ERR wrong number of arguments for 'lpop' command"));
  EXPECT_EQ(Cmd("RPOP l 1 2"), Err("ERR wrong number of arguments for 'rpop' command"));
  EXPECT_EQ(Cmd("RPOP l 2"), Bulks({"d", "c"}));
  EXPECT_EQ(Cmd("LPOP l 5"), Bulks({"b"}));
  EXPECT_FALSE(Exists("l"));
  Cmd("RPUSH l a b c");
  EXPECT_EQ(Cmd("RPOP l 9223372036854775807"), Bulks({"c", "b", "a"}));
  EXPECT_FALSE(Exists("l"));

  Resp3();
  EXPECT_EQ(Cmd("LPOP missing"), kNil3);
  EXPECT_EQ(Cmd("LPOP missing 1"), kNil3);
  Cmd("RPUSH l a");
  EXPECT_EQ(Cmd("LPOP l 0"), kEmptyArray);
  EXPECT_EQ(Cmd("LPOP l 1"), Bulks({"a"}));
}

TEST_F(ListFamilyTest, IndexAndSet) {
  EXPECT_EQ(Cmd("LINDEX missing x"), kNil);  // the key is looked at first
  Cmd("RPUSH l a b c");
  EXPECT_EQ(Cmd("LINDEX l 0"), Bulk("a"));
  EXPECT_EQ(Cmd("LINDEX l -1"), Bulk("c"));
  EXPECT_EQ(Cmd("LINDEX l 3"), kNil);
  EXPECT_EQ(Cmd("LINDEX l -4"), kNil);
  EXPECT_EQ(Cmd("LINDEX l x"), kNotInt);
  EXPECT_EQ(Cmd("LINDEX l -9223372036854775808"), kNil);

  EXPECT_EQ(Cmd("LSET missing x v"), Err("ERR no such key"));
  EXPECT_EQ(Cmd("LSET l x v"), kNotInt);
  EXPECT_EQ(Cmd("LSET l 3 v"), Err("ERR index out of range"));
  EXPECT_EQ(Cmd("LSET l -4 v"), Err("ERR index out of range"));
  EXPECT_EQ(Cmd("LSET l -1 Z"), kOk);
  EXPECT_EQ(Cmd("LSET l 0 longer-than-before"), kOk);
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"longer-than-before", "b", "Z"}));

  Resp3();
  EXPECT_EQ(Cmd("LINDEX l 10"), kNil3);
}

TEST_F(ListFamilyTest, RangeAndTrim) {
  EXPECT_EQ(Cmd("LRANGE missing x 1"), kNotInt);
  EXPECT_EQ(Cmd("LRANGE missing 0 1"), kEmptyArray);
  Cmd("RPUSH l 0 1 2 3 4 5 6 7 8 9");
  EXPECT_EQ(Cmd("LRANGE l 2 4"), Bulks({"2", "3", "4"}));
  EXPECT_EQ(Cmd("LRANGE l -3 -1"), Bulks({"7", "8", "9"}));
  EXPECT_EQ(Cmd("LRANGE l -100 1"), Bulks({"0", "1"}));
  EXPECT_EQ(Cmd("LRANGE l 8 100"), Bulks({"8", "9"}));
  EXPECT_EQ(Cmd("LRANGE l 5 2"), kEmptyArray);
  EXPECT_EQ(Cmd("LRANGE l 10 20"), kEmptyArray);

  EXPECT_EQ(Cmd("LTRIM missing 0 1"), kOk);
  EXPECT_EQ(Cmd("LTRIM missing x 1"), kNotInt);
  EXPECT_EQ(Cmd("LTRIM l 1 -2"), kOk);
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"1", "2", "3", "4", "5", "6", "7", "8"}));
  EXPECT_EQ(Cmd("LTRIM l -2 100"), kOk);
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"7", "8"}));
  EXPECT_EQ(Cmd("LTRIM l 1 0"), kOk);
  EXPECT_FALSE(Exists("l"));
}

TEST_F(ListFamilyTest, InsertAndRem) {
  EXPECT_EQ(Cmd("LINSERT missing foo a b"), kSyntax);
  EXPECT_EQ(Cmd("LINSERT missing BEFORE a b"), Int(0));
  EXPECT_FALSE(Exists("missing"));
  Cmd("RPUSH l a b c");
  EXPECT_EQ(Cmd("LINSERT l BEFORE b x"), Int(4));
  EXPECT_EQ(Cmd("LINSERT l after c y"), Int(5));
  EXPECT_EQ(Cmd("LINSERT l BEFORE zz v"), Int(-1));
  EXPECT_EQ(Run({"LINSERT", "l", std::string("before\0junk", 11), "a", "first"}), Int(6));
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"first", "a", "x", "b", "c", "y"}));

  EXPECT_EQ(Cmd("LREM missing x a"), kNotInt);
  EXPECT_EQ(Cmd("LREM missing 0 a"), Int(0));
  Cmd("DEL l");
  Cmd("RPUSH l a b a c a b a");
  EXPECT_EQ(Cmd("LREM l 2 a"), Int(2));
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"b", "c", "a", "b", "a"}));
  EXPECT_EQ(Cmd("LREM l -1 a"), Int(1));
  EXPECT_EQ(Cmd("LRANGE l 0 -1"), Bulks({"b", "c", "a", "b"}));
  EXPECT_EQ(Cmd("LREM l 0 b"), Int(2));
  EXPECT_EQ(Cmd("LREM l -9223372036854775808 a"), Int(1));
  EXPECT_EQ(Cmd("LREM l 0 c"), Int(1));
  EXPECT_FALSE(Exists("l"));
}

TEST_F(ListFamilyTest, Lpos) {
  Cmd("RPUSH l a b c a b c a");
  EXPECT_EQ(Cmd("LPOS l a"), Int(0));
  EXPECT_EQ(Cmd("LPOS l z"), kNil);
  EXPECT_EQ(Cmd("LPOS l a RANK 2"), Int(3));
  EXPECT_EQ(Cmd("LPOS l a RANK -1"), Int(6));
  EXPECT_EQ(Cmd("LPOS l a RANK x"), kNotInt);
  EXPECT_EQ(Cmd("LPOS l a RANK"), kSyntax);
  EXPECT_EQ(Cmd("LPOS l a COUNT 0"), Arr({Int(0), Int(3), Int(6)}));
  EXPECT_EQ(Cmd("LPOS l a COUNT 0 RANK -1"), Arr({Int(6), Int(3), Int(0)}));
  EXPECT_EQ(Cmd("LPOS l a COUNT 2 RANK -2"), Arr({Int(3), Int(0)}));
  EXPECT_EQ(Cmd("LPOS l a COUNT 1 MAXLEN 3"), Arr({Int(0)}));
  EXPECT_EQ(Cmd("LPOS l a RANK 2 COUNT 0 MAXLEN 4"), Arr({Int(3)}));
  EXPECT_EQ(Cmd("LPOS l c RANK -1 MAXLEN 1"), kNil);
  EXPECT_EQ(Cmd("LPOS l a COUNT -1"), Err("ERR COUNT can't be negative"));
  EXPECT_EQ(Cmd("LPOS l a COUNT x"), Err("ERR COUNT can't be negative"));
  EXPECT_EQ(Cmd("LPOS l a MAXLEN -1"), Err("ERR MAXLEN can't be negative"));
  EXPECT_EQ(Cmd("LPOS l a FOO 1"), kSyntax);
  EXPECT_EQ(Cmd("LPOS l a RANK 9223372036854775807"), kNil);
  // Redis negates the rank in a C long: the most negative rank matches from
  // the first match at the tail, and COUNT never stops it.
  EXPECT_EQ(Cmd("LPOS l a RANK -9223372036854775808"), Int(6));
  EXPECT_EQ(Cmd("LPOS l a RANK -9223372036854775808 COUNT 1"), Arr({Int(6), Int(3), Int(0)}));
  EXPECT_EQ(Cmd("LPOS l a RANK -9223372036854775807 COUNT 2"), kEmptyArray);
  EXPECT_EQ(Cmd("LPOS missing a"), kNil);
  EXPECT_EQ(Cmd("LPOS missing a COUNT 1"), kEmptyArray);
  Resp3();
  EXPECT_EQ(Cmd("LPOS l z"), kNil3);
}

TEST_F(ListFamilyTest, MoveAndRotate) {
  EXPECT_EQ(Cmd("LMOVE missing d LEFT LEFT"), kNil);
  EXPECT_EQ(Cmd("LMOVE missing d UP LEFT"), kSyntax);
  EXPECT_FALSE(Exists("d"));
  Cmd("RPUSH src a b c");
  EXPECT_EQ(Cmd("LMOVE src dst LEFT RIGHT"), Bulk("a"));
  EXPECT_EQ(Cmd("LMOVE src dst RIGHT LEFT"), Bulk("c"));
  EXPECT_EQ(Cmd("RPOPLPUSH src dst"), Bulk("b"));
  EXPECT_FALSE(Exists("src"));
  EXPECT_EQ(Cmd("LRANGE dst 0 -1"), Bulks({"b", "c", "a"}));
  // Same key: a rotation, and a single element stays.
  EXPECT_EQ(Cmd("LMOVE dst dst LEFT RIGHT"), Bulk("b"));
  EXPECT_EQ(Cmd("LRANGE dst 0 -1"), Bulks({"c", "a", "b"}));
  EXPECT_EQ(Cmd("RPOPLPUSH dst dst"), Bulk("b"));
  EXPECT_EQ(Cmd("LRANGE dst 0 -1"), Bulks({"b", "c", "a"}));
  Cmd("RPUSH one x");
  EXPECT_EQ(Cmd("LMOVE one one LEFT LEFT"), Bulk("x"));
  EXPECT_EQ(Cmd("LRANGE one 0 -1"), Bulks({"x"}));
}

TEST_F(ListFamilyTest, Lmpop) {
  EXPECT_EQ(Cmd("LMPOP 0 l LEFT"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("LMPOP x l LEFT"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("LMPOP 2 l LEFT"), kSyntax);
  EXPECT_EQ(Cmd("LMPOP 9223372036854775807 l LEFT"), kSyntax);
  EXPECT_EQ(Cmd("LMPOP 1 l FOO"), kSyntax);
  EXPECT_EQ(Cmd("LMPOP 1 l LEFT COUNT 0"), Err("ERR count should be greater than 0"));
  EXPECT_EQ(Cmd("LMPOP 1 l LEFT COUNT"), kSyntax);
  EXPECT_EQ(Cmd("LMPOP 1 l LEFT COUNT 1 COUNT 2"), kSyntax);
  EXPECT_EQ(Cmd("LMPOP 1 l"), Err("ERR wrong number of arguments for 'lmpop' command"));
  EXPECT_EQ(Cmd("LMPOP 1 l LEFT"), kNilArray);
  Cmd("RPUSH b 1 2 3");
  EXPECT_EQ(Cmd("LMPOP 3 a b c RIGHT COUNT 2"), Arr({Bulk("b"), Bulks({"3", "2"})}));
  EXPECT_EQ(Cmd("LMPOP 3 a b c LEFT COUNT 5"), Arr({Bulk("b"), Bulks({"1"})}));
  EXPECT_FALSE(Exists("b"));
  // Keys are tried in order: a string before a list is an error, after it
  // is never looked at.
  Cmd("SET s x");
  Cmd("RPUSH b 1");
  EXPECT_EQ(Cmd("LMPOP 2 s b LEFT"), kWrongType);
  EXPECT_EQ(Cmd("LMPOP 2 b s LEFT"), Arr({Bulk("b"), Bulks({"1"})}));
  Resp3();
  EXPECT_EQ(Cmd("LMPOP 1 b LEFT"), kNil3);
}

TEST_F(ListFamilyTest, NotificationsAndDirty) {
  uint64_t d = dirty();
  Cmd("RPUSH l a b c");
  EXPECT_EQ(observer_.touched, 1);
  EXPECT_EQ(dirty() - d, 3u);
  Cmd("LPOP l missing-count");  // an error: nothing changes
  Cmd("LINSERT l BEFORE zz v");
  Cmd("LREM l 0 zz");
  Cmd("LPOP l 0");
  EXPECT_EQ(observer_.touched, 1);
  Cmd("LTRIM l 0 -1");  // touches even when nothing is cut, like Redis
  EXPECT_EQ(observer_.touched, 2);
  Cmd("LSET l 0 x");
  Cmd("LMOVE l l LEFT RIGHT");
  EXPECT_EQ(observer_.touched, 4);
  Cmd("LMOVE l other LEFT RIGHT");
  EXPECT_EQ(observer_.touched, 6);
  Cmd("LPOP l 5");  // empties and deletes l: one notification
  EXPECT_EQ(observer_.touched, 7);
  EXPECT_FALSE(Exists("l"));
}

// Event names and order as redis-server 7.0 notifies them
// (notify-keyspace-events KEA, __keyevent@*).
TEST_F(ListFamilyTest, WritesReportRedisEventNames) {
  auto events = [&](std::string_view line) { return Observe(line).events; };
  using V = std::vector<std::string>;
  EXPECT_EQ(events("rpush l a b c"), V({"rpush"}));
  EXPECT_EQ(events("lmove l other left right"), V({"rpush", "lpop"}));
  EXPECT_EQ(events("lmove l l left right"), V({"rpush", "lpop"}));
  EXPECT_EQ(events("lpop l 5"), V({"lpop", "del"}));
  EXPECT_EQ(events("lpop other"), V({"lpop", "del"}));
  EXPECT_EQ(events("ltrim x 0 1"), V({}));
  EXPECT_EQ(events("rpush t a"), V({"rpush"}));
  EXPECT_EQ(events("ltrim t 1 0"), V({"ltrim", "del"}));
  EXPECT_EQ(events("rpush r a b"), V({"rpush"}));
  EXPECT_EQ(events("lrem r 0 a"), V({"lrem"}));
  EXPECT_EQ(events("lset r 0 z"), V({"lset"}));
  EXPECT_EQ(events("linsert r before z y"), V({"linsert"}));
  EXPECT_EQ(events("lpush bl a"), V({"lpush"}));
  EXPECT_EQ(events("blmpop 0 1 bl left count 3"), V({"lpop", "del"}));
}

TEST_F(ListFamilyTest, WatchSeesListWrites) {
  Client& other = runner_.AddClient();
  Cmd("RPUSH l a");
  EXPECT_EQ(Cmd("WATCH l"), kOk);
  On(other, "LPUSH l b");
  Cmd("MULTI");
  Cmd("LLEN l");
  EXPECT_EQ(Cmd("EXEC"), kNilArray);
}

TEST_F(ListFamilyTest, LongListAcrossChunks) {
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 0; i < 3000; ++i) push.push_back("element-" + std::to_string(i));
  EXPECT_EQ(Run(push), Int(3000));
  EXPECT_EQ(Cmd("LINDEX l 1500"), Bulk("element-1500"));
  EXPECT_EQ(Cmd("LSET l 1500 x"), kOk);
  EXPECT_EQ(Cmd("LPOS l x"), Int(1500));
  EXPECT_EQ(Cmd("LINSERT l BEFORE x y"), Int(3001));
  EXPECT_EQ(Cmd("LRANGE l 1499 1501"), Bulks({"element-1499", "y", "x"}));
  EXPECT_EQ(Cmd("LREM l 0 y"), Int(1));
  EXPECT_EQ(Cmd("LTRIM l 100 199"), kOk);
  EXPECT_EQ(Cmd("LLEN l"), Int(100));
  EXPECT_EQ(Cmd("LINDEX l 0"), Bulk("element-100"));
  EXPECT_EQ(Cmd("OBJECT ENCODING l"), Bulk("quicklist"));
}

// --- blocking commands ---

TEST_F(ListFamilyTest, BlockingArgumentErrors) {
  EXPECT_EQ(Cmd("BLPOP l x"), Err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(Cmd("BLPOP l -1"), Err("ERR timeout is negative"));
  EXPECT_EQ(Cmd("BLMOVE a b foo right x"), kSyntax);
  EXPECT_EQ(Cmd("BLMOVE a b left right x"), Err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(Cmd("BLMPOP x 0 l LEFT"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("BLMPOP -1 1 l LEFT COUNT 1 foo"), kSyntax);
  EXPECT_EQ(Cmd("BLMPOP x 1 l LEFT"), Err("ERR timeout is not a float or out of range"));
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ListFamilyTest, ServedAtOnceWhenDataIsThere) {
  Cmd("RPUSH a 1 2 3");
  EXPECT_EQ(Cmd("BLPOP missing a 0"), Bulks({"a", "1"}));
  EXPECT_EQ(Cmd("BRPOP missing a 0"), Bulks({"a", "3"}));
  EXPECT_EQ(Cmd("BRPOPLPUSH a d 0"), Bulk("2"));
  EXPECT_EQ(Cmd("BLMOVE d a RIGHT LEFT 0"), Bulk("2"));
  EXPECT_EQ(Cmd("BLMPOP 0 2 missing a RIGHT COUNT 5"), Arr({Bulk("a"), Bulks({"2"})}));
  EXPECT_FALSE(Exists("a"));
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ListFamilyTest, InsideMultiNeverBlocks) {
  Cmd("MULTI");
  for (const char* c : {"BLPOP l 0", "BRPOPLPUSH l d 0", "BLMOVE l d LEFT LEFT 0",
                        "BLMPOP 0 1 l LEFT", "BRPOP l 0"}) {
    EXPECT_EQ(Cmd(c), "+QUEUED\r\n");
  }
  EXPECT_EQ(Cmd("EXEC"), "*5\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n");
  EXPECT_EQ(blocking().blocked_clients(), 0u);
}

TEST_F(ListFamilyTest, BlpopServedByPushInArrivalOrder) {
  Client& b = runner_.AddClient();
  Client& c = runner_.AddClient();
  Client& d = runner_.AddClient();
  EXPECT_EQ(On(b, "BLPOP q 0"), "");
  EXPECT_EQ(On(c, "BLPOP q other 0"), "");
  EXPECT_EQ(On(d, "BRPOP q 0"), "");
  EXPECT_EQ(blocking().blocked_clients(), 3u);
  EXPECT_EQ(Cmd("RPUSH q a"), Int(1));
  EXPECT_EQ(b.out(), Bulks({"q", "a"}));
  EXPECT_EQ(c.out(), "");
  EXPECT_FALSE(Exists("q"));
  EXPECT_EQ(Cmd("RPUSH q x y"), Int(2));
  EXPECT_EQ(c.out(), Bulks({"q", "x"}));
  EXPECT_EQ(d.out(), Bulks({"q", "y"}));
  EXPECT_EQ(blocking().blocked_clients(), 0u);
  EXPECT_FALSE(Exists("q"));
}

TEST_F(ListFamilyTest, PushInsideMultiWakesAfterExec) {
  Client& b = runner_.AddClient();
  On(b, "BLPOP q 0");
  Cmd("MULTI");
  Cmd("RPUSH q a b");
  Cmd("LPUSH q c");
  EXPECT_EQ(b.out(), "");
  EXPECT_EQ(Cmd("EXEC"), Arr({Int(2), Int(3)}));
  EXPECT_EQ(b.out(), Bulks({"q", "c"}));
  EXPECT_EQ(Cmd("LRANGE q 0 -1"), Bulks({"a", "b"}));
}

TEST_F(ListFamilyTest, TimeoutAndUnblock) {
  Client& b = runner_.AddClient();
  On(b, "BLMOVE src dst LEFT LEFT 0.01");
  EXPECT_EQ(blocking().blocked_clients(), 1u);
  blocking().HandleTimeouts(ServerState::NowMs() + 1000);
  EXPECT_EQ(b.out(), kNilArray);
  EXPECT_EQ(blocking().blocked_clients(), 0u);

  b.set_resp(3);
  On(b, "BLMPOP 0 1 src LEFT");
  blocking().HandleTimeouts(ServerState::NowMs() + 1000000);  // 0 = forever
  EXPECT_EQ(b.out(), "");
  EXPECT_TRUE(blocking().Unblock(b, false));
  EXPECT_EQ(b.out(), kNil3);

  On(b, "BRPOP src 0");
  EXPECT_TRUE(blocking().Unblock(b, true));
  EXPECT_EQ(b.out(), Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
}

TEST_F(ListFamilyTest, DisconnectedClientIsForgotten) {
  Client& b = runner_.AddClient();
  On(b, "BLPOP q 0");
  runner_.server().ForgetClient(b);
  EXPECT_EQ(blocking().blocked_clients(), 0u);
  EXPECT_EQ(Cmd("RPUSH q a"), Int(1));
  EXPECT_EQ(Cmd("LRANGE q 0 -1"), Bulks({"a"}));
}

TEST_F(ListFamilyTest, KeyOfAnotherTypeKeepsClientWaiting) {
  Client& b = runner_.AddClient();
  On(b, "BLPOP q1 q2 0");
  Cmd("SET q1 str");
  EXPECT_EQ(b.out(), "");
  EXPECT_EQ(blocking().blocked_clients(), 1u);
  Cmd("RPUSH q2 v");
  EXPECT_EQ(b.out(), Bulks({"q2", "v"}));
}

TEST_F(ListFamilyTest, BlmoveWrongTypeDestinationWhenServed) {
  Client& b = runner_.AddClient();
  On(b, "BLMOVE src dst LEFT LEFT 0");
  Cmd("SET dst x");
  Cmd("RPUSH src 1");
  EXPECT_EQ(b.out(), kWrongType);
  EXPECT_EQ(blocking().blocked_clients(), 0u);
  EXPECT_EQ(Cmd("LRANGE src 0 -1"), Bulks({"1"}));
}

TEST_F(ListFamilyTest, BlmoveChainsWakeups) {
  Client& b = runner_.AddClient();
  Client& c = runner_.AddClient();
  On(b, "BLMOVE src dst RIGHT LEFT 0");
  On(c, "BLPOP dst 0");
  Cmd("RPUSH src a b");
  EXPECT_EQ(b.out(), Bulk("b"));
  EXPECT_EQ(c.out(), Bulks({"dst", "b"}));
  EXPECT_FALSE(Exists("dst"));
  EXPECT_EQ(Cmd("LRANGE src 0 -1"), Bulks({"a"}));
}

TEST_F(ListFamilyTest, BlmpopServedWithCount) {
  Client& b = runner_.AddClient();
  On(b, "BLMPOP 0 2 a b RIGHT COUNT 2");
  Cmd("RPUSH b 1 2 3");
  EXPECT_EQ(b.out(), Arr({Bulk("b"), Bulks({"3", "2"})}));
  EXPECT_EQ(Cmd("LRANGE b 0 -1"), Bulks({"1"}));
}

}  // namespace
}  // namespace grabkv::server
