// ConfigTable: typed settings, CONFIG SET's all-or-nothing semantics with
// on-change hooks, and CONFIG REWRITE's rules (Redis 7.0's).
#include "server/core/config.h"
#include "server/core/server_state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace grabkv::server {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

class ConfigTest : public ::testing::Test {
 protected:
  Config cfg_;
  ConfigTable table_{&cfg_};
};

TEST_F(ConfigTest, EnumsAreTyped) {
  EXPECT_EQ(table_.SetAll({{"appendfsync", "ALWAYS"}, {"maxmemory-policy", "allkeys-lfu"}}), "");
  EXPECT_EQ(cfg_.appendfsync, AppendFsync::kAlways);
  EXPECT_EQ(cfg_.maxmemory_policy, MaxmemoryPolicy::kAllkeysLfu);
  EXPECT_TRUE(IsLfu(cfg_.maxmemory_policy));
  EXPECT_EQ(table_.Render("appendfsync"), "always");
  EXPECT_EQ(table_.SetAll({{"loglevel", "verbose"}}), "");
  EXPECT_EQ(cfg_.loglevel, LogLevel::kVerbose);
  EXPECT_EQ(table_.SetAll({{"appendfsync", "sometimes"}}),
            "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) "
            "must be one of the following: everysec, always, no");
  EXPECT_EQ(cfg_.appendfsync, AppendFsync::kAlways);
  // A passive enum keeps its value as an index too.
  EXPECT_EQ(table_.SetAll({{"oom-score-adj", "relative"}}), "");
  EXPECT_EQ(table_.Render("oom-score-adj"), "yes");
}

TEST_F(ConfigTest, ValueErrorRollsBackEarlierValues) {
  EXPECT_EQ(table_.SetAll({{"hz", "20"}, {"timeout", "7"}, {"maxmemory", "abc"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
            "be a memory value");
  EXPECT_EQ(cfg_.hz, 10);
  EXPECT_EQ(cfg_.timeout, 0);
}

TEST_F(ConfigTest, FirstInvalidNameIsReportedAndNothingApplied) {
  EXPECT_EQ(table_.SetAll({{"hz", "20"}, {"nosuch", "1"}, {"daemonize", "no"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  EXPECT_EQ(table_.SetAll({{"hz", "20"}, {"DAEMONIZE", "no"}, {"nosuch", "1"}}),
            "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set "
            "immutable config");
  EXPECT_EQ(table_.SetAll({{"dir", "/tmp"}, {"nosuch", "1"}}),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
            "config");
  EXPECT_EQ(table_.SetAll({{"hz", "20"}, {"HZ", "30"}}),
            "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  EXPECT_EQ(cfg_.hz, 10);
  // As in Redis 7.0, a name and its alias are not duplicates (the last wins).
  EXPECT_EQ(table_.SetAll({{"replica-read-only", "no"}, {"slave-read-only", "yes"}}), "");
  EXPECT_EQ(table_.Render("replica-read-only"), "yes");
}

TEST_F(ConfigTest, HooksRunOnlyForChangedValues) {
  int hz_calls = 0, timeout_calls = 0;
  table_.SetHook("hz", [&] {
    ++hz_calls;
    return std::string();
  });
  table_.SetHook("timeout", [&] {
    ++timeout_calls;
    return std::string();
  });
  EXPECT_EQ(table_.SetAll({{"hz", "10"}, {"timeout", "5"}}), "");
  EXPECT_EQ(hz_calls, 0);  // 10 already
  EXPECT_EQ(timeout_calls, 1);
  EXPECT_EQ(table_.SetAll({{"hz", "11"}}), "");
  EXPECT_EQ(hz_calls, 1);
  table_.SetHook("hz", nullptr);
  EXPECT_EQ(table_.SetAll({{"hz", "12"}}), "");
  EXPECT_EQ(hz_calls, 1);
}

TEST_F(ConfigTest, FailingHookRestoresEverythingAndReappliesOldValues) {
  std::vector<std::string> seen;
  table_.SetHook("timeout", [&] {
    seen.push_back("timeout=" + std::to_string(cfg_.timeout));
    return std::string();
  });
  table_.SetHook("appendonly", [&] {
    seen.push_back(std::string("appendonly=") + (cfg_.appendonly ? "yes" : "no"));
    return std::string(cfg_.appendonly ? "Unable to turn on AOF. Check server logs." : "");
  });
  EXPECT_EQ(table_.SetAll({{"timeout", "5"}, {"APPENDONLY", "yes"}, {"hz", "20"}}),
            "ERR CONFIG SET failed (possibly related to argument 'appendonly') - Unable to turn "
            "on AOF. Check server logs.");
  EXPECT_EQ(cfg_.timeout, 0);
  EXPECT_FALSE(cfg_.appendonly);
  EXPECT_EQ(cfg_.hz, 10);
  // The new values were applied in order, then the restored ones.
  EXPECT_EQ(seen, (std::vector<std::string>{"timeout=5", "appendonly=yes", "timeout=0",
                                            "appendonly=no"}));
}

TEST_F(ConfigTest, UnsupportedAndCheckedValuesAreRefused) {
  EXPECT_EQ(table_.SetAll({{"hz", "20"}, {"tls-port", "6390"}}),
            "ERR CONFIG SET failed (possibly related to argument 'tls-port') - TLS is not "
            "supported by grabkv yet");
  EXPECT_EQ(cfg_.hz, 10);
  EXPECT_EQ(table_.Render("tls-port"), "0");
  EXPECT_NE(table_.SetAll({{"activedefrag", "yes"}}).find("Active defragmentation cannot"),
            std::string::npos);
  EXPECT_EQ(table_.Render("activedefrag"), "no");
}

TEST(ConfigHooks, CoreHooksApplyLoglevelAndDir) {
  Config cfg;
  cfg.passive["enable-protected-configs"] = "yes";
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  cfg.dir = cwd;
  ServerState state(cfg);
  ConfigTable& table = state.config_table();
  EXPECT_EQ(table.SetAll({{"dir", "/nonexistent-grabkv-dir"}}),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or "
            "directory");
  EXPECT_EQ(state.config().dir, cwd);
  EXPECT_EQ(table.SetAll({{"dir", "/"}}), "");
  char now[4096];
  ASSERT_NE(getcwd(now, sizeof(now)), nullptr);
  EXPECT_STREQ(now, "/");
  // A refused value later in the call: no hook ran, the server stays.
  EXPECT_EQ(table.SetAll({{"dir", cwd}, {"activedefrag", "yes"}}).substr(0, 62),
            "ERR CONFIG SET failed (possibly related to argument 'activedef");
  ASSERT_NE(getcwd(now, sizeof(now)), nullptr);
  EXPECT_STREQ(now, "/");
  EXPECT_EQ(table.SetAll({{"dir", cwd}}), "");
  ASSERT_NE(getcwd(now, sizeof(now)), nullptr);
  EXPECT_STREQ(now, cwd);
}

// --- CONFIG REWRITE --------------------------------------------------------

TEST_F(ConfigTest, RewriteKeepsCommentsOrderAndIncludes) {
  ASSERT_EQ(table_.SetAll({{"hz", "20"}, {"maxmemory", "200mb"}, {"slave-read-only", "no"},
                           {"timeout", "5"}, {"save", "60 5"}, {"maxmemory-policy", "allkeys-lru"},
                           {"hash-max-listpack-value", "1000"}}),
            "");
  cfg_.dir = "/data";
  std::string old =
      "# top comment\n"
      "port 6379\n"
      "\n"
      "  # indented comment\n"
      "save 900 1\n"
      "save 300 10\n"
      "loglevel notice\n"
      "hz 10\n"
      "slave-read-only yes\n"
      "maxmemory 100mb\n"
      "include /etc/extra.conf\n"
      "timeout 0\n"
      "pidfile \"\"\n"
      "bio_cpulist \"\"\n"
      "logfile \"\"\n"
      "\n"
      "\n"
      "# trailing comment\n";
  EXPECT_EQ(table_.Rewrite(old),
            "# top comment\n"
            "port 6379\n"
            "\n"
            "# indented comment\n"
            "save 60 5\n"
            "\n"  // the second save line, blanked
            "loglevel notice\n"
            "hz 20\n"
            "replica-read-only no\n"  // an alias is rewritten under its name
            "maxmemory 200mb\n"
            "include /etc/extra.conf\n"
            "timeout 5\n"
            "\n"  // NULL strings' lines go; runs of empty lines become one
            "logfile \"\"\n"  // an empty string that is not NULL stays
            "\n"
            "# trailing comment\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "bind 127.0.0.1\n"
            "dir \"/data\"\n"
            "maxmemory-policy allkeys-lru\n"
            "hash-max-listpack-value 1000\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
}

TEST_F(ConfigTest, RewriteOfAnEmptyFileWritesOnlyWhatDiffers) {
  cfg_.dir = "/d";
  EXPECT_EQ(table_.Rewrite(""),
            "# Generated by CONFIG REWRITE\n"
            "bind 127.0.0.1\n"  // grabkv's default, written for redis-server's sake
            "save 3600 1\n"
            "save 300 100\n"
            "save 60 10000\n"
            "dir \"/d\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
  ASSERT_EQ(table_.SetAll({{"save", ""}, {"appendfsync", "always"}, {"requirepass", "p\"q"}}),
            "");
  std::string once = table_.Rewrite("# mine\n");
  EXPECT_EQ(once,
            "# mine\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "bind 127.0.0.1\n"
            "requirepass \"p\\\"q\"\n"
            "save \"\"\n"
            "appendfsync always\n"
            "dir \"/d\"\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
  // A second rewrite finds its own signature; like Redis's, it keeps the
  // empty line after the file's final newline (runs of them stay one).
  std::string twice = table_.Rewrite(once);
  EXPECT_EQ(twice, once + "\n");
  EXPECT_EQ(table_.Rewrite(twice), twice);
}

TEST_F(ConfigTest, RewriteSpreadsMultiLineSettingsOverTheirOldLines) {
  ASSERT_EQ(table_.SetAll({{"client-output-buffer-limit", "pubsub 64mb 16mb 60"}}), "");
  cfg_.dir = "/d";
  std::string old =
      "client-output-buffer-limit normal 0 0 0\n"
      "client-output-buffer-limit replica 256mb 64mb 60\n"
      "client-output-buffer-limit pubsub 32mb 8mb 60\n"
      "bogus-directive 1\n"
      "requirepass \"\"\n"
      "# Generated by CONFIG REWRITE\n"
      "dir \"/d\"";
  EXPECT_EQ(table_.Rewrite(old),
            "client-output-buffer-limit normal 0 0 0\n"
            "client-output-buffer-limit replica 256mb 64mb 60\n"
            "client-output-buffer-limit pubsub 64mb 16mb 60\n"
            "# ??? bogus-directive 1\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "dir \"/d\"\n"
            "bind 127.0.0.1\n"
            "save 3600 1\n"
            "save 300 100\n"
            "save 60 10000\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
  // One old line for a setting with three: the first line reuses it, the
  // others are appended only when they differ from the default.
  EXPECT_EQ(table_.Rewrite("client-output-buffer-limit pubsub 1mb 1mb 1\n"),
            "client-output-buffer-limit normal 0 0 0\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "bind 127.0.0.1\n"
            "save 3600 1\n"
            "save 300 100\n"
            "save 60 10000\n"
            "dir \"/d\"\n"
            "client-output-buffer-limit pubsub 64mb 16mb 60\n"
            "latency-tracking-info-percentiles 50 99 99.9\n");
}

TEST_F(ConfigTest, RewriteConfigFileReplacesTheFile) {
  char dir_template[] = "/tmp/grabkv-config-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string path = dir + "/grabkv.conf";
  {
    std::ofstream f(path);
    f << "# keep me\nhz 10\n";
  }
  cfg_.dir = dir;
  ASSERT_EQ(table_.SetAll({{"hz", "33"}}), "");
  std::string err;
  ASSERT_TRUE(RewriteConfigFile(table_, path, &err)) << err;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().substr(0, 17), "# keep me\nhz 33\n\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  mode_t mask = umask(0);
  umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0644 & ~mask);
  // No temporary file is left behind.
  FILE* p = popen(("ls " + dir).c_str(), "r");
  char buf[256];
  std::string names;
  while (std::fgets(buf, sizeof(buf), p) != nullptr) names += buf;
  pclose(p);
  EXPECT_EQ(names, "grabkv.conf\n");
  // A folder that cannot be written: strerror's text.
  EXPECT_FALSE(RewriteConfigFile(table_, "/nonexistent-dir/x.conf", &err));
  EXPECT_EQ(err, "No such file or directory");
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace grabkv::server
