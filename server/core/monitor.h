// MonitorFeed: the clients in MONITOR mode and the line each executed
// command sends them, in Redis 7.0's format:
//   +1700000000.123456 [0 127.0.0.1:50000] "set" "k" "v"
// ([db lua] for a script's redis.call, [db unix:/path] for a Unix socket
// client; arguments quoted as Redis's sdscatrepr does).
//
// Execute feeds a command after it ran (the db shown is the one selected
// then, as Redis shows "SELECT 2" under [2 ...]); EVAL/FCALL (kSkipMonitor)
// are fed before they run, so that their redis.call lines follow them.
// Refused commands never reach Execute, so they are never shown; kAdmin
// commands are not shown either.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/core/command.h"

namespace grabkv::server {

class Client;
class ServerState;

class MonitorFeed {
 public:
  explicit MonitorFeed(ServerState* server) : server_(server) {}

  // The one check on the hot path: anybody watching?
  bool active() const { return !monitors_.empty(); }
  size_t size() const { return monitors_.size(); }

  void Add(Client& c);
  void Remove(Client& c);

  // Sends one line for `args` run by `c` (from a script when `lua`) in db
  // `db` to every monitor. Bit i of `redacted` shows argument i as
  // "(redacted)" (AUTH's password...).
  void Feed(const Client& c, int db, Args args, bool lua, uint64_t redacted);

 private:
  ServerState* server_;
  std::vector<Client*> monitors_;
};

// Appends `s` quoted as Redis's sdscatrepr does: "..." with \\ \" \n \r \t
// \a \b escaped, other unprintable bytes as \xNN.
void AppendRepr(std::string& out, std::string_view s);

}  // namespace grabkv::server
