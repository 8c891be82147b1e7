// MONITOR's feed and CLIENT PAUSE's holding, in-process.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "server/core/monitor.h"
#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv::server {
namespace {

using namespace grabkv::testing::replies;

using testing::CommandRunner;

// The text after "+<time> " of each line in a monitor's output.
std::vector<std::string> Lines(const std::string& out) {
  std::vector<std::string> v;
  size_t i = 0;
  while (i < out.size()) {
    size_t e = out.find("\r\n", i);
    std::string line = out.substr(i, e - i);
    size_t sp = line.find(' ');
    v.push_back(sp == std::string::npos ? line : line.substr(sp + 1));
    i = e + 2;
  }
  return v;
}

TEST(MonitorTest, ReprQuotesLikeSdscatrepr) {
  std::string out;
  AppendRepr(out, std::string("a \"b\"\\\n\r\t\a\b\x01\x7f\xff~", 15));
  EXPECT_EQ(out, R"("a \"b\"\\\n\r\t\a\b\x01\x7f\xff~")");
}

TEST(MonitorTest, FeedShowsExecutedCommandsOnly) {
  CommandRunner r;
  Client& mon = r.AddClient();
  mon.addr = "127.0.0.1:5";
  r.client().addr = "127.0.0.1:7";
  EXPECT_EQ(r.CmdOn(mon, "MONITOR"), kOk);
  EXPECT_EQ(r.CmdOn(mon, "MONITOR"), "");  // already monitoring: no reply
  mon.out().clear();
  r.Cmd("SET k v");
  r.Cmd("NOSUCH x");          // refused: not shown
  r.Cmd("GET");               // arity: not shown
  r.Cmd("CONFIG GET port");   // admin: not shown
  r.Cmd("SELECT 2");
  r.Cmd("AUTH user pw");
  r.Cmd("HELLO 3 AUTH default pw");
  EXPECT_EQ(Lines(mon.out()),
            (std::vector<std::string>{R"x([0 127.0.0.1:7] "SET" "k" "v")x",
                                      R"x([2 127.0.0.1:7] "SELECT" "2")x",
                                      R"x([2 127.0.0.1:7] "AUTH" "(redacted)" "(redacted)")x",
                                      R"x([2 127.0.0.1:7] "HELLO" "3" "AUTH" "(redacted)" "(redacted)")x"}));
  EXPECT_EQ(r.CmdOn(mon, "GET k"), Err("ERR Replica can't interact with the keyspace"));
}

TEST(MonitorTest, BlockedCommandShownOnceAndExecAfterItsCommands) {
  CommandRunner r;
  Client& mon = r.AddClient();
  Client& waiter = r.AddClient();
  mon.addr = waiter.addr = r.client().addr = "h:1";
  r.CmdOn(mon, "MONITOR");
  mon.out().clear();
  r.CmdOn(waiter, "BLPOP L 0");
  r.Cmd("RPUSH L x");  // serves the waiter: its BLPOP is not shown again
  r.Cmd("MULTI");
  r.Cmd("INCR n");
  r.Cmd("EXEC");
  EXPECT_EQ(Lines(mon.out()),
            (std::vector<std::string>{R"x([0 h:1] "BLPOP" "L" "0")x", R"x([0 h:1] "RPUSH" "L" "x")x",
                                      R"x([0 h:1] "MULTI")x", R"x([0 h:1] "INCR" "n")x",
                                      R"x([0 h:1] "EXEC")x"}));
  EXPECT_EQ(r.Cmd("MULTI"), kOk);
  EXPECT_EQ(r.Cmd("MONITOR"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("EXEC"), "*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n");
}

TEST(ClientPauseTest, WriteHoldsWritersUntilUnpause) {
  CommandRunner r;
  Client& writer = r.AddClient();
  r.Cmd("SET k old");
  EXPECT_EQ(r.Cmd("CLIENT PAUSE 100000 WRITE"), kOk);
  EXPECT_EQ(r.CmdOn(writer, "SET k new"), "");  // held, no reply
  EXPECT_TRUE(writer.blocked);
  EXPECT_EQ(r.Cmd("GET k"), Bulk("old"));
  EXPECT_EQ(r.Run({"EVAL_RO", "return 1", "0"}), Int(1));
  EXPECT_EQ(r.server().blocking().blocked_clients(), 1u);
  EXPECT_EQ(r.Cmd("CLIENT UNPAUSE"), kOk);
  r.server().blocking().HandleTimeouts(ServerState::NowMs());
  EXPECT_FALSE(writer.blocked);
  EXPECT_EQ(writer.out(), kOk);
  EXPECT_EQ(r.Cmd("GET k"), Bulk("new"));
  EXPECT_EQ(r.server().blocking().NextDeadline(), 0);
}

TEST(ClientPauseTest, AllHoldsEverythingUntilTimeoutAndForgetsClosedClients) {
  CommandRunner r;
  Client& a = r.AddClient();
  Client& b = r.AddClient();
  EXPECT_EQ(r.Cmd("CLIENT PAUSE 50 ALL"), kOk);
  EXPECT_EQ(r.CmdOn(a, "PING"), "");
  EXPECT_EQ(r.CmdOn(b, "PING"), "");
  r.server().ForgetClient(b);  // disconnected while held
  const int64_t end = r.server().blocking().NextDeadline();
  EXPECT_GT(end, 0);
  r.server().blocking().HandleTimeouts(end - 10);
  EXPECT_TRUE(a.blocked);
  r.server().blocking().HandleTimeouts(end);
  EXPECT_EQ(a.out(), "+PONG\r\n");
  EXPECT_EQ(b.out(), "");
}

TEST(ClientPauseTest, KeysDoNotExpireWhilePaused) {
  CommandRunner r;
  r.Cmd("SET e 1 PX 5");
  r.Cmd("CLIENT PAUSE 100000 WRITE");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(r.Cmd("GET e"), kNil);
  EXPECT_EQ(r.Cmd("DBSIZE"), Int(1));  // seen as missing, not deleted
  r.Cmd("CLIENT UNPAUSE");
  r.server().blocking().HandleTimeouts(ServerState::NowMs());
  EXPECT_EQ(r.Cmd("GET e"), kNil);
  EXPECT_EQ(r.Cmd("DBSIZE"), Int(0));
}

TEST(ClientPauseTest, Errors) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("CLIENT PAUSE abc"), Err("ERR timeout is not an integer or out of range"));
  EXPECT_EQ(r.Cmd("CLIENT PAUSE -1"), Err("ERR timeout is negative"));
  EXPECT_EQ(r.Cmd("CLIENT PAUSE 10 none"), Err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
  EXPECT_EQ(r.Cmd("CLIENT PAUSE 10 write x"),
            Err("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."));
  EXPECT_EQ(r.Cmd("CLIENT PAUSE 0"), kOk);
  EXPECT_FALSE(r.server().blocking().paused());
}

}  // namespace
}  // namespace grabkv::server
