// Writes RESP2 or RESP3 replies into a caller-owned output buffer.
//
// The builder only appends to `out`; it never flushes. The protocol version is
// chosen per connection (HELLO) and decides how the typed replies (map, set,
// double, null, boolean, verbatim, push) are encoded. In RESP2 they degrade
// exactly as Redis 7.0 degrades them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace grabkv::protocol {

// Told of every error reply built (Redis's afterErrorReply: the server
// counts errors where they are made, not by reading its output back).
class ErrorSink {
 public:
  virtual ~ErrorSink() = default;
  // `msg` as passed to Error(): the code is its first word.
  virtual void OnErrorReply(std::string_view msg) = 0;
};

class ReplyBuilder {
 public:
  // `out` must outlive the builder. REQUIRES: out != nullptr.
  explicit ReplyBuilder(std::string* out) : out_(out) {}

  void set_resp3(bool on) { resp3_ = on; }
  bool resp3() const { return resp3_; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }
  void set_error_sink(ErrorSink* sink) { error_sink_ = sink; }

  void SimpleString(std::string_view s);  // +s
  void Ok();                              // +OK
  // `msg` is the full error text without '-' and CRLF, e.g.
  // "ERR syntax error" or "WRONGTYPE Operation ...". If it does not start with
  // an upper-case error code word, "ERR " is NOT added: callers pass the code.
  // '\r' and '\n' in msg are replaced with spaces, as Redis's
  // addReplyErrorFormat does, so the reply stays one protocol line.
  void Error(std::string_view msg);
  void Integer(int64_t v);                // :v
  void Bulk(std::string_view s);          // $len s
  void Null();                            // RESP2 $-1, RESP3 _
  void NullArray();                       // RESP2 *-1, RESP3 _
  void ArrayHeader(size_t n);             // *n
  void MapHeader(size_t pairs);           // RESP3 %n, RESP2 *2n
  void SetHeader(size_t n);               // RESP3 ~n, RESP2 *n
  void PushHeader(size_t n);              // RESP3 >n, RESP2 *n
  // Redis 7.0 addReplyDouble: "%.17g", inf/-inf; RESP2 as bulk string,
  // RESP3 as ",..." double. Any NaN is spelled "nan".
  void Double(double d);
  void Bool(bool b);                      // RESP3 #t/#f, RESP2 :1/:0
  // RESP3 "=len\r\ntxt:...", RESP2 plain bulk of `text`. fmt is 3 chars.
  void Verbatim(std::string_view text, std::string_view fmt = "txt");
  // Appends bytes verbatim (already RESP encoded).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  // Deferred aggregate length (Redis addReplyDeferredLen): take a token,
  // emit the elements, then fill in the count. The token is the byte offset
  // where the header goes; Set inserts the header there (one memmove of the
  // bytes after it). Deferrals may nest and follow each other freely as long
  // as open ones are closed in LIFO order (closing an outer one first would
  // shift the inner one's offset). The buffer must not be consumed, swapped
  // or truncated before the token offset between Defer and Set.
  size_t DeferArray();
  size_t DeferMap();
  void SetDeferredArray(size_t token, size_t n);
  void SetDeferredMap(size_t token, size_t pairs);
  void SetDeferredSet(size_t token, size_t n);  // RESP3 ~n, RESP2 *n

 private:
  void AppendHeader(char prefix, int64_t n);
  void SetDeferred(size_t token, char prefix, size_t n);

  std::string* out_;
  ErrorSink* error_sink_ = nullptr;
  bool resp3_ = false;
};

// Helpers shared with commands that format numbers as Redis does.
// Appends the decimal form of v.
void AppendInt(std::string* out, int64_t v);
// Redis's "%.17g" double formatting with inf/-inf/nan spelled as Redis spells
// them in replies ("inf", "-inf", "nan").
std::string FormatDouble(double d);

}  // namespace grabkv::protocol
