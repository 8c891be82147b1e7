#include "server/net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "server/net/event_loop.h"
#include "server/core/log.h"
#include "server/scripting/lua_engine.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {
// Reads are at least this large (Redis's PROTO_IOBUF_LEN).
constexpr size_t kReadChunk = 16 * 1024;
// A client with this much unsent output gets no more commands executed until
// the socket drains: memory stays bounded for a client that stops reading,
// and TCP pushes back on it instead of the server buffering without end.
constexpr size_t kPauseOutput = 64 * 1024 * 1024;
constexpr size_t kShrinkOver = 1024 * 1024;

std::string AddrString(const struct sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const struct sockaddr_in*>(&ss);
    uv_ip4_name(a, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const struct sockaddr_in6*>(&ss);
    uv_ip6_name(a, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}
}  // namespace

Connection::Connection(EventLoop* loop, ServerState* state, uint64_t id, bool unix_socket)
    : loop_(loop), state_(state), client_(id) {
  client_.unix_socket = unix_socket;
  stream()->data = this;
  write_req_.data = this;
}

Connection::~Connection() { state_->ForgetClient(client_); }

void Connection::Start() {
  if (unix_socket()) {
    // As Redis: both ends are named by the socket's path, port 0.
    client_.addr = client_.laddr = state_->config().unixsocket + ":0";
  } else {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(tcp(), reinterpret_cast<struct sockaddr*>(&ss), &len) == 0)
      client_.addr = AddrString(ss);
    len = sizeof(ss);
    if (uv_tcp_getsockname(tcp(), reinterpret_cast<struct sockaddr*>(&ss), &len) == 0)
      client_.laddr = AddrString(ss);
  }
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(stream()), &fd) == 0) client_.fd = fd;
  client_.created_ms = client_.last_interaction_ms = ServerState::NowMs();
  client_.set_authenticated(state_->config().requirepass.empty());
  state_->AddClient(&client_);
  reading_ = true;
  uv_read_start(stream(), OnAlloc, OnRead);
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  size_t want = std::max(kReadChunk, c->parser_.BytesWanted());
  size_t used = c->end_ - c->start_;
  if (c->rcap_ - c->end_ < want) {
    // Move the unparsed tail to the front (the parser keeps offsets relative
    // to the command start, so this is safe), growing only if still short.
    if (c->start_ > 0 && used > 0) std::memmove(c->rbuf_.get(), c->rbuf_.get() + c->start_, used);
    c->start_ = 0;
    c->end_ = used;
    if (c->rcap_ - used < want) {
      size_t cap = std::max(c->rcap_ * 2, used + want);
      std::unique_ptr<char[]> bigger(new char[cap]);
      if (used > 0) std::memcpy(bigger.get(), c->rbuf_.get(), used);
      c->rbuf_ = std::move(bigger);
      c->rcap_ = cap;
    }
  }
  buf->base = c->rbuf_.get() + c->end_;
  buf->len = c->rcap_ - c->end_;
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread < 0) {
    c->Close();
    return;
  }
  if (nread == 0) return;
  c->end_ += static_cast<size_t>(nread);
  c->state_->stats().total_net_input_bytes += static_cast<uint64_t>(nread);
  c->state_->stats().total_reads_processed++;
  c->client_.last_interaction_ms = ServerState::NowMs();
  if (static_cast<int64_t>(c->end_ - c->start_) > c->state_->config().client_query_buffer_limit) {
    Log(LogLevel::kWarning, "Closing client that reached max query buffer length: id=%llu",
        static_cast<unsigned long long>(c->client_.id()));
    c->Close();
    return;
  }
  c->ProcessInput();
}

void Connection::SuspendReads() {
  if (reading_) uv_read_stop(stream());
}

void Connection::ResumeReads() {
  if (reading_ && !closing_) uv_read_start(stream(), OnAlloc, OnRead);
}

void Connection::ProcessInput() {
  // Our own EVAL/FCALL is still running (we are inside its busy loop).
  if (scripting::Lua(*state_).running_caller() == &client_) return;
  const Config& cfg = state_->config();
  ServerState::ClockChain chain(state_);
  while (start_ < end_ && !closing_ && !client_.close_after_reply && !client_.close_asap &&
         !client_.blocked) {
    if (client_.pending_output() > kPauseOutput) {
      PauseReading();
      break;
    }
    protocol::ParserLimits limits;
    limits.max_bulk_len = cfg.proto_max_bulk_len;
    limits.authenticated = client_.authenticated();
    parser_.set_limits(limits);
    auto st = parser_.Parse(std::string_view(rbuf_.get() + start_, end_ - start_));
    if (st == protocol::RespParser::Status::kNeedMore) break;
    if (st == protocol::RespParser::Status::kError) {
      client_.reply().Error("ERR " + parser_.error());
      Log(LogLevel::kVerbose, "Protocol error (%s) from client: id=%llu addr=%s",
          parser_.error().c_str(), static_cast<unsigned long long>(client_.id()),
          client_.addr.c_str());
      client_.close_after_reply = true;
      break;
    }
    if (!parser_.args().empty()) Dispatch(*state_, client_, parser_.args());
    start_ += parser_.consumed();
    if (state_->shutdown_requested) break;
  }
  if (start_ == end_) start_ = end_ = 0;
  client_.query_buffer_size = end_ - start_;
  client_.query_buffer_free = rcap_ - end_;
  CheckOutputLimits();
  if (!client_.out().empty() || client_.close_after_reply || client_.close_asap)
    loop_->RequestFlush(this);
}

void Connection::Wake() {
  if (closing_) return;
  if (!client_.blocked && start_ < end_ && !paused_) {
    ProcessInput();  // pipelined commands that waited behind a blocked one
  } else {
    CheckOutputLimits();
    loop_->RequestFlush(this);
  }
}

void Connection::CheckOutputLimits() {
  const Config& cfg = state_->config();
  const OutputBufferLimit& lim = client_.subscriptions() > 0 ? cfg.obuf_pubsub : cfg.obuf_normal;
  size_t pending = client_.pending_output();
  bool over = false;
  if (lim.hard > 0 && pending >= lim.hard) over = true;
  if (lim.soft > 0 && pending >= lim.soft) {
    int64_t now = ServerState::NowMs();
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
    if (now - soft_limit_since_ms_ > lim.soft_seconds * 1000) over = true;
  } else {
    soft_limit_since_ms_ = 0;
  }
  if (over && !client_.close_asap) {
    Log(LogLevel::kWarning,
        "Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.",
        static_cast<unsigned long long>(client_.id()), client_.addr.c_str());
    state_->ScheduleClose(client_);
  }
}

void Connection::PauseReading() {
  if (paused_) return;
  paused_ = true;
  if (reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

void Connection::MaybeResume() {
  if (!paused_ || closing_ || client_.pending_output() > kPauseOutput / 2) return;
  paused_ = false;
  ProcessInput();  // commands already buffered
  if (!paused_ && !closing_ && !reading_) {
    reading_ = true;
    uv_read_start(stream(), OnAlloc, OnRead);
  }
}

void Connection::Flush() {
  if (closing_) return;
  if (client_.close_asap) {
    Close();
    return;
  }
  if (writing_) return;  // OnWriteDone continues
  std::string& out = client_.out();
  if (out.empty()) {
    if (client_.close_after_reply) Close();
    return;
  }
  uv_buf_t b = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
  int n = uv_try_write(stream(), &b, 1);
  state_->stats().total_writes_processed++;
  if (n == UV_EAGAIN) n = 0;
  if (n < 0) {
    Close();
    return;
  }
  state_->stats().total_net_output_bytes += static_cast<uint64_t>(n);
  if (static_cast<size_t>(n) == out.size()) {
    if (out.capacity() > kShrinkOver) {
      std::string().swap(out);
    } else {
      out.clear();
    }
    if (client_.close_after_reply) {
      Close();
      return;
    }
    // Not from inside the flush: commands run now would have their replies
    // sent in this same flush, before their effects reach the append-only
    // file. The loop resumes it once every connection is flushed.
    if (paused_) loop_->RequestResume(this);
    return;
  }
  // Hand the rest to libuv; new replies keep accumulating in out.
  inflight_.swap(out);
  out.clear();
  size_t off = static_cast<size_t>(n);
  client_.inflight_output = inflight_.size() - off;
  writing_ = true;
  uv_buf_t rest = uv_buf_init(inflight_.data() + off, static_cast<unsigned>(inflight_.size() - off));
  if (uv_write(&write_req_, stream(), &rest, 1, OnWriteDone) != 0) {
    writing_ = false;
    Close();
  }
}

void Connection::OnWriteDone(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->writing_ = false;
  c->state_->stats().total_net_output_bytes += c->client_.inflight_output;
  c->client_.inflight_output = 0;
  if (c->inflight_.capacity() > kShrinkOver) {
    std::string().swap(c->inflight_);
  } else {
    c->inflight_.clear();
  }
  if (status < 0 || c->closing_) {
    c->Close();
    return;
  }
  if (!c->client_.out().empty() || c->client_.close_after_reply) {
    c->loop_->RequestFlush(c);
  } else {
    c->MaybeResume();
  }
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  state_->ForgetClient(client_);
  uv_close(reinterpret_cast<uv_handle_t*>(stream()), OnClosed);
}

void Connection::OnClosed(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  c->loop_->Forget(c);
  delete c;
}

size_t Connection::MemoryUsage() const {
  return rcap_ + client_.pending_output() + sizeof(Connection);
}

}  // namespace grabkv::server
