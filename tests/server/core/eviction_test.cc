// maxmemory in-process: refusals under noeviction (plain, MULTI, EXEC,
// scripts) and evictions by policy (which keys may go, counting, events).
#include <gtest/gtest.h>

#include "tests/server/command_test_util.h"

namespace grabkv {
namespace {

using testing::CommandRunner;

constexpr char kOom[] = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

TEST(EvictionTest, NoevictionRefusesDenyOomCommandsOnly) {
  CommandRunner r;
  r.Cmd("SET k v");
  r.Cmd("CONFIG SET maxmemory 1");
  EXPECT_EQ(r.Cmd("SET k v2"), kOom);
  EXPECT_EQ(r.Cmd("LPUSH l a"), kOom);
  EXPECT_EQ(r.Cmd("GET k"), "$1\r\nv\r\n");
  EXPECT_EQ(r.Cmd("DEL k"), ":1\r\n");
  EXPECT_EQ(r.Cmd("CONFIG SET maxmemory 0"), "+OK\r\n");
  EXPECT_EQ(r.Cmd("SET k v3"), "+OK\r\n");
}

TEST(EvictionTest, TransactionsOverTheLimit) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("MULTI");
  r.Cmd("SET k v");
  r.CmdOn(other, "CONFIG SET maxmemory 1");
  EXPECT_EQ(r.Cmd("EXEC"),
            "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.\r\n");
  EXPECT_FALSE(r.client().in_multi);
  // While over the limit, queueing anything fails the transaction.
  r.Cmd("MULTI");
  EXPECT_EQ(r.Cmd("GET k"), kOom);
  EXPECT_EQ(r.Cmd("EXEC"), "-EXECABORT Transaction discarded because of previous errors.\r\n");
  r.Cmd("CONFIG SET maxmemory 0");
}

TEST(EvictionTest, ScriptsRefusedBeforeTheirFirstWrite) {
  CommandRunner r;
  r.Cmd("CONFIG SET maxmemory 1");
  EXPECT_EQ(r.Run({"EVAL", "return redis.call('set','x','1')", "0"}),
            "-OOM command not allowed when used memory > 'maxmemory'. script: "
            "8b2ae6dd76cda7fc3e27f97431ae27d7b08a221d, on @user_script:1.\r\n");
  EXPECT_EQ(r.Run({"EVAL", "redis.call('del','x') return redis.call('set','x','1')", "0"}),
            "+OK\r\n");
  EXPECT_EQ(r.Run({"EVAL", "#!lua\nreturn 1", "0"}), kOom);
  EXPECT_EQ(r.Run({"EVAL", "#!lua flags=no-writes\nreturn 1", "0"}), ":1\r\n");
  EXPECT_EQ(r.Run({"EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','2')", "0"}),
            "+OK\r\n");
  r.Cmd("CONFIG SET maxmemory 0");
}

int64_t InfoField(CommandRunner& r, const std::string& name) {
  const std::string info = r.Cmd("INFO stats");
  const size_t at = info.find(name + ":");
  return at == std::string::npos ? -1 : std::stoll(info.substr(at + name.size() + 1));
}

TEST(EvictionTest, VolatilePoliciesTakeOnlyKeysWithATtl) {
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    CommandRunner r;
    for (int i = 0; i < 50; ++i) {
      r.Cmd("SET p" + std::to_string(i) + " x");
      r.Cmd("SET v" + std::to_string(i) + " x EX 1000");
    }
    r.Cmd(std::string("CONFIG SET maxmemory-policy ") + policy);
    r.Cmd("CONFIG SET maxmemory-eviction-tenacity 100");  // no time limit: all in one go
    r.Cmd("CONFIG SET maxmemory 1");
    // Everything evictable goes; then the write is refused.
    EXPECT_EQ(r.Cmd("SET new x"), kOom) << policy;
    EXPECT_EQ(r.Cmd("DBSIZE"), ":50\r\n") << policy;
    EXPECT_EQ(r.Cmd("EXISTS p7"), ":1\r\n") << policy;
    EXPECT_EQ(InfoField(r, "evicted_keys"), 50) << policy;
    r.Cmd("CONFIG SET maxmemory 0");
  }
}

TEST(EvictionTest, AllkeysPoliciesEvictEverythingIfTheyMust) {
  for (const char* policy : {"allkeys-lru", "allkeys-lfu", "allkeys-random"}) {
    CommandRunner r;
    server::Client& watcher = r.AddClient();
    for (int i = 0; i < 40; ++i) r.Cmd("SET k" + std::to_string(i) + " x");
    r.CmdOn(watcher, "WATCH k1");
    r.Cmd(std::string("CONFIG SET maxmemory-policy ") + policy);
    r.Cmd("CONFIG SET maxmemory-eviction-tenacity 100");  // no time limit: all in one go
    r.Cmd("CONFIG SET maxmemory 1");
    r.Cmd("PING");
    r.Cmd("CONFIG SET maxmemory 0");
    EXPECT_EQ(r.Cmd("DBSIZE"), ":0\r\n") << policy;
    EXPECT_EQ(InfoField(r, "evicted_keys"), 40) << policy;
    r.CmdOn(watcher, "MULTI");
    r.CmdOn(watcher, "SET k1 y");
    EXPECT_EQ(r.CmdOn(watcher, "EXEC"), "*-1\r\n") << policy;  // the eviction failed WATCH
  }
}

TEST(EvictionTest, ObjectFreqAndIdletime) {
  CommandRunner r;
  r.Cmd("SET k v");
  EXPECT_EQ(r.Cmd("OBJECT IDLETIME k"), ":0\r\n");
  r.Cmd("CONFIG SET maxmemory-policy allkeys-lfu");
  r.Cmd("SET f v");
  EXPECT_EQ(r.Cmd("OBJECT FREQ f"), ":5\r\n");
  r.Cmd("GET f");
  EXPECT_EQ(r.Cmd("OBJECT FREQ f"), ":6\r\n");
  EXPECT_EQ(r.Cmd("OBJECT FREQ f"), ":6\r\n");  // OBJECT is no access
  r.Cmd("EXISTS f");                            // nor is EXISTS
  EXPECT_EQ(r.Cmd("OBJECT FREQ f"), ":6\r\n");
}

}  // namespace
}  // namespace grabkv
