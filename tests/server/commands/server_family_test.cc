// Server family (CONFIG, COMMAND, INFO, DBSIZE, FLUSH*, SWAPDB, TIME,
// SHUTDOWN, DEBUG) run in-process. Expected bytes were taken from
// redis-server 7.0.15 where the command exists there.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "server/core/server_state.h"
#include "storage/value.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;

using grabkv::testing::CommandRunner;

class ServerFamilyTest : public ::testing::Test {
 protected:
  void SetKey(int db, std::string_view key, std::string_view value) {
    storage::Value v;
    v.SetString(value);
    runner_.server().db(db).Set(key, std::move(v), ServerState::NowMs());
  }
  void SetKeyWithTtl(int db, std::string_view key, int64_t ttl_ms) {
    storage::Value v;
    v.SetString("v");
    int64_t now = ServerState::NowMs();
    storage::Db::Entry* e = runner_.server().db(db).Set(key, std::move(v), now);
    runner_.server().db(db).SetExpire(e, now + ttl_ms);
  }
  std::string Info(std::string_view section) { return runner_.Cmd("INFO " + std::string(section)); }

  CommandRunner runner_;
};

bool Contains(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// --- DBSIZE / FLUSHDB / FLUSHALL / SWAPDB -------------------------------------

TEST_F(ServerFamilyTest, DbSize) {
  EXPECT_EQ(runner_.Cmd("DBSIZE"), Int(0));
  SetKey(0, "a", "1");
  SetKey(0, "b", "2");
  SetKey(1, "c", "3");
  EXPECT_EQ(runner_.Cmd("DBSIZE"), Int(2));
  EXPECT_EQ(runner_.Cmd("DBSIZE x"), Arity("dbsize"));
}

TEST_F(ServerFamilyTest, FlushDbEmptiesOnlyTheSelectedDb) {
  SetKey(0, "a", "1");
  SetKey(0, "b", "2");
  SetKey(1, "c", "3");
  uint64_t dirty = runner_.server().dirty;
  EXPECT_EQ(runner_.Cmd("FLUSHDB"), kOk);
  EXPECT_EQ(runner_.server().db(0).size(), 0u);
  EXPECT_EQ(runner_.server().db(1).size(), 1u);
  EXPECT_EQ(runner_.server().dirty, dirty + 2);
}

TEST_F(ServerFamilyTest, FlushModes) {
  SetKey(0, "a", "1");
  EXPECT_EQ(runner_.Cmd("FLUSHDB async"), kOk);
  EXPECT_EQ(runner_.server().db(0).size(), 0u);
  SetKey(0, "a", "1");
  EXPECT_EQ(runner_.Cmd("FLUSHDB SYNC"), kOk);
  EXPECT_EQ(runner_.Cmd("FLUSHDB x"), kSyntax);
  EXPECT_EQ(runner_.Cmd("FLUSHDB async sync"), kSyntax);
  EXPECT_EQ(runner_.Cmd("FLUSHALL x"), kSyntax);
}

// Counts as redis-server 7.0.15 does (with no save points): the keys removed.
TEST_F(ServerFamilyTest, FlushAllEmptiesEveryDbAndCountsTheKeysRemoved) {
  SetKey(0, "a", "1");
  SetKey(3, "b", "2");
  uint64_t dirty = runner_.server().dirty;
  EXPECT_EQ(runner_.Cmd("FLUSHALL"), kOk);
  EXPECT_EQ(runner_.server().db(0).size(), 0u);
  EXPECT_EQ(runner_.server().db(3).size(), 0u);
  EXPECT_EQ(runner_.server().dirty, dirty + 2);
  EXPECT_EQ(runner_.Cmd("FLUSHALL"), kOk);  // empty keyspace: no change
  EXPECT_EQ(runner_.server().dirty, dirty + 2);
}

TEST_F(ServerFamilyTest, FlushAllAsyncFreesLargeDbsOffThread) {
  for (int i = 0; i < 1000; ++i) SetKey(2, "key:" + std::to_string(i), "value");
  EXPECT_EQ(runner_.Cmd("FLUSHALL ASYNC"), kOk);
  EXPECT_EQ(runner_.server().db(2).size(), 0u);
  SetKey(2, "again", "1");  // the db is usable at once
  EXPECT_EQ(runner_.server().db(2).size(), 1u);
}

TEST_F(ServerFamilyTest, SwapDb) {
  SetKey(0, "k", "v");
  EXPECT_EQ(runner_.Cmd("SWAPDB 0 1"), kOk);
  EXPECT_EQ(runner_.server().db(0).size(), 0u);
  EXPECT_EQ(runner_.server().db(1).size(), 1u);
  EXPECT_EQ(runner_.Cmd("SWAPDB 0 0"), kOk);
  EXPECT_EQ(runner_.Cmd("SWAPDB a 1"), Err("ERR invalid first DB index"));
  EXPECT_EQ(runner_.Cmd("SWAPDB 1 b"), Err("ERR invalid second DB index"));
  EXPECT_EQ(runner_.Cmd("SWAPDB 99999999999999999999 1"), Err("ERR invalid first DB index"));
  EXPECT_EQ(runner_.Cmd("SWAPDB 1 2147483648"), Err("ERR invalid second DB index"));
  EXPECT_EQ(runner_.Cmd("SWAPDB 0 16"), Err("ERR DB index is out of range"));
  EXPECT_EQ(runner_.Cmd("SWAPDB -1 0"), Err("ERR DB index is out of range"));
  EXPECT_EQ(runner_.Cmd("SWAPDB 1"), Arity("swapdb"));
}

// FLUSHDB, FLUSHALL and SWAPDB replace whole databases: no key events
// (redis-server 7.0.15 publishes none on __keyevent@*__), and dirty moves by
// the keys removed (FLUSHDB), by one (SWAPDB, even "0 0").
TEST_F(ServerFamilyTest, DbWideWritesReportNoKeyEvents) {
  SetKey(0, "a", "1");
  SetKey(0, "b", "2");
  SetKey(1, "c", "3");
  grabkv::testing::CountingObserver observer(&runner_.server());
  for (storage::Db& db : runner_.server().dbs()) db.set_observer(&observer);
  uint64_t dirty = runner_.server().dirty;
  EXPECT_EQ(runner_.Cmd("SWAPDB 0 1"), kOk);
  EXPECT_EQ(runner_.server().dirty, dirty + 1);
  EXPECT_EQ(runner_.Cmd("SWAPDB 0 0"), kOk);
  EXPECT_EQ(runner_.server().dirty, dirty + 2);
  EXPECT_EQ(runner_.Cmd("FLUSHDB"), kOk);
  EXPECT_EQ(runner_.server().dirty, dirty + 3);
  EXPECT_EQ(runner_.Cmd("FLUSHDB"), kOk);
  EXPECT_EQ(runner_.server().dirty, dirty + 3);
  EXPECT_EQ(observer.touched, 0);
  EXPECT_TRUE(observer.events.empty());
  for (storage::Db& db : runner_.server().dbs()) db.set_observer(&runner_.server());
}

TEST_F(ServerFamilyTest, SwapDbWakesClientBlockedOnAKeyOfTheOtherDb) {
  Client& waiter = runner_.AddClient();
  EXPECT_EQ(runner_.RunOn(waiter, {"BLPOP", "l", "0"}), "");
  EXPECT_EQ(runner_.Cmd("SELECT 1"), kOk);
  EXPECT_EQ(runner_.Cmd("RPUSH l a"), Int(1));
  EXPECT_EQ(runner_.Cmd("SELECT 0"), kOk);
  EXPECT_EQ(waiter.out(), "");
  EXPECT_EQ(runner_.Cmd("SWAPDB 0 1"), kOk);
  EXPECT_EQ(waiter.out(), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
}

// --- TIME / SHUTDOWN ------------------------------------------------------------

TEST_F(ServerFamilyTest, TimeShape) {
  std::string r = runner_.Cmd("TIME");
  EXPECT_TRUE(
      std::regex_match(r, std::regex("\\*2\r\n\\$10\r\n[0-9]{10}\r\n\\$[1-6]\r\n[0-9]{1,6}\r\n")))
      << r;
  EXPECT_EQ(runner_.Cmd("TIME x"), Arity("time"));
}

TEST_F(ServerFamilyTest, Shutdown) {
  EXPECT_EQ(runner_.Cmd("SHUTDOWN ABORT"), Err("ERR No shutdown in progress."));
  EXPECT_EQ(runner_.Cmd("SHUTDOWN foo"), kSyntax);
  EXPECT_EQ(runner_.Cmd("SHUTDOWN NOSAVE SAVE"), kSyntax);
  EXPECT_EQ(runner_.Cmd("SHUTDOWN NOSAVE ABORT"), kSyntax);
  EXPECT_FALSE(runner_.server().shutdown_requested);
  EXPECT_EQ(runner_.Cmd("SHUTDOWN NOSAVE NOW"), "");
  EXPECT_TRUE(runner_.server().shutdown_requested);
}

// --- CONFIG ---------------------------------------------------------------------

TEST_F(ServerFamilyTest, ConfigGet) {
  EXPECT_EQ(runner_.Cmd("CONFIG GET maxmemory"), "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG GET maxmemory maxmemory"), "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  // Without glob characters the name comes back as asked for.
  EXPECT_EQ(runner_.Cmd("CONFIG GET HZ hz"), "*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG GET nosuch"), kEmptyArray);
  EXPECT_EQ(runner_.Cmd("CONFIG GET lua-time-limit"),
            "*2\r\n$14\r\nlua-time-limit\r\n$4\r\n5000\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG GET *lua*"), "*2\r\n$14\r\nlua-time-limit\r\n$4\r\n5000\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG GET"),
            Arity("config|get"));
  runner_.client().set_resp(3);
  EXPECT_EQ(runner_.Cmd("CONFIG GET maxmemory"), "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG GET nosuch"), "%0\r\n");
}

TEST_F(ServerFamilyTest, ConfigSet) {
  EXPECT_EQ(runner_.Cmd("CONFIG SET maxmemory 1mb hz 20"), kOk);
  EXPECT_EQ(runner_.server().config().maxmemory, 1 << 20);
  EXPECT_EQ(runner_.server().config().hz, 20);
  EXPECT_EQ(runner_.Cmd("CONFIG GET hz"), "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET loglevel WARNING"), kOk);
  EXPECT_EQ(runner_.server().config().loglevel, LogLevel::kWarning);
  EXPECT_EQ(runner_.Cmd("CONFIG SET maxclients 5"), kOk);
  EXPECT_EQ(runner_.server().config().maxclients, 5);
}

TEST_F(ServerFamilyTest, ConfigSetErrors) {
  EXPECT_EQ(runner_.Cmd("CONFIG SET nosuch 1"),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"));
  EXPECT_EQ(runner_.Cmd("CONFIG SET maxmemory abc"),
            "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
            "a memory value\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET maxmemory 1 MAXMEMORY 2"),
            "-ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate "
            "parameter\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET HZ x"),
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
            "parsed into an integer\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET hz -1"),
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between "
            "0 and 2147483647 inclusive\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET DAEMONIZE yes"),
            "-ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set "
            "immutable config\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET hz 5 nosuch 1 hz x"),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"));
  EXPECT_EQ(
      runner_.Cmd("CONFIG SET loglevel foo"),
      "-ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be "
      "one of the following: debug, verbose, notice, warning\r\n");
  EXPECT_EQ(runner_.Cmd("CONFIG SET maxmemory 1 hz"), kSyntax);
  EXPECT_EQ(runner_.Cmd("CONFIG SET maxmemory"),
            Arity("config|set"));
  EXPECT_EQ(runner_.Cmd("CONFIG foo"), Err("ERR unknown subcommand 'foo'. Try CONFIG HELP."));
  EXPECT_EQ(runner_.Cmd("CONFIG"), Arity("config"));
}

TEST_F(ServerFamilyTest, ConfigSetIsAllOrNothing) {
  EXPECT_EQ(
      runner_.Cmd("CONFIG SET hz 11 maxmemory 5mb timeout x"),
      "-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be "
      "parsed into an integer\r\n");
  EXPECT_EQ(runner_.server().config().hz, 10);
  EXPECT_EQ(runner_.server().config().maxmemory, 0);
  // Names are all checked before anything is applied.
  EXPECT_EQ(runner_.Cmd("CONFIG SET hz 12 daemonize yes"),
            "-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            "immutable config\r\n");
  EXPECT_EQ(runner_.server().config().hz, 10);
}

TEST_F(ServerFamilyTest, ConfigRewriteAndHelp) {
  EXPECT_EQ(runner_.Cmd("CONFIG REWRITE"), Err("ERR The server is running without a config file"));
  std::string help = runner_.Cmd("CONFIG HELP");
  EXPECT_TRUE(StartsWith(
      help, "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pa"));
  EXPECT_TRUE(Contains(help, "+HELP\r\n+    Prints this help.\r\n"));
}

TEST_F(ServerFamilyTest, ConfigResetStat) {
  runner_.Cmd("DBSIZE");
  runner_.Cmd("SWAPDB x 1");
  EXPECT_TRUE(Contains(Info("commandstats"), "cmdstat_dbsize:calls=1,"));
  EXPECT_TRUE(Contains(Info("errorstats"), "errorstat_ERR:count=1\r\n"));
  EXPECT_EQ(runner_.Cmd("CONFIG RESETSTAT"), kOk);
  std::string stats = Info("commandstats errorstats stats");
  EXPECT_FALSE(Contains(stats, "cmdstat_dbsize")) << stats;
  EXPECT_FALSE(Contains(stats, "errorstat_ERR")) << stats;
  EXPECT_TRUE(Contains(stats, "cmdstat_config|resetstat:calls=1,")) << stats;
  EXPECT_TRUE(Contains(stats, "total_error_replies:0\r\n")) << stats;
  EXPECT_TRUE(Contains(stats, "total_commands_processed:1\r\n")) << stats;
}

// --- COMMAND --------------------------------------------------------------------

TEST_F(ServerFamilyTest, CommandCountAndList) {
  EXPECT_EQ(runner_.Cmd("COMMAND COUNT"),
            ":" + std::to_string(runner_.server().commands().size()) + "\r\n");
  std::string list = runner_.Cmd("COMMAND LIST");
  EXPECT_TRUE(Contains(list, Bulk("swapdb")));
  EXPECT_TRUE(Contains(list, Bulk("config|get")));
  EXPECT_EQ(runner_.Cmd("COMMAND LIST FILTERBY pattern CONFIG|G*"), "*1\r\n$10\r\nconfig|get\r\n");
  EXPECT_EQ(runner_.Cmd("COMMAND LIST FILTERBY module x"), kEmptyArray);
  EXPECT_EQ(runner_.Cmd("COMMAND LIST FILTERBY aclcat nosuch"), kEmptyArray);
  EXPECT_TRUE(
      Contains(runner_.Cmd("COMMAND LIST FILTERBY aclcat dangerous"), Bulk("flushall")));
  EXPECT_EQ(runner_.Cmd("COMMAND LIST FILTERBY foo x"), kSyntax);
  EXPECT_EQ(runner_.Cmd("COMMAND LIST x"), kSyntax);
  EXPECT_EQ(runner_.Cmd("COMMAND COUNT x"),
            Arity("command|count"));
  EXPECT_EQ(runner_.Cmd("COMMAND foo"), Err("ERR unknown subcommand 'foo'. Try COMMAND HELP."));
}

TEST_F(ServerFamilyTest, CommandInfo) {
  // Byte for byte what redis-server 7.0.15 prints for these two.
  EXPECT_EQ(runner_.Cmd("COMMAND INFO dbsize nosuch"),
            "*2\r\n*10\r\n$6\r\ndbsize\r\n:1\r\n*2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n"
            "*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n"
            "*2\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:agg_sum\r\n"
            "*0\r\n*0\r\n$-1\r\n");
  EXPECT_EQ(
      runner_.Cmd("COMMAND INFO config|get"),
      "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n"
      "+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n");
  runner_.client().set_resp(3);
  EXPECT_EQ(runner_.Cmd("COMMAND INFO swapdb nosuch"),
            "*2\r\n*10\r\n$6\r\nswapdb\r\n:3\r\n~2\r\n+write\r\n+fast\r\n:0\r\n:0\r\n:0\r\n"
            "~4\r\n+@keyspace\r\n+@write\r\n+@fast\r\n+@dangerous\r\n~0\r\n~0\r\n~0\r\n_\r\n");
  std::string config = runner_.Cmd("COMMAND INFO config");
  EXPECT_TRUE(StartsWith(config,
                         "*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@"
                         "slow\r\n~0\r\n~0\r\n*5\r\n"));
}

TEST_F(ServerFamilyTest, CommandInfoKeySpecsFromKeyPositions) {
  // MSET's first/last/step (1, -1, 2) become one range key spec, exactly as
  // Redis describes it.
  std::string info = runner_.Cmd("COMMAND INFO mset");
  EXPECT_TRUE(Contains(info,
                       "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec"
                       "\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype"
                       "\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7"
                       "\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n"))
      << info;
  std::string all = runner_.Cmd("COMMAND");
  EXPECT_EQ(all.substr(0, all.find("\r\n")),
            "*" + std::to_string(runner_.server().commands().size()));
  EXPECT_TRUE(Contains(all, "*10\r\n$8\r\nflushall\r\n"));
}

TEST_F(ServerFamilyTest, CommandDocs) {
  EXPECT_EQ(
      runner_.Cmd("COMMAND DOCS dbsize nosuch"),
      "*2\r\n$6\r\ndbsize\r\n*6\r\n$7\r\nsummary\r\n$50\r\nReturn the number of keys in "
      "the selected database\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n");
  EXPECT_EQ(runner_.Cmd("COMMAND DOCS nosuch"), kEmptyArray);
  std::string config = runner_.Cmd("COMMAND DOCS config");
  EXPECT_TRUE(Contains(config, "$11\r\nsubcommands\r\n*10\r\n$10\r\nconfig|get\r\n")) << config;
  runner_.client().set_resp(3);
  EXPECT_TRUE(StartsWith(runner_.Cmd("COMMAND DOCS time"),
                         "%1\r\n$4\r\ntime\r\n%3\r\n$7\r\nsummary\r\n$30\r\n"));
}

TEST_F(ServerFamilyTest, CommandGetKeys) {
  EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS nosuch a"), Err("ERR Invalid command specified"));
  EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS config get x"),
            Err("ERR The command has no key arguments"));
  EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS dbsize"),
            Arity("command|getkeys"));
  if (runner_.server().commands().Find("mset") != nullptr) {
    EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS mset a 1 b 2"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS mset a 1 b"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  }
  if (runner_.server().commands().Find("get") != nullptr) {
    EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS GET a b"),
              Err("ERR Invalid number of arguments specified for command"));
    EXPECT_EQ(runner_.Cmd("COMMAND GETKEYSANDFLAGS get a"),
              "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n");
  }
  if (runner_.server().commands().Find("del") != nullptr) {
    EXPECT_EQ(runner_.Cmd("COMMAND GETKEYS del a b c"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  }
}

TEST_F(ServerFamilyTest, CommandHelp) {
  std::string help = runner_.Cmd("COMMAND HELP");
  EXPECT_TRUE(StartsWith(
      help, "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no"));
}

// --- INFO -----------------------------------------------------------------------

TEST_F(ServerFamilyTest, InfoDefaultSections) {
  std::string info = runner_.Cmd("INFO");
  ASSERT_EQ(info[0], '$');
  for (const char* header : {"# Server\r\n", "# Clients\r\n", "# Memory\r\n", "# Persistence\r\n",
                             "# Stats\r\n", "# Replication\r\n", "# CPU\r\n", "# Modules\r\n",
                             "# Errorstats\r\n", "# Cluster\r\n", "# Keyspace\r\n"}) {
    EXPECT_TRUE(Contains(info, header)) << header;
  }
  EXPECT_FALSE(Contains(info, "# Commandstats"));
  for (const char* field : {"redis_version:7.0.15\r\n",
                            "grabkv_version:",
                            "redis_mode:standalone\r\n",
                            "arch_bits:64\r\n",
                            "process_id:",
                            "run_id:",
                            "tcp_port:",
                            "uptime_in_seconds:",
                            "connected_clients:1\r\n",
                            "maxclients:10000\r\n",
                            "used_memory:",
                            "used_memory_human:",
                            "maxmemory_policy:noeviction\r\n",
                            "mem_allocator:libc\r\n",
                            "loading:0\r\n",
                            "rdb_changes_since_last_save:0\r\n",
                            "aof_enabled:0\r\n",
                            "total_commands_processed:",
                            "expired_keys:0\r\n",
                            "keyspace_hits:0\r\n",
                            "role:master\r\n",
                            "master_failover_state:no-failover\r\n",
                            "used_cpu_user:",
                            "cluster_enabled:0\r\n"}) {
    EXPECT_TRUE(Contains(info, field)) << field;
  }
  // Sections are separated by one blank line and the text ends with CRLF.
  EXPECT_TRUE(Contains(info, "io_threads_active:0\r\n\r\n# Clients\r\n"));
  EXPECT_EQ(info.substr(info.size() - 14), "# Keyspace\r\n\r\n");
}

TEST_F(ServerFamilyTest, InfoSectionSelection) {
  EXPECT_EQ(Info("nosuch"), kEmpty);
  EXPECT_EQ(Info("CLUSTER nosuch"), "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
  EXPECT_EQ(Info("keyspace cluster"),
            "$44\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n\r\n");
  std::string all = Info("all");
  EXPECT_TRUE(Contains(all, "# Commandstats\r\n"));
  EXPECT_TRUE(Contains(all, "# Latencystats\r\n"));
  std::string both = Info("default commandstats");
  EXPECT_TRUE(Contains(both, "# Commandstats\r\n"));
  EXPECT_TRUE(Contains(both, "# Server\r\n"));
  runner_.client().set_resp(3);
  EXPECT_EQ(Info("cluster"), "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_F(ServerFamilyTest, InfoKeyspace) {
  SetKey(0, "a", "1");
  SetKey(0, "b", "2");
  SetKeyWithTtl(0, "c", 100000);
  SetKey(5, "x", "1");
  std::string ks = Info("keyspace");
  EXPECT_TRUE(Contains(ks, "db0:keys=3,expires=1,avg_ttl=")) << ks;
  EXPECT_TRUE(Contains(ks, "db5:keys=1,expires=0,avg_ttl=0\r\n")) << ks;
  EXPECT_FALSE(Contains(ks, "db1:")) << ks;
}

TEST_F(ServerFamilyTest, InfoCommandStatsCountsCommands) {
  runner_.Cmd("DBSIZE");
  runner_.Cmd("DBSIZE");
  runner_.Cmd("CONFIG GET hz");
  runner_.Cmd("DBSIZE extra");  // rejected: arity
  runner_.Cmd("SWAPDB x 0");    // failed
  std::string stats = Info("commandstats");
  EXPECT_TRUE(std::regex_search(
      stats, std::regex("cmdstat_dbsize:calls=2,usec=[0-9]+,usec_per_call=[0-9]+\\.[0-9]{2},"
                        "rejected_calls=1,failed_calls=0\r\n")))
      << stats;
  EXPECT_TRUE(Contains(stats, "cmdstat_config|get:calls=1,")) << stats;
  EXPECT_TRUE(Contains(stats, "cmdstat_swapdb:calls=1,")) << stats;
  EXPECT_TRUE(Contains(stats, "rejected_calls=0,failed_calls=1\r\n")) << stats;
  EXPECT_FALSE(Contains(stats, "cmdstat_flushall")) << stats;
  EXPECT_TRUE(Contains(Info("errorstats"), "errorstat_ERR:count=2\r\n"));
}

TEST_F(ServerFamilyTest, InfoPersistenceCountsChanges) {
  SetKey(0, "a", "1");  // a Db write: counts its own change
  runner_.server().dirty = 0;  // as after a save
  runner_.Cmd("FLUSHALL");  // one key removed: one change (Redis 7.0)
  EXPECT_TRUE(Contains(Info("persistence"), "rdb_changes_since_last_save:1\r\n"));
}

// --- DEBUG ----------------------------------------------------------------------

TEST_F(ServerFamilyTest, Debug) {
  EXPECT_EQ(runner_.Cmd("DEBUG OBJECT nosuch"), Err("ERR no such key"));
  SetKey(0, "k", "hello");
  SetKey(0, "n", "12345");
  EXPECT_TRUE(std::regex_match(
      runner_.Cmd("DEBUG OBJECT k"),
      std::regex("\\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:6 "
                 "lru:[0-9]+ lru_seconds_idle:0\r\n")));
  EXPECT_TRUE(Contains(runner_.Cmd("DEBUG OBJECT n"), " encoding:int serializedlength:3 "));
  EXPECT_EQ(runner_.Cmd("DEBUG SLEEP 0"), kOk);
  EXPECT_EQ(runner_.Cmd("DEBUG SLEEP 0.001"), kOk);
  EXPECT_EQ(runner_.Run({"DEBUG", "ERROR", "WRONGTYPE x"}), Err("WRONGTYPE x"));
  EXPECT_EQ(runner_.Cmd("DEBUG PROTOCOL map"), "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
  EXPECT_EQ(runner_.Cmd("DEBUG PROTOCOL push"), Err("ERR RESP2 is not supported by this command"));
  EXPECT_EQ(runner_.Cmd("DEBUG foo"),
            Err("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."));
  EXPECT_EQ(
      runner_.Cmd("DEBUG OBJECT k x"),
      Err("ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP."));
  EXPECT_EQ(runner_.Cmd("DEBUG"), Arity("debug"));
  EXPECT_TRUE(Contains(runner_.Cmd("DEBUG HELP"), "+SLEEP <seconds>\r\n"));
  runner_.client().set_resp(3);
  EXPECT_EQ(runner_.Cmd("DEBUG PROTOCOL map"), "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
  EXPECT_EQ(runner_.Cmd("DEBUG PROTOCOL bignum"), "(1234567999999999999999999999999999999\r\n");
}

}  // namespace
}  // namespace grabkv::server
