// Set family: exact RESP bytes of every command's normal and error replies in
// RESP2 and RESP3 (expected bytes taken from redis-server 7.0.15), encodings
// and their conversions, reply order of intset results, key deletion when a
// set empties, keyspace notifications (one per modified key) and the dirty
// counter. Hashtable replies come in hash order: those are compared as sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "server/core/server_state.h"
#include "storage/db.h"
#include "storage/set.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;

// Parses an aggregate of bulk strings ("*n" or "~n" then n bulks); the
// header byte goes to *kind.
std::vector<std::string> ParseBulks(const std::string& r, char* kind = nullptr) {
  std::vector<std::string> out;
  if (r.empty()) return out;
  if (kind != nullptr) *kind = r[0];
  size_t pos = r.find("\r\n");
  const long n = std::stol(r.substr(1, pos - 1));
  pos += 2;
  for (long i = 0; i < n; ++i) {
    const size_t eol = r.find("\r\n", pos);
    const size_t len = std::stoul(r.substr(pos + 1, eol - pos - 1));
    out.push_back(r.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  EXPECT_EQ(pos, r.size()) << r;
  return out;
}

std::multiset<std::string> AsSet(const std::string& r) {
  auto v = ParseBulks(r);
  return {v.begin(), v.end()};
}

using testing::Effects;

class SetFamilyTest : public testing::FamilyTest {};

TEST_F(SetFamilyTest, AddRemBasics) {
  EXPECT_EQ(Cmd("SADD s 3 1 2"), Int(3));
  EXPECT_EQ(Cmd("SADD s 2 4"), Int(1));
  EXPECT_EQ(dirty(), 4u);
  EXPECT_EQ(touched(), 2);
  EXPECT_EQ(Cmd("SADD s 4"), Int(0));
  EXPECT_EQ(touched(), 2);  // nothing changed, nothing reported
  EXPECT_EQ(Cmd("SMEMBERS s"), Arr(4) + BulkParts({"1", "2", "3", "4"}));
  EXPECT_EQ(Cmd("SCARD s"), Int(4));
  EXPECT_EQ(Cmd("SCARD missing"), Int(0));
  EXPECT_EQ(Cmd("TYPE s"), "+set\r\n");
  EXPECT_EQ(Encoding("s"), Bulk("intset"));
  EXPECT_EQ(Cmd("SREM s 1 9 2"), Int(2));
  EXPECT_EQ(Cmd("SREM s 9"), Int(0));
  EXPECT_EQ(Cmd("SREM missing 9"), Int(0));
  EXPECT_EQ(Cmd("SREM s 3 4 5"), Int(2));
  EXPECT_EQ(Cmd("EXISTS s"), Int(0));  // an emptied set is deleted
  EXPECT_EQ(dirty(), 8u);
  EXPECT_EQ(touched(), 4);  // SREM once, then the deleting SREM once
}

TEST_F(SetFamilyTest, ArityAndWrongType) {
  EXPECT_EQ(Cmd("SADD s"), Arity("sadd"));
  EXPECT_EQ(Cmd("SREM s"), Arity("srem"));
  EXPECT_EQ(Cmd("SISMEMBER s"), Arity("sismember"));
  EXPECT_EQ(Cmd("SMISMEMBER s"), Arity("smismember"));
  EXPECT_EQ(Cmd("SMOVE a b"), Arity("smove"));
  EXPECT_EQ(Cmd("SINTERCARD 1"), Arity("sintercard"));
  EXPECT_EQ(Cmd("SINTERSTORE d"), Arity("sinterstore"));
  EXPECT_EQ(Cmd("SSCAN s"), Arity("sscan"));
  Cmd("SET str x");
  Cmd("SADD s 1");
  for (const char* line :
       {"SADD str a", "SREM str a", "SISMEMBER str a", "SMISMEMBER str a", "SMEMBERS str",
        "SCARD str", "SPOP str", "SPOP str 2", "SPOP str 0", "SRANDMEMBER str",
        "SRANDMEMBER str 2", "SRANDMEMBER str -2", "SMOVE str s a", "SMOVE s str 1",
        "SINTER s str", "SINTER missing str", "SINTER str missing", "SINTERCARD 2 missing str",
        "SINTERSTORE d missing str", "SUNION s str", "SUNION missing str", "SUNIONSTORE d str",
        "SDIFF missing str", "SDIFF s str", "SDIFFSTORE d s str", "SSCAN str 0"}) {
    EXPECT_EQ(Cmd(line), kWrongType) << line;
  }
  // Argument errors that Redis reports before looking at the key.
  EXPECT_EQ(Cmd("SPOP str abc"), kNotPositive);
  EXPECT_EQ(Cmd("SPOP str -1"), kNotPositive);
  EXPECT_EQ(Cmd("SRANDMEMBER str abc"), kNotInt);
  EXPECT_EQ(Cmd("SSCAN str abc"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("SINTERCARD 1 str LIMIT -1"), Err("ERR LIMIT can't be negative"));
  // A missing source answers 0 before any type check.
  EXPECT_EQ(Cmd("SMOVE missing str a"), Int(0));
  EXPECT_EQ(Cmd("GET str"), Bulk("x"));
}

TEST_F(SetFamilyTest, EncodingsAndConversion) {
  runner_.server().config().set_max_intset_entries = 4;
  Cmd("SADD i 5 70000 -3 5000000000 -70000 0");  // 6 > 4 entries
  EXPECT_EQ(Encoding("i"), Bulk("hashtable"));
  Cmd("SADD j 1 2 3 4");
  EXPECT_EQ(Encoding("j"), Bulk("intset"));
  Cmd("SADD j 5");
  EXPECT_EQ(Encoding("j"), Bulk("hashtable"));
  runner_.server().config().set_max_intset_entries = 512;
  Cmd("SADD k 5 70000 -3 5000000000 -70000 0 9223372036854775807 -9223372036854775808");
  EXPECT_EQ(Encoding("k"), Bulk("intset"));
  EXPECT_EQ(Cmd("SMEMBERS k"), Arr(8) + BulkParts({"-9223372036854775808", "-70000", "-3", "0", "5",
                                               "70000", "5000000000", "9223372036854775807"}));
  // Not canonical integers: the set starts (or becomes) a hashtable.
  Cmd("SADD h 01");
  EXPECT_EQ(Encoding("h"), Bulk("hashtable"));
  Cmd("SADD k x");
  EXPECT_EQ(Encoding("k"), Bulk("hashtable"));
  Cmd("SREM k x");
  EXPECT_EQ(Encoding("k"), Bulk("hashtable"));  // never back
  // The first member decides: a string first means a table even when the
  // rest are integers.
  Cmd("SADD m a 1 2");
  EXPECT_EQ(Encoding("m"), Bulk("hashtable"));
}

TEST_F(SetFamilyTest, MembershipAndResp3) {
  Cmd("SADD s b a");
  EXPECT_EQ(Cmd("SISMEMBER s a"), Int(1));
  EXPECT_EQ(Cmd("SISMEMBER s z"), Int(0));
  EXPECT_EQ(Cmd("SISMEMBER missing z"), Int(0));
  EXPECT_EQ(Cmd("SMISMEMBER s a z b"), Arr(3) + Int(1) + Int(0) + Int(1));
  EXPECT_EQ(Cmd("SMISMEMBER missing a"), Arr(1) + Int(0));
  Resp3();
  Cmd("SADD i 3 1 2");
  EXPECT_EQ(Cmd("SMEMBERS i"), Set3(3) + BulkParts({"1", "2", "3"}));
  EXPECT_EQ(Cmd("SMEMBERS missing"), kEmptySet3);
  EXPECT_EQ(Cmd("SPOP missing"), kNil3);
  EXPECT_EQ(Cmd("SPOP missing 5"), kEmptySet3);
  EXPECT_EQ(Cmd("SPOP i 0"), kEmptySet3);
  EXPECT_EQ(Cmd("SRANDMEMBER missing"), kNil3);
  EXPECT_EQ(Cmd("SRANDMEMBER missing 3"), kEmptyArray);
  EXPECT_EQ(Cmd("SRANDMEMBER i 5"), Arr(3) + BulkParts({"1", "2", "3"}));
  EXPECT_EQ(Cmd("SINTER missing i"), kEmptySet3);
  EXPECT_EQ(Cmd("SINTER i"), Set3(3) + BulkParts({"1", "2", "3"}));
  EXPECT_EQ(Cmd("SUNION i missing"), Set3(3) + BulkParts({"1", "2", "3"}));
  EXPECT_EQ(Cmd("SDIFF missing i"), kEmptySet3);
  EXPECT_EQ(Cmd("SSCAN i 0"), Arr(2) + Bulk("0") + Arr(3) + BulkParts({"1", "2", "3"}));
  EXPECT_EQ(Cmd("SMISMEMBER i 1 9"), Arr(2) + Int(1) + Int(0));
  EXPECT_EQ(Cmd("SINTERCARD 1 i"), Int(3));
  char kind;
  EXPECT_EQ(ParseBulks(Cmd("SPOP i 2"), &kind).size(), 2u);
  EXPECT_EQ(kind, '~');
}

TEST_F(SetFamilyTest, SPop) {
  EXPECT_EQ(Cmd("SPOP s 1 2"), kSyntax);
  EXPECT_EQ(Cmd("SPOP s abc 2"), kSyntax);
  EXPECT_EQ(Cmd("SPOP missing"), kNil);
  EXPECT_EQ(Cmd("SPOP missing 0"), kEmptyArray);
  EXPECT_EQ(Cmd("SPOP missing -1"), kNotPositive);
  Cmd("SADD s 1");
  EXPECT_EQ(Cmd("SPOP s"), Bulk("1"));
  EXPECT_EQ(Cmd("EXISTS s"), Int(0));
  // Popping everything replies the whole set in order (intset: ascending).
  Cmd("SADD s 3 1 2");
  EXPECT_EQ(Cmd("SPOP s 10"), Arr(3) + BulkParts({"1", "2", "3"}));
  EXPECT_EQ(Cmd("EXISTS s"), Int(0));
  // A table holding only integers comes out sorted too (Redis replies a
  // union rebuilt into a fresh intset).
  Cmd("SADD t x 30 10 20");
  Cmd("SREM t x");
  EXPECT_EQ(Encoding("t"), Bulk("hashtable"));
  EXPECT_EQ(Cmd("SPOP t 3"), Arr(3) + BulkParts({"10", "20", "30"}));
  // Partial pops remove what they reply.
  std::set<std::string> all;
  std::vector<std::string> args = {"SADD", "big"};
  for (int i = 0; i < 1000; ++i) {
    args.push_back("m" + std::to_string(i));
    all.insert(args.back());
  }
  Run(args);
  const uint64_t dirty_before = dirty();
  const int touched_before = touched();
  auto popped = ParseBulks(Cmd("SPOP big 300"));
  EXPECT_EQ(popped.size(), 300u);
  EXPECT_EQ(dirty() - dirty_before, 300u);
  EXPECT_EQ(touched() - touched_before, 1);
  for (const auto& m : popped) {
    EXPECT_TRUE(all.erase(m)) << m;
    EXPECT_EQ(Cmd("SISMEMBER big " + m), Int(0));
  }
  EXPECT_EQ(Cmd("SCARD big"), Int(700));
  std::string single = Cmd("SPOP big");
  EXPECT_EQ(single[0], '$');
  EXPECT_EQ(Cmd("SCARD big"), Int(699));
}

// Every write's events (Redis's keyspace notification names, in order),
// number of changes (server.dirty) and reports (one per key written), as
// redis-server 7.0 reports them (notify-keyspace-events KEA, psubscribe
// __keyevent@*, INFO rdb_changes_since_last_save).
TEST_F(SetFamilyTest, WritesReportRedisEventNames) {
  using V = std::vector<std::string>;
  auto effects = [&](std::string_view line) { return Observe(line); };
  auto is = [](V events, uint64_t changes, int reports) { return Effects{events, changes, reports}; };
  EXPECT_EQ(effects("sadd s 1 2 3"), is({"sadd"}, 3, 1));
  EXPECT_EQ(effects("sadd s 3"), is({}, 0, 0));
  EXPECT_EQ(effects("sadd s 3 4"), is({"sadd"}, 1, 1));
  EXPECT_EQ(effects("srem s 9"), is({}, 0, 0));
  EXPECT_EQ(effects("srem s 1 9"), is({"srem"}, 1, 1));
  EXPECT_EQ(effects("srem s 2 3 4"), is({"srem", "del"}, 3, 1));
  EXPECT_EQ(effects("srem missing 1"), is({}, 0, 0));

  Cmd("sadd a 1 2");
  Cmd("sadd b x");
  EXPECT_EQ(effects("smove a b 1"), is({"srem", "sadd"}, 2, 2));
  EXPECT_EQ(effects("smove a b 9"), is({}, 0, 0));
  EXPECT_EQ(effects("smove a a 2"), is({}, 0, 0));
  EXPECT_EQ(effects("smove a c 2"), is({"srem", "del", "sadd"}, 2, 2));
  EXPECT_EQ(effects("smove nosuch c x"), is({}, 0, 0));
  Cmd("sadd m1 x y");
  Cmd("sadd m2 x");
  EXPECT_EQ(effects("smove m1 m2 x"), is({"srem"}, 1, 1));  // already there
  Cmd("set str v");
  EXPECT_EQ(effects("smove m2 str x"), is({}, 0, 0));
  EXPECT_EQ(effects("smove str m2 x"), is({}, 0, 0));

  Cmd("sadd p 1 2 3 4 5");
  EXPECT_EQ(effects("spop p"), is({"spop"}, 1, 1));
  EXPECT_EQ(effects("spop p 2"), is({"spop"}, 2, 1));
  EXPECT_EQ(effects("spop p 0"), is({}, 0, 0));
  EXPECT_EQ(effects("spop p 10"), is({"spop", "del"}, 2, 1));
  EXPECT_EQ(effects("spop p"), is({}, 0, 0));
  EXPECT_EQ(effects("spop p 3"), is({}, 0, 0));
  Cmd("sadd q 1");
  EXPECT_EQ(effects("spop q"), is({"spop", "del"}, 1, 1));

  Cmd("sadd x1 1 2 3");
  Cmd("sadd x2 2 3 4");
  Cmd("sadd x3 7 8");
  EXPECT_EQ(effects("sinterstore d x1 x2"), is({"sinterstore"}, 1, 1));
  EXPECT_EQ(effects("sinterstore d x1 x2"), is({"sinterstore"}, 1, 1));
  EXPECT_EQ(effects("sinterstore d x1 nosuch"), is({"del"}, 1, 1));
  EXPECT_EQ(effects("sinterstore d x1 nosuch"), is({}, 0, 0));
  EXPECT_EQ(effects("sinterstore d x1 x3"), is({}, 0, 0));
  EXPECT_EQ(effects("sunionstore d x1 x2"), is({"sunionstore"}, 1, 1));
  EXPECT_EQ(effects("sinterstore d x1 x3"), is({"del"}, 1, 1));
  EXPECT_EQ(effects("sunionstore d nosuch nosuch2"), is({}, 0, 0));
  EXPECT_EQ(effects("sdiffstore d x1 x2"), is({"sdiffstore"}, 1, 1));
  EXPECT_EQ(effects("sdiffstore d x1 x1"), is({"del"}, 1, 1));
  EXPECT_EQ(effects("sdiffstore d nosuch x1"), is({}, 0, 0));
  EXPECT_EQ(effects("sinterstore str x1 x2"), is({"sinterstore"}, 1, 1));
  EXPECT_EQ(effects("sunionstore x1 x1 x2"), is({"sunionstore"}, 1, 1));
  Cmd("set str2 v");
  EXPECT_EQ(effects("sinterstore x2 x1 str2"), is({}, 0, 0));  // WRONGTYPE
  EXPECT_EQ(effects("sunionstore x2 x1 str2"), is({}, 0, 0));
}

TEST_F(SetFamilyTest, SRandMember) {
  EXPECT_EQ(Cmd("SRANDMEMBER s 1 2"), kSyntax);
  EXPECT_EQ(Cmd("SRANDMEMBER missing abc"), kNotInt);
  EXPECT_EQ(Cmd("SRANDMEMBER s -9223372036854775808"),
            Err("ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807"));
  EXPECT_EQ(Cmd("SRANDMEMBER missing"), kNil);
  EXPECT_EQ(Cmd("SRANDMEMBER missing 5"), kEmptyArray);
  Cmd("SADD one x");
  EXPECT_EQ(Cmd("SRANDMEMBER one"), Bulk("x"));
  EXPECT_EQ(Cmd("SRANDMEMBER one -3"), Arr(3) + BulkParts({"x", "x", "x"}));
  EXPECT_EQ(Cmd("SRANDMEMBER one 0"), kEmptyArray);
  EXPECT_EQ(Cmd("SRANDMEMBER one 1"), Arr(1) + Bulk("x"));
  Cmd("SADD s 1 2 3 4 5 6 7 8 9 10");
  for (const char* count : {"1", "3", "4", "9", "10"}) {
    auto got = ParseBulks(Cmd(std::string("SRANDMEMBER s ") + count));
    EXPECT_EQ(got.size(), std::stoul(count));
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), got.size());
  }
  auto rep = ParseBulks(Cmd("SRANDMEMBER s -100"));
  EXPECT_EQ(rep.size(), 100u);
  EXPECT_EQ(Cmd("SCARD s"), Int(10));  // read-only
  EXPECT_EQ(dirty(), 11u);
}

TEST_F(SetFamilyTest, SMove) {
  Cmd("SADD a 1 2");
  Cmd("SADD b x");
  const int t0 = touched();
  EXPECT_EQ(Cmd("SMOVE a b 1"), Int(1));
  EXPECT_EQ(touched() - t0, 2);
  EXPECT_EQ(Cmd("SMOVE a b 9"), Int(0));
  EXPECT_EQ(Cmd("SMOVE a a 2"), Int(1));  // same key: a membership test
  EXPECT_EQ(Cmd("SMOVE a a 9"), Int(0));
  EXPECT_EQ(Cmd("SMOVE a c 2"), Int(1));  // creates c (intset), deletes a
  EXPECT_EQ(Cmd("EXISTS a"), Int(0));
  EXPECT_EQ(Encoding("c"), Bulk("intset"));
  EXPECT_EQ(AsSet(Cmd("SMEMBERS b")), (std::multiset<std::string>{"1", "x"}));
  Cmd("SADD d 2");
  EXPECT_EQ(Cmd("SMOVE c d 2"), Int(1));  // already in the destination
  EXPECT_EQ(Cmd("SMEMBERS d"), Arr(1) + Bulk("2"));
  EXPECT_EQ(Cmd("EXISTS c"), Int(0));
}

TEST_F(SetFamilyTest, InterUnionDiff) {
  Cmd("SADD a 1 2 3 4");
  Cmd("SADD b 6 4 2");
  Cmd("SADD c x 2 4 y");
  EXPECT_EQ(Cmd("SINTER a b"), Arr(2) + BulkParts({"2", "4"}));
  EXPECT_EQ(AsSet(Cmd("SINTER a b c")), (std::multiset<std::string>{"2", "4"}));
  EXPECT_EQ(Cmd("SINTER a b missing"), kEmptyArray);
  EXPECT_EQ(Cmd("SINTER a a"), Arr(4) + BulkParts({"1", "2", "3", "4"}));
  EXPECT_EQ(Cmd("SUNION a b"), Arr(5) + BulkParts({"1", "2", "3", "4", "6"}));
  EXPECT_EQ(AsSet(Cmd("SUNION a c")), (std::multiset<std::string>{"1", "2", "3", "4", "x", "y"}));
  EXPECT_EQ(Cmd("SDIFF a b"), Arr(2) + BulkParts({"1", "3"}));
  EXPECT_EQ(Cmd("SDIFF a a"), kEmptyArray);
  EXPECT_EQ(Cmd("SDIFF missing a"), kEmptyArray);
  EXPECT_EQ(AsSet(Cmd("SDIFF c a")), (std::multiset<std::string>{"x", "y"}));
  // A hashtable input whose difference is all integers replies sorted: the
  // result is built as a fresh intset.
  Cmd("SADD xy x y");
  EXPECT_EQ(Cmd("SDIFF c xy"), Arr(2) + BulkParts({"2", "4"}));

  EXPECT_EQ(Cmd("SINTERCARD 2 a b"), Int(2));
  EXPECT_EQ(Cmd("SINTERCARD 2 a b LIMIT 1"), Int(1));
  EXPECT_EQ(Cmd("SINTERCARD 2 a b limit 0"), Int(2));
  EXPECT_EQ(Cmd("SINTERCARD 1 a LIMIT 1 LIMIT 3"), Int(3));
  EXPECT_EQ(Cmd("SINTERCARD 2 a missing"), Int(0));
  EXPECT_EQ(Cmd("SINTERCARD 0 a"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("SINTERCARD abc a"), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Cmd("SINTERCARD 3 a b"),
            Err("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(Cmd("SINTERCARD 1 a LIMIT"), kSyntax);
  EXPECT_EQ(Cmd("SINTERCARD 1 a foo 1"), kSyntax);
  EXPECT_EQ(Cmd("SINTERCARD 1 a LIMIT abc"), Err("ERR LIMIT can't be negative"));
}

TEST_F(SetFamilyTest, StoreForms) {
  Cmd("SADD a 1 2 3 4");
  Cmd("SADD b 6 4 2");
  Cmd("SADD c x 2 4 y");
  Cmd("SET dst old");
  Cmd("EXPIRE dst 100");
  EXPECT_EQ(Cmd("SINTERSTORE dst c b"), Int(2));
  EXPECT_EQ(Encoding("dst"), Bulk("intset"));  // the result starts as an intset
  EXPECT_EQ(Cmd("TTL dst"), Int(-1));
  EXPECT_EQ(Cmd("SMEMBERS dst"), Arr(2) + BulkParts({"2", "4"}));
  EXPECT_EQ(Cmd("SUNIONSTORE dst a c"), Int(6));
  EXPECT_EQ(Encoding("dst"), Bulk("hashtable"));
  EXPECT_EQ(Cmd("SDIFFSTORE dst a b"), Int(2));
  EXPECT_EQ(Cmd("SMEMBERS dst"), Arr(2) + BulkParts({"1", "3"}));
  // Destination among the sources.
  EXPECT_EQ(Cmd("SUNIONSTORE a a b"), Int(5));
  EXPECT_EQ(Cmd("SMEMBERS a"), Arr(5) + BulkParts({"1", "2", "3", "4", "6"}));
  // Empty results delete the destination.
  EXPECT_EQ(Cmd("SINTERSTORE dst a missing"), Int(0));
  EXPECT_EQ(Cmd("EXISTS dst"), Int(0));
  Cmd("SADD dst 1");
  EXPECT_EQ(Cmd("SDIFFSTORE dst a a"), Int(0));
  EXPECT_EQ(Cmd("EXISTS dst"), Int(0));
  Cmd("SADD dst 1");
  EXPECT_EQ(Cmd("SUNIONSTORE dst missing"), Int(0));
  EXPECT_EQ(Cmd("EXISTS dst"), Int(0));
  // Over the intset limit the result is a table.
  runner_.server().config().set_max_intset_entries = 3;
  EXPECT_EQ(Cmd("SUNIONSTORE big a"), Int(5));
  EXPECT_EQ(Encoding("big"), Bulk("hashtable"));
}

TEST_F(SetFamilyTest, SDiffAlgorithmChoiceShowsInEncoding) {
  // Redis picks algorithm 2 when |first| * inputs / 2 exceeds the sum of
  // all input sizes: it adds the whole first set (a table: it holds a
  // string) and removes the others, so the result stays a table although it
  // ends all integers. Algorithm 1 gives an intset. (Checked on 7.0.15.)
  std::vector<std::string> args = {"SADD", "big", "x"};
  for (int i = 0; i < 20; ++i) args.push_back(std::to_string(i));
  Run(args);
  Cmd("SADD s1 x");
  Cmd("SADD s2 y");
  Cmd("SADD s3 z");
  EXPECT_EQ(Cmd("SDIFFSTORE d1 big s1 s2 s3"), Int(20));  // 21*4/2 > 24
  EXPECT_EQ(Encoding("d1"), Bulk("hashtable"));
  EXPECT_EQ(Cmd("SDIFFSTORE d2 big s1"), Int(20));  // 21*2/2 <= 22
  EXPECT_EQ(Encoding("d2"), Bulk("intset"));
  EXPECT_EQ(Cmd("SDIFF big s1"), Arr(20) + BulkParts({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                                   "10", "11", "12", "13", "14", "15", "16", "17",
                                                   "18", "19"}));
}

TEST_F(SetFamilyTest, SScan) {
  EXPECT_EQ(Cmd("SSCAN missing 0"), Arr(2) + Bulk("0") + kEmptyArray);
  EXPECT_EQ(Cmd("SSCAN missing 0 COUNT 0"), Arr(2) + Bulk("0") + kEmptyArray);
  EXPECT_EQ(Cmd("SSCAN s abc"), Err("ERR invalid cursor"));
  Cmd("SADD s 1 2 3 10 11");
  EXPECT_EQ(Cmd("SSCAN s 0 COUNT 0"), kSyntax);
  EXPECT_EQ(Cmd("SSCAN s 0 COUNT x"), kNotInt);
  EXPECT_EQ(Cmd("SSCAN s 0 TYPE string"), kSyntax);
  EXPECT_EQ(Cmd("SSCAN s 0 MATCH"), kSyntax);
  // An intset answers everything at once, whatever the cursor and count.
  EXPECT_EQ(Cmd("SSCAN s 77 COUNT 1"), Arr(2) + Bulk("0") + Arr(5) + BulkParts({"1", "2", "3", "10", "11"}));
  EXPECT_EQ(Cmd("SSCAN s 0 MATCH 1*"), Arr(2) + Bulk("0") + Arr(3) + BulkParts({"1", "10", "11"}));
  // A table: iterate to the end; every member comes back.
  std::vector<std::string> args = {"SADD", "t"};
  std::set<std::string> want;
  for (int i = 0; i < 500; ++i) {
    args.push_back("m" + std::to_string(i));
    want.insert(args.back());
  }
  Run(args);
  std::set<std::string> got;
  std::string cursor = "0";
  int calls = 0;
  do {
    const std::string r = Cmd("SSCAN t " + cursor + " COUNT 20");
    // *2, $len cursor, then the member array.
    const size_t first_eol = r.find("\r\n");
    const size_t len_eol = r.find("\r\n", first_eol + 2);
    const size_t len = std::stoul(r.substr(first_eol + 3, len_eol - first_eol - 3));
    cursor = r.substr(len_eol + 2, len);
    for (const auto& m : ParseBulks(r.substr(len_eol + 2 + len + 2))) got.insert(m);
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(got, want);
  EXPECT_GT(calls, 5);
}

TEST_F(SetFamilyTest, BinaryMembers) {
  const std::string bin("a\0b\r\n", 5);
  EXPECT_EQ(Run({"SADD", "s", bin, ""}), Int(2));
  EXPECT_EQ(Run({"SISMEMBER", "s", bin}), Int(1));
  EXPECT_EQ(Run({"SISMEMBER", "s", ""}), Int(1));
  EXPECT_EQ(AsSet(Cmd("SMEMBERS s")), (std::multiset<std::string>{"", bin}));
}

}  // namespace
}  // namespace grabkv::server
