// Client-side caching (server/core/tracking.h): what is remembered, who is
// told, in which frame and when, and what is freed.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/command_test_util.h"

namespace grabkv::testing {
namespace {

using server::Client;

const std::string kInvK = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";
const std::string kInvNull = ">2\r\n$10\r\ninvalidate\r\n_\r\n";

class TrackingTest : public ::testing::Test {
 protected:
  CommandRunner r;
  Client& a = r.client();
  Client& b = r.AddClient();
  server::Tracking& t() { return r.server().tracking(); }
  void Resp3(Client& c) { r.CmdOn(c, "HELLO 3"); }
};

TEST_F(TrackingTest, OffCostsNothing) {
  EXPECT_FALSE(t().watching());
  EXPECT_FALSE(t().after_command_work());
  r.Cmd("GET k");
  r.CmdOn(b, "SET k v");
  EXPECT_EQ(t().total_keys(), 0u);
  EXPECT_EQ(t().clients(), 0);
}

TEST_F(TrackingTest, ReadKeyIsInvalidatedOnceByAnotherClientsWrite) {
  Resp3(a);
  EXPECT_EQ(r.Cmd("CLIENT TRACKING on"), "+OK\r\n");
  r.Cmd("MGET k j");
  EXPECT_EQ(t().total_keys(), 2u);
  EXPECT_EQ(t().total_items(), 2u);
  a.out().clear();
  EXPECT_EQ(r.CmdOn(b, "SET k 1"), "+OK\r\n");
  EXPECT_EQ(a.out(), kInvK);
  EXPECT_EQ(t().total_keys(), 1u);
  a.out().clear();
  r.CmdOn(b, "SET k 2");
  EXPECT_EQ(a.out(), "");  // forgotten until read again
}

TEST_F(TrackingTest, OwnWriteInvalidatesAfterTheReply) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on");
  r.Cmd("GET k");
  EXPECT_EQ(r.Cmd("SET k 1"), "+OK\r\n" + kInvK);
  r.Cmd("GET k");
  r.Cmd("MULTI");
  r.Cmd("SET k 2");
  EXPECT_EQ(r.Cmd("EXEC"), "*1\r\n+OK\r\n" + kInvK);
}

TEST_F(TrackingTest, NoloopSkipsOwnWrites) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on noloop");
  r.Cmd("GET k");
  EXPECT_EQ(r.Cmd("SET k 1"), "+OK\r\n");
}

TEST_F(TrackingTest, FlushSendsOneNullAndEmptiesTheTable) {
  Resp3(a);
  Resp3(b);
  r.Cmd("CLIENT TRACKING on");
  r.CmdOn(b, "CLIENT TRACKING on bcast");
  r.Cmd("GET k");
  a.out().clear();
  EXPECT_EQ(r.CmdOn(b, "FLUSHALL"), "+OK\r\n" + kInvNull);  // its own: after the reply
  EXPECT_EQ(a.out(), kInvNull);                              // one, not one per db
  EXPECT_EQ(t().total_keys(), 0u);
  EXPECT_EQ(t().total_items(), 0u);
  a.out().clear();
  r.CmdOn(b, "SWAPDB 0 1");
  EXPECT_EQ(a.out(), "");
}

TEST_F(TrackingTest, BroadcastCollectsPerPrefixInByteOrder) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on bcast prefix b prefix a");
  EXPECT_EQ(t().total_prefixes(), 2u);
  a.out().clear();
  r.CmdOn(b, "MSET bz 1 ba 2 aa 3 zz 4");
  r.CmdOn(b, "SET ab 1");
  EXPECT_EQ(a.out(), "");  // not before the loop iteration ends
  ASSERT_TRUE(t().broadcast_pending());
  t().Broadcast();
  EXPECT_EQ(a.out(),
            ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\naa\r\n$2\r\nab\r\n"
            ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\nba\r\n$2\r\nbz\r\n");
  a.out().clear();
  t().Broadcast();
  EXPECT_EQ(a.out(), "");
}

TEST_F(TrackingTest, BroadcastNoloopLeavesOutKeysTheClientWroteLast) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on bcast noloop");
  a.out().clear();
  r.Cmd("SET x 1");
  r.CmdOn(b, "SET y 1");
  r.CmdOn(b, "SET x 2");
  r.Cmd("SET y 2");
  a.out().clear();
  t().Broadcast();
  EXPECT_EQ(a.out(), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nx\r\n");
}

TEST_F(TrackingTest, Resp2RedirectToSubscribedClient) {
  Client& c = r.AddClient();
  r.CmdOn(b, "SUBSCRIBE __redis__:invalidate");
  EXPECT_EQ(r.Cmd("CLIENT TRACKING on redirect " + std::to_string(b.id())), "+OK\r\n");
  EXPECT_EQ(r.Cmd("CLIENT GETREDIR"), ":" + std::to_string(b.id()) + "\r\n");
  r.Cmd("GET k");
  b.out().clear();
  r.CmdOn(c, "SET k 1");
  EXPECT_EQ(b.out(), "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n");
  b.out().clear();
  r.CmdOn(c, "FLUSHDB");
  EXPECT_EQ(b.out(), "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
}

TEST_F(TrackingTest, BrokenRedirectIsReportedOnce) {
  Resp3(a);
  auto& gone = r.AddClient();
  r.Cmd("CLIENT TRACKING on redirect " + std::to_string(gone.id()));
  r.Cmd("GET k");
  r.server().ForgetClient(gone);
  a.out().clear();
  r.CmdOn(b, "SET k 1");
  EXPECT_EQ(a.out(), ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(gone.id()) + "\r\n");
  EXPECT_TRUE(a.tracking & Client::kTrackingBrokenRedir);
  r.server().AddClient(&gone);  // the runner forgets it again at the end
}

TEST_F(TrackingTest, OptinRemembersOnlyAfterCachingYes) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on optin");
  r.Cmd("GET o1");
  EXPECT_EQ(t().total_keys(), 0u);
  r.Cmd("CLIENT CACHING yes");
  r.Cmd("CLIENT ID");  // any CLIENT subcommand keeps the flag
  r.Cmd("GET o2");
  EXPECT_EQ(t().total_keys(), 1u);
  r.Cmd("GET o3");  // the flag lasted one command
  EXPECT_EQ(t().total_keys(), 1u);
}

TEST_F(TrackingTest, ScriptCommandsTrackForTheCaller) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on");
  r.Run({"EVAL", "return redis.call('get', KEYS[1])", "1", "k"});
  EXPECT_EQ(t().total_keys(), 1u);
  r.Run({"EVAL_RO", "return 1", "1", "j"});  // EVAL_RO's own keys are not read
  EXPECT_EQ(t().total_keys(), 1u);
}

TEST_F(TrackingTest, DisconnectAndOffFreeTheClientsState) {
  Resp3(a);
  r.Cmd("CLIENT TRACKING on bcast prefix p prefix q");
  r.CmdOn(b, "CLIENT TRACKING on bcast prefix p");
  EXPECT_EQ(t().clients(), 2);
  EXPECT_EQ(t().total_prefixes(), 2u);
  r.Cmd("CLIENT TRACKING off");
  EXPECT_EQ(t().clients(), 1);
  EXPECT_EQ(t().total_prefixes(), 1u);
  r.server().ForgetClient(b);
  EXPECT_EQ(t().clients(), 0);
  EXPECT_EQ(t().total_prefixes(), 0u);
  EXPECT_FALSE(t().watching());
  r.server().AddClient(&b);
}

TEST_F(TrackingTest, TableLimitEvictsWithInvalidations) {
  Resp3(a);
  r.Cmd("CONFIG SET tracking-table-max-keys 2");
  r.Cmd("CLIENT TRACKING on");
  r.Cmd("MGET a b c d");
  EXPECT_EQ(t().total_keys(), 4u);
  std::string out = r.CmdOn(b, "PING");  // the check runs before each command
  EXPECT_EQ(t().total_keys(), 2u);
  EXPECT_EQ(t().total_items(), 2u);
  size_t pushes = 0;
  for (size_t p = a.out().find(">2\r\n"); p != std::string::npos; p = a.out().find(">2\r\n", p + 1)) ++pushes;
  EXPECT_EQ(pushes, 2u);
}

}  // namespace
}  // namespace grabkv::testing
