// The sockets behind TargetLinks (server/core/target_links.h): blocking
// TCP connections to another server for MIGRATE, with Redis's sync I/O
// timeouts (connect, syncWrite, syncReadLine).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/core/target_links.h"

namespace grabkv::server {

// A non-blocking connect, then waits up to timeout_ms for the socket to be
// writable. Like Redis, a refused connection still gives a link (its first
// write fails); nullptr when the address does not resolve or nothing
// happens in time.
std::unique_ptr<TargetLink> DialTarget(const std::string& host, int port, int64_t timeout_ms);

}  // namespace grabkv::server
