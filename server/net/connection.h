// Connection: one client on the loop, over TCP or a Unix domain socket. Owns the socket, the read buffer
// and parser, and the Client whose output buffer it drains.
//
// Lifetime: created by EventLoop on accept, destroyed in the uv_close
// callback after Close(). REQUIRES: only used on the loop thread.
#pragma once

#include <uv.h>

#include <cstddef>
#include <memory>
#include <string>

#include "protocol/resp_parser.h"
#include "server/core/client.h"

namespace grabkv::server {

class EventLoop;
class ServerState;

class Connection {
 public:
  Connection(EventLoop* loop, ServerState* state, uint64_t id, bool unix_socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The socket: a uv_tcp_t or, for a Unix socket client, a uv_pipe_t.
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  uv_tcp_t* tcp() { return &handle_.tcp; }    // REQUIRES: !unix_socket()
  uv_pipe_t* pipe() { return &handle_.pipe; } // REQUIRES: unix_socket()
  bool unix_socket() const { return client_.unix_socket; }
  Client& client() { return client_; }

  // Starts reading; fills the client's address facts.
  void Start();
  // Writes pending output: try the write first, queue only the remainder.
  // Called once per loop iteration for connections with output.
  void Flush();
  // Output arrived from elsewhere (pub/sub message, a served blocking
  // command): checks output limits and resumes buffered input if the client
  // is no longer blocked.
  void Wake();
  // Closes the socket (once); the object is deleted by the close callback.
  void Close();
  // While this client's own script runs and the loop serves other clients
  // (EventLoop::ProcessEventsWhileBusy), its socket is not read.
  void SuspendReads();
  void ResumeReads();
  bool closing() const { return closing_; }
  // Reading was paused for too much pending output: resumes (running the
  // buffered commands) once it has drained enough. Never called from inside
  // the loop's flush (EventLoop::RequestResume defers it).
  void MaybeResume();
  // Buffers held for this client (INFO memory, CLIENT LIST).
  size_t MemoryUsage() const;

  bool in_flush_list = false;

 private:
  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWriteDone(uv_write_t* req, int status);
  static void OnClosed(uv_handle_t* h);

  void ProcessInput();
  void PauseReading();
  void CheckOutputLimits();

  EventLoop* loop_;
  ServerState* state_;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  uv_write_t write_req_;
  Client client_;
  protocol::RespParser parser_;

  // Read buffer: [start_, end_) is unparsed input; start_ is the first byte
  // of the command being parsed.
  std::unique_ptr<char[]> rbuf_;
  size_t rcap_ = 0, start_ = 0, end_ = 0;

  std::string inflight_;  // bytes owned by the pending uv_write
  bool writing_ = false;
  bool closing_ = false;
  bool paused_ = false;   // reading stopped: too much output pending
  bool reading_ = false;
  int64_t soft_limit_since_ms_ = 0;
};

}  // namespace grabkv::server
