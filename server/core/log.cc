#include "server/core/log.h"

#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace grabkv::server {

namespace {
FILE* g_out = stdout;
LogLevel g_level = LogLevel::kNotice;
}  // namespace

int LogFd() { return fileno(g_out); }

void LogSetLevel(LogLevel level) { g_level = level; }

void LogInit(const std::string& logfile, LogLevel level) {
  LogSetLevel(level);
  if (!logfile.empty()) {
    FILE* f = std::fopen(logfile.c_str(), "a");
    if (f != nullptr) g_out = f;
  }
}

void Log(LogLevel level, const char* fmt, ...) {
  if (level < g_level) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  char prefix[96];
  LogPrefix(prefix, sizeof(prefix), level);
  std::fprintf(g_out, "%s%s\n", prefix, msg);
  std::fflush(g_out);
}

size_t LogPrefix(char* buf, size_t size, LogLevel level) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char when[64];
  size_t n = std::strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
  std::snprintf(when + n, sizeof(when) - n, "%03d", static_cast<int>(tv.tv_usec / 1000));
  static const char kMarks[] = ".-*#";
  int len = std::snprintf(buf, size, "%d:M %s %c ", static_cast<int>(getpid()), when,
                          kMarks[static_cast<int>(level)]);
  return len < 0 ? 0 : std::min(static_cast<size_t>(len), size - 1);
}

}  // namespace grabkv::server
