// Connections this server opens to another server (MIGRATE's target), as
// the command layer sees them. The sockets live in server/net/ (the only
// layer doing I/O), which installs a TargetLinks with its dialer; the
// cache of open links (one per "host:port", as Redis keeps for MIGRATE) is
// here so that tests can run it with a fake dialer.
//
// The I/O is synchronous, as Redis's MIGRATE: the caller (the loop thread)
// waits at most the given timeout for each step, and nothing else runs
// meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "server/core/subsystems.h"

namespace grabkv::server {

enum class LinkIo : uint8_t { kOk, kError, kTimeout };

// One blocking connection to another server.
class TargetLink {
 public:
  virtual ~TargetLink() = default;
  // Writes all of `data`, giving up after timeout_ms (Redis's syncWrite).
  virtual LinkIo Write(std::string_view data, int64_t timeout_ms) = 0;
  // Reads one line without its CRLF; at most max_len bytes of it, the rest
  // is the next line (Redis's syncReadLine with a fixed buffer). Each byte
  // may take up to timeout_ms to arrive.
  virtual LinkIo ReadLine(std::string* line, size_t max_len, int64_t timeout_ms) = 0;
};

// Opens a link to host:port within timeout_ms; nullptr when it cannot.
using TargetDialer =
    std::function<std::unique_ptr<TargetLink>(const std::string& host, int port, int64_t timeout_ms)>;

class TargetLinks : public Extension {
 public:
  // Redis's MIGRATE_SOCKET_CACHE_ITEMS and MIGRATE_SOCKET_CACHE_TTL.
  static constexpr size_t kMaxCached = 64;
  static constexpr int64_t kIdleSeconds = 10;

  struct Cached {
    std::unique_ptr<TargetLink> link;
    int64_t last_dbid = -1;  // the db the target has selected, -1 unknown
    int64_t last_use_s = 0;
  };

  explicit TargetLinks(TargetDialer dial) : dial_(std::move(dial)) {}

  // The cached link to host:port (its last use set to now_s), else a new
  // one; a full cache drops one link at random first. nullptr when the
  // dial fails. The pointer is valid until the next Get/Close/CloseIdle.
  Cached* Get(std::string_view host, std::string_view port, int64_t timeout_ms, int64_t now_s,
              uint64_t random);
  void Close(std::string_view host, std::string_view port);
  // Cron: closes links unused for more than kIdleSeconds.
  void CloseIdle(int64_t now_s);
  size_t size() const { return links_.size(); }

 private:
  TargetDialer dial_;
  absl::flat_hash_map<std::string, Cached> links_;
};

}  // namespace grabkv::server
