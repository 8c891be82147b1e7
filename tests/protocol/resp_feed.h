// Plays a connection for RespParser: the bytes of `input` arrive in pieces
// ending at each position of `cuts` (ascending), then the rest; the unparsed
// tail stays in the buffer and parsed commands are dropped from it, as
// server/connection.cc does. With `move_buffer` the buffer is moved to a new
// allocation before every Parse(), so a parser that kept pointers across
// calls instead of offsets reads freed memory (caught by ASan) or garbage.
//
// Shared by tests/resp_parser_test.cc (GoogleTest) and the fuzz target
// tests/fuzz/resp_parser_fuzz.cc, which report failures differently: the
// caller's `check(ok, what)` receives every invariant checked here, and
// `after_parse(parser, buf, status)` runs after each Parse() while `buf`
// still holds what was parsed (for checks of the caller's own).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"

namespace grabkv::protocol::testing {

struct FeedOutcome {
  std::vector<std::vector<std::string>> commands;  // empty ones (blank inline lines) included
  std::string error;                               // empty when the stream had no protocol error
  size_t leftover = 0;                             // bytes of an unfinished command at the end
  bool operator==(const FeedOutcome&) const = default;
};

template <typename Check, typename AfterParse>
FeedOutcome FeedInPieces(std::string_view input, const std::vector<size_t>& cuts,
                         const ParserLimits& limits, bool move_buffer, Check&& check,
                         AfterParse&& after_parse) {
  RespParser parser(limits);
  FeedOutcome out;
  std::string buf;
  size_t fed = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    if (end <= fed) continue;
    buf.append(input.substr(fed, end - fed));
    fed = end;
    while (!buf.empty()) {
      if (move_buffer) {
        std::string moved(buf);
        buf.swap(moved);
      }
      RespParser::Status st = parser.Parse(buf);
      after_parse(parser, buf, st);
      if (st == RespParser::Status::kNeedMore) break;
      if (st == RespParser::Status::kError) {
        out.error = parser.error();
        // Errors are sticky: the connection is about to be closed.
        check(parser.Parse(buf) == RespParser::Status::kError, "the error is sticky");
        return out;
      }
      check(parser.consumed() > 0, "a command consumes bytes");
      check(parser.consumed() <= buf.size(), "no more than were given");
      out.commands.emplace_back(parser.args().begin(), parser.args().end());
      buf.erase(0, parser.consumed());
    }
  }
  out.leftover = buf.size();
  return out;
}

}  // namespace grabkv::protocol::testing
