// What every persistence child (an AOF rewrite, a BGSAVE) does after fork(),
// and what the parent records about the fork.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdint>

#include "server/core/server_state.h"

namespace grabkv::server {

// In the child, first thing: it keeps none of the parent's descriptors (a
// listening socket held by an orphaned child would keep the port busy after
// the parent died), dies with the parent, and takes default signal actions
// (SIGUSR1 from the parent stops it). Exits at once if the parent is gone.
inline void PrepareForkedChild() {
  ::close_range(3, ~0U, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) ::_exit(1);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGUSR1, SIG_DFL);
}

// In the parent: INFO's latest_fork_usec and total_forks, the "fork"
// latency event.
inline void NoteFork(ServerState& server, int64_t fork_start_us) {
  server.stats().latest_fork_usec = static_cast<uint64_t>(ServerState::NowUs() - fork_start_us);
  // LATENCY DOCTOR's fork rate: GB of memory forked per second.
  server.stats().fork_rate_gb_s =
      static_cast<double>(AllocatedBytes()) * 1000000 /
      static_cast<double>(std::max<uint64_t>(server.stats().latest_fork_usec, 1)) / (1 << 30);
  server.AddLatencySampleIfNeeded("fork", static_cast<int64_t>(server.stats().latest_fork_usec / 1000));
  server.stats().total_forks++;
}

}  // namespace grabkv::server
