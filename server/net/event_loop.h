// EventLoop: the libuv side of the server. Listens, accepts connections,
// flushes all pending output once per loop iteration (uv_check, after the
// poll phase has delivered every read of the iteration), and runs the cron
// (active expiry, rehashing, client timeouts) on a timer at `hz`.
//
// The ServerState it drives knows nothing of libuv.
#pragma once

#include <uv.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/scripting/lua_engine.h"
#include "server/core/server_state.h"

namespace grabkv::server {

class Connection;

class EventLoop {
 public:
  explicit EventLoop(ServerState* state);
  ~EventLoop();

  // Binds every address of `bind` on `port` (0 = a free port chosen by the
  // kernel; the port is stored in state->bound_port). Returns false and an
  // error text on failure.
  bool Listen(std::string* error);
  // Runs until SHUTDOWN or SIGTERM/SIGINT. Returns the exit code.
  int Run();

  // Queues `c` for the end-of-iteration flush.
  void RequestFlush(Connection* c);
  // A paused connection whose output drained during the flush: its buffered
  // commands run after the flush (Connection::MaybeResume).
  void RequestResume(Connection* c);
  // Called from a connection's close callback.
  void Forget(Connection* c);
  ServerState* state() { return state_; }

 private:
  static void OnConnection(uv_stream_t* server, int status);
  static void OnCheck(uv_check_t* h);
  static void OnCron(uv_timer_t* h);
  static void OnSignal(uv_signal_t* h, int signum);
  static void OnBlockTimer(uv_timer_t* h);
  void ArmBlockTimer();

  static void OnUnixConnection(uv_stream_t* server, int status);
  void Accept(uv_stream_t* server, bool unix_socket);
  void FlushAll();
  void Cron();
  void ActiveExpire(int64_t budget_us);
  void StartShutdown(const char* why);
  void RestartCron();
  // Called by the Lua engine's hook while a script is past
  // busy-reply-threshold: one non-blocking loop iteration, so other clients
  // get -BUSY and SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE get through.
  void ProcessEventsWhileBusy();
  bool ScriptRunning() const { return scripting::Lua(*state_).running_caller() != nullptr; }

  ServerState* state_;
  uv_loop_t* loop_;
  std::vector<uv_tcp_t*> listeners_;
  uv_pipe_t* unix_listener_ = nullptr;  // `unixsocket`, when set
  bool ListenUnix(std::string* error);
  uv_check_t check_;
  uv_timer_t cron_;
  uv_idle_t idle_;          // keeps an iteration from blocking while flushes are due
  uv_timer_t block_timer_;  // fires at the earliest blocked-client deadline
  int64_t block_timer_at_ = 0;
  uv_signal_t sigterm_, sigint_;
  std::vector<Connection*> flush_list_;
  std::vector<uint64_t> resume_ids_;
  absl::flat_hash_map<uint64_t, Connection*> conns_;
  bool stopping_ = false;
  int64_t cron_hz_ = 0;
  int64_t last_busy_poll_ms_ = 0;
};

}  // namespace grabkv::server
