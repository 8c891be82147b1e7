// MIGRATE in-process, with a fake target behind TargetLinks: what goes on
// the wire (AUTH, SELECT only when the cached connection needs it, RESTORE
// with a relative TTL), what is propagated (DEL of the keys the target
// accepted, nothing with COPY), the retry on a fresh connection and the
// connection cache. Replies and behaviour against real Redis targets are in
// tests/integration/test_migrate.py.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/core/propagate.h"
#include "server/core/target_links.h"
#include "tests/server/command_test_util.h"

namespace grabkv::testing {
namespace {

using server::LinkIo;
using server::TargetLinks;

// What one fake connection receives and how it answers.
struct FakeTarget {
  std::string written;
  LinkIo write_result = LinkIo::kOk;
  std::deque<std::pair<LinkIo, std::string>> lines;  // empty: reads fail
  bool closed = false;
};

class FakeLink : public server::TargetLink {
 public:
  explicit FakeLink(std::shared_ptr<FakeTarget> t) : t_(std::move(t)) {}
  ~FakeLink() override { t_->closed = true; }
  LinkIo Write(std::string_view data, int64_t) override {
    if (t_->write_result == LinkIo::kOk) t_->written += data;
    return t_->write_result;
  }
  LinkIo ReadLine(std::string* line, size_t, int64_t) override {
    if (t_->lines.empty()) return LinkIo::kError;
    auto [io, text] = t_->lines.front();
    t_->lines.pop_front();
    *line = text;
    return io;
  }

 private:
  std::shared_ptr<FakeTarget> t_;
};

class MigrateTest : public FamilyTest {
 protected:
  MigrateTest() {
    runner_.server().AddExtension(std::make_unique<TargetLinks>(
        [this](const std::string& host, int port, int64_t) -> std::unique_ptr<server::TargetLink> {
          dialed_.push_back(host + ":" + std::to_string(port));
          if (targets_.empty()) return nullptr;
          auto t = targets_.front();
          targets_.pop_front();
          return std::make_unique<FakeLink>(t);
        }));
    runner_.server().propagator().set_sink([this](std::string_view resp) { propagated_ += resp; });
    runner_.server().propagator().set_enabled(true);
  }
  std::shared_ptr<FakeTarget> NextTarget(std::vector<std::string> replies) {
    auto t = std::make_shared<FakeTarget>();
    for (auto& r : replies) t->lines.emplace_back(LinkIo::kOk, r);
    targets_.push_back(t);
    return t;
  }
  TargetLinks& links() { return *runner_.server().extension<TargetLinks>(); }
  static std::string Resp(std::vector<std::string_view> argv) {
    std::string out;
    server::Propagator::AppendCommand(&out, argv);
    return out;
  }

  std::deque<std::shared_ptr<FakeTarget>> targets_;
  std::vector<std::string> dialed_;
  std::string propagated_;
};

TEST_F(MigrateTest, SendsSelectOnceAndPropagatesDelOfAcceptedKeys) {
  Cmd("SET a 1");
  Cmd("SET b 2");
  auto t = NextTarget({"+OK", "+OK", "-BUSYKEY Target key name already exists."});
  propagated_.clear();
  const size_t events_before = observer_.events.size();
  const uint64_t dirty_before = dirty();
  std::string reply = Run({"MIGRATE", "h", "7000", "", "3", "1000", "KEYS", "a", "b"});
  EXPECT_EQ(reply, "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n");
  EXPECT_EQ(t->written.substr(0, Resp({"SELECT", "3"}).size()), Resp({"SELECT", "3"}));
  EXPECT_NE(t->written.find("RESTORE"), std::string::npos);
  EXPECT_FALSE(Exists("a"));  // accepted: moved
  EXPECT_TRUE(Exists("b"));   // refused: kept
  EXPECT_NE(propagated_.find(Resp({"DEL", "a"})), std::string::npos) << propagated_;
  EXPECT_EQ(propagated_.find("MIGRATE"), std::string::npos);
  EXPECT_EQ(std::vector<std::string>(observer_.events.begin() + events_before, observer_.events.end()),
            std::vector<std::string>{"del"});
  EXPECT_EQ(dirty() - dirty_before, 1u);
}

TEST_F(MigrateTest, CachedConnectionSkipsSelectUntilAnError) {
  auto t = NextTarget({"+OK", "+OK", "+OK", "+OK", "-ERR DB index is out of range", "+OK", "+OK"});
  Cmd("SET a 1");
  EXPECT_EQ(Cmd("MIGRATE h 7000 a 0 1000"), "+OK\r\n");  // SELECT + RESTORE
  Cmd("SET a 1");
  const size_t before = t->written.size();
  EXPECT_EQ(Cmd("MIGRATE h 7000 a 0 1000 COPY"), "+OK\r\n");  // RESTORE only
  EXPECT_EQ(t->written.find("SELECT", before), std::string::npos);
  EXPECT_TRUE(Exists("a"));  // COPY keeps it
  EXPECT_EQ(Cmd("MIGRATE h 7000 a 9 1000"), "-ERR Target instance replied with error: ERR DB index is out of range\r\n");
  const size_t after_error = t->written.size();
  EXPECT_EQ(Cmd("MIGRATE h 7000 a 9 1000"), "+OK\r\n");  // SELECT again (the db is unknown)
  EXPECT_NE(t->written.find("SELECT", after_error), std::string::npos);
  EXPECT_EQ(dialed_, std::vector<std::string>{"h:7000"});
  EXPECT_EQ(links().size(), 1u);
  // Closed once unused for more than 10 s.
  links().CloseIdle(server::ServerState::NowMs() / 1000 + 5);
  EXPECT_FALSE(t->closed);
  links().CloseIdle(server::ServerState::NowMs() / 1000 + 11);
  EXPECT_TRUE(t->closed);
  EXPECT_EQ(links().size(), 0u);
}

TEST_F(MigrateTest, RetriesOnceOnAFreshConnection) {
  auto stale = NextTarget({});  // reading fails: closed by the target
  auto fresh = NextTarget({"+OK", "+OK"});
  Cmd("SET a 1");
  EXPECT_EQ(Cmd("MIGRATE h 7000 a 0 1000"), "+OK\r\n");
  EXPECT_TRUE(stale->closed);
  EXPECT_FALSE(Exists("a"));
  // Both attempts fail: IOERR, the key stays.
  auto w1 = NextTarget({});
  w1->write_result = LinkIo::kError;
  auto w2 = NextTarget({});
  w2->write_result = LinkIo::kError;
  Cmd("SET b 1");
  EXPECT_EQ(Cmd("MIGRATE other 7000 b 0 1000"), "-IOERR error or timeout writing to target instance\r\n");
  EXPECT_TRUE(Exists("b"));
  // A timeout is not retried.
  auto slow = NextTarget({});
  slow->lines.emplace_back(LinkIo::kTimeout, "");
  NextTarget({"+OK", "+OK"});
  EXPECT_EQ(Cmd("MIGRATE third 7000 b 0 1000"), "-IOERR error or timeout reading to target instance\r\n");
  EXPECT_TRUE(Exists("b"));
  EXPECT_EQ(Cmd("MIGRATE nowhere 7000 nokey 0 1000"), "+NOKEY\r\n");
  targets_.clear();
  EXPECT_EQ(Cmd("MIGRATE nowhere 7000 b 0 1000"), "-IOERR error or timeout connecting to the client\r\n");
}

TEST_F(MigrateTest, SendsAuthAndRelativeTtl) {
  auto t = NextTarget({"+OK", "+OK", "+OK"});
  Cmd("SET k v PX 50000");
  EXPECT_EQ(Cmd("MIGRATE h 1 k 0 1000 AUTH2 user secret REPLACE"), "+OK\r\n");
  EXPECT_EQ(t->written.rfind(Resp({"AUTH", "user", "secret"}), 0), 0u) << t->written;
  const size_t at = t->written.find("RESTORE");
  ASSERT_NE(at, std::string::npos);
  // RESTORE k <ttl> <payload> REPLACE, the TTL relative and at most 50000.
  const size_t ttl_at = t->written.find("$1\r\nk\r\n", at) + 7;
  const size_t len_end = t->written.find("\r\n", ttl_at);
  const int64_t ttl = std::stoll(t->written.substr(len_end + 2, t->written.find("\r\n", len_end + 2) - len_end - 2));
  EXPECT_GT(ttl, 40000);
  EXPECT_LE(ttl, 50000);
  EXPECT_NE(t->written.find("$7\r\nREPLACE\r\n"), std::string::npos);
}

}  // namespace
}  // namespace grabkv::testing
