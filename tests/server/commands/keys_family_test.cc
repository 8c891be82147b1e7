// Tests of the generic keys commands (server/keys_family.cc): exact RESP
// bytes as Redis 7.0 produces them (checked against redis-server 7.0.15),
// expiry visibility, SCAN's guarantee under concurrent changes, lazy free.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/core/server_state.h"
#include "storage/db.h"
#include "storage/value.h"
#include "tests/server/command_test_util.h"

namespace grabkv {
namespace {

using server::ServerState;
using storage::Container;
using storage::Db;
using storage::Value;
using storage::ValueType;
using testing::CommandRunner;

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
constexpr const char* kOk = "+OK\r\n";
constexpr const char* kNull2 = "$-1\r\n";
constexpr const char* kNull3 = "_\r\n";

// A container standing in for the list/hash/set/zset families: only what the
// keys family looks at (type, encoding, clone, memory). Counts destructions
// and the threads they ran on.
std::atomic<int> g_destroyed{0};
std::atomic<int> g_destroyed_off_thread{0};
std::thread::id g_main_thread;

class FakeContainer : public Container {
 public:
  FakeContainer(ValueType type, const char* encoding, size_t bytes, std::string payload = "")
      : type_(type), encoding_(encoding), bytes_(bytes), payload_(std::move(payload)) {}
  ~FakeContainer() override {
    ++g_destroyed;
    if (std::this_thread::get_id() != g_main_thread) ++g_destroyed_off_thread;
  }
  ValueType type() const override { return type_; }
  const char* encoding() const override { return encoding_; }
  std::unique_ptr<Container> Clone() const override {
    return std::make_unique<FakeContainer>(type_, encoding_, bytes_, payload_);
  }
  size_t MemoryUsage() const override { return bytes_; }
  // Elements: one per 16 bytes, enough for the free-effort rule.
  size_t Length() const override { return bytes_ / 16; }

 private:
  ValueType type_;
  const char* encoding_;
  size_t bytes_;

 public:
  std::string payload_;
};

class KeysFamilyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_main_thread = std::this_thread::get_id();
    g_destroyed = 0;
    g_destroyed_off_thread = 0;
  }

  Db& db(int i = 0) { return r_.server().db(i); }
  static int64_t Now() { return ServerState::NowMs(); }

  // Keys are created through the Db directly, so these tests do not depend
  // on the string family.
  Db::Entry* Put(std::string_view key, std::string_view value, int dbi = 0) {
    Value v;
    v.SetString(value);
    return db(dbi).Set(key, std::move(v), Now());
  }
  Db::Entry* PutContainer(std::string_view key, ValueType type, const char* enc,
                          size_t bytes = 100, int dbi = 0) {
    Value v;
    v.SetContainer(std::make_unique<FakeContainer>(type, enc, bytes));
    return db(dbi).Set(key, std::move(v), Now());
  }
  // A key whose TTL has already passed (not yet removed from the table).
  void PutExpired(std::string_view key, std::string_view value = "v", int dbi = 0) {
    Db::Entry* e = Put(key, value, dbi);
    db(dbi).SetExpire(e, Now() - 1000);
  }
  // True when the key is in the table at all, expired or not.
  bool InTable(std::string_view key, int dbi = 0) {
    return db(dbi).table().Find(key) != nullptr;
  }
  std::string Cmd(std::string_view line) { return r_.Cmd(line); }
  std::string Run(std::vector<std::string> args) { return r_.Run(std::move(args)); }

  CommandRunner r_;
};

// --- DEL / UNLINK ---

TEST_F(KeysFamilyTest, DelCountsDeletedKeysOnce) {
  Put("a", "1");
  Put("b", "hello");
  EXPECT_EQ(Cmd("del a b c a"), Int(2));
  EXPECT_EQ(Cmd("exists a b"), Int(0));
  EXPECT_EQ(Cmd("del a"), Int(0));
  EXPECT_EQ(Cmd("del"), Err("ERR wrong number of arguments for 'del' command"));
}

TEST_F(KeysFamilyTest, DelOfExpiredKeyReturnsZero) {
  PutExpired("x");
  EXPECT_EQ(Cmd("del x"), Int(0));
  EXPECT_FALSE(InTable("x"));
}

TEST_F(KeysFamilyTest, DirtyCountsEachDeletedKey) {
  Put("a", "1");
  Put("b", "1");
  const uint64_t before = r_.server().dirty;
  Cmd("del a b c");
  EXPECT_EQ(r_.server().dirty, before + 2);
}

TEST_F(KeysFamilyTest, UnlinkFreesSmallValuesInline) {
  Put("s", "string");
  PutContainer("small", ValueType::kSet, "hashtable", 64 * 16);  // 64 elements
  PutContainer("compact", ValueType::kHash, "listpack", 1 << 20);  // one allocation
  EXPECT_EQ(Cmd("unlink s small compact nope"), Int(3));
  EXPECT_EQ(g_destroyed.load(), 2);  // the containers, on this thread
  EXPECT_EQ(g_destroyed_off_thread.load(), 0);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(KeysFamilyTest, UnlinkFreesLargeValuesOffThread) {
  PutContainer("big", ValueType::kSet, "hashtable", 65 * 16);  // 65 elements
  const size_t freed_before = r_.server().lazy_free().completed();
  EXPECT_EQ(Cmd("unlink big"), Int(1));
  EXPECT_EQ(Cmd("exists big"), Int(0));
  for (int i = 0; i < 500 && r_.server().lazy_free().completed() == freed_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(r_.server().lazy_free().completed(), freed_before + 1);
  EXPECT_EQ(g_destroyed_off_thread.load(), 1);
}

TEST_F(KeysFamilyTest, DelIsLazyWhenLazyfreeLazyUserDel) {
  r_.server().config().lazyfree_lazy_user_del = true;
  PutContainer("big", ValueType::kHash, "hashtable", 1 << 20);
  const size_t freed_before = r_.server().lazy_free().completed();
  EXPECT_EQ(Cmd("del big"), Int(1));
  for (int i = 0; i < 500 && r_.server().lazy_free().completed() == freed_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(g_destroyed_off_thread.load(), 1);
}

// --- EXISTS / TYPE / TOUCH ---

TEST_F(KeysFamilyTest, ExistsCountsRepeats) {
  Put("a", "1");
  EXPECT_EQ(Cmd("exists a a a c"), Int(3));
  EXPECT_EQ(Cmd("exists c"), Int(0));
}

TEST_F(KeysFamilyTest, TypeNamesEveryType) {
  Put("s", "x");
  PutContainer("l", ValueType::kList, "quicklist");
  PutContainer("h", ValueType::kHash, "listpack");
  PutContainer("st", ValueType::kSet, "intset");
  PutContainer("z", ValueType::kZSet, "skiplist");
  EXPECT_EQ(Cmd("type s"), "+string\r\n");
  EXPECT_EQ(Cmd("type l"), "+list\r\n");
  EXPECT_EQ(Cmd("type h"), "+hash\r\n");
  EXPECT_EQ(Cmd("type st"), "+set\r\n");
  EXPECT_EQ(Cmd("type z"), "+zset\r\n");
  EXPECT_EQ(Cmd("type nope"), "+none\r\n");
  EXPECT_EQ(Cmd("type a b"), Err("ERR wrong number of arguments for 'type' command"));
}

TEST_F(KeysFamilyTest, TouchCountsLiveKeys) {
  Put("a", "1");
  Put("e", "1");
  PutExpired("x");
  EXPECT_EQ(Cmd("touch a b x e a"), Int(3));
}

TEST_F(KeysFamilyTest, ReadLookupsCountKeyspaceHitsAndMisses) {
  Put("d", "1");
  db().ResetStats();
  Cmd("exists d zz");      // hit, miss
  Cmd("type d");           // hit
  Cmd("ttl zz");           // miss
  Cmd("object encoding d");  // hit
  Cmd("copy d e");         // hit (source only)
  Cmd("rename d f");       // write lookups: not counted
  EXPECT_EQ(db().keyspace_hits(), 4u);
  EXPECT_EQ(db().keyspace_misses(), 2u);
}

// --- expiry visibility ---

TEST_F(KeysFamilyTest, ExpiredKeysAreInvisible) {
  Put("live", "1");
  PutExpired("dead");
  EXPECT_EQ(Cmd("exists dead"), Int(0));
  EXPECT_FALSE(InTable("dead"));  // lazily deleted on access

  PutExpired("dead");
  EXPECT_EQ(Cmd("type dead"), "+none\r\n");
  EXPECT_FALSE(InTable("dead"));

  PutExpired("dead");
  EXPECT_EQ(Cmd("ttl dead"), Int(-2));
  PutExpired("dead");
  EXPECT_EQ(Cmd("object encoding dead"), kNull2);
  PutExpired("dead");
  EXPECT_EQ(Cmd("rename dead x"), Err("ERR no such key"));
  PutExpired("dead");
  EXPECT_EQ(Cmd("expire dead 100"), Int(0));
  PutExpired("dead");
  EXPECT_EQ(Cmd("persist dead"), Int(0));
  PutExpired("dead");
  EXPECT_EQ(Cmd("copy dead x"), Int(0));
  PutExpired("dead");
  EXPECT_EQ(Cmd("move dead 1"), Int(0));
  EXPECT_EQ(Cmd("exists x"), Int(0));
}

TEST_F(KeysFamilyTest, KeysSkipsExpiredWithoutDeleting) {
  Put("d", "1");
  PutExpired("a");
  PutExpired("b");
  EXPECT_EQ(Cmd("keys *"), "*1\r\n" + Bulk("d"));
  // Redis 7.0 KEYS uses keyIsExpired: the expired keys stay in the table.
  EXPECT_EQ(db().size(), 3u);
  EXPECT_TRUE(InTable("a"));
}

TEST_F(KeysFamilyTest, KeysMatchesGlob) {
  for (const char* k : {"user:1", "user:2", "user:10", "admin", "u"}) Put(k, "v");
  std::string out = Cmd("keys user:?");
  EXPECT_EQ(out.substr(0, 4), "*2\r\n");
  EXPECT_NE(out.find(Bulk("user:1")), std::string::npos);
  EXPECT_NE(out.find(Bulk("user:2")), std::string::npos);
  EXPECT_EQ(Cmd("keys adm[a-z]n"), "*1\r\n" + Bulk("admin"));
  EXPECT_EQ(Cmd("keys nothing*"), "*0\r\n");
  EXPECT_EQ(Cmd("keys"), Err("ERR wrong number of arguments for 'keys' command"));
}

TEST_F(KeysFamilyTest, RandomKeyNeverReturnsExpiredKeys) {
  EXPECT_EQ(Cmd("randomkey"), kNull2);
  r_.client().set_resp(3);
  EXPECT_EQ(Cmd("randomkey"), kNull3);
  r_.client().set_resp(2);

  PutExpired("only");
  EXPECT_EQ(Cmd("randomkey"), kNull2);
  EXPECT_EQ(db().size(), 0u);

  // Far more expired keys than Db::RandomKey's tries per call: Redis keeps
  // looking until it reaches the live one.
  for (int i = 0; i < 1000; ++i) PutExpired("x" + std::to_string(i));
  Put("live", "1");
  EXPECT_EQ(Cmd("randomkey"), Bulk("live"));
  EXPECT_EQ(Cmd("randomkey foo"), Err("ERR wrong number of arguments for 'randomkey' command"));
}

// --- SCAN ---

struct ScanReply {
  uint64_t cursor = 0;
  std::vector<std::string> keys;
};

// Parses "*2 $cursor *n $key..." strictly.
bool ParseScanReply(const std::string& s, ScanReply* out) {
  size_t pos = 0;
  auto line = [&](char prefix, std::string* text) {
    if (pos >= s.size() || s[pos] != prefix) return false;
    size_t end = s.find("\r\n", pos);
    if (end == std::string::npos) return false;
    *text = s.substr(pos + 1, end - pos - 1);
    pos = end + 2;
    return true;
  };
  auto bulk = [&](std::string* v) {
    std::string len;
    if (!line('$', &len)) return false;
    size_t n = std::stoul(len);
    if (pos + n + 2 > s.size() || s.compare(pos + n, 2, "\r\n") != 0) return false;
    *v = s.substr(pos, n);
    pos += n + 2;
    return true;
  };
  std::string t;
  if (!line('*', &t) || t != "2") return false;
  if (!bulk(&t)) return false;
  out->cursor = std::stoull(t);
  if (!line('*', &t)) return false;
  const size_t n = std::stoul(t);
  out->keys.clear();
  for (size_t i = 0; i < n; ++i) {
    if (!bulk(&t)) return false;
    out->keys.push_back(t);
  }
  return pos == s.size();
}

TEST_F(KeysFamilyTest, ScanReplyShapeAndCursorParsing) {
  Put("a", "1");
  const std::string one = "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("a");
  EXPECT_EQ(Cmd("scan 0"), one);
  EXPECT_EQ(Run({"scan", ""}), one);  // strtoul("") == 0, accepted by Redis
  EXPECT_EQ(Cmd("scan +0"), one);
  // "-1" wraps to ULONG_MAX: the last bucket, whose contents depend on the
  // per-process hash seed; the scan ends there either way.
  const std::string last = Cmd("scan 18446744073709551615");
  EXPECT_EQ(Cmd("scan -1"), last);
  EXPECT_EQ(last.substr(0, 11), "*2\r\n" + Bulk("0"));
  EXPECT_EQ(Run({"scan", " 0"}), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("scan 0x"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("scan abc"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("scan 18446744073709551616"), Err("ERR invalid cursor"));
  r_.client().set_resp(3);  // same bytes in RESP3
  EXPECT_EQ(Cmd("scan 0"), one);
}

TEST_F(KeysFamilyTest, ScanOptionErrors) {
  Put("a", "1");
  EXPECT_EQ(Cmd("scan 0 count 0"), Err("ERR syntax error"));
  EXPECT_EQ(Cmd("scan 0 count -1"), Err("ERR syntax error"));
  EXPECT_EQ(Cmd("scan 0 count abc"), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Cmd("scan 0 match"), Err("ERR syntax error"));
  EXPECT_EQ(Cmd("scan 0 foo"), Err("ERR syntax error"));
  EXPECT_EQ(Cmd("scan 0 type"), Err("ERR syntax error"));
  // The cursor is checked before the options.
  EXPECT_EQ(Cmd("scan x count 0"), Err("ERR invalid cursor"));
  EXPECT_EQ(Cmd("scan"), Err("ERR wrong number of arguments for 'scan' command"));
}

TEST_F(KeysFamilyTest, ScanMatchAndType) {
  Put("str", "1");
  PutContainer("lst", ValueType::kList, "quicklist");
  PutContainer("hsh", ValueType::kHash, "listpack");
  EXPECT_EQ(Cmd("scan 0 type hash"), "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("hsh"));
  EXPECT_EQ(Cmd("scan 0 TYPE STRING"), "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("str"));
  EXPECT_EQ(Cmd("scan 0 type stream"), "*2\r\n" + Bulk("0") + "*0\r\n");
  EXPECT_EQ(Cmd("scan 0 MATCH l* COUNT 100"), "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("lst"));
  EXPECT_EQ(Cmd("scan 0 count 10 match *s* type list"),
            "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("lst"));
}

TEST_F(KeysFamilyTest, ScanFiltersAndDeletesExpiredKeys) {
  Put("d", "1");
  PutExpired("a");
  PutExpired("b");
  EXPECT_EQ(Cmd("scan 0 count 100"), "*2\r\n" + Bulk("0") + "*1\r\n" + Bulk("d"));
  EXPECT_EQ(db().size(), 1u);  // unlike KEYS, SCAN deletes them
}

TEST_F(KeysFamilyTest, ScanTypeNoneReturnsExpiredKeysLikeRedis70) {
  // Redis 7.0 quirk: the TYPE check looks the key up (expiring it) and
  // calls it "none"; the expiry check that follows no longer finds it.
  Put("d", "1");
  PutExpired("a");
  ScanReply rep;
  ASSERT_TRUE(ParseScanReply(Cmd("scan 0 type none count 100"), &rep));
  EXPECT_EQ(rep.keys, std::vector<std::string>{"a"});
  EXPECT_EQ(db().size(), 1u);
}

TEST_F(KeysFamilyTest, ScanVisitsEverything) {
  for (int i = 0; i < 3000; ++i) Put("k" + std::to_string(i), "v");
  for (int count : {1, 7, 10, 1000}) {
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int calls = 0;
    do {
      ScanReply rep;
      ASSERT_TRUE(ParseScanReply(
          Run({"scan", std::to_string(cursor), "count", std::to_string(count)}), &rep));
      seen.insert(rep.keys.begin(), rep.keys.end());
      cursor = rep.cursor;
      ASSERT_LT(++calls, 100000);
    } while (cursor != 0);
    EXPECT_EQ(seen.size(), 3000u) << "count " << count;
  }
}

// Redis's SCAN guarantee: a key present from the start to the end of a full
// scan is returned at least once, while other keys come and go (so the table
// grows and shrinks) between calls.
TEST_F(KeysFamilyTest, ScanReturnsStableKeysWhileKeyspaceChanges) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 4; ++round) {
    for (auto& d : r_.server().dbs()) d.TakeAll();
    std::vector<std::string> stable, churn;
    for (int i = 0; i < 2000; ++i) {
      stable.push_back("s" + std::to_string(round) + ":" + std::to_string(i));
      Put(stable.back(), "v");
    }
    for (int i = 0; i < 3000; ++i) {
      churn.push_back("c" + std::to_string(round) + ":" + std::to_string(i));
      Put(churn.back(), "v");
    }
    int next_new = 0;
    const size_t start_buckets = db().table().bucket_count();
    size_t min_buckets = start_buckets, max_buckets = start_buckets;
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int calls = 0;
    do {
      const int count = 1 + static_cast<int>(rng() % 40);
      ScanReply rep;
      ASSERT_TRUE(ParseScanReply(
          Run({"scan", std::to_string(cursor), "COUNT", std::to_string(count)}), &rep));
      seen.insert(rep.keys.begin(), rep.keys.end());
      cursor = rep.cursor;
      // Phase A (first calls): grow a lot; phase B: shrink below the start.
      const bool grow = (calls / 25) % 2 == 0;
      if (grow) {
        for (int j = 0; j < 300; ++j) {
          churn.push_back("n" + std::to_string(round) + ":" + std::to_string(next_new++));
          Put(churn.back(), "v");
        }
      } else {
        for (int j = 0; j < 400 && !churn.empty(); ++j) {
          size_t idx = rng() % churn.size();
          std::swap(churn[idx], churn.back());
          EXPECT_EQ(Run({"del", churn.back()}), Int(1));
          churn.pop_back();
        }
      }
      // Let incremental rehashing advance at different speeds.
      if (rng() % 3 == 0) db().RehashStep(rng() % 64);
      min_buckets = std::min(min_buckets, db().table().bucket_count());
      max_buckets = std::max(max_buckets, db().table().bucket_count());
      ASSERT_LT(++calls, 200000);
    } while (cursor != 0);
    // The scan really ran across both a grow and a shrink.
    EXPECT_GT(max_buckets, start_buckets);
    EXPECT_LT(min_buckets, start_buckets);
    for (const std::string& k : stable) {
      ASSERT_TRUE(seen.count(k)) << "round " << round << " missed " << k;
    }
  }
}

// --- RENAME / RENAMENX ---

TEST_F(KeysFamilyTest, Rename) {
  Put("a", "1");
  EXPECT_EQ(Cmd("rename nope x"), Err("ERR no such key"));
  EXPECT_EQ(Cmd("rename nope nope"), Err("ERR no such key"));
  EXPECT_EQ(Cmd("rename a a"), kOk);
  EXPECT_EQ(Cmd("exists a"), Int(1));
  EXPECT_EQ(Cmd("rename a b"), kOk);
  EXPECT_EQ(Cmd("exists a"), Int(0));
  Db::Entry* e = db().Find("b", Now());
  ASSERT_NE(e, nullptr);
  std::string scratch;
  EXPECT_EQ(e->value.GetString(&scratch), "1");
}

TEST_F(KeysFamilyTest, RenameOverwritesAndKeepsTtl) {
  Db::Entry* e = Put("src", "payload");
  db().SetExpire(e, Now() + 100000);
  Db::Entry* d = Put("dst", "old");
  db().SetExpire(d, Now() + 5000);
  EXPECT_EQ(Cmd("rename src dst"), kOk);
  EXPECT_EQ(Cmd("ttl dst"), Int(100));
  EXPECT_EQ(Cmd("exists src"), Int(0));
  // A destination TTL does not survive when the source has none.
  Put("plain", "x");
  EXPECT_EQ(Cmd("rename plain dst"), kOk);
  EXPECT_EQ(Cmd("ttl dst"), Int(-1));
  EXPECT_EQ(db().expires_size(), 0u);
}

TEST_F(KeysFamilyTest, RenameMovesContainers) {
  PutContainer("l", ValueType::kList, "quicklist", 1 << 20);
  EXPECT_EQ(Cmd("rename l l2"), kOk);
  EXPECT_EQ(Cmd("type l2"), "+list\r\n");
  EXPECT_EQ(g_destroyed.load(), 0);  // moved, never copied or freed
}

TEST_F(KeysFamilyTest, RenameNx) {
  Put("a", "1");
  Put("b", "2");
  EXPECT_EQ(Cmd("renamenx a b"), Int(0));
  EXPECT_EQ(Cmd("renamenx a a"), Int(0));
  EXPECT_EQ(Cmd("renamenx nope c"), Err("ERR no such key"));
  EXPECT_EQ(Cmd("renamenx a c"), Int(1));
  EXPECT_EQ(Cmd("exists a c"), Int(1));
}

// --- COPY ---

TEST_F(KeysFamilyTest, CopyErrorsAndResults) {
  Put("c", "1");
  EXPECT_EQ(Cmd("copy c c"), Err("ERR source and destination objects are the same"));
  EXPECT_EQ(Cmd("copy c d"), Int(1));
  EXPECT_EQ(Cmd("copy c d"), Int(0));
  EXPECT_EQ(Cmd("copy c d replace"), Int(1));
  EXPECT_EQ(Cmd("copy c d db 1"), Int(1));
  EXPECT_EQ(Cmd("copy c d db 1"), Int(0));
  EXPECT_EQ(Cmd("copy c d DB 1 REPLACE"), Int(1));
  EXPECT_EQ(Cmd("copy c d db 16"), Err("ERR DB index is out of range"));
  EXPECT_EQ(Cmd("copy c d db -1"), Err("ERR DB index is out of range"));
  EXPECT_EQ(Cmd("copy c d db abc"), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Cmd("copy c d db 4294967296"),
            Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  EXPECT_EQ(Cmd("copy c d db -2147483649"),
            Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  EXPECT_EQ(Cmd("copy c d db 2147483647"), Err("ERR DB index is out of range"));
  EXPECT_EQ(Cmd("copy c d db"), Err("ERR syntax error"));
  EXPECT_EQ(Cmd("copy c d foo"), Err("ERR syntax error"));
  // Options are parsed before the same-object check.
  EXPECT_EQ(Cmd("copy c c foo"), Err("ERR syntax error"));
  EXPECT_EQ(Cmd("copy c c db 1"), Int(1));
  EXPECT_EQ(Cmd("copy c c db 0"), Err("ERR source and destination objects are the same"));
  EXPECT_EQ(Cmd("copy nope d"), Int(0));
  EXPECT_EQ(Cmd("copy c"), Err("ERR wrong number of arguments for 'copy' command"));
}

TEST_F(KeysFamilyTest, CopyIsDeepAndKeepsTtlAndEncoding) {
  Value v;
  auto fc = std::make_unique<FakeContainer>(ValueType::kZSet, "skiplist", 100, "orig");
  FakeContainer* orig = fc.get();
  v.SetContainer(std::move(fc));
  Db::Entry* e = db().Set("z", std::move(v), Now());
  db().SetExpire(e, Now() + 100000);
  EXPECT_EQ(Cmd("copy z z2 db 2"), Int(1));
  Db::Entry* c = db(2).Find("z2", Now());
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->value.container(), orig);
  orig->payload_ = "changed";
  EXPECT_EQ(c->value.As<FakeContainer>()->payload_, "orig");
  EXPECT_EQ(db(2).GetExpire(c), db().GetExpire(e));
  EXPECT_TRUE(InTable("z"));

  Db::Entry* s = Put("raw", "abc");
  s->value.SetRawString("abc");
  EXPECT_EQ(Cmd("copy raw raw2"), Int(1));
  EXPECT_EQ(Cmd("object encoding raw2"), Bulk("raw"));
  Put("n", "12345");
  EXPECT_EQ(Cmd("copy n n2"), Int(1));
  EXPECT_EQ(Cmd("object encoding n2"), Bulk("int"));
}

TEST_F(KeysFamilyTest, CopyUsesSelectedDbAsSource) {
  Put("k", "v", 3);
  r_.client().set_db_index(3);
  EXPECT_EQ(Cmd("copy k k db 0"), Int(1));
  EXPECT_EQ(Cmd("copy k k db 3"), Err("ERR source and destination objects are the same"));
  EXPECT_TRUE(InTable("k", 0));
}

// --- MOVE ---

TEST_F(KeysFamilyTest, Move) {
  Put("c", "1");
  EXPECT_EQ(Cmd("move c 0"), Err("ERR source and destination objects are the same"));
  EXPECT_EQ(Cmd("move nope 0"), Err("ERR source and destination objects are the same"));
  EXPECT_EQ(Cmd("move c 16"), Err("ERR DB index is out of range"));
  EXPECT_EQ(Cmd("move c -1"), Err("ERR DB index is out of range"));
  EXPECT_EQ(Cmd("move c abc"), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Cmd("move c 9223372036854775808"), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Cmd("move c 4294967296"),
            Err("ERR value is out of range, value must between -2147483648 and 2147483647"));
  EXPECT_EQ(Cmd("move nope 1"), Int(0));
  Db::Entry* e = db().Find("c", Now());
  db().SetExpire(e, Now() + 50000);
  const int64_t when = db().GetExpire(e);
  EXPECT_EQ(Cmd("move c 1"), Int(1));
  EXPECT_FALSE(InTable("c", 0));
  Db::Entry* m = db(1).Find("c", Now());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(db(1).GetExpire(m), when);
  EXPECT_EQ(db(0).expires_size(), 0u);
  // Already present in the target: nothing moves.
  Put("c", "2");
  EXPECT_EQ(Cmd("move c 1"), Int(0));
  EXPECT_TRUE(InTable("c", 0));
}

// --- EXPIRE family ---

TEST_F(KeysFamilyTest, ExpireOptionErrors) {
  Put("a", "1");
  EXPECT_EQ(Cmd("expire a 10 nx xx"),
            Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(Cmd("expire a 10 nx gt"),
            Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(Cmd("expire a 10 gt lt"),
            Err("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(Cmd("expire a 10 Foo"), Err("ERR Unsupported option Foo"));
  EXPECT_EQ(Cmd("expire a abc"), Err("ERR value is not an integer or out of range"));
  // Options are checked before the time.
  EXPECT_EQ(Cmd("expire a abc foo"), Err("ERR Unsupported option foo"));
  EXPECT_EQ(Cmd("expire a"), Err("ERR wrong number of arguments for 'expire' command"));
}

TEST_F(KeysFamilyTest, ExpireOverflow) {
  Put("a", "1");
  EXPECT_EQ(Cmd("expire a 9223372036854775807"),
            Err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(Cmd("pexpire a 9223372036854775807"),
            Err("ERR invalid expire time in 'pexpire' command"));
  EXPECT_EQ(Cmd("expireat a 9223372036854775807"),
            Err("ERR invalid expire time in 'expireat' command"));
  EXPECT_EQ(Cmd("EXPIRE a -9223372036854775808"),
            Err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(Cmd("pexpireat a 9223372036854775807"), Int(1));
  EXPECT_EQ(Cmd("pexpiretime a"), Int(INT64_MAX));
  EXPECT_EQ(Cmd("expiretime a"), Int(9223372036854776));
}

TEST_F(KeysFamilyTest, ExpireFlags) {
  Put("a", "1");
  EXPECT_EQ(Cmd("expire nope 10"), Int(0));
  EXPECT_EQ(Cmd("expire a 10 xx gt"), Int(0));
  EXPECT_EQ(Cmd("expire a 100 gt"), Int(0));  // no TTL counts as infinite
  EXPECT_EQ(Cmd("expire a 100 xx"), Int(0));
  EXPECT_EQ(Cmd("expire a 100 nx"), Int(1));
  EXPECT_EQ(Cmd("expire a 100 nx"), Int(0));
  EXPECT_EQ(Cmd("ttl a"), Int(100));
  EXPECT_EQ(Cmd("expire a 50 gt"), Int(0));
  EXPECT_EQ(Cmd("expire a 200 gt"), Int(1));
  EXPECT_EQ(Cmd("expire a 300 lt"), Int(0));
  EXPECT_EQ(Cmd("expire a 100 LT"), Int(1));
  EXPECT_EQ(Cmd("ttl a"), Int(100));
  EXPECT_EQ(Cmd("persist a"), Int(1));
  EXPECT_EQ(Cmd("expire a 100 lt"), Int(1));  // LT with no TTL succeeds
  EXPECT_EQ(Cmd("expire a 100 xx lt"), Int(0));
  EXPECT_EQ(Cmd("expire a 90 xx lt"), Int(1));
  EXPECT_EQ(Cmd("ttl a"), Int(90));
}

TEST_F(KeysFamilyTest, ExpireInThePastDeletes) {
  Put("a", "1");
  Put("b", "1");
  Put("c", "1");
  Put("d", "1");
  const uint64_t dirty = r_.server().dirty;
  EXPECT_EQ(Cmd("expire a -1"), Int(1));
  EXPECT_EQ(Cmd("pexpire b 0"), Int(1));
  EXPECT_EQ(Cmd("expireat c 1"), Int(1));
  EXPECT_EQ(Cmd("pexpireat d 1 nx"), Int(1));
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(r_.server().dirty, dirty + 4);
  // A failed condition leaves the key alone even for a past time.
  Put("e", "1");
  EXPECT_EQ(Cmd("expire e -1 xx"), Int(0));
  EXPECT_EQ(Cmd("exists e"), Int(1));
}

TEST_F(KeysFamilyTest, ExpireAtAndTtlFamily) {
  Put("a", "1");
  const int64_t at_s = Now() / 1000 + 1000;
  EXPECT_EQ(Run({"expireat", "a", std::to_string(at_s)}), Int(1));
  EXPECT_EQ(Cmd("expiretime a"), Int(at_s));
  EXPECT_EQ(Cmd("pexpiretime a"), Int(at_s * 1000));
  const int64_t at_ms = Now() + 123456;
  EXPECT_EQ(Run({"pexpireat", "a", std::to_string(at_ms)}), Int(1));
  EXPECT_EQ(Cmd("pexpiretime a"), Int(at_ms));
  EXPECT_EQ(Cmd("expiretime a"), Int((at_ms + 500) / 1000));  // rounded
  EXPECT_EQ(Cmd("ttl a"), Int(123));
  std::string pttl = Cmd("pttl a");
  const int64_t ms = std::stoll(pttl.substr(1));
  EXPECT_LE(ms, 123456);
  EXPECT_GT(ms, 120000);

  EXPECT_EQ(Cmd("ttl nope"), Int(-2));
  EXPECT_EQ(Cmd("pttl nope"), Int(-2));
  EXPECT_EQ(Cmd("expiretime nope"), Int(-2));
  EXPECT_EQ(Cmd("pexpiretime nope"), Int(-2));
  Put("p", "1");
  EXPECT_EQ(Cmd("ttl p"), Int(-1));
  EXPECT_EQ(Cmd("pttl p"), Int(-1));
  EXPECT_EQ(Cmd("expiretime p"), Int(-1));
  EXPECT_EQ(Cmd("pexpiretime p"), Int(-1));
}

TEST_F(KeysFamilyTest, TtlRoundsToNearestSecond) {
  Put("a", "1");
  EXPECT_EQ(Cmd("pexpire a 1600"), Int(1));
  EXPECT_EQ(Cmd("ttl a"), Int(2));
  EXPECT_EQ(Cmd("pexpire a 1400"), Int(1));
  EXPECT_EQ(Cmd("ttl a"), Int(1));
}

TEST_F(KeysFamilyTest, LazyExpiryOnAccess) {
  Put("a", "1");
  EXPECT_EQ(Cmd("pexpire a 30"), Int(1));
  EXPECT_EQ(Cmd("exists a"), Int(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_TRUE(InTable("a"));  // nothing has looked at it yet
  EXPECT_EQ(Cmd("keys *"), "*0\r\n");
  EXPECT_EQ(Cmd("scan 0 type string"), "*2\r\n" + Bulk("0") + "*0\r\n");
  EXPECT_EQ(Cmd("randomkey"), kNull2);
  EXPECT_EQ(Cmd("exists a"), Int(0));
  EXPECT_FALSE(InTable("a"));
  EXPECT_EQ(db().expired_keys(), 1u);
}

TEST_F(KeysFamilyTest, Persist) {
  Put("a", "1");
  EXPECT_EQ(Cmd("persist a"), Int(0));
  EXPECT_EQ(Cmd("persist nope"), Int(0));
  EXPECT_EQ(Cmd("expire a 100"), Int(1));
  const uint64_t dirty = r_.server().dirty;
  EXPECT_EQ(Cmd("persist a"), Int(1));
  EXPECT_EQ(r_.server().dirty, dirty + 1);
  EXPECT_EQ(Cmd("persist a"), Int(0));
  EXPECT_EQ(Cmd("ttl a"), Int(-1));
}

// Records each reported event as "name@db:key" and forwards the report to
// the server (WATCH, dirty, blocked clients).
class EventLog : public storage::KeyspaceObserver {
 public:
  explicit EventLog(storage::KeyspaceObserver* next) : next_(next) {}
  void OnKeyWritten(const storage::KeyWriteReport& r) override {
    for (size_t i = 0; i < r.num_events; ++i) {
      events.push_back(std::string(r.events[i].name) + "@" + std::to_string(r.db_index) + ":" +
                       std::string(r.key));
    }
    next_->OnKeyWritten(r);
  }
  void OnDbReplaced(int db, int other) override { next_->OnDbReplaced(db, other); }
  void OnKeyExpired(int db, std::string_view key) override { next_->OnKeyExpired(db, key); }
  std::vector<std::string> events;

 private:
  storage::KeyspaceObserver* next_;
};

// What one command did: its events ("name@db:key") and dirty increment.
struct Effect {
  std::vector<std::string> events;
  uint64_t dirty;
  bool operator==(const Effect&) const = default;
};
void PrintTo(const Effect& e, std::ostream* os) {
  *os << "{ ";
  for (const std::string& ev : e.events) *os << ev << " ";
  *os << "} dirty+" << e.dirty;
}

// Each write's keyspace events and dirty increment, as redis-server 7.0.15
// with notify-keyspace-events KEA publishes them on __keyevent@*__ (and
// INFO's rdb_changes_since_last_save moves).
TEST_F(KeysFamilyTest, WritesReportRedisEventNamesAndDirty) {
  EventLog log(&r_.server());
  for (int i = 0; i < 2; ++i) db(i).set_observer(&log);
  auto effects = [&](std::string_view line) {
    const size_t from = log.events.size();
    const uint64_t d0 = r_.server().dirty;
    Cmd(line);
    return Effect{std::vector<std::string>(log.events.begin() + from, log.events.end()),
                  r_.server().dirty - d0};
  };
  using V = std::vector<std::string>;
  Put("a", "1");
  Put("b", "2");
  EXPECT_EQ(effects("del a b nosuch"), (Effect{V{"del@0:a", "del@0:b"}, 2}));
  Put("a", "1");
  EXPECT_EQ(effects("unlink a nosuch"), (Effect{V{"del@0:a"}, 1}));
  Put("k", "v");
  EXPECT_EQ(effects("expire k 100"), (Effect{V{"expire@0:k"}, 1}));
  EXPECT_EQ(effects("pexpire k 100000"), (Effect{V{"expire@0:k"}, 1}));
  EXPECT_EQ(effects("expireat k 9999999999"), (Effect{V{"expire@0:k"}, 1}));
  EXPECT_EQ(effects("pexpireat k 9999999999000"), (Effect{V{"expire@0:k"}, 1}));
  EXPECT_EQ(effects("expire k 100 NX"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("expire k 200 XX"), (Effect{V{"expire@0:k"}, 1}));
  EXPECT_EQ(effects("persist k"), (Effect{V{"persist@0:k"}, 1}));
  EXPECT_EQ(effects("persist k"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("expire nosuch 10"), (Effect{V{}, 0}));
  // A time already past deletes: "del", not "expired".
  EXPECT_EQ(effects("expire k -1"), (Effect{V{"del@0:k"}, 1}));
  Put("k", "v");
  EXPECT_EQ(effects("pexpireat k 1"), (Effect{V{"del@0:k"}, 1}));
  // RENAME: the source's event, then the destination's; an overwritten
  // destination gets no "del"; one change in all.
  Put("s", "1");
  EXPECT_EQ(effects("rename s d"), (Effect{V{"rename_from@0:s", "rename_to@0:d"}, 1}));
  Put("d2", "x");
  EXPECT_EQ(effects("rename d d2"), (Effect{V{"rename_from@0:d", "rename_to@0:d2"}, 1}));
  EXPECT_EQ(effects("rename d2 d2"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("renamenx d2 d2"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("rename nosuch x"), (Effect{V{}, 0}));
  Put("x", "1");
  EXPECT_EQ(effects("renamenx d2 x"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("renamenx d2 y"), (Effect{V{"rename_from@0:d2", "rename_to@0:y"}, 1}));
  EXPECT_EQ(effects("copy y z"), (Effect{V{"copy_to@0:z"}, 1}));
  EXPECT_EQ(effects("copy y z"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("copy y z REPLACE"), (Effect{V{"copy_to@0:z"}, 1}));
  EXPECT_EQ(effects("copy y z DB 1"), (Effect{V{"copy_to@1:z"}, 1}));
  EXPECT_EQ(effects("move z 1"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("move nosuch 1"), (Effect{V{}, 0}));
  EXPECT_EQ(effects("move y 1"), (Effect{V{"move_from@0:y", "move_to@1:y"}, 1}));
  EXPECT_EQ(effects("touch x nosuch"), (Effect{V{}, 0}));
  // The lazy-free variants report the same.
  r_.server().config().lazyfree_lazy_server_del = true;
  r_.server().config().lazyfree_lazy_expire = true;
  r_.server().config().lazyfree_lazy_user_del = true;
  PutContainer("big", ValueType::kSet, "hashtable", 1000 * 16);
  PutContainer("big2", ValueType::kSet, "hashtable", 1000 * 16);
  EXPECT_EQ(effects("rename big big2"), (Effect{V{"rename_from@0:big", "rename_to@0:big2"}, 1}));
  EXPECT_EQ(effects("copy x big2 replace"), (Effect{V{"copy_to@0:big2"}, 1}));
  EXPECT_EQ(effects("expire big2 0"), (Effect{V{"del@0:big2"}, 1}));
  EXPECT_EQ(effects("del x"), (Effect{V{"del@0:x"}, 1}));
  for (int i = 0; i < 2; ++i) db(i).set_observer(&r_.server());
}

TEST_F(KeysFamilyTest, RenameAndCopyFreeTheReplacedValueLazily) {
  r_.server().config().lazyfree_lazy_server_del = true;
  PutContainer("src", ValueType::kSet, "hashtable", 16 * 16);
  PutContainer("dst", ValueType::kSet, "hashtable", 1000 * 16);
  size_t freed_before = r_.server().lazy_free().completed();
  EXPECT_EQ(Cmd("rename src dst"), kOk);
  for (int i = 0; i < 500 && r_.server().lazy_free().completed() == freed_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(r_.server().lazy_free().completed(), freed_before + 1);
  EXPECT_EQ(g_destroyed_off_thread.load(), 1);
  EXPECT_EQ(g_destroyed.load(), 1);
  // A small replaced value is freed inline; without the setting, always.
  Put("s", "v");
  EXPECT_EQ(Cmd("copy s dst replace"), Int(1));
  EXPECT_EQ(g_destroyed.load(), 2);
  EXPECT_EQ(g_destroyed_off_thread.load(), 1);
  r_.server().config().lazyfree_lazy_server_del = false;
  PutContainer("dst", ValueType::kSet, "hashtable", 1000 * 16);
  EXPECT_EQ(Cmd("copy s dst replace"), Int(1));
  EXPECT_EQ(g_destroyed.load(), 3);
  EXPECT_EQ(g_destroyed_off_thread.load(), 1);
}

// --- OBJECT ---

TEST_F(KeysFamilyTest, ObjectEncoding) {
  Put("i", "12345");
  Put("e", "hello");
  Put("r", std::string(45, 'x'));
  PutContainer("l", ValueType::kList, "quicklist");
  EXPECT_EQ(Cmd("object encoding i"), Bulk("int"));
  EXPECT_EQ(Cmd("object encoding e"), Bulk("embstr"));
  EXPECT_EQ(Cmd("object encoding r"), Bulk("raw"));
  EXPECT_EQ(Cmd("OBJECT ENCODING l"), Bulk("quicklist"));
  EXPECT_EQ(Cmd("object encoding nope"), kNull2);
  r_.client().set_resp(3);
  EXPECT_EQ(Cmd("object encoding nope"), kNull3);
  EXPECT_EQ(Cmd("object refcount nope"), kNull3);
  EXPECT_EQ(Cmd("object idletime nope"), kNull3);
  EXPECT_EQ(Cmd("object freq nope"), kNull3);
  EXPECT_EQ(Cmd("object encoding i"), Bulk("int"));
}

TEST_F(KeysFamilyTest, ObjectRefcount) {
  Put("small", "5");
  Put("edge", "9999");
  Put("big", "10000");
  Put("neg", "-1");
  Put("s", "hello");
  PutContainer("l", ValueType::kList, "listpack");
  EXPECT_EQ(Cmd("object refcount small"), Int(INT_MAX));
  EXPECT_EQ(Cmd("object refcount edge"), Int(INT_MAX));
  EXPECT_EQ(Cmd("object refcount big"), Int(1));
  EXPECT_EQ(Cmd("object refcount neg"), Int(1));
  EXPECT_EQ(Cmd("object refcount s"), Int(1));
  EXPECT_EQ(Cmd("object refcount l"), Int(1));
  EXPECT_EQ(Cmd("object refcount nope"), kNull2);
  // No shared integers with maxmemory and an LRU/LFU policy.
  r_.server().config().maxmemory = 1 << 30;
  r_.server().config().maxmemory_policy = server::MaxmemoryPolicy::kAllkeysLru;
  EXPECT_EQ(Cmd("object refcount small"), Int(1));
  r_.server().config().maxmemory_policy = server::MaxmemoryPolicy::kVolatileTtl;
  EXPECT_EQ(Cmd("object refcount small"), Int(INT_MAX));
}

TEST_F(KeysFamilyTest, ObjectIdletimeAndFreq) {
  Put("k", "v");
  EXPECT_EQ(Cmd("object idletime k"), Int(0));
  EXPECT_EQ(Cmd("object freq k"),
            Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                "Please note that when switching between policies at runtime LRU and LFU data "
                "will take some time to adjust."));
  EXPECT_EQ(Cmd("object freq nope"), kNull2);  // the lookup comes first
  // Through CONFIG SET, so that keys start recording LFU counters; a key
  // made then starts at Redis's LFU_INIT_VAL.
  EXPECT_EQ(Cmd("config set maxmemory-policy allkeys-lfu"), kOk);
  EXPECT_EQ(Cmd("object idletime k"),
            Err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
                "that when switching between policies at runtime LRU and LFU data will take "
                "some time to adjust."));
  EXPECT_EQ(Cmd("set k2 v"), kOk);
  EXPECT_EQ(Cmd("object freq k2"), Int(5));
}

TEST_F(KeysFamilyTest, ObjectHelpAndErrors) {
  const std::string help =
      "*15\r\n"
      "+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
      "+ENCODING <key>\r\n"
      "+    Return the kind of internal representation used in order to store the value\r\n"
      "+    associated with a <key>.\r\n"
      "+FREQ <key>\r\n"
      "+    Return the access frequency index of the <key>. The returned integer is\r\n"
      "+    proportional to the logarithm of the recent access frequency of the key.\r\n"
      "+IDLETIME <key>\r\n"
      "+    Return the idle time of the <key>, that is the approximated number of\r\n"
      "+    seconds elapsed since the last access to the key.\r\n"
      "+REFCOUNT <key>\r\n"
      "+    Return the number of references of the value associated with the specified\r\n"
      "+    <key>.\r\n"
      "+HELP\r\n"
      "+    Prints this help.\r\n";
  EXPECT_EQ(Cmd("object help"), help);
  EXPECT_EQ(Cmd("Object Help"), help);
  r_.client().set_resp(3);
  EXPECT_EQ(Cmd("object HELP"), help);
  r_.client().set_resp(2);
  EXPECT_EQ(Cmd("object foo"), Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_EQ(Cmd("object"), Err("ERR wrong number of arguments for 'object' command"));
  EXPECT_EQ(Cmd("object encoding"),
            Err("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(Cmd("object help x"), Err("ERR wrong number of arguments for 'object|help' command"));
}

// --- the table rows ---

TEST_F(KeysFamilyTest, CommandRowsMatchRedis) {
  const auto& t = r_.server().commands();
  struct Row {
    const char* name;
    int arity;
    uint32_t flags;
    int first, last, step;
    const char* acl;
  };
  using namespace server;
  const Row rows[] = {
      {"del", -2, kWrite, 1, -1, 1, "@keyspace @write @slow"},
      {"unlink", -2, kWrite | kFast, 1, -1, 1, "@keyspace @write @fast"},
      {"exists", -2, kReadonly | kFast, 1, -1, 1, "@keyspace @read @fast"},
      {"type", 2, kReadonly | kFast, 1, 1, 1, "@keyspace @read @fast"},
      {"keys", 2, kReadonly, 0, 0, 0, "@keyspace @read @slow @dangerous"},
      {"scan", -2, kReadonly, 0, 0, 0, "@keyspace @read @slow"},
      {"randomkey", 1, kReadonly, 0, 0, 0, "@keyspace @read @slow"},
      {"rename", 3, kWrite, 1, 2, 1, "@keyspace @write @slow"},
      {"renamenx", 3, kWrite | kFast, 1, 2, 1, "@keyspace @write @fast"},
      {"copy", -3, kWrite | kDenyOom, 1, 2, 1, "@keyspace @write @slow"},
      {"move", 3, kWrite | kFast, 1, 1, 1, "@keyspace @write @fast"},
      {"expire", -3, kWrite | kFast, 1, 1, 1, "@keyspace @write @fast"},
      {"pexpire", -3, kWrite | kFast, 1, 1, 1, "@keyspace @write @fast"},
      {"expireat", -3, kWrite | kFast, 1, 1, 1, "@keyspace @write @fast"},
      {"pexpireat", -3, kWrite | kFast, 1, 1, 1, "@keyspace @write @fast"},
      {"ttl", 2, kReadonly | kFast, 1, 1, 1, "@keyspace @read @fast"},
      {"pttl", 2, kReadonly | kFast, 1, 1, 1, "@keyspace @read @fast"},
      {"expiretime", 2, kReadonly | kFast, 1, 1, 1, "@keyspace @read @fast"},
      {"pexpiretime", 2, kReadonly | kFast, 1, 1, 1, "@keyspace @read @fast"},
      {"persist", 2, kWrite | kFast, 1, 1, 1, "@keyspace @write @fast"},
      {"touch", -2, kReadonly | kFast, 1, -1, 1, "@keyspace @read @fast"},
      {"object", -2, 0, 0, 0, 0, "@slow"},
  };
  for (const Row& row : rows) {
    const CommandSpec* s = t.Find(row.name);
    ASSERT_NE(s, nullptr) << row.name;
    EXPECT_EQ(s->arity, row.arity) << row.name;
    EXPECT_EQ(s->flags, row.flags) << row.name;
    EXPECT_EQ(s->first_key, row.first) << row.name;
    EXPECT_EQ(s->last_key, row.last) << row.name;
    EXPECT_EQ(s->key_step, row.step) << row.name;
    EXPECT_EQ(AclCategoryText(s->acl_categories), row.acl) << row.name;
  }
  const CommandSpec* object = t.Find("OBJECT");
  ASSERT_NE(object, nullptr);
  EXPECT_EQ(object->handler, nullptr);
  ASSERT_EQ(object->subcommands.size(), 5u);
  for (const char* sub : {"encoding", "freq", "idletime", "refcount"}) {
    const CommandSpec* s = CommandTable::FindSub(*object, sub);
    ASSERT_NE(s, nullptr) << sub;
    EXPECT_EQ(s->arity, 3);
    EXPECT_EQ(s->flags, kReadonly);
    EXPECT_EQ(s->first_key, 2);
    EXPECT_EQ(s->last_key, 2);
    EXPECT_EQ(AclCategoryText(s->acl_categories), "@keyspace @read @slow");
  }
  const CommandSpec* help = CommandTable::FindSub(*object, "help");
  ASSERT_NE(help, nullptr);
  EXPECT_STREQ(help->name, "object|help");
  EXPECT_EQ(help->arity, 2);
  EXPECT_EQ(help->flags, kLoading | kStale);
  EXPECT_EQ(AclCategoryText(help->acl_categories), "@keyspace @slow");
}

TEST_F(KeysFamilyTest, CommandsActOnSelectedDb) {
  Put("k", "v", 5);
  r_.client().set_db_index(5);
  EXPECT_EQ(Cmd("exists k"), Int(1));
  EXPECT_EQ(Cmd("keys *"), "*1\r\n" + Bulk("k"));
  EXPECT_EQ(Cmd("move k 0"), Int(1));
  EXPECT_EQ(Cmd("exists k"), Int(0));
  r_.client().set_db_index(0);
  EXPECT_EQ(Cmd("exists k"), Int(1));
}

}  // namespace
}  // namespace grabkv
