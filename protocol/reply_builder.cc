#include "protocol/reply_builder.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace grabkv::protocol {

namespace {

constexpr std::string_view kCrlf = "\r\n";

// Enough for a type byte, "-9223372036854775808" and CRLF.
constexpr size_t kHeaderMax = 24;

// Writes "<prefix><n>\r\n" into buf and returns its length. Headers are
// built on the stack so each one costs a single append.
size_t FormatHeader(char* buf, char prefix, int64_t n) {
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + kHeaderMax - 2, n).ptr;
  end[0] = '\r';
  end[1] = '\n';
  return static_cast<size_t>(end + 2 - buf);
}

}  // namespace

void AppendInt(std::string* out, int64_t v) {
  char buf[20];
  char* end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  out->append(buf, end);
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "nan";  // printf could say "-nan"
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  // to_chars with an explicit precision is specified as printf("%.*g") in
  // the C locale, so this is Redis 7.0's "%.17g" without locale surprises.
  char buf[32];
  char* end =
      std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::general, 17)
          .ptr;
  return std::string(buf, end);
}

void ReplyBuilder::AppendHeader(char prefix, int64_t n) {
  char buf[kHeaderMax];
  out_->append(buf, FormatHeader(buf, prefix, n));
}

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append(kCrlf);
}

void ReplyBuilder::Ok() { out_->append("+OK\r\n"); }

void ReplyBuilder::Error(std::string_view msg) {
  out_->push_back('-');
  size_t start = out_->size();
  out_->append(msg);
  for (size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append(kCrlf);
  if (error_sink_ != nullptr) error_sink_->OnErrorReply(msg);
}

void ReplyBuilder::Integer(int64_t v) { AppendHeader(':', v); }

void ReplyBuilder::Bulk(std::string_view s) {
  char buf[kHeaderMax];
  size_t n = FormatHeader(buf, '$', static_cast<int64_t>(s.size()));
  out_->reserve(out_->size() + n + s.size() + 2);
  out_->append(buf, n);
  out_->append(s);
  out_->append(kCrlf);
}

void ReplyBuilder::Null() { out_->append(resp3_ ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::NullArray() { out_->append(resp3_ ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::ArrayHeader(size_t n) {
  AppendHeader('*', static_cast<int64_t>(n));
}

void ReplyBuilder::MapHeader(size_t pairs) {
  if (resp3_) {
    AppendHeader('%', static_cast<int64_t>(pairs));
  } else {
    AppendHeader('*', static_cast<int64_t>(pairs * 2));
  }
}

void ReplyBuilder::SetHeader(size_t n) {
  AppendHeader(resp3_ ? '~' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::PushHeader(size_t n) {
  AppendHeader(resp3_ ? '>' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::Double(double d) {
  std::string s = FormatDouble(d);
  if (resp3_) {
    out_->push_back(',');
    out_->append(s);
    out_->append(kCrlf);
  } else {
    Bulk(s);
  }
}

void ReplyBuilder::Bool(bool b) {
  if (resp3_) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::Verbatim(std::string_view text, std::string_view fmt) {
  if (!resp3_) {
    Bulk(text);
    return;
  }
  assert(fmt.size() == 3);
  AppendHeader('=', static_cast<int64_t>(text.size() + fmt.size() + 1));
  out_->append(fmt);
  out_->push_back(':');
  out_->append(text);
  out_->append(kCrlf);
}

size_t ReplyBuilder::DeferArray() { return out_->size(); }

size_t ReplyBuilder::DeferMap() { return out_->size(); }

void ReplyBuilder::SetDeferredArray(size_t token, size_t n) {
  SetDeferred(token, '*', n);
}

void ReplyBuilder::SetDeferredSet(size_t token, size_t n) {
  SetDeferred(token, resp3_ ? '~' : '*', n);
}

void ReplyBuilder::SetDeferredMap(size_t token, size_t pairs) {
  if (resp3_) {
    SetDeferred(token, '%', pairs);
  } else {
    SetDeferred(token, '*', pairs * 2);
  }
}

void ReplyBuilder::SetDeferred(size_t token, char prefix, size_t n) {
  assert(token <= out_->size());
  char buf[kHeaderMax];
  out_->insert(token, buf, FormatHeader(buf, prefix, static_cast<int64_t>(n)));
}

}  // namespace grabkv::protocol
