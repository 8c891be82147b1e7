#include "server/net/event_loop.h"

#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/persistence/aof.h"
#include "server/net/connection.h"
#include "server/core/log.h"
#include "server/core/memory.h"
#include "server/core/target_links.h"
#include "server/core/util.h"

namespace grabkv::server {

namespace {
constexpr const char* kMaxClientsError = "-ERR max number of clients reached\r\n";
constexpr const char* kProtectedModeError =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) If "
    "you started the server manually just for testing, restart it with the '--protected-mode "
    "no' option. 4) Setup a an authentication password for the default user. NOTE: You only "
    "need to do one of the above things in order for the server to start accepting connections "
    "from the outside.\r\n";

bool IsLoopback(const struct sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const struct sockaddr_in*>(&ss);
    return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const struct sockaddr_in6*>(&ss);
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) || IN6_IS_ADDR_V4MAPPED(&a->sin6_addr);
  }
  return true;
}

}  // namespace

EventLoop::EventLoop(ServerState* state) : state_(state), loop_(uv_default_loop()) {
  uv_check_init(loop_, &check_);
  check_.data = this;
  uv_timer_init(loop_, &cron_);
  cron_.data = this;
  uv_timer_init(loop_, &block_timer_);
  block_timer_.data = this;
  uv_idle_init(loop_, &idle_);
  uv_signal_init(loop_, &sigterm_);
  uv_signal_init(loop_, &sigint_);
  sigterm_.data = sigint_.data = this;
  // INFO's used_memory_startup: what the server holds before any data.
  state_->MarkStartupMemory();
  // CONFIG SET hz: the cron timer takes the new period at once.
  state_->config_table().SetHook("hz", [this] {
    RestartCron();
    return std::string();
  });
}

EventLoop::~EventLoop() { state_->config_table().SetHook("hz", nullptr); }

bool EventLoop::Listen(std::string* error) {
  const Config& cfg = state_->config();
  std::vector<std::string> addrs;
  SplitArgs(cfg.bind, &addrs);
  if (addrs.empty()) addrs.push_back("127.0.0.1");
  int port = static_cast<int>(cfg.port);
  for (std::string addr : addrs) {
    bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr = addr.substr(1);
    struct sockaddr_storage ss;
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    int rc = addr.find(':') != std::string::npos
                 ? uv_ip6_addr(addr.c_str(), port, reinterpret_cast<struct sockaddr_in6*>(&ss))
                 : uv_ip4_addr(addr.c_str(), port, reinterpret_cast<struct sockaddr_in*>(&ss));
    if (rc != 0) {
      *error = "Invalid bind address '" + addr + "'";
      return false;
    }
    auto* tcp = new uv_tcp_t;
    uv_tcp_init(loop_, tcp);
    tcp->data = this;
    unsigned flags = ss.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
    rc = uv_tcp_bind(tcp, reinterpret_cast<struct sockaddr*>(&ss), flags);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), static_cast<int>(cfg.tcp_backlog), OnConnection);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(tcp), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
      if (optional) continue;
      *error = "Could not create server TCP listening socket " + addr + ":" + std::to_string(port) +
               ": bind: " + std::strerror(-rc);
      return false;
    }
    if (port == 0) {
      // Every further address shares the port the kernel picked for the first.
      int len = sizeof(ss);
      uv_tcp_getsockname(tcp, reinterpret_cast<struct sockaddr*>(&ss), &len);
      port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<struct sockaddr_in6*>(&ss)->sin6_port
                                            : reinterpret_cast<struct sockaddr_in*>(&ss)->sin_port);
    }
    listeners_.push_back(tcp);
  }
  state_->bound_port = port;
  return ListenUnix(error);
}

// `unixsocket PATH`: a Unix domain socket served next to TCP on the same
// loop. As Redis: a stale file at PATH is removed first, `unixsocketperm`
// sets its mode, and the file is removed again at exit.
bool EventLoop::ListenUnix(std::string* error) {
  const Config& cfg = state_->config();
  if (cfg.unixsocket.empty()) return true;
  unlink(cfg.unixsocket.c_str());
  auto* pipe = new uv_pipe_t;
  uv_pipe_init(loop_, pipe, 0);
  pipe->data = this;
  int rc = uv_pipe_bind(pipe, cfg.unixsocket.c_str());
  if (rc == 0 && cfg.unixsocketperm != 0 &&
      chmod(cfg.unixsocket.c_str(), static_cast<mode_t>(cfg.unixsocketperm)) != 0) {
    rc = -errno;
  }
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(pipe), static_cast<int>(cfg.tcp_backlog), OnUnixConnection);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(pipe), [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
    *error = "Failed opening Unix socket: " + std::string(std::strerror(-rc));
    return false;
  }
  unix_listener_ = pipe;
  return true;
}

int EventLoop::Run() {
  uv_check_start(&check_, OnCheck);
  RestartCron();
  uv_signal_start(&sigterm_, OnSignal, SIGTERM);
  uv_signal_start(&sigint_, OnSignal, SIGINT);
  scripting::Lua(*state_).set_process_events([this] { ProcessEventsWhileBusy(); });
  uv_run(loop_, UV_RUN_DEFAULT);
  scripting::Lua(*state_).set_process_events(nullptr);
  return 0;
}

void EventLoop::ProcessEventsWhileBusy() {
  int64_t now = ServerState::NowMs();
  if (now - last_busy_poll_ms_ < 2) return;  // the hook fires every 100k instructions
  last_busy_poll_ms_ = now;
  // The caller's read buffer holds the running command's arguments: it must
  // not read (nor move its buffer) until the script returns.
  Connection* caller = nullptr;
  if (const Client* c = scripting::Lua(*state_).running_caller()) {
    auto it = conns_.find(c->id());
    if (it != conns_.end()) caller = it->second;
  }
  if (caller != nullptr) caller->SuspendReads();
  uv_run(loop_, UV_RUN_NOWAIT);
  if (caller != nullptr) caller->ResumeReads();
}

void EventLoop::RestartCron() {
  cron_hz_ = std::max<int64_t>(1, std::min<int64_t>(500, state_->config().hz));
  uint64_t period = static_cast<uint64_t>(1000 / cron_hz_);
  uv_timer_start(&cron_, OnCron, period, period);
}

void EventLoop::OnConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  static_cast<EventLoop*>(server->data)->Accept(server, /*unix_socket=*/false);
}

void EventLoop::OnUnixConnection(uv_stream_t* server, int status) {
  if (status < 0) return;
  static_cast<EventLoop*>(server->data)->Accept(server, /*unix_socket=*/true);
}

void EventLoop::Accept(uv_stream_t* server, bool unix_socket) {
  auto* c = new Connection(this, state_, state_->NextClientId(), unix_socket);
  if (unix_socket) {
    uv_pipe_init(loop_, c->pipe(), 0);
  } else {
    uv_tcp_init(loop_, c->tcp());
  }
  if (uv_accept(server, c->stream()) != 0) {
    c->Close();
    return;
  }
  conns_[c->client().id()] = c;
  const Config& cfg = state_->config();
  struct sockaddr_storage peer;
  int len = sizeof(peer);
  const char* refusal = nullptr;
  if (static_cast<int64_t>(conns_.size()) > cfg.maxclients) {
    refusal = kMaxClientsError;
  } else if (!unix_socket && cfg.protected_mode && cfg.requirepass.empty() &&
             uv_tcp_getpeername(c->tcp(), reinterpret_cast<struct sockaddr*>(&peer), &len) == 0 &&
             !IsLoopback(peer)) {
    refusal = kProtectedModeError;
  }
  if (refusal != nullptr) {
    state_->stats().rejected_connections++;
    uv_buf_t b = uv_buf_init(const_cast<char*>(refusal), static_cast<unsigned>(std::strlen(refusal)));
    uv_try_write(c->stream(), &b, 1);
    c->Close();
    return;
  }
  if (!unix_socket) {
    uv_tcp_nodelay(c->tcp(), 1);
    if (cfg.tcp_keepalive > 0) uv_tcp_keepalive(c->tcp(), 1, static_cast<unsigned>(cfg.tcp_keepalive));
  }
  state_->stats().total_connections_received++;
  c->Start();
}

void EventLoop::RequestFlush(Connection* c) {
  if (c->in_flush_list) return;
  c->in_flush_list = true;
  flush_list_.push_back(c);
}

void EventLoop::RequestResume(Connection* c) { resume_ids_.push_back(c->client().id()); }

void EventLoop::Forget(Connection* c) {
  conns_.erase(c->client().id());
  if (c->in_flush_list) {
    for (auto& p : flush_list_) {
      if (p == c) p = nullptr;
    }
  }
}

void EventLoop::OnCheck(uv_check_t* h) { static_cast<EventLoop*>(h->data)->FlushAll(); }

void EventLoop::FlushAll() {
  // Clients closed by CLIENT KILL and the like.
  if (!state_->close_queue.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(state_->close_queue);
    for (uint64_t id : ids) {
      auto it = conns_.find(id);
      if (it == conns_.end()) continue;
      if (&it->second->client() == scripting::Lua(*state_).running_caller()) {
        state_->close_queue.push_back(id);  // closed once its script returns
        continue;
      }
      it->second->Close();
    }
  }
  // Client-side caching in BCAST mode: this iteration's writes, one
  // message per prefix.
  if (state_->tracking().broadcast_pending()) state_->tracking().Broadcast();
  // Clients that got output from elsewhere (pub/sub, served blocking pops).
  while (!state_->output_queue.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(state_->output_queue);
    for (uint64_t id : ids) {
      auto it = conns_.find(id);
      if (it != conns_.end()) it->second->Wake();
    }
  }
  ArmBlockTimer();
  // Everything executed so far reaches the append-only file (and with
  // appendfsync always, the disk) before any of its replies go out. A
  // client whose write could not be made durable is now marked to close.
  if (state_->persistence != nullptr) state_->persistence->BeforeReplies();
  // Swap out first: a flush may queue the connection again.
  std::vector<Connection*> list;
  list.swap(flush_list_);
  for (Connection* c : list) {
    if (c == nullptr) continue;
    c->in_flush_list = false;
    c->Flush();
  }
  // Paused clients whose output drained run their buffered commands now;
  // the replies go out in the next iteration (after the AOF write), which
  // must not wait for new events to arrive.
  if (!resume_ids_.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(resume_ids_);
    for (uint64_t id : ids) {
      auto it = conns_.find(id);
      if (it != conns_.end()) it->second->MaybeResume();
    }
  }
  if (!flush_list_.empty() || !state_->output_queue.empty() || !state_->close_queue.empty()) {
    uv_idle_start(&idle_, [](uv_idle_t* h) { uv_idle_stop(h); });
  }
  if (state_->shutdown_requested && !stopping_ && !ScriptRunning()) StartShutdown("SHUTDOWN");
}

void EventLoop::OnCron(uv_timer_t* h) { static_cast<EventLoop*>(h->data)->Cron(); }

void EventLoop::ArmBlockTimer() {
  int64_t next = state_->blocking().NextDeadline();
  if (next == block_timer_at_) return;
  block_timer_at_ = next;
  if (next == 0) {
    uv_timer_stop(&block_timer_);
    return;
  }
  int64_t wait = next - ServerState::NowMs();
  uv_timer_start(&block_timer_, OnBlockTimer, static_cast<uint64_t>(wait > 0 ? wait : 0), 0);
}

void EventLoop::OnBlockTimer(uv_timer_t* h) {
  auto* self = static_cast<EventLoop*>(h->data);
  self->block_timer_at_ = 0;
  if (self->ScriptRunning()) return;  // re-armed by the next check phase
  self->state_->blocking().HandleTimeouts(ServerState::NowMs());
  // The check phase of this iteration flushes the timeout replies and re-arms.
}

void EventLoop::Cron() {
  // Nothing expires, times out or moves while a script runs (its clock is
  // frozen and its view of the data must be too).
  if (ScriptRunning() || state_->debug.pause_cron) return;
  state_->SampleMetrics();
  Config& cfg = state_->config();
  // Active expiry gets a quarter of each cron period, like Redis's slow cycle.
  int64_t period_us = 1000000 / cron_hz_;
  int64_t expire_start_us = ServerState::NowUs();
  if (state_->debug.active_expire) ActiveExpire(period_us / 4 * cfg.active_expire_effort);
  state_->AddLatencySampleIfNeeded(kLatencyExpireCycle,
                                   (ServerState::NowUs() - expire_start_us) / 1000);
  state_->blocking().HandleTimeouts(ServerState::NowMs());
  if (cfg.activerehashing) {
    for (auto& db : state_->dbs()) db.RehashStep(100);
  }
  if (cfg.timeout > 0) {
    int64_t now = ServerState::NowMs();
    for (auto& [id, c] : conns_) {
      const Client& cl = c->client();
      // Like Redis, a client waiting in a blocking command or subscribed to
      // anything is waiting for the server, not idle: the timeout spares it.
      if (cl.blocked || cl.subscriptions() > 0) continue;
      if (now - cl.last_interaction_ms > cfg.timeout * 1000) state_->ScheduleClose(c->client());
    }
  }
  if (state_->persistence != nullptr) state_->persistence->Cron();
  // MIGRATE's cached connections, closed after 10 s unused (as Redis).
  if (auto* links = state_->extension<TargetLinks>()) links->CloseIdle(ServerState::NowMs() / 1000);
  // Frees made off the loop thread show in the allocator's figure only
  // (and the peak is sampled here).
  state_->evictor().meter().Refresh();
  if (cfg.maxmemory != 0) {
    // Eviction that ran out of its per-command time budget continues here
    // (Redis's evictionTimeProc).
    if (state_->evictor().running()) state_->evictor().Perform(*state_);
  }
  if (state_->shutdown_requested && !stopping_ && !ScriptRunning()) StartShutdown("SHUTDOWN");
  if (!state_->close_queue.empty()) FlushAll();
}

void EventLoop::ActiveExpire(int64_t budget_us) {
  int64_t start = ServerState::NowUs();
  for (auto& db : state_->dbs()) {
    if (db.expires_size() == 0) continue;
    // Keep sampling this db while more than 10% of a sample was expired and
    // the time budget lasts (Redis's ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE).
    while (true) {
      int64_t now_us = ServerState::NowUs();
      auto [sampled, expired] = db.ActiveExpire(now_us / 1000, 20);
      if (sampled == 0 || expired * 10 <= sampled) break;
      if (ServerState::NowUs() - start > budget_us) return;
    }
  }
}

void EventLoop::OnSignal(uv_signal_t* h, int signum) {
  auto* self = static_cast<EventLoop*>(h->data);
  Log(LogLevel::kWarning, "Received %s scheduling shutdown...", signum == SIGINT ? "SIGINT" : "SIGTERM");
  if (self->ScriptRunning()) {
    // Inside a busy script's nested loop run a uv_stop would be consumed by
    // that run: shut down once the script has returned, as SHUTDOWN does.
    self->state_->shutdown_requested = true;
    return;
  }
  self->StartShutdown("signal");
}

void EventLoop::StartShutdown(const char* why) {
  if (stopping_) return;
  stopping_ = true;
  Log(LogLevel::kWarning, "User requested shutdown...");
  // Everything acknowledged or about to be is written and fsynced first.
  if (state_->persistence != nullptr) state_->persistence->Shutdown();
  // Best effort: push out what is pending (e.g. replies before SHUTDOWN).
  for (auto& [id, c] : conns_) {
    if (!c->client().out().empty()) c->Flush();
  }
  if (unix_listener_ != nullptr) {
    Log(LogLevel::kNotice, "Removing the unix socket file.");
    unlink(state_->config().unixsocket.c_str());
  }
  Log(LogLevel::kWarning, "grabkv is now ready to exit, bye bye...");
  uv_stop(loop_);
}

}  // namespace grabkv::server
