#include "server/core/crash_report.h"

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "server/core/log.h"
#include "server/core/server_state.h"
#include "server/core/version.h"

namespace grabkv::server {

namespace {

ServerState* g_server = nullptr;
constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

// Formatting into a fixed buffer and write(2): no allocation, no stdio
// locks (the crash may have happened inside malloc or fprintf).
class Out {
 public:
  explicit Out(int fd) : fd_(fd) {}
  Out& operator<<(const char* s) {
    Write(s, strlen(s));
    return *this;
  }
  Out& Str(const char* s, size_t n) {
    Write(s, n);
    return *this;
  }
  Out& operator<<(long long v) {
    char b[32];
    int n = snprintf(b, sizeof(b), "%lld", v);
    Write(b, static_cast<size_t>(n));
    return *this;
  }
  Out& Ptr(const void* p) {
    char b[32];
    int n = snprintf(b, sizeof(b), "%p", p);
    Write(b, static_cast<size_t>(n));
    return *this;
  }
  // A warning line's prefix, as the log writes it ("pid:M date # ").
  Out& Line() {
    char b[96];
    return Str(b, LogPrefix(b, sizeof(b), LogLevel::kWarning));
  }

 private:
  void Write(const char* s, size_t n) {
    while (n > 0) {
      ssize_t w = write(fd_, s, n);
      if (w <= 0) return;
      s += w;
      n -= static_cast<size_t>(w);
    }
  }
  int fd_;
};

const char* SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    default: return "?";
  }
}

// An argument as Redis's client info shows it: printable bytes as they are,
// the rest as \xHH, cut at 128 bytes.
void Arg(Out& o, std::string_view a) {
  o << "'";
  size_t n = a.size() < 128 ? a.size() : 128;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(a[i]);
    if (c >= 32 && c < 127 && c != '\'' && c != '\\') {
      char ch = static_cast<char>(c);
      o.Str(&ch, 1);
    } else {
      char b[8];
      snprintf(b, sizeof(b), "\\x%02x", c);
      o << b;
    }
  }
  if (a.size() > n) o << "...";
  o << "'";
}

void OnCrash(int sig, siginfo_t* info, void* /*uctx*/) {
  Out o(LogFd());
  o << "\n\n=== GRABKV BUG REPORT START: Cut & paste starting from here ===\n";
  o.Line() << "grabkv " << kGrabkvVersion << " crashed by signal: " << static_cast<long long>(sig)
           << ", si_code: " << static_cast<long long>(info->si_code) << "\n";
  o.Line() << "Killed by " << SignalName(sig) << "\n";
  if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) {
    o.Line() << "Accessing address: ";
    o.Ptr(info->si_addr) << "\n";
  }
  o << "\n------ STACK TRACE ------\n";
  void* frames[64];
  int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, LogFd());

  o << "\n------ CURRENT CLIENT INFO ------\n";
  ServerState* s = g_server;
  if (s != nullptr && s->current_client != nullptr) {
    const Client& c = *s->current_client;
    o << "id=" << static_cast<long long>(c.id()) << " addr=" << c.addr.c_str()
      << " laddr=" << c.laddr.c_str() << " name=" << c.name().c_str()
      << " db=" << static_cast<long long>(c.db_index()) << "\n";
    o << "argc: " << static_cast<long long>(s->current_args.size()) << "\n";
    for (size_t i = 0; i < s->current_args.size() && i < 32; ++i) {
      o << "argv[" << static_cast<long long>(i) << "]: ";
      Arg(o, s->current_args[i]);
      o << "\n";
    }
  } else {
    o << "(no command was running)\n";
  }

  if (s != nullptr) {
    // Plain counters only: nothing here allocates or takes a lock.
    o << "\n------ INFO OUTPUT ------\n";
    o << "# Server\r\nredis_version:" << kRedisCompatVersion << "\r\ngrabkv_version:" << kGrabkvVersion
      << "\r\nprocess_id:" << static_cast<long long>(getpid()) << "\r\nrun_id:" << s->run_id().c_str()
      << "\r\nuptime_in_seconds:"
      << static_cast<long long>((ServerState::NowMs() - s->start_time_ms()) / 1000) << "\r\n";
    o << "# Clients\r\nconnected_clients:" << static_cast<long long>(s->clients().size()) << "\r\n";
    const ServerStats& st = s->stats();
    o << "# Stats\r\ntotal_connections_received:" << static_cast<long long>(st.total_connections_received)
      << "\r\ntotal_commands_processed:" << static_cast<long long>(st.total_commands_processed)
      << "\r\n# Persistence\r\nloading:" << static_cast<long long>(s->loading)
      << "\r\nrdb_changes_since_last_save:" << static_cast<long long>(s->dirty) << "\r\n# Keyspace\r\n";
    const auto& dbs = s->dbs();
    for (size_t i = 0; i < dbs.size(); ++i) {
      if (dbs[i].size() == 0) continue;
      o << "db" << static_cast<long long>(i) << ":keys=" << static_cast<long long>(dbs[i].size()) << "\r\n";
    }
  }
  o << "\n=== GRABKV BUG REPORT END. Make sure to include from START to END. ===\n\n";
  // SA_RESETHAND restored the default action: die of the same signal.
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void InstallCrashReport(ServerState* server) {
  g_server = server;
  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof(alt_stack);
  sigaltstack(&ss, nullptr);
  // Load the unwinder now: backtrace() initialises lazily with malloc.
  void* warm[1];
  backtrace(warm, 1);
  struct sigaction sa{};
  sa.sa_sigaction = OnCrash;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (int sig : kSignals) sigaction(sig, &sa, nullptr);
}

}  // namespace grabkv::server
