// In-process command runner for unit tests: a ServerState and Clients
// without sockets. Run() dispatches one command and returns the raw RESP
// bytes it produced. FamilyTest is the fixture the command family tests
// share: a runner whose db 0 reports to a CountingObserver.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/client.h"
#include "server/app/app.h"
#include "server/core/server_state.h"

namespace grabkv::testing {

class CommandRunner {
 public:
  explicit CommandRunner(server::Config cfg = {}) : server_(Assembled(std::move(cfg))), client_(NewClient()) {}
  ~CommandRunner() {
    for (auto& c : extra_) server_.ForgetClient(*c);
    server_.ForgetClient(*client_);
  }

  // Runs a command given as separate arguments, returns its raw reply.
  std::string Run(std::vector<std::string> args) { return RunOn(*client_, std::move(args)); }
  std::string RunOn(server::Client& c, std::vector<std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    c.out().clear();
    server::Dispatch(server_, c, views);
    return c.out();
  }
  // Convenience: splits on spaces (no quoting).
  std::string Cmd(std::string_view line) { return Run(SplitSpaces(line)); }
  std::string CmdOn(server::Client& c, std::string_view line) { return RunOn(c, SplitSpaces(line)); }
  static std::vector<std::string> SplitSpaces(std::string_view line) {
    std::vector<std::string> args;
    size_t i = 0;
    while (i < line.size()) {
      size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      if (j > i) args.emplace_back(line.substr(i, j - i));
      i = j + 1;
    }
    return args;
  }
  server::Client& AddClient() {
    extra_.push_back(NewClient());
    return *extra_.back();
  }

  server::ServerState& server() { return server_; }
  server::Client& client() { return *client_; }

 private:
  // The server as grabkv-server assembles it (server/app/app.h).
  struct Assembled : server::ServerState {
    explicit Assembled(server::Config cfg) : server::ServerState(std::move(cfg)) { server::Assemble(*this); }
  };
  std::unique_ptr<server::Client> NewClient() {
    auto c = std::make_unique<server::Client>(server_.NextClientId());
    server_.AddClient(c.get());
    return c;
  }
  Assembled server_;
  std::unique_ptr<server::Client> client_;
  std::vector<std::unique_ptr<server::Client>> extra_;
};

// Counts the keyspace notifications a command makes and forwards them to the
// server (so WATCH and blocked clients still work): tests assert that every
// write reports its key exactly once.
class CountingObserver : public storage::KeyspaceObserver {
 public:
  explicit CountingObserver(storage::KeyspaceObserver* next) : next_(next) {}
  void OnKeyWritten(const storage::KeyWriteReport& r) override {
    ++touched;
    changes += r.changes;
    for (size_t i = 0; i < r.num_events; ++i) events.emplace_back(r.events[i].name);
    next_->OnKeyWritten(r);
  }
  void OnDbReplaced(int db, int other) override { next_->OnDbReplaced(db, other); }
  void OnKeyExpired(int db, std::string_view key) override {
    ++expired;
    next_->OnKeyExpired(db, key);
  }
  int touched = 0;
  int expired = 0;
  uint64_t changes = 0;             // the dirty count reported
  std::vector<std::string> events;  // every event reported, in order

 private:
  storage::KeyspaceObserver* next_;
};

// What one command reported: its events in order, its number of changes
// (server.dirty) and how many writes (keys) it reported.
struct Effects {
  std::vector<std::string> events;
  uint64_t changes;
  int reports;
  bool operator==(const Effects&) const = default;
};
inline void PrintTo(const Effects& e, std::ostream* os) {
  *os << "{events:";
  for (const auto& ev : e.events) *os << ' ' << ev;
  *os << ", changes: " << e.changes << ", reports: " << e.reports << '}';
}

// A fixture around one CommandRunner: commands on its client (Cmd, Run) or
// on another (On), and the server's db 0 and dirty counter.
class RunnerTest : public ::testing::Test {
 protected:
  std::string Cmd(std::string_view line) { return runner_.Cmd(line); }
  std::string Run(std::vector<std::string> args) { return runner_.Run(std::move(args)); }
  std::string On(server::Client& c, std::string_view line) { return runner_.CmdOn(c, line); }
  void Resp3() { runner_.client().set_resp(3); }
  storage::Db& db() { return runner_.server().db(0); }
  bool Exists(std::string_view key) {
    return db().Find(key, server::ServerState::NowMs()) != nullptr;
  }
  server::BlockingManager& blocking() { return runner_.server().blocking(); }
  uint64_t dirty() { return runner_.server().dirty; }

  CommandRunner runner_;
};

// The fixture of the command family tests: a CommandRunner whose db 0
// reports its writes to a CountingObserver (which forwards them to the
// server, so WATCH and blocked clients still work).
class FamilyTest : public RunnerTest {
 protected:
  FamilyTest() : observer_(&runner_.server()) { db().set_observer(&observer_); }
  ~FamilyTest() override { db().set_observer(&runner_.server()); }

  int touched() { return observer_.touched; }
  // OBJECT ENCODING's reply for `key`.
  std::string Encoding(std::string_view key) { return Cmd("OBJECT ENCODING " + std::string(key)); }

  // Runs `line` (its reply to *reply when given) and returns what it
  // reported: events, server.dirty increment and number of key reports.
  Effects Observe(std::string_view line, std::string* reply = nullptr) {
    const size_t from = observer_.events.size();
    const uint64_t d0 = dirty();
    const int t0 = touched();
    std::string r = Cmd(line);
    if (reply != nullptr) *reply = std::move(r);
    return Effects{std::vector<std::string>(observer_.events.begin() + from, observer_.events.end()),
                   dirty() - d0, touched() - t0};
  }

  CountingObserver observer_;
};

}  // namespace grabkv::testing
