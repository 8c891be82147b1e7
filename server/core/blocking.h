// BlockingManager: clients parked by blocking commands (BLPOP, BLMOVE,
// BZPOPMIN, ...) until a key they wait on may have data, or a timeout.
//
// The model is "run the command again": a blocking handler that finds
// nothing calls Block(); when a key it waits on is signalled ready, after the
// signalling command (or the whole EXEC / script) has finished, the client's
// command runs again from the start. A re-run that still finds nothing calls
// Block() again and keeps its place in line, so clients are served in the
// order they blocked. A timed-out client's command runs once more with
// ctx.unblock_timeout set, and the handler replies its timeout reply.
//
// Lives in ServerState; knows no sockets (the IO layer learns which clients
// have new output through ServerState::NotifyOutput).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/core/command.h"

namespace grabkv::server {

class Client;
class ServerState;

class BlockingManager {
 public:
  explicit BlockingManager(ServerState* server) : server_(server) {}

  // Parks ctx.client on `keys` (of its selected db) until one is signalled
  // or `deadline_ms` (absolute; 0 = forever) passes. Copies the command's
  // arguments for the re-run. Sends no reply.
  // REQUIRES: ctx.may_block().
  void Block(CommandContext& ctx, Args keys, int64_t deadline_ms);
  // Whether `c`'s command, having just run, is waiting: it blocked, or its
  // re-run (a key became ready, or the timeout) blocked it again.
  bool WaitingAfterRun(const Client& c) const;

  // A write made `key` possibly non-empty for waiters (list/zset push, a
  // rename or move onto it, ...). Cheap when nobody waits on it.
  void SignalKeyReady(int db, std::string_view key);

  // Every key waited on in `db` may have changed (SWAPDB): all its waiters
  // get a re-run.
  void SignalDb(int db);

  // Re-runs the commands of clients waiting on keys signalled since the
  // last call. Called after each top-level command (never inside EXEC or a
  // script, so a transaction's pushes are seen only once it is complete).
  void ServeReady() {
    if (!ready_.empty()) ServeReadySlow();
  }

  // Times out clients whose deadline has passed (the cron and a timer).
  void HandleTimeouts(int64_t now_ms);
  // The earliest deadline of any blocked client, or 0 when none.
  int64_t NextDeadline() const;

  // Forgets a client (disconnect, CLIENT KILL, RESET). No reply is sent.
  void Forget(Client& c);
  // CLIENT UNBLOCK: times out (or errors) a blocked client now; false when
  // the client is not blocked.
  bool Unblock(Client& c, bool with_error);

  // --- CLIENT PAUSE ---------------------------------------------------
  // A paused client's command is held, not refused: Postpone parks the
  // client (c.blocked, so the IO layer reads no further command from it)
  // with a copy of its command; when the pause ends, the held commands go
  // through Dispatch again, in arrival order, from HandleTimeouts (the loop
  // arms its timer for that at once). While any pause lasts, keys do not
  // expire (lazy lookups see them missing without deleting them; active
  // expiry stops), as in Redis 7.0. The monitor feed, replicas (none yet)
  // and a client's commands inside EXEC or a script are never held.
  enum class PauseType : uint8_t { kNone, kWrite, kAll };
  // The one check Dispatch makes when no pause is set.
  bool paused() const { return pause_type_ != PauseType::kNone; }
  PauseType pause_type() const { return pause_type_; }
  // CLIENT PAUSE: a second pause keeps the later end and the stronger type.
  // `end_ms` in the past (or 0) pauses nothing.
  void Pause(int64_t end_ms, PauseType type, int64_t now_ms);
  // CLIENT UNPAUSE: ends the pause now; held commands run right after the
  // current command (at the next HandleTimeouts).
  void Unpause();
  // Would `spec` from `c` be held now? (WRITE holds writes, may-replicate
  // commands like EVAL/FCALL/PUBLISH, and EXEC of such a transaction.)
  bool HoldsCommand(const Client& c, const CommandSpec* spec) const;
  void Postpone(Client& c, const CommandSpec* spec, Args args);
  size_t postponed_clients() const { return postponed_.size(); }

  // INFO blocked_clients: clients held by CLIENT PAUSE count too (Redis 7.0).
  size_t blocked_clients() const { return blocked_.size() + postponed_.size(); }
  size_t blocking_keys() const { return waiters_.size(); }
  bool IsBlocked(const Client& c) const { return blocked_.contains(&c); }

 private:
  struct Blocked {
    int db;
    std::vector<std::string> keys;
    std::vector<std::string> args;
    const CommandSpec* spec;
    int64_t deadline_ms;
  };
  using KeyId = std::pair<int, std::string>;

  // Re-runs c's command; `timed_out` makes it reply its timeout reply.
  void Rerun(Client& c, bool timed_out, bool with_error = false);
  void Remove(Client& c);
  void ServeReadySlow();

  struct Held {
    Client* client;
    std::vector<std::string> args;
  };
  void EndPause();
  void ResumePostponed();

  ServerState* server_;
  PauseType pause_type_ = PauseType::kNone;
  int64_t pause_end_ms_ = 0;
  std::deque<Held> postponed_;
  std::deque<Held> resuming_;  // taken from postponed_ while they run
  absl::flat_hash_map<const Client*, Blocked> blocked_;
  std::map<KeyId, std::deque<Client*>> waiters_;
  std::multimap<int64_t, Client*> deadlines_;
  std::vector<KeyId> ready_;
  Client* rerunning_ = nullptr;  // the client whose command is being re-run
  bool reblocked_ = false;       // ... and it called Block() again
  bool serving_ = false;
};

// Parses a blocking command's timeout (seconds as a double, 0 = forever)
// into an absolute deadline in ms, replying Redis's error when it is bad:
// "ERR timeout is not a float or out of range" / "ERR timeout is negative".
bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms);

}  // namespace grabkv::server
