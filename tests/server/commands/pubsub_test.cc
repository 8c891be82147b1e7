// Pub/sub registry, RESP2 subscribed-context rules and RESP3 pushes.
#include <gtest/gtest.h>

#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv {
namespace {

using namespace grabkv::testing::replies;

using testing::CommandRunner;

TEST(PubSubTest, SubscribeConfirmsWithCount) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("SUBSCRIBE a b"),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(r.Cmd("PSUBSCRIBE n*"), "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n");
}

TEST(PubSubTest, PublishDeliversToChannelAndPatternSubscribers) {
  CommandRunner r;
  server::Client& sub = r.AddClient();
  server::Client& psub = r.AddClient();
  r.RunOn(sub, {"SUBSCRIBE", "news"});
  r.RunOn(psub, {"PSUBSCRIBE", "n*"});
  sub.out().clear();
  psub.out().clear();
  EXPECT_EQ(r.Cmd("PUBLISH news hi"), Int(2));
  EXPECT_EQ(sub.out(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(psub.out(), "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(r.Cmd("PUBLISH other x"), Int(0));
}

TEST(PubSubTest, Resp3MessagesArePushFrames) {
  CommandRunner r;
  server::Client& sub = r.AddClient();
  sub.set_resp(3);
  EXPECT_EQ(r.RunOn(sub, {"SUBSCRIBE", "c"}), ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  sub.out().clear();
  r.Cmd("PUBLISH c m");
  EXPECT_EQ(sub.out(), ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
  // RESP3 subscribers may run any command.
  EXPECT_EQ(r.RunOn(sub, {"SET", "k", "v"}), kOk);
}

TEST(PubSubTest, Resp2SubscribedContextRejectsOtherCommands) {
  CommandRunner r;
  r.Cmd("SUBSCRIBE c");
  EXPECT_EQ(r.Cmd("GET k"),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
  EXPECT_EQ(r.Cmd("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(r.Cmd("PING hi"), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  EXPECT_EQ(r.Cmd("UNSUBSCRIBE"), "*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n");
  EXPECT_EQ(r.Cmd("GET k"), kNil);
}

TEST(PubSubTest, UnsubscribeWithNothingSubscribed) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("UNSUBSCRIBE"), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(r.Cmd("PUNSUBSCRIBE"), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
}

TEST(PubSubTest, PubsubIntrospection) {
  CommandRunner r;
  server::Client& a = r.AddClient();
  server::Client& b = r.AddClient();
  r.RunOn(a, {"SUBSCRIBE", "x", "y"});
  r.RunOn(b, {"SUBSCRIBE", "x"});
  r.RunOn(b, {"PSUBSCRIBE", "p*", "q*"});
  EXPECT_EQ(r.Cmd("PUBSUB NUMSUB x y z"),
            "*6\r\n$1\r\nx\r\n:2\r\n$1\r\ny\r\n:1\r\n$1\r\nz\r\n:0\r\n");
  EXPECT_EQ(r.Cmd("PUBSUB NUMPAT"), Int(2));
  EXPECT_EQ(r.Cmd("PUBSUB CHANNELS y*"), "*1\r\n$1\r\ny\r\n");
  r.server().ForgetClient(a);
  EXPECT_EQ(r.Cmd("PUBSUB NUMSUB x y"), "*4\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n:0\r\n");
}

TEST(PubSubTest, ResetLeavesSubscribedContext) {
  CommandRunner r;
  r.Cmd("SUBSCRIBE c");
  EXPECT_EQ(r.Cmd("RESET"), "+RESET\r\n");
  EXPECT_EQ(r.Cmd("PUBSUB NUMSUB c"), "*2\r\n$1\r\nc\r\n:0\r\n");
}

}  // namespace
}  // namespace grabkv
