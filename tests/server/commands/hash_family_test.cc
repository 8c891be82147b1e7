// Hash family: exact RESP bytes of every command's normal and error replies
// in RESP2 and RESP3 (expected bytes taken from redis-server 7.0.15), the
// encoding conversions, key deletion when a hash empties, keyspace
// notifications (one per modified key) and the dirty counter.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "server/commands/hash_ops.h"
#include "server/core/server_state.h"
#include "storage/db.h"
#include "storage/hash.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;

class HashFamilyTest : public testing::FamilyTest {};

TEST_F(HashFamilyTest, SetGetBasics) {
  EXPECT_EQ(Cmd("HSET h f v"), Int(1));
  EXPECT_EQ(Cmd("HGET h f"), Bulk("v"));
  EXPECT_EQ(Cmd("HGET h nope"), kNil);
  EXPECT_EQ(Cmd("HGET missing f"), kNil);
  EXPECT_EQ(Cmd("HSET h f v2 g w"), Int(1));
  EXPECT_EQ(Cmd("HSET h f v3 g w2"), Int(0));
  EXPECT_EQ(Cmd("HMSET h a 1 b 2"), kOk);
  EXPECT_EQ(Cmd("HGETALL h"),
            Arr(8) + Bulk("f") + Bulk("v3") + Bulk("g") + Bulk("w2") + Bulk("a") + Bulk("1") +
                Bulk("b") + Bulk("2"));
  EXPECT_EQ(Run({"HSET", "h", "", std::string("\0\xff", 2)}), Int(1));
  EXPECT_EQ(Run({"HGET", "h", ""}), Bulk(std::string("\0\xff", 2)));
  EXPECT_EQ(Cmd("TYPE h"), "+hash\r\n");
  EXPECT_EQ(Encoding("h"), Bulk("listpack"));
}

TEST_F(HashFamilyTest, ArityErrors) {
  EXPECT_EQ(Cmd("HSET h f"), Arity("hset"));
  EXPECT_EQ(Cmd("HSET h f v g"), Arity("hset"));
  EXPECT_EQ(Cmd("HMSET h f v g"), Arity("hmset"));
  EXPECT_EQ(Cmd("HGET h"), Arity("hget"));
  EXPECT_EQ(Cmd("HSETNX h f"), Arity("hsetnx"));
  EXPECT_EQ(Cmd("HDEL h"), Arity("hdel"));
  EXPECT_EQ(Cmd("HRANDFIELD"), Arity("hrandfield"));
  EXPECT_EQ(Cmd("HSCAN h"), Arity("hscan"));
  EXPECT_EQ(Cmd("EXISTS h"), Int(0));
}

TEST_F(HashFamilyTest, WrongType) {
  Cmd("SET s str");
  for (const char* line :
       {"HSET s f v", "HMSET s f v", "HSETNX s f v", "HGET s f", "HMGET s f", "HGETALL s",
        "HKEYS s", "HVALS s", "HDEL s f", "HEXISTS s f", "HLEN s", "HSTRLEN s f",
        "HINCRBY s f 1", "HINCRBYFLOAT s f 1", "HRANDFIELD s", "HRANDFIELD s 2",
        "HRANDFIELD s 2 WITHVALUES", "HSCAN s 0", "HSCAN s 0 COUNT x"}) {
    EXPECT_EQ(Cmd(line), kWrongType) << line;
  }
  // Argument errors that Redis reports before looking at the key.
  EXPECT_EQ(Cmd("HINCRBY s f x"), kNotInt);
  EXPECT_EQ(Cmd("HINCRBYFLOAT s f x"), Err("ERR value is not a valid float"));
  EXPECT_EQ(Cmd("HRANDFIELD s x"), kNotInt);
  EXPECT_EQ(Cmd("HSCAN s x"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("GET s"), Bulk("str"));
  EXPECT_EQ(dirty(), 1u);
}

TEST_F(HashFamilyTest, SetNx) {
  EXPECT_EQ(Cmd("HSETNX h f v"), Int(1));
  EXPECT_EQ(Cmd("HSETNX h f v2"), Int(0));
  EXPECT_EQ(Cmd("HGET h f"), Bulk("v"));
  EXPECT_EQ(dirty(), 1u);
  EXPECT_EQ(touched(), 1);
  // An existing field with a long value converts nothing.
  EXPECT_EQ(Run({"HSETNX", "h", "f", std::string(65, 'x')}), Int(0));
  EXPECT_EQ(Encoding("h"), Bulk("listpack"));
  EXPECT_EQ(Run({"HSETNX", "h", "g", std::string(65, 'x')}), Int(1));
  EXPECT_EQ(Encoding("h"), Bulk("hashtable"));
}

TEST_F(HashFamilyTest, MGetAndGetAllVariants) {
  Cmd("HSET h z 1 y 2 x 3");
  Cmd("HDEL h y");
  Cmd("HSET h y 5");
  EXPECT_EQ(Cmd("HMGET h z nope y"), Arr(3) + Bulk("1") + kNil + Bulk("5"));
  EXPECT_EQ(Cmd("HMGET missing a b"), Arr(2) + kNil + kNil);
  EXPECT_EQ(Cmd("HKEYS h"), Arr(3) + Bulk("z") + Bulk("x") + Bulk("y"));
  EXPECT_EQ(Cmd("HVALS h"), Arr(3) + Bulk("1") + Bulk("3") + Bulk("5"));
  EXPECT_EQ(Cmd("HGETALL missing"), kEmptyArray);
  EXPECT_EQ(Cmd("HKEYS missing"), kEmptyArray);
  EXPECT_EQ(Cmd("HVALS missing"), kEmptyArray);
}

TEST_F(HashFamilyTest, Resp3Replies) {
  Resp3();
  Cmd("HSET h a 1 b 2");
  EXPECT_EQ(Cmd("HGETALL h"), "%2\r\n" + Bulk("a") + Bulk("1") + Bulk("b") + Bulk("2"));
  EXPECT_EQ(Cmd("HGETALL missing"), "%0\r\n");
  EXPECT_EQ(Cmd("HKEYS missing"), kEmptyArray);
  EXPECT_EQ(Cmd("HGET h x"), kNil3);
  EXPECT_EQ(Cmd("HMGET h a x"), Arr(2) + Bulk("1") + kNil3);
  EXPECT_EQ(Cmd("HRANDFIELD missing"), kNil3);
  EXPECT_EQ(Cmd("HRANDFIELD missing 2"), kEmptyArray);
  EXPECT_EQ(Cmd("HRANDFIELD h 5 WITHVALUES"),
            Arr(2) + Arr(2) + Bulk("a") + Bulk("1") + Arr(2) + Bulk("b") + Bulk("2"));
  EXPECT_EQ(Cmd("HRANDFIELD h 5"), Arr(2) + Bulk("a") + Bulk("b"));
  EXPECT_EQ(Cmd("HSCAN h 0"), Arr(2) + Bulk("0") + Arr(4) + Bulk("a") + Bulk("1") + Bulk("b") +
                                  Bulk("2"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h c 1.5"), Bulk("1.5"));
}

TEST_F(HashFamilyTest, DelDeletesEmptiedKey) {
  Cmd("HSET h a 1 b 2 c 3");
  const uint64_t d0 = dirty();
  const int t0 = touched();
  EXPECT_EQ(Cmd("HDEL h a nope a"), Int(1));
  EXPECT_EQ(dirty(), d0 + 1);
  EXPECT_EQ(touched(), t0 + 1);
  EXPECT_EQ(Cmd("HDEL h nope"), Int(0));
  EXPECT_EQ(touched(), t0 + 1);  // nothing changed, nothing reported
  EXPECT_EQ(Cmd("HDEL h b c b"), Int(2));
  EXPECT_EQ(touched(), t0 + 2);  // the deletion is the one notification
  EXPECT_EQ(dirty(), d0 + 3);
  EXPECT_EQ(Cmd("EXISTS h"), Int(0));
  EXPECT_EQ(Cmd("HDEL h a"), Int(0));
  EXPECT_EQ(Cmd("HDEL missing a"), Int(0));
}

TEST_F(HashFamilyTest, DirtyAndNotifications) {
  EXPECT_EQ(Cmd("HSET h a 1 b 2"), Int(2));
  EXPECT_EQ(dirty(), 2u);
  EXPECT_EQ(touched(), 1);
  EXPECT_EQ(Cmd("HSET h a 1 b 2"), Int(0));  // updates count as changes too
  EXPECT_EQ(dirty(), 4u);
  EXPECT_EQ(touched(), 2);
  Cmd("HINCRBY h n 1");
  Cmd("HINCRBYFLOAT h n 1");
  EXPECT_EQ(dirty(), 6u);
  EXPECT_EQ(touched(), 4);
  Cmd("HINCRBY h a x");
  Cmd("HGET h a");
  Cmd("HGETALL h");
  EXPECT_EQ(dirty(), 6u);
  EXPECT_EQ(touched(), 4);
}

// Every write's events (Redis's keyspace notification names, in order) and
// number of changes (server.dirty), as redis-server 7.0 reports them
// (notify-keyspace-events KEA, psubscribe __keyevent@*, INFO
// rdb_changes_since_last_save).
TEST_F(HashFamilyTest, WritesReportRedisEventNames) {
  using V = std::vector<std::string>;
  auto effects = [&](std::string_view line) {
    const auto e = Observe(line);
    return std::make_pair(e.events, e.changes);
  };
  auto is = [](V events, uint64_t changes) { return std::make_pair(events, changes); };
  EXPECT_EQ(effects("hset h a 1 b 2"), is({"hset"}, 2));
  EXPECT_EQ(effects("hset h a 1 b 2"), is({"hset"}, 2));  // updates count too
  EXPECT_EQ(effects("hmset h c 3"), is({"hset"}, 1));
  EXPECT_EQ(effects("hsetnx h a x"), is({}, 0));
  EXPECT_EQ(effects("hsetnx h z 9"), is({"hset"}, 1));
  EXPECT_EQ(effects("hsetnx newh f v"), is({"hset"}, 1));
  EXPECT_EQ(effects("hdel h nope"), is({}, 0));
  EXPECT_EQ(effects("hdel h a nope"), is({"hdel"}, 1));
  EXPECT_EQ(effects("hdel h b c z"), is({"hdel", "del"}, 3));
  EXPECT_EQ(effects("hdel missing a"), is({}, 0));
  EXPECT_EQ(effects("hincrby n f 5"), is({"hincrby"}, 1));
  EXPECT_EQ(effects("hincrbyfloat n g 1.5"), is({"hincrbyfloat"}, 1));
  EXPECT_EQ(effects("hdel n f g"), is({"hdel", "del"}, 2));
  // Errors write nothing (and leave no key behind).
  EXPECT_EQ(effects("set s str"), is({"set"}, 1));
  EXPECT_EQ(effects("hset s a b"), is({}, 0));
  EXPECT_EQ(effects("hincrby h2 f x"), is({}, 0));
  EXPECT_EQ(effects("hincrby n2 f 9223372036854775807"), is({"hincrby"}, 1));
  EXPECT_EQ(effects("hincrby n2 f 1"), is({}, 0));  // overflow
  EXPECT_EQ(effects("hset n3 f abc"), is({"hset"}, 1));
  EXPECT_EQ(effects("hincrby n3 f 1"), is({}, 0));
  EXPECT_EQ(effects("hincrbyfloat n3 f 1"), is({}, 0));
  EXPECT_EQ(effects("hincrbyfloat n3 g abc"), is({}, 0));
  EXPECT_EQ(Cmd("EXISTS h2"), Int(0));
}

TEST_F(HashFamilyTest, ExistsLenStrLen) {
  Cmd("HSET h f hello e \"\"");
  Run({"HSET", "h", "e", ""});
  EXPECT_EQ(Cmd("HEXISTS h f"), Int(1));
  EXPECT_EQ(Cmd("HEXISTS h x"), Int(0));
  EXPECT_EQ(Cmd("HEXISTS missing f"), Int(0));
  EXPECT_EQ(Cmd("HLEN h"), Int(2));
  EXPECT_EQ(Cmd("HLEN missing"), Int(0));
  EXPECT_EQ(Cmd("HSTRLEN h f"), Int(5));
  EXPECT_EQ(Cmd("HSTRLEN h e"), Int(0));
  EXPECT_EQ(Cmd("HSTRLEN h x"), Int(0));
  EXPECT_EQ(Cmd("HSTRLEN missing x"), Int(0));
}

TEST_F(HashFamilyTest, IncrBy) {
  EXPECT_EQ(Cmd("HINCRBY h f 5"), Int(5));
  EXPECT_EQ(Cmd("HINCRBY h f -12"), Int(-7));
  EXPECT_EQ(Cmd("HGET h f"), Bulk("-7"));
  Run({"HSET", "h", "s", "abc", "sp", " 1", "big", "9223372036854775807", "lz", "01"});
  const std::string not_int = Err("ERR hash value is not an integer");
  EXPECT_EQ(Cmd("HINCRBY h s 1"), not_int);
  EXPECT_EQ(Cmd("HINCRBY h sp 1"), not_int);
  EXPECT_EQ(Cmd("HINCRBY h lz 1"), not_int);
  EXPECT_EQ(Cmd("HINCRBY h big 1"), Err("ERR increment or decrement would overflow"));
  EXPECT_EQ(Cmd("HINCRBY h big -1"), Int(9223372036854775806));
  EXPECT_EQ(Cmd("HINCRBY h f 1.5"), kNotInt);
  EXPECT_EQ(Cmd("HINCRBY h f 9223372036854775808"), kNotInt);
  EXPECT_EQ(Cmd("HINCRBY missing f abc"), kNotInt);
  EXPECT_EQ(Cmd("EXISTS missing"), Int(0));
  // A long field converts, as Redis's hashTypeSet does for HINCRBY*.
  EXPECT_EQ(Run({"HINCRBY", "h", std::string(65, 'f'), "1"}), Int(1));
  EXPECT_EQ(Encoding("h"), Bulk("hashtable"));
}

TEST_F(HashFamilyTest, IncrByFloat) {
  EXPECT_EQ(Cmd("HINCRBYFLOAT h f 1.5"), Bulk("1.5"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h f 10"), Bulk("11.5"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h z 0.1"), Bulk("0.1"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h z 0.2"), Bulk("0.3"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h n 1.5"), Bulk("1.5"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h n -1.5"), Bulk("0"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h x 5.0e3"), Bulk("5000"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h f abc"), Err("ERR value is not a valid float"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h f inf"), Err("ERR value is NaN or Infinity"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h f nan"), Err("ERR value is not a valid float"));
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", " 1"}), Err("ERR value is not a valid float"));
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", ""}), Err("ERR value is not a valid float"));
  // Redis 7.0.15's string2ld wants the whole argument: an inner NUL fails.
  EXPECT_EQ(Run({"HINCRBYFLOAT", "h", "f", std::string("1\0abc", 5)}),
            Err("ERR value is not a valid float"));
  Run({"HSET", "h", "nul", std::string("1\0", 2)});
  EXPECT_EQ(Cmd("HINCRBYFLOAT h nul 1"), Err("ERR hash value is not a float"));
  EXPECT_EQ(Cmd("HINCRBY h nul 1"), Err("ERR hash value is not an integer"));
  Run({"HSET", "h", "s", "abc", "inf", "inf", "big", "1e5000", "hx", "0x10"});
  EXPECT_EQ(Cmd("HINCRBYFLOAT h s 1"), Err("ERR hash value is not a float"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h big 1"), Err("ERR hash value is not a float"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h inf 1"), Err("ERR increment would produce NaN or Infinity"));
  EXPECT_EQ(Cmd("HINCRBYFLOAT h hx 1"), Bulk("17"));
  // 1e100 prints as 101 digits: the value no longer fits the listpack.
  EXPECT_EQ(Cmd("HINCRBYFLOAT h2 a 1e100").size(), 101u + 7);
  EXPECT_EQ(Encoding("h2"), Bulk("hashtable"));
}

TEST_F(HashFamilyTest, EncodingThresholds) {
  Cmd("CONFIG SET hash-max-listpack-entries 4");
  Cmd("HSET h a 1 b 2 c 3 d 4");
  EXPECT_EQ(Encoding("h"), Bulk("listpack"));
  Cmd("HSET h e 5");
  EXPECT_EQ(Encoding("h"), Bulk("hashtable"));
  Cmd("HDEL h a b c d");
  EXPECT_EQ(Encoding("h"), Bulk("hashtable"));  // never back
  Cmd("CONFIG SET hash-max-listpack-entries 128");
  Cmd("CONFIG SET hash-max-listpack-value 3");
  Cmd("HSET h2 abc def");
  EXPECT_EQ(Encoding("h2"), Bulk("listpack"));
  Cmd("HSET h2 abcd e");
  EXPECT_EQ(Encoding("h2"), Bulk("hashtable"));
  Cmd("CONFIG SET hash-max-listpack-value 64");
  Cmd("HSET h3 a 1 b 2 c 3 d 4 e 5 f 6");
  Cmd("CONFIG SET hash-max-listpack-entries 5");
  Cmd("HSET h3 a 10");  // an update of an over-long listpack converts it
  EXPECT_EQ(Encoding("h3"), Bulk("hashtable"));
}

TEST_F(HashFamilyTest, RandFieldErrorsAndFixedReplies) {
  EXPECT_EQ(Cmd("HRANDFIELD missing"), kNil);
  EXPECT_EQ(Cmd("HRANDFIELD missing 5"), kEmptyArray);
  EXPECT_EQ(Cmd("HRANDFIELD missing x"), kNotInt);
  Cmd("HSET h a 1 b 2 c 3");
  EXPECT_EQ(Cmd("HRANDFIELD h 0"), kEmptyArray);
  EXPECT_EQ(Cmd("HRANDFIELD h 0 WITHVALUES"), kEmptyArray);
  EXPECT_EQ(Cmd("HRANDFIELD h 10"), Arr(3) + Bulk("a") + Bulk("b") + Bulk("c"));
  EXPECT_EQ(Cmd("HRANDFIELD h 3 withvalues"),
            Arr(6) + Bulk("a") + Bulk("1") + Bulk("b") + Bulk("2") + Bulk("c") + Bulk("3"));
  EXPECT_EQ(Cmd("HRANDFIELD h 1 WITHVALUE"), kSyntax);
  EXPECT_EQ(Cmd("HRANDFIELD h 1 WITHVALUES x"), kSyntax);
  EXPECT_EQ(Cmd("HRANDFIELD h -9223372036854775808"),
            Err("ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807"));
  EXPECT_EQ(Cmd("HRANDFIELD h 4611686018427387904 WITHVALUES"), Err("ERR value is out of range"));
  EXPECT_EQ(Cmd("HRANDFIELD h -4611686018427387904 WITHVALUES"), Err("ERR value is out of range"));
  EXPECT_EQ(Cmd("HRANDFIELD h 4611686018427387903 WITHVALUES").substr(0, 4), "*6\r\n");
}

TEST_F(HashFamilyTest, RandFieldShapes) {
  Cmd("HSET h a 1 b 2 c 3 d 4 e 5");
  const std::set<std::string> fields = {Bulk("a"), Bulk("b"), Bulk("c"), Bulk("d"), Bulk("e")};
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(fields.count(Cmd("HRANDFIELD h")));
  // Negative counts repeat; RESP2 WITHVALUES flattens.
  std::string r = Cmd("HRANDFIELD h -7 WITHVALUES");
  EXPECT_EQ(r.substr(0, 5), "*14\r\n");
  r = Cmd("HRANDFIELD h 3");
  EXPECT_EQ(r.substr(0, 4), "*3\r\n");
  // Distinct samples of a listpack come in insertion order.
  for (int i = 0; i < 20; ++i) {
    std::string s = Cmd("HRANDFIELD h 3");
    std::vector<char> order;
    for (size_t p = 4; p < s.size(); p += 7) order.push_back(s[p + 4]);
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << s;
    EXPECT_EQ(std::set<char>(order.begin(), order.end()).size(), 3u);
  }
  Resp3();
  r = Cmd("HRANDFIELD h -2 WITHVALUES");
  EXPECT_EQ(r.substr(0, 8), "*2\r\n*2\r\n");
}

TEST_F(HashFamilyTest, ScanListpack) {
  Cmd("HSET h a 1 b 2 c 3 foo 4 bar 5");
  const std::string all = Arr(2) + Bulk("0") + Arr(10) + Bulk("a") + Bulk("1") + Bulk("b") +
                          Bulk("2") + Bulk("c") + Bulk("3") + Bulk("foo") + Bulk("4") +
                          Bulk("bar") + Bulk("5");
  EXPECT_EQ(Cmd("HSCAN h 0"), all);
  EXPECT_EQ(Cmd("HSCAN h 17 COUNT 1"), all);
  EXPECT_EQ(Cmd("HSCAN h 0 MATCH *"), all);
  EXPECT_EQ(Cmd("HSCAN h 0 MATCH b*"),
            Arr(2) + Bulk("0") + Arr(4) + Bulk("b") + Bulk("2") + Bulk("bar") + Bulk("5"));
  EXPECT_EQ(Cmd("HSCAN missing 0 COUNT 0"), Arr(2) + Bulk("0") + kEmptyArray);
  EXPECT_EQ(Cmd("HSCAN h 0 COUNT 0"), kSyntax);
  EXPECT_EQ(Cmd("HSCAN h 0 COUNT x"), kNotInt);
  EXPECT_EQ(Cmd("HSCAN h 0 MATCH"), kSyntax);
  EXPECT_EQ(Cmd("HSCAN h 0 TYPE string"), kSyntax);
  EXPECT_EQ(Cmd("HSCAN h x"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("HSCAN h -1"), all);
}

TEST_F(HashFamilyTest, ScanHashtableVisitsEverything) {
  Cmd("CONFIG SET hash-max-listpack-entries 16");
  std::map<std::string, std::string> expect;
  for (int i = 0; i < 1000; ++i) {
    std::string f = "f" + std::to_string(i), v = "v" + std::to_string(i);
    Run({"HSET", "h", f, v});
    expect[f] = v;
  }
  EXPECT_EQ(Encoding("h"), Bulk("hashtable"));
  std::map<std::string, std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    // Parse the RESP2 reply: *2 $n cursor *m then m bulks.
    std::string r = Run({"HSCAN", "h", cursor, "COUNT", "25"});
    size_t p = r.find("\r\n", 4);  // end of "$n"
    size_t q = r.find("\r\n", p + 2);
    cursor = r.substr(p + 2, q - p - 2);
    p = q + 2;
    size_t end = r.find("\r\n", p);
    const int m = std::stoi(r.substr(p + 1, end - p - 1));
    p = end + 2;
    std::vector<std::string> items;
    for (int i = 0; i < m; ++i) {
      end = r.find("\r\n", p);
      const size_t len = std::stoul(r.substr(p + 1, end - p - 1));
      items.push_back(r.substr(end + 2, len));
      p = end + 2 + len + 2;
    }
    ASSERT_EQ(items.size() % 2, 0u);
    for (size_t i = 0; i < items.size(); i += 2) seen[items[i]] = items[i + 1];
    ++calls;
  } while (cursor != "0");
  EXPECT_EQ(seen, expect);
  EXPECT_GT(calls, 10);
}

// The ops other commands (GRAB.*) call: they report their writes like the
// commands do.
TEST_F(HashFamilyTest, OpsForOtherCommands) {
  const OpArgs op{db(), ServerState::NowMs()};
  const storage::HashLimits limits = HashLimitsOf(runner_.server().config());
  Cmd("HSET claims user:1 item:7");
  std::optional<std::string_view> v;
  ASSERT_EQ(OpHGet(op, "claims", "user:1", &v), OpStatus::kOk);
  EXPECT_EQ(v, std::optional<std::string_view>("item:7"));
  ASSERT_EQ(OpHGet(op, "claims", "nope", &v), OpStatus::kOk);
  EXPECT_EQ(v, std::nullopt);
  ASSERT_EQ(OpHGet(op, "missing", "user:1", &v), OpStatus::kOk);
  EXPECT_EQ(v, std::nullopt);

  const size_t e0 = observer_.events.size();
  const uint64_t d0 = dirty();
  bool created = false;
  ASSERT_EQ(OpHSetField(op, "claims", "user:2", "item:8", limits, &created), OpStatus::kOk);
  EXPECT_TRUE(created);
  ASSERT_EQ(OpHSetField(op, "claims", "user:2", "item:9", limits, &created), OpStatus::kOk);
  EXPECT_FALSE(created);
  EXPECT_EQ(Cmd("HGET claims user:2"), Bulk("item:9"));
  bool deleted = false;
  ASSERT_EQ(OpHDelField(op, "claims", "user:1", &deleted), OpStatus::kOk);
  EXPECT_TRUE(deleted);
  ASSERT_EQ(OpHDelField(op, "claims", "user:1", &deleted), OpStatus::kOk);
  EXPECT_FALSE(deleted);
  ASSERT_EQ(OpHDelField(op, "claims", "user:2", &deleted), OpStatus::kOk);
  EXPECT_TRUE(deleted);
  EXPECT_EQ(Cmd("EXISTS claims"), Int(0));
  ASSERT_EQ(OpHSetField(op, "fresh", "u", "i", limits), OpStatus::kOk);
  EXPECT_EQ(Cmd("HGET fresh u"), Bulk("i"));
  EXPECT_EQ(std::vector<std::string>(observer_.events.begin() + e0, observer_.events.end()),
            std::vector<std::string>({"hset", "hset", "hdel", "hdel", "del", "hset"}));
  EXPECT_EQ(dirty() - d0, 5u);  // the deletion of an emptied hash is no extra change

  // Type errors change nothing.
  Cmd("SET str x");
  const size_t e1 = observer_.events.size();
  EXPECT_EQ(OpHGet(op, "str", "f", &v), OpStatus::kWrongType);
  EXPECT_EQ(OpHSetField(op, "str", "f", "v", limits), OpStatus::kWrongType);
  EXPECT_EQ(OpHDelField(op, "str", "f"), OpStatus::kWrongType);
  // A hash created for an op that then fails is gone again, unreported.
  std::string result;
  EXPECT_EQ(OpHIncrByFloat(op, "new", "f", HUGE_VALL, limits, &result), OpStatus::kIncrNan);
  EXPECT_EQ(Cmd("EXISTS new"), Int(0));
  EXPECT_EQ(observer_.events.size(), e1);
}

// A negative count is served in batches (stopping early for a client
// closed for its output size); every batch must add to the one reply.
TEST_F(HashFamilyTest, NegativeCountAcrossBatches) {
  Cmd("HSET h a 1 b 2");
  for (int c : {-2000, -5000, -300, -1025}) {
    std::string r = Cmd("HRANDFIELD h " + std::to_string(c));
    EXPECT_EQ(r.size(), std::to_string(-c).size() + 3 + static_cast<size_t>(-c) * 7);
    EXPECT_EQ(Cmd("PING"), "+PONG\r\n");
  }
}

}  // namespace
}  // namespace grabkv::server
