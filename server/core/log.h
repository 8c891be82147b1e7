// Logging in redis-server's format ("pid:M 21 Nov 2026 20:10:16.123 * msg"),
// to stdout or the configured logfile. Test harnesses wait for the line
// "Ready to accept connections tcp", so its wording is part of the contract.
#pragma once

#include <string>

namespace grabkv::server {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

// REQUIRES: called from the loop thread (or before it starts).
void LogInit(const std::string& logfile, LogLevel level);
void LogSetLevel(LogLevel level);
void Log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Writes a line's prefix in redis-server's format, "pid:M 06 Dec 2026
// 02:00:19.358 # " (mark by level), into buf; returns its length. Uses no
// allocation or stdio stream, so the crash report can call it.
size_t LogPrefix(char* buf, size_t size, LogLevel level);
// The file descriptor the log goes to (for the crash report, which writes
// with write(2) from a signal handler).
int LogFd();

}  // namespace grabkv::server
