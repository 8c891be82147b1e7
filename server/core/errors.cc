#include "server/core/errors.h"

#include "server/core/util.h"

namespace grabkv::server {

namespace errors {

std::string WrongNumArgs(std::string_view name) {
  std::string msg = "ERR wrong number of arguments for '";
  msg.append(name);
  msg += "' command";
  return msg;
}

std::string UnknownSubcommand(std::string_view command, std::string_view sub) {
  std::string msg = "ERR unknown subcommand '";
  msg.append(sub.substr(0, 128));
  msg += "'. Try ";
  msg += ToUpper(command);
  msg += " HELP.";
  return msg;
}

}  // namespace errors

std::string_view StatusError(OpStatus status) {
  switch (status) {
    case OpStatus::kWrongType:
    case OpStatus::kWrongTypeDest:
      return errors::kWrongType;
    case OpStatus::kNotInteger:
      return errors::kNotInteger;
    case OpStatus::kNotFloat:
      return errors::kNotFloat;
    case OpStatus::kHashNotInteger:
      return errors::kHashNotInteger;
    case OpStatus::kHashNotFloat:
      return errors::kHashNotFloat;
    case OpStatus::kOverflow:
      return errors::kOverflow;
    case OpStatus::kIncrNan:
      return errors::kIncrNan;
    case OpStatus::kValueNan:
      return errors::kValueNan;
    case OpStatus::kScoreNan:
      return errors::kScoreNan;
    case OpStatus::kOutOfRange:
      return errors::kIndexOutOfRange;
    case OpStatus::kNoSuchKey:
      return errors::kNoSuchKey;
    case OpStatus::kSyntax:
      return errors::kSyntax;
    case OpStatus::kTooBig:
      return errors::kTooBig;
    case OpStatus::kBusyKey:
      return errors::kBusyKey;
    case OpStatus::kOk:
    case OpStatus::kKeyNotFound:
    case OpStatus::kSkipped:
      break;
  }
  return "ERR internal error: not an error status";
}

}  // namespace grabkv::server
