// Tracking: server-assisted client-side caching (CLIENT TRACKING), as
// Redis 7.0 does it.
//
// Default mode: the keys a tracking client reads (the keys of its read-only
// commands) are remembered in a table keyed by key name alone (all dbs
// share it, as in Redis); the first write of such a key sends one
// invalidation to each client that read it and forgets the key. BCAST mode:
// a client registers prefixes; every write of a matching key is collected
// and, once per loop iteration, sent as one message per prefix with the
// keys in byte order. A flush sends a null invalidation to every tracking
// client and empties the table.
//
// Like Redis, a client's entries stay in the table when it turns tracking
// off or disconnects (they are dropped when the key is written, flushed or
// evicted by tracking-table-max-keys); the invalidation skips clients that
// are gone or no longer tracking.
//
// Messages: a RESP3 push `>2 invalidate [keys]` (null for a flush); with
// REDIRECT, to the other client, and to a RESP2 one only when it is
// subscribed, as a `message` on __redis__:invalidate.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "server/core/command.h"
#include "server/core/string_map.h"

namespace grabkv::server {

class Client;
class ServerState;

class Tracking {
 public:
  explicit Tracking(ServerState* server) : server_(server) {}

  // CLIENT TRACKING ON with its parsed options; returns an error reply text
  // ("" on success). redirect is 0 for none.
  std::string Enable(Client& c, uint64_t redirect, uint8_t options,
                     const std::vector<std::string_view>& prefixes);
  void Disable(Client& c);

  // Whether a write must be looked at (anything tracked at all).
  bool watching() const { return !table_.empty() || !prefixes_.empty(); }
  // A key was written (the one write path, ServerState::OnKeyWritten).
  void InvalidateKey(std::string_view key);
  // A database was flushed: one null invalidation per tracking client,
  // after the command (see AfterCommand).
  void NoteFlush();

  // Work for Execute after a command ran: something pending, or c tracks.
  bool after_command_work() const { return flush_pending_ || !pending_.empty(); }
  // After a command (nested ones too): remember the keys c read, send a
  // flush's invalidations. At the top level, also what was held back for
  // the client running the command (it gets them after its reply).
  void AfterCommand(Client& c, const CommandSpec* spec, Args args, bool in_script, bool top_level);
  // CLIENT CACHING's flag lasts one command (or one MULTI...EXEC): Dispatch
  // calls this after each top-level command.
  static void EndOfCommand(Client& c, const CommandSpec* spec);
  // Sends the current client's own invalidations held back by AfterCommand
  // (for a client whose reply the dispatcher drops: CLIENT REPLY OFF/SKIP).
  void FlushPending();
  // BCAST: the keys collected since the last call go out (once per loop
  // iteration, before replies are written).
  void Broadcast();
  bool broadcast_pending() const { return bcast_dirty_; }
  // Before each command: tracking-table-max-keys, evicting keys (with
  // their invalidations) as Redis does.
  void LimitTable();

  int64_t clients() const { return clients_; }
  size_t total_keys() const { return table_.size(); }
  uint64_t total_items() const { return items_; }
  size_t total_prefixes() const { return prefixes_.size(); }

 private:
  void RememberKeys(Client& c, const CommandSpec* spec, Args args);
  // Sends one message to c (or its redirection): keys, or null when
  // keys is nullptr.
  void Send(Client& c, const std::vector<std::string_view>* keys);
  void InvalidateKeyFrom(std::string_view key, bool bcast);

  ServerState* server_;
  // key -> ids of the clients that read it.
  StringMap<absl::flat_hash_set<uint64_t>> table_;
  uint64_t items_ = 0;
  int64_t clients_ = 0;
  struct Prefix {
    std::vector<Client*> clients;
    // Keys written since the last Broadcast -> id of the last client that
    // wrote it (0: none or a write without a client), for NOLOOP.
    std::map<std::string, uint64_t> keys;
  };
  std::map<std::string, Prefix> prefixes_;  // byte order, as Redis's rax
  bool bcast_dirty_ = false;
  bool flush_pending_ = false;
  // Invalidations for the client running the command, sent after its
  // reply; nullopt is a flush's null.
  std::vector<std::optional<std::string>> pending_;
  uint64_t pending_client_ = 0;
  unsigned limit_rounds_ = 0;
};

}  // namespace grabkv::server
