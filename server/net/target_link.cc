#include "server/net/target_link.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

namespace grabkv::server {

namespace {

// Redis's SYNCIO__RESOLUTION: the shortest wait between two attempts.
constexpr int64_t kResolutionMs = 10;

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits for `events` on fd; true when one (or an error) is signalled.
bool WaitFor(int fd, short events, int64_t ms) {
  pollfd p{fd, events, 0};
  const int wait_ms = static_cast<int>(std::min<int64_t>(ms, std::numeric_limits<int>::max()));
  int n;
  do {
    n = poll(&p, 1, wait_ms);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

class TcpTargetLink : public TargetLink {
 public:
  explicit TcpTargetLink(int fd) : fd_(fd) {}
  ~TcpTargetLink() override { close(fd_); }

  LinkIo Write(std::string_view data, int64_t timeout_ms) override {
    const int64_t start = MonoMs();
    int64_t remaining = timeout_ms;
    while (true) {
      // Try first; at worst EAGAIN.
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return LinkIo::kError;
      } else {
        data.remove_prefix(static_cast<size_t>(n));
      }
      if (data.empty()) return LinkIo::kOk;
      WaitFor(fd_, POLLOUT, remaining > kResolutionMs ? remaining : kResolutionMs);
      const int64_t elapsed = MonoMs() - start;
      if (elapsed >= timeout_ms) return LinkIo::kTimeout;
      remaining = timeout_ms - elapsed;
    }
  }

  LinkIo ReadLine(std::string* line, size_t max_len, int64_t timeout_ms) override {
    line->clear();
    while (line->size() < max_len) {
      if (pos_ == buf_.size()) {
        LinkIo io = Fill(timeout_ms);
        if (io != LinkIo::kOk) return io;
      }
      const char c = buf_[pos_++];
      if (c == '\n') {
        if (!line->empty() && line->back() == '\r') line->pop_back();
        return LinkIo::kOk;
      }
      line->push_back(c);
    }
    return LinkIo::kOk;
  }

 private:
  // Reads what has arrived, waiting up to timeout_ms for the first byte
  // (Redis's syncRead, which MIGRATE calls per byte with the full timeout).
  LinkIo Fill(int64_t timeout_ms) {
    buf_.resize(4096);
    pos_ = 0;
    const int64_t start = MonoMs();
    int64_t remaining = timeout_ms;
    while (true) {
      ssize_t n = recv(fd_, buf_.data(), buf_.size(), 0);
      if (n == 0) break;  // closed by the target
      if (n > 0) {
        buf_.resize(static_cast<size_t>(n));
        return LinkIo::kOk;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;
      WaitFor(fd_, POLLIN, remaining > kResolutionMs ? remaining : kResolutionMs);
      const int64_t elapsed = MonoMs() - start;
      if (elapsed >= timeout_ms) {
        buf_.clear();
        return LinkIo::kTimeout;
      }
      remaining = timeout_ms - elapsed;
    }
    buf_.clear();
    return LinkIo::kError;
  }

  int fd_;
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<TargetLink> DialTarget(const std::string& host, int port, int64_t timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0) return nullptr;
  int fd = -1;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return nullptr;
  // As Redis's blocking connect: writable (connected, or failed) in time.
  if (!WaitFor(fd, POLLOUT, timeout_ms)) {
    close(fd);
    return nullptr;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return std::make_unique<TcpTargetLink>(fd);
}

}  // namespace grabkv::server
