// One error vocabulary for every command family: the shared error texts
// (byte-identical to Redis 7.0's), the status an operation returns, and the
// one function that turns a status into its error reply.
//
// An `Op...` function (the part of a command that reads or writes storage,
// callable from MULTI, scripts and GRAB.*) returns an OpStatus or an
// OpResult<T>; the command handler parses arguments, calls the op and
// replies, with ReplyStatus for every failure.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "protocol/reply_builder.h"

namespace grabkv::server {

namespace errors {
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
// An integer that does not fit an int (Redis's getIntFromObjectOrReply).
inline constexpr std::string_view kNotInt32 =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrNan = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kValueNan = "ERR value is NaN or Infinity";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kIndexOutOfRange = "ERR index out of range";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kHashNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kScoreNan = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotString = "ERR min or max not valid string range item";
inline constexpr std::string_view kTooBig =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
inline constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
inline constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";

// "ERR wrong number of arguments for 'name' command" (Redis's
// addReplyErrorArity, for a command or a subcommand "container|sub").
std::string WrongNumArgs(std::string_view name);
// "ERR unknown subcommand 'sub'. Try NAME HELP." (addReplySubcommandSyntaxError)
std::string UnknownSubcommand(std::string_view command, std::string_view sub);
}  // namespace errors

// What an operation on storage came to.
enum class OpStatus : uint8_t {
  kOk,
  kKeyNotFound,    // not an error by itself: each command replies its own way
  kSkipped,        // a condition (NX/XX/...) was not met: nothing done
  kWrongType,
  kWrongTypeDest,  // the destination key of a two-key op has the wrong type
  kNotInteger,
  kNotFloat,
  kHashNotInteger,
  kHashNotFloat,
  kOverflow,
  kIncrNan,
  kValueNan,
  kScoreNan,
  kOutOfRange,     // "index out of range"
  kNoSuchKey,      // "no such key" (LSET, RENAME): the error form of kKeyNotFound
  kSyntax,
  kTooBig,
  kBusyKey,
};

// The error text of a failed status. REQUIRES: IsError(status).
std::string_view StatusError(OpStatus status);
inline bool IsError(OpStatus s) {
  return s != OpStatus::kOk && s != OpStatus::kKeyNotFound && s != OpStatus::kSkipped;
}
// Replies the error of `status`. REQUIRES: IsError(status).
inline void ReplyStatus(protocol::ReplyBuilder& reply, OpStatus status) {
  reply.Error(StatusError(status));
}

// A value or the status that prevented it.
template <class T>
class OpResult {
 public:
  OpResult(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  OpResult(OpStatus status) : status_(status) {}   // NOLINT
  bool ok() const { return status_ == OpStatus::kOk; }
  OpStatus status() const { return status_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T& operator*() { return value_; }
  T* operator->() { return &value_; }

 private:
  OpStatus status_ = OpStatus::kOk;
  T value_{};
};

}  // namespace grabkv::server
