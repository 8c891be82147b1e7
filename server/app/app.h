// Assembles a server from its subsystems: every command family's rows go
// into the command table, and the script engine is installed.
//
// server/core/ knows none of the families or subsystems built on it; this
// is the one place that names them all. The IO layer (server/net/) and the
// in-process test runner both assemble their ServerState here, so tests run
// exactly the command table the server runs.
#pragma once

#include "server/core/server_state.h"

namespace grabkv::server {

// REQUIRES: called once, right after `server` is constructed.
void Assemble(ServerState& server);

}  // namespace grabkv::server
