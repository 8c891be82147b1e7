// MULTI/EXEC/WATCH semantics and the WATCH bookkeeping, in-process.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "tests/server/command_test_util.h"
#include "tests/server/resp_replies.h"

namespace grabkv {
namespace {

using namespace grabkv::testing::replies;

using testing::CommandRunner;

// MULTI, the commands (their +QUEUED replies unchecked), then EXEC: EXEC's
// reply.
std::string Transaction(CommandRunner& r, std::initializer_list<std::string_view> cmds) {
  r.Cmd("MULTI");
  for (std::string_view c : cmds) r.Cmd(c);
  return r.Cmd("EXEC");
}

TEST(TransactionTest, QueuesAndRunsInOrder) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("MULTI"), kOk);
  EXPECT_EQ(r.Cmd("SET a 1"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("INCR a"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("GET a"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("EXEC"), "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  EXPECT_FALSE(r.client().in_multi);
}

TEST(TransactionTest, ErrorsOutsideAndNested) {
  CommandRunner r;
  EXPECT_EQ(r.Cmd("EXEC"), Err("ERR EXEC without MULTI"));
  EXPECT_EQ(r.Cmd("DISCARD"), Err("ERR DISCARD without MULTI"));
  EXPECT_EQ(r.Cmd("MULTI"), kOk);
  EXPECT_EQ(r.Cmd("MULTI"), Err("ERR MULTI calls can not be nested"));
  EXPECT_EQ(r.Cmd("WATCH a"), Err("ERR WATCH inside MULTI is not allowed"));
  // Neither error dooms the transaction (Redis runs those commands directly).
  EXPECT_EQ(r.Cmd("SET a 1"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("EXEC"), "*1\r\n+OK\r\n");
}

TEST(TransactionTest, QueueTimeErrorAbortsWholeTransaction) {
  CommandRunner r;
  r.Cmd("MULTI");
  EXPECT_EQ(r.Cmd("SET a 1"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("NOSUCHCMD x"),
            Err("ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' "));
  EXPECT_EQ(r.Cmd("GET"), Arity("get"));
  EXPECT_EQ(r.Cmd("EXEC"), Err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(r.Cmd("GET a"), kNil);
  EXPECT_FALSE(r.client().in_multi);
}

TEST(TransactionTest, RuntimeErrorsDoNotRollBack) {
  CommandRunner r;
  r.Cmd("SET s hello");
  r.Cmd("MULTI");
  r.Cmd("INCR s");
  r.Cmd("SET t 1");
  EXPECT_EQ(r.Cmd("EXEC"),
            "*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
  EXPECT_EQ(r.Cmd("GET t"), Bulk("1"));
}

TEST(TransactionTest, DiscardDropsQueueAndWatches) {
  CommandRunner r;
  r.Cmd("WATCH k");
  r.Cmd("MULTI");
  r.Cmd("SET k 1");
  EXPECT_EQ(r.Cmd("DISCARD"), kOk);
  EXPECT_EQ(r.Cmd("GET k"), kNil);
  EXPECT_TRUE(r.client().watched.empty());
  EXPECT_EQ(r.server().watches().watched_keys(), 0u);
}

TEST(TransactionTest, WriteByAnotherClientFailsExec) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("SET count 10");
  EXPECT_EQ(r.Cmd("WATCH count"), kOk);
  r.RunOn(other, {"DECR", "count"});
  EXPECT_EQ(Transaction(r, {"SET count 9"}), kNilArray);
  EXPECT_EQ(r.Cmd("GET count"), Bulk("9"));
  // The failed EXEC unwatched everything: the next transaction succeeds.
  EXPECT_EQ(Transaction(r, {"SET count 8"}), "*1\r\n+OK\r\n");
}

TEST(TransactionTest, FailedExecIsNullInResp3) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.client().set_resp(3);
  r.Cmd("WATCH k");
  r.RunOn(other, {"SET", "k", "x"});
  EXPECT_EQ(Transaction(r, {"GET k"}), kNil3);
}

TEST(TransactionTest, FailedWriteDoesNotTouch) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("SET k v");
  r.Cmd("WATCH k");
  r.RunOn(other, {"SET", "k", "w", "NX"});  // fails: nothing written
  r.RunOn(other, {"INCR", "k"});           // fails: not an integer
  EXPECT_EQ(Transaction(r, {"GET k"}), "*1\r\n$1\r\nv\r\n");
}

TEST(TransactionTest, OwnWritesBeforeExecAlsoCount) {
  CommandRunner r;
  r.Cmd("WATCH k");
  r.Cmd("SET k 1");  // the watcher itself writes: Redis fails EXEC too
  EXPECT_EQ(Transaction(r, {"GET k"}), kNilArray);
}

TEST(TransactionTest, DeleteRenameAndFlushTouchWatchedKeys) {
  for (const char* cmd : {"DEL k", "UNLINK k", "RENAME k k2", "RENAMENX k k2", "RENAME src k",
                          "COPY src k REPLACE", "MOVE k 1", "FLUSHDB", "FLUSHALL", "SWAPDB 0 1",
                          "EXPIRE k 100", "EXPIRE k -1", "PERSIST k"}) {
    CommandRunner r;
    server::Client& other = r.AddClient();
    r.Cmd("SET k v");
    r.Cmd("SET src x");
    if (std::string(cmd) == "PERSIST k") r.Cmd("EXPIRE k 100");
    r.Cmd("WATCH k");
    std::vector<std::string> args;
    std::string s(cmd);
    for (size_t i = 0, j; i < s.size(); i = j + 1) {
      j = s.find(' ', i);
      if (j == std::string::npos) j = s.size();
      args.push_back(s.substr(i, j - i));
    }
    r.RunOn(other, args);
    r.Cmd("MULTI");
    r.Cmd("PING");
    EXPECT_EQ(r.Cmd("EXEC"), kNilArray) << cmd;
  }
}

// The destination of MOVE and COPY ... DB is a key of the other db.
TEST(TransactionTest, MoveAndCopyTouchTheWatchedKeyOfTheTargetDb) {
  for (const char* cmd : {"MOVE", "COPY"}) {
    CommandRunner r;
    server::Client& other = r.AddClient();
    r.RunOn(other, {"SET", "k", "v"});
    r.Cmd("SELECT 1");
    r.Cmd("WATCH k");
    if (std::string(cmd) == "MOVE") {
      r.RunOn(other, {"MOVE", "k", "1"});
    } else {
      r.RunOn(other, {"COPY", "k", "k", "DB", "1"});
    }
    r.Cmd("MULTI");
    r.Cmd("GET k");
    EXPECT_EQ(r.Cmd("EXEC"), kNilArray) << cmd;
  }
}

TEST(TransactionTest, FlushOfMissingWatchedKeyDoesNotFail) {
  // Redis only dirties watchers of keys that existed in the flushed db.
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("WATCH missing");
  r.RunOn(other, {"SET", "elsewhere", "1"});
  r.RunOn(other, {"FLUSHALL"});
  EXPECT_EQ(Transaction(r, {"PING"}), "*1\r\n+PONG\r\n");
}

TEST(TransactionTest, WatchedKeyThatExpiresBeforeExecFailsIt) {
  CommandRunner r;
  r.Cmd("SET k v PX 30");
  r.Cmd("WATCH k");
  usleep(60 * 1000);
  EXPECT_EQ(Transaction(r, {"PING"}), kNilArray);
}

TEST(TransactionTest, KeyAlreadyExpiredWhenWatchedDoesNotFailExec) {
  CommandRunner r;
  r.Cmd("SET k v PX 10");
  usleep(30 * 1000);
  r.Cmd("WATCH k");
  EXPECT_EQ(Transaction(r, {"PING"}), "*1\r\n+PONG\r\n");
}

TEST(TransactionTest, UnwatchAndDisconnectForgetWatches) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("WATCH a b c");
  EXPECT_EQ(r.server().watches().watched_keys(), 3u);
  EXPECT_EQ(r.Cmd("UNWATCH"), kOk);
  EXPECT_EQ(r.server().watches().watched_keys(), 0u);
  r.RunOn(other, {"WATCH", "a"});
  r.server().ForgetClient(other);
  EXPECT_EQ(r.server().watches().watched_keys(), 0u);
}

TEST(TransactionTest, UnwatchedWritesDoNotDirty) {
  CommandRunner r;
  server::Client& other = r.AddClient();
  r.Cmd("WATCH a");
  r.RunOn(other, {"SET", "b", "1"});
  r.RunOn(other, {"SELECT", "1"});
  r.RunOn(other, {"SET", "a", "1"});  // same name, other db
  EXPECT_EQ(Transaction(r, {"PING"}), "*1\r\n+PONG\r\n");
}

TEST(TransactionTest, ClockIsFrozenInsideExec) {
  CommandRunner r;
  r.Cmd("MULTI");
  r.Cmd("SET k v PX 1");
  r.Cmd("DEBUG SLEEP 0.01");
  r.Cmd("GET k");
  std::string out = r.Cmd("EXEC");
  // The key set in the transaction is still there for the GET after the
  // sleep: one "now" for the whole EXEC.
  EXPECT_NE(out.find(Bulk("v")), std::string::npos) << out;
}

}  // namespace
}  // namespace grabkv
