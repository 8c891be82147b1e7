// Crash report: on SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT the log gets a
// report in the shape of Redis's bug report (signal, faulting address, stack
// trace, the command and client being served, a summary of the server's
// state), then the process dies of the same signal (so supervisors and core
// dumps see the real cause).
//
// The handler runs on an alternate signal stack, so a stack overflow is
// reported too. It writes with write(2) to the log's file descriptor.
#pragma once

namespace grabkv::server {

class ServerState;

// REQUIRES: called once from the loop thread; `server` outlives the process
// run (the handler only reads it).
void InstallCrashReport(ServerState* server);

}  // namespace grabkv::server
