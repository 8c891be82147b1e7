// Resumable RESP request parser (multibulk and inline), Redis 7.0 rules.
//
// The caller owns the read buffer. Each call to Parse() gets a view that
// starts at the first byte of the command being parsed (the bytes of
// earlier commands already handed out are no longer in the view). The parser
// remembers how far it got in that command as offsets relative to the start
// of the view, so the caller may move the unparsed tail of its buffer (e.g.
// compact it to the front) between calls, and bytes are never parsed twice.
//
// On kCommand, args() of a multibulk command are views into the buffer passed
// to that call; they stay valid until the caller modifies or moves those bytes.
// Inline commands (telnet style) are unescaped into storage owned by the
// parser; those views stay valid until the next Parse() or Reset(). consumed()
// is the length of the command in bytes: the caller drops that prefix and
// calls Parse() again on the rest.
//
// Deliberately Redis-compatible leniencies (Redis 7.0 networking.c is the
// spec): the byte after a '\r' that ends a "*N" / "$N" line is skipped
// without checking that it is '\n', and so are the two bytes after a bulk
// payload. Redis stalls on a NUL byte inside a header or inline line (it
// searches with strchr); this parser treats NUL as an ordinary byte instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grabkv::protocol {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  // PROTO_INLINE_MAX_SIZE: the most bytes a "*N" or "$N" header line or an
  // inline command may span while its line end has not arrived yet.
  size_t max_inline_len = 64 * 1024;
  // Redis applies tighter limits to clients that have not authenticated
  // when a password is required: multibulk count <= 10, bulk <= 16384
  // ("Protocol error: unauthenticated multibulk/bulk length").
  bool authenticated = true;
};

class RespParser {
 public:
  enum class Status {
    kCommand,   // a whole command was parsed: see args() and consumed()
    kNeedMore,  // the view ends inside a command; call again with more bytes
    kError,     // protocol error: see error(); the connection must close
  };

  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  // REQUIRES: `buf` starts at the first byte of the current command and
  // extends the view of the previous call that returned kNeedMore.
  // An empty inline line (just "\r\n") or a "*0"/"*-1" multibulk is skipped:
  // it yields kCommand with empty args() and consumed() > 0.
  Status Parse(std::string_view buf);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return consumed_; }
  // Redis's text, e.g. "Protocol error: invalid multibulk length" (no "-ERR ").
  const std::string& error() const { return error_; }

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  // Forgets any partial command.
  void Reset();

  // Bytes the current partial command is known to still need (a hint for
  // sizing reads of large bulks); 0 when unknown.
  size_t BytesWanted() const;

 private:
  enum class LineEnd { kFound, kNoCr, kIncomplete };

  Status ParseMultibulk(std::string_view buf);
  Status ParseInline(std::string_view buf);
  // Looks for the '\r' ending the header line that starts at pos_, resuming
  // the search at scan_ so no byte is scanned twice across calls.
  LineEnd FindLineEnd(std::string_view buf, size_t* cr);
  // sdssplitargs() rules; false on unbalanced quotes.
  bool SplitInline(std::string_view line);
  Status Finish(std::string_view buf, size_t end);
  Status Fail(std::string_view msg);

  enum class State {
    kStart, kMultibulkCount, kBulkLen, kBulkData, kInline, kError
  };
  ParserLimits limits_;
  State state_ = State::kStart;
  size_t pos_ = 0;   // start of the current header line or bulk payload
  size_t scan_ = 0;  // where the search for the next line end resumes
  size_t last_view_len_ = 0;
  int64_t remaining_args_ = 0;
  int64_t bulk_len_ = -1;
  // (offset, len) of each arg, relative to the view start: offsets survive
  // the caller moving its buffer between calls, pointers would not.
  std::vector<std::pair<size_t, size_t>> spans_;
  std::vector<std::string_view> args_;
  std::string inline_storage_;  // unescaped inline args (quotes, \xHH)
  size_t consumed_ = 0;
  std::string error_;
};

}  // namespace grabkv::protocol
