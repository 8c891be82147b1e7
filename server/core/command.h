// The command table row and the context a handler runs in.
//
// A command is declared once, as a CommandSpec row registered by its family:
// dispatch, arity errors, COMMAND INFO/COUNT/DOCS, MULTI queueing rules and
// script restrictions all read the same row.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_builder.h"

namespace grabkv::storage {
class Db;
}

namespace grabkv::server {

class Client;
class ServerState;

// Command flags, named after Redis's so COMMAND INFO can print them.
enum CommandFlag : uint32_t {
  kWrite = 1 << 0,
  kReadonly = 1 << 1,
  kDenyOom = 1 << 2,
  kAdmin = 1 << 3,
  kPubsub = 1 << 4,
  kNoscript = 1 << 5,
  kBlocking = 1 << 6,
  kLoading = 1 << 7,
  kStale = 1 << 8,
  kSkipMonitor = 1 << 9,
  kSkipSlowlog = 1 << 10,
  kFast = 1 << 11,
  kNoAuth = 1 << 12,
  kMayReplicate = 1 << 13,
  kSentinel = 1 << 14,
  kNoMandatoryKeys = 1 << 15,
  kNoMulti = 1 << 16,
  kMovableKeys = 1 << 17,
  kAllowBusy = 1 << 18,
  kNoAsyncLoading = 1 << 19,
};

using Args = std::span<const std::string_view>;

struct CommandContext;
using CommandHandler = void (*)(CommandContext& ctx);

// Per-command statistics (INFO commandstats), kept in the row itself so
// that recording them costs no lookup.
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct CommandSpec {
  const char* name;      // lower case; "client|setname" for subcommands
  int arity;             // Redis convention: negative = at least -arity
  uint32_t flags;        // CommandFlag bits
  int first_key;         // 0 = no keys
  int last_key;          // -1 = last argument
  int key_step;
  CommandHandler handler;
  const char* acl_categories = "";  // e.g. "@write @string @slow" (COMMAND INFO)
  const char* summary = "";         // COMMAND DOCS
  const char* since = "1.0.0";      // COMMAND DOCS
  const char* group = "generic";    // COMMAND DOCS
  std::vector<CommandSpec> subcommands = {};
  mutable CommandStats stats = {};
};

// What an operation on storage (an `Op...` function) needs: the selected
// database and the command's "now". Every write an op makes reports itself
// through a storage::KeyWrite (dirty count, WATCH, events, propagation).
struct OpArgs {
  storage::Db& db;
  int64_t now_ms;
};

// Everything a handler may touch. No hidden globals: tests build one without
// a socket (see tests/command_test_util.h).
struct CommandContext {
  ServerState& server;
  Client& client;
  protocol::ReplyBuilder& reply;
  Args args;                  // args[0] is the command name as sent
  const CommandSpec* spec;    // the row being run (subcommand row if any)
  int64_t now_ms;             // cached clock: one "now" per command

  // How the command is being run.
  bool in_transaction = false;  // inside EXEC
  bool in_script = false;       // from redis.call
  bool unblock_timeout = false; // a blocked command timed out: reply its timeout reply
  bool loading = false;         // replayed from the append-only file at start
  // Blocking commands behave as non-blocking inside MULTI/EXEC, scripts and
  // while loading.
  bool may_block() const { return !in_transaction && !in_script && !loading; }

  // --- propagation (the append-only file; see server/propagate.h) ---
  // By default a write command that changed the keyspace is recorded as it
  // was sent. A handler whose replay would not reproduce its effect (a
  // relative TTL, a random choice, a blocking form, a compound GRAB command)
  // records its effects itself with Propagate(); one that records nothing of
  // its own (EXEC and scripts: their inner commands record) calls
  // PropagateNothing(); PropagateVerbatim() records the command even when no
  // key changed (FUNCTION LOAD, FLUSHALL).
  enum class PropagateMode : uint8_t { kAuto, kCustom, kNone, kVerbatim };
  PropagateMode propagate_mode = PropagateMode::kAuto;
  // Whether effects are being recorded at all: build them only if so.
  bool propagating() const;
  void Propagate(std::initializer_list<std::string_view> argv);
  void Propagate(Args argv);
  void PropagateNothing() { propagate_mode = PropagateMode::kNone; }
  void PropagateVerbatim() { propagate_mode = PropagateMode::kVerbatim; }

  storage::Db& db();
  OpArgs op_args() { return OpArgs{db(), now_ms}; }
  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
};

}  // namespace grabkv::server
