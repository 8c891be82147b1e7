// Client: the per-connection state commands see (selected db, protocol
// version, name, auth, flags) and the connection's output buffer.
//
// A Client knows nothing of sockets: the IO layer (connection.h) owns one per
// TCP connection and drains out_; tests create one directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/core/string_map.h"

#include "protocol/reply_builder.h"

namespace grabkv::server {

struct CommandSpec;

class Client {
 public:
  explicit Client(uint64_t id) : id_(id), reply_(&out_) {}
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint64_t id() const { return id_; }

  protocol::ReplyBuilder& reply() { return reply_; }
  std::string& out() { return out_; }
  const std::string& out() const { return out_; }

  int db_index() const { return db_index_; }
  void set_db_index(int i) { db_index_ = i; }

  int resp() const { return reply_.resp3() ? 3 : 2; }
  void set_resp(int v) { reply_.set_resp3(v == 3); }

  bool authenticated() const { return authenticated_; }
  void set_authenticated(bool v) { authenticated_ = v; }

  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  std::string lib_name, lib_ver;

  // CLIENT REPLY ON|OFF|SKIP: replies of later commands are dropped.
  enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };
  ReplyMode reply_mode = ReplyMode::kOn;

  // Set by QUIT and protocol errors: close once the pending output is sent.
  bool close_after_reply = false;
  // Set by CLIENT KILL or output-buffer overrun: close without flushing more.
  bool close_asap = false;

  // Facts the IO layer fills in for CLIENT LIST/INFO.
  std::string addr = "0.0.0.0:0", laddr = "0.0.0.0:0";
  int fd = -1;
  bool unix_socket = false;  // connected through `unixsocket` (flags=U)
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  const char* last_command = "NULL";  // a CommandSpec name: static storage
  // Dispatch's one-entry lookup cache: the name bytes last looked up.
  const CommandSpec* last_lookup_spec = nullptr;
  char last_lookup_name[23];
  uint8_t last_lookup_len = 0;
  size_t query_buffer_size = 0, query_buffer_free = 0;
  size_t inflight_output = 0;  // bytes handed to the socket, not yet written

  // --- MULTI/EXEC/WATCH ---
  struct QueuedCommand {
    const CommandSpec* spec;
    std::vector<std::string> args;
  };
  struct WatchedKey {
    int db;
    std::string key;
  };
  bool in_multi = false;
  bool multi_aborted = false;  // a command was rejected while queuing: EXECABORT
  bool watch_dirty = false;    // a watched key was modified: EXEC fails
  std::vector<QueuedCommand> queued;
  std::vector<WatchedKey> watched;
  // While EXEC runs its commands: how many it has (CLIENT LIST shows the
  // client still in MULTI then, as Redis does); 0 otherwise.
  size_t exec_commands = 0;
  bool no_evict = false;  // CLIENT NO-EVICT on (shown in CLIENT LIST)

  // --- blocking commands ---
  // Parked by BlockingManager: no further input is processed until the
  // blocked command is served or times out.
  bool blocked = false;
  // In MONITOR mode (CLIENT LIST flags=O): sees every command executed.
  bool monitor = false;

  // --- pub/sub ---
  StringSet channels;
  // Patterns in subscription order: PUNSUBSCRIBE without arguments replies
  // in that order, as Redis (a list there) does.
  std::vector<std::string> patterns;
  // Shard channels (SSUBSCRIBE): apart from the others, as Redis keeps them.
  StringSet shard_channels;
  // Every subscription: non-zero puts a RESP2 client in subscribed mode.
  size_t subscriptions() const { return channels.size() + patterns.size() + shard_channels.size(); }
  // The count SUBSCRIBE/UNSUBSCRIBE/PSUBSCRIBE/PUNSUBSCRIBE reply with
  // (Redis's clientSubscriptionsCount: shard channels not included).
  size_t channel_and_pattern_subscriptions() const { return channels.size() + patterns.size(); }

  // --- client-side caching (CLIENT TRACKING; core/tracking.h) ---
  enum TrackingFlag : uint8_t {
    kTrackingOn = 1,
    kTrackingBcast = 2,
    kTrackingOptin = 4,
    kTrackingOptout = 8,
    kTrackingNoloop = 16,
    kTrackingCaching = 32,      // CLIENT CACHING yes/no for the next command
    kTrackingBrokenRedir = 64,  // the REDIRECT client went away (flags=R)
  };
  uint8_t tracking = 0;  // TrackingFlag bits; 0 when tracking is off
  uint64_t tracking_redirect = 0;
  std::vector<std::string> tracking_prefixes;  // BCAST, in byte order

  // Total output not yet written to the socket.
  size_t pending_output() const { return out_.size() + inflight_output; }

 private:
  uint64_t id_;
  std::string out_;
  protocol::ReplyBuilder reply_;
  int db_index_ = 0;
  bool authenticated_ = true;
  std::string name_;
};

}  // namespace grabkv::server
