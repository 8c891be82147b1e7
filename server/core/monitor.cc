#include "server/core/monitor.h"

#include <algorithm>
#include <cstdio>

#include "server/core/client.h"
#include "server/core/server_state.h"

namespace grabkv::server {

void AppendRepr(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (ch >= 0x20 && ch <= 0x7e) {
          out += static_cast<char>(ch);
        } else {
          out += "\\x";
          out += kHex[ch >> 4];
          out += kHex[ch & 15];
        }
    }
  }
  out += '"';
}

void MonitorFeed::Add(Client& c) {
  if (std::find(monitors_.begin(), monitors_.end(), &c) == monitors_.end()) monitors_.push_back(&c);
  c.monitor = true;
}

void MonitorFeed::Remove(Client& c) {
  if (!c.monitor) return;
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &c), monitors_.end());
  c.monitor = false;
}

void MonitorFeed::Feed(const Client& c, int db, Args args, bool lua, uint64_t redacted) {
  std::string line;
  line.reserve(64 + args.size() * 16);
  const int64_t us = ServerState::NowUs();
  char head[64];
  int n = std::snprintf(head, sizeof(head), "+%lld.%06lld [%d ", static_cast<long long>(us / 1000000),
                        static_cast<long long>(us % 1000000), db);
  line.append(head, static_cast<size_t>(n));
  if (lua) {
    line += "lua";
  } else if (c.unix_socket) {
    line += "unix:";
    line += server_->config().unixsocket;
  } else {
    line += c.addr;
  }
  line += ']';
  for (size_t i = 0; i < args.size(); ++i) {
    line += ' ';
    if (i < 64 && (redacted >> i & 1)) {
      line += "\"(redacted)\"";
    } else {
      AppendRepr(line, args[i]);
    }
  }
  line += "\r\n";
  for (Client* m : monitors_) {
    if (m->close_asap) continue;
    m->out() += line;
    server_->NotifyOutput(*m);
  }
}

}  // namespace grabkv::server
