// GRAB.*'s own state in the server: what the commands did, for INFO grab.
// An Extension of ServerState (installed by InstallGrab), so that the core
// knows nothing of GRAB.*.
#pragma once

#include <cstdint>
#include <string>

#include "server/core/server_state.h"
#include "server/core/subsystems.h"

namespace grabkv::server {

struct GrabStats {
  uint64_t issued = 0;    // GRAB.POP handed out an item
  uint64_t replayed = 0;  // a retry got its earlier answer again
  uint64_t sold_out = 0;  // nothing left (POP nil, TAKE 0)
  uint64_t undone = 0;    // GRAB.UNDO returned an item
  uint64_t taken = 0;     // GRAB.TAKE decremented the counter
  uint64_t untaken = 0;   // GRAB.UNTAKE gave units back
  uint64_t split = 0;     // GRAB.SPLIT created an envelope
};

class GrabState : public Extension {
 public:
  GrabStats stats;

  // INFO grab: not in the default set, so a plain INFO looks like Redis's.
  const char* info_section() const override { return "grab"; }
  void AppendInfo(std::string* out) const override;
};

// The GRAB.* statistics of `s`. REQUIRES: InstallGrab(s) was called.
inline GrabStats& GrabStatsOf(ServerState& s) { return s.extension<GrabState>()->stats; }

// Registers GRAB.* and installs its state (server/app/app.cc).
void InstallGrab(ServerState& s);

}  // namespace grabkv::server
