#include "server/core/propagate.h"

#include <charconv>

namespace grabkv::server {

namespace {
void AppendHeader(std::string* out, char type, size_t n) {
  char buf[24];
  buf[0] = type;
  auto r = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  *r.ptr++ = '\r';
  *r.ptr++ = '\n';
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}
constexpr std::string_view kMulti = "*1\r\n$5\r\nMULTI\r\n";
constexpr std::string_view kExec = "*1\r\n$4\r\nEXEC\r\n";
}  // namespace

void Propagator::AppendCommand(std::string* out, std::span<const std::string_view> argv) {
  AppendHeader(out, '*', argv.size());
  for (std::string_view a : argv) {
    AppendHeader(out, '$', a.size());
    out->append(a);
    out->append("\r\n", 2);
  }
}

void Propagator::Add(int db, std::span<const std::string_view> argv) {
  if (!enabled_) return;
  if (db != selected_db_) {
    char num[16];
    auto r = std::to_chars(num, num + sizeof(num), db);
    std::string_view select[2] = {"SELECT", std::string_view(num, static_cast<size_t>(r.ptr - num))};
    size_t before = batch_.size();
    AppendCommand(&batch_, select);
    if (batch_cmds_ == 0) lead_ = batch_.size() - before;  // stays before a MULTI
    selected_db_ = db;
  }
  AppendCommand(&batch_, argv);
  ++batch_cmds_;
  if (depth_ == 0) Commit();
}

void Propagator::Commit() {
  if (batch_cmds_ > 1) {
    wrapped_.clear();
    wrapped_.append(batch_, 0, lead_);
    wrapped_.append(kMulti);
    wrapped_.append(batch_, lead_, std::string::npos);
    wrapped_.append(kExec);
    if (sink_) sink_(wrapped_);
  } else if (sink_) {
    sink_(batch_);
  }
  batch_.clear();
  batch_cmds_ = 0;
  lead_ = 0;
  ++commits_;
}

}  // namespace grabkv::server
