// Keyspace notifications: notify-keyspace-events parsing and printing as
// Redis 7.0 does, and the events delivered to a pub/sub subscriber by
// writes, read misses, lazy and active expiry and GRAB.*.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/core/notify.h"
#include "tests/server/command_test_util.h"

namespace grabkv {
namespace {

using server::KeyspaceEventsToString;
using server::ParseKeyspaceEvents;
using testing::CommandRunner;

TEST(NotifyFlagsTest, PrintsRedisCanonicalOrder) {
  const std::pair<const char*, const char*> cases[] = {
      {"KEA", "AKE"},   {"", ""},         {"K", "K"},     {"E", "E"},
      {"A", "A"},       {"Kg$", "g$K"},   {"lgK", "glK"}, {"mK", "Km"},
      {"n", "n"},       {"KEn", "nKE"},   {"xK", "xK"},   {"d", "d"},
      {"KEd", "dKE"},   {"Ax", "A"},      {"dtexzhsl$gE", "AE"},
      // Redis 7.0 leaves "n" out after "A" (the flag stays on).
      {"AKEnm", "AKEm"}, {"gl$shzxetdKEmn", "AKEm"}, {"Ag$lshzxeKEtmdn", "AKEm"},
  };
  for (const auto& [in, out] : cases) {
    const int flags = ParseKeyspaceEvents(in);
    ASSERT_NE(flags, -1) << in;
    EXPECT_EQ(KeyspaceEventsToString(flags), out) << in;
  }
  EXPECT_NE(ParseKeyspaceEvents("AKEn") & server::kNotifyNew, 0);
  EXPECT_EQ(ParseKeyspaceEvents("Q"), -1);
  EXPECT_EQ(ParseKeyspaceEvents("KEa"), -1);
  EXPECT_EQ(ParseKeyspaceEvents("K E"), -1);
}

// The (channel, message) pairs of the pmessages in a RESP2 output buffer.
std::vector<std::pair<std::string, std::string>> Messages(const std::string& out) {
  std::vector<std::string> bulks;
  size_t i = 0;
  while ((i = out.find('$', i)) != std::string::npos) {
    size_t crlf = out.find("\r\n", i);
    size_t len = std::stoul(out.substr(i + 1, crlf - i - 1));
    bulks.push_back(out.substr(crlf + 2, len));
    i = crlf + 2 + len + 2;
  }
  std::vector<std::pair<std::string, std::string>> msgs;
  for (size_t k = 0; k + 3 < bulks.size(); ++k) {
    if (bulks[k] == "pmessage") {
      msgs.emplace_back(bulks[k + 2], bulks[k + 3]);
      k += 3;
    }
  }
  return msgs;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sub_ = &r_.AddClient();
    r_.RunOn(*sub_, {"PSUBSCRIBE", "__key*"});
  }
  void Events(const std::string& flags) {
    ASSERT_EQ(r_.Run({"CONFIG", "SET", "notify-keyspace-events", flags}), "+OK\r\n");
  }
  // The messages delivered since the last call.
  Pairs Take() {
    Pairs m = Messages(sub_->out());
    sub_->out().clear();
    return m;
  }
  CommandRunner r_;
  server::Client* sub_ = nullptr;
};

TEST_F(NotifyTest, OffByDefault) {
  EXPECT_EQ(r_.Cmd("CONFIG GET notify-keyspace-events"),
            "*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n");
  Take();
  r_.Cmd("SET a 1");
  r_.Cmd("GET nokey");
  EXPECT_TRUE(Take().empty());
}

TEST_F(NotifyTest, ConfigSetAndGetCanonical) {
  Events("KEA");
  EXPECT_EQ(r_.Cmd("CONFIG GET notify-keyspace-events"),
            "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n");
  EXPECT_EQ(r_.Cmd("CONFIG SET notify-keyspace-events Kz"), "+OK\r\n");
  EXPECT_EQ(r_.Cmd("CONFIG SET notify-keyspace-events KQ"),
            "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
  EXPECT_EQ(r_.Cmd("CONFIG GET notify-keyspace-events"),
            "*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\nzK\r\n");
}

TEST_F(NotifyTest, KeyspaceThenKeyevent) {
  Events("KEA");
  Take();
  r_.Cmd("SET a 1");
  EXPECT_EQ(Take(), (Pairs{{"__keyspace@0__:a", "set"}, {"__keyevent@0__:set", "a"}}));
  r_.Cmd("SELECT 3");
  r_.Cmd("LPUSH l x y");
  r_.Cmd("LPOP l 2");
  EXPECT_EQ(Take(), (Pairs{{"__keyspace@3__:l", "lpush"},
                           {"__keyevent@3__:lpush", "l"},
                           {"__keyspace@3__:l", "lpop"},
                           {"__keyevent@3__:lpop", "l"},
                           {"__keyspace@3__:l", "del"},
                           {"__keyevent@3__:del", "l"}}));
}

TEST_F(NotifyTest, ClassesFilter) {
  Events("K$");
  Take();
  r_.Cmd("LPUSH l x");
  r_.Cmd("SET a 1");
  r_.Cmd("DEL a");
  EXPECT_EQ(Take(), (Pairs{{"__keyspace@0__:a", "set"}}));
  Events("El");
  r_.Cmd("LPUSH l x");
  r_.Cmd("SET a 1");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:lpush", "l"}}));
  // Classes without K or E deliver nothing.
  Events("A");
  r_.Cmd("SET a 2");
  EXPECT_TRUE(Take().empty());
}

TEST_F(NotifyTest, NewComesFirstOnlyWhenCreated) {
  Events("KEn$");
  Take();
  r_.Cmd("SET a 1");
  r_.Cmd("SET a 2");
  EXPECT_EQ(Take(), (Pairs{{"__keyspace@0__:a", "new"},
                           {"__keyevent@0__:new", "a"},
                           {"__keyspace@0__:a", "set"},
                           {"__keyevent@0__:set", "a"},
                           {"__keyspace@0__:a", "set"},
                           {"__keyevent@0__:set", "a"}}));
  Events("En");
  r_.Cmd("RPUSH l a");
  r_.Cmd("RPUSH l b");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:new", "l"}}));
}

TEST_F(NotifyTest, KeyMissOnReadsOnly) {
  Events("Em");
  Take();
  r_.Cmd("GET nokey");
  r_.Cmd("SET a 1");
  r_.Cmd("GET a");
  r_.Cmd("DEL nokey2");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:keymiss", "nokey"}}));
  Events("E");
  r_.Cmd("GET nokey");
  EXPECT_TRUE(Take().empty());
}

TEST_F(NotifyTest, ExpiredLazilyAndActively) {
  Events("KExm");
  r_.Cmd("SET lazy v PX 5");
  r_.Cmd("SET active v PX 5");
  Take();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r_.Cmd("GET lazy");
  EXPECT_EQ(Take(), (Pairs{{"__keyspace@0__:lazy", "expired"},
                           {"__keyevent@0__:expired", "lazy"},
                           {"__keyspace@0__:lazy", "keymiss"},
                           {"__keyevent@0__:keymiss", "lazy"}}));
  // No client touches it: the active expiry cycle finds it.
  r_.server().db(0).ActiveExpire(server::ServerState::NowMs(), 100);
  EXPECT_EQ(Take(), (Pairs{{"__keyspace@0__:active", "expired"},
                           {"__keyevent@0__:expired", "active"}}));
}

TEST_F(NotifyTest, GrabCommandsNotifyEffectsThenTheirOwnEvent) {
  Events("EA");
  Take();
  r_.Cmd("GRAB.SPLIT env 100 3 SEED 7");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:rpush", "env"}, {"__keyevent@0__:grab.split", "env"}}));
  r_.Cmd("GRAB.POP env claims alice");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:lpop", "env"},
                           {"__keyevent@0__:hset", "claims"},
                           {"__keyevent@0__:grab.pop", "env"}}));
  r_.Cmd("GRAB.POP env claims alice");  // a replay changes nothing
  EXPECT_TRUE(Take().empty());
  r_.Cmd("GRAB.UNDO env claims alice");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:hdel", "claims"},
                           {"__keyevent@0__:del", "claims"},
                           {"__keyevent@0__:lpush", "env"},
                           {"__keyevent@0__:grab.undo", "env"}}));
  r_.Cmd("SET stock 10");
  Take();
  r_.Cmd("GRAB.TAKE stock c bob COUNT 2");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:incrby", "stock"},
                           {"__keyevent@0__:hset", "c"},
                           {"__keyevent@0__:grab.take", "stock"}}));
  r_.Cmd("GRAB.UNTAKE stock c bob");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:hdel", "c"},
                           {"__keyevent@0__:del", "c"},
                           {"__keyevent@0__:incrby", "stock"},
                           {"__keyevent@0__:grab.untake", "stock"}}));
  // Their own event is of class g.
  Events("El");
  r_.Cmd("GRAB.POP env claims carol");
  EXPECT_EQ(Take(), (Pairs{{"__keyevent@0__:lpop", "env"}}));
}

}  // namespace
}  // namespace grabkv
