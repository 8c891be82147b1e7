// The command table row and the context a handler runs in.
//
// A command is declared once, as a CommandSpec row registered by its family:
// dispatch, arity errors, COMMAND INFO/COUNT/DOCS/GETKEYS, ACL categories,
// MULTI queueing rules, subscribed-mode rules and script restrictions all
// read the same row.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_builder.h"
#include "server/core/latency.h"

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
  // Derived from the key specs by CommandTable::Register, as Redis does;
  // rows do not set it.
  kMovableKeys = 1 << 17,
  kAllowBusy = 1 << 18,
  kNoAsyncLoading = 1 << 19,
  // Served to a client that sent ASKING for a slot being imported (cluster).
  kAsking = 1 << 20,

  // grabkv's own flags for what dispatch treats specially. COMMAND INFO
  // does not print them.
  // A RESP2 client in subscribed mode may send it.
  kAllowedWhileSubscribed = 1 << 24,
  // Runs at once inside MULTI instead of being queued.
  kRunsInsideMulti = 1 << 25,
  // Refused while the append-only file cannot be written, although it
  // writes nothing, so that a health check notices (PING).
  kRefusedOnWriteError = 1 << 26,
  // Counts as a write when the commands it runs (queued by MULTI) do (EXEC).
  kWriteIfQueuedWrites = 1 << 27,
};

// ACL categories, in the order Redis lists them (COMMAND INFO prints them in
// this order). @read/@write/@fast/@slow/@admin/@pubsub/@blocking and the
// @dangerous of an admin command are derived from the flags (Redis's
// setImplicitACLCategories); a family states its own category once (see
// CommandFamily) and a row names only what neither gives.
enum AclCategory : uint32_t {
  kAclKeyspace = 1 << 0,
  kAclRead = 1 << 1,
  kAclWrite = 1 << 2,
  kAclSet = 1 << 3,
  kAclSortedSet = 1 << 4,
  kAclList = 1 << 5,
  kAclHash = 1 << 6,
  kAclString = 1 << 7,
  kAclBitmap = 1 << 8,
  kAclHyperLogLog = 1 << 9,
  kAclGeo = 1 << 10,
  kAclStream = 1 << 11,
  kAclPubsub = 1 << 12,
  kAclAdmin = 1 << 13,
  kAclFast = 1 << 14,
  kAclSlow = 1 << 15,
  kAclBlocking = 1 << 16,
  kAclDangerous = 1 << 17,
  kAclConnection = 1 << 18,
  kAclTransaction = 1 << 19,
  kAclScripting = 1 << 20,
};

// How a command uses one of its keys: Redis 7.0's key-spec flags, in the
// order COMMAND INFO prints them.
enum KeyFlag : uint32_t {
  kRO = 1 << 0,         // reads the value
  kRW = 1 << 1,         // reads and modifies it
  kOW = 1 << 2,         // overwrites it without reading
  kRM = 1 << 3,         // deletes the key
  kAccess = 1 << 4,     // returns, copies or uses user data of it
  kUpdate = 1 << 5,     // updates data of the value
  kInsert = 1 << 6,     // only adds data
  kDelete = 1 << 7,     // only removes data
  kNotKey = 1 << 8,     // not a key (a name hashed into a slot)
  kIncomplete = 1 << 9, // may not find every key
  kVariableFlags = 1 << 10,  // the flags depend on the arguments (getkeys proc)
};

// One key (or run of keys) of a command, as Redis 7.0's key specs describe
// it: where the search begins (an index, or just after a keyword looked for
// from startfrom), then how the keys are found from there (a range, or a
// count argument followed by that many keys).
//   {.flags = kRW | kInsert, .index = 1}                        one key at 1
//   {.flags = kRO | kAccess, .index = 1, .lastkey = -1}         all from 1
//   {.flags = kRO | kAccess, .index = 2, .keynum = true}        numkeys at 2
//   {.flags = kRW | kInsert, .keyword = "OUTBOX", .startfrom = 4}
struct KeySpec {
  uint32_t flags = 0;           // KeyFlag bits
  const char* notes = nullptr;  // COMMAND INFO "notes"
  int index = 0;                // begin_search index (when no keyword)
  const char* keyword = nullptr;  // begin_search keyword
  int startfrom = 0;
  bool keynum = false;  // find_keys keynum (else range)
  int lastkey = 0;      // range: relative to the first key; negative: from the end
  int keynumidx = 0;    // keynum: where the count is, relative to the begin
  int firstkey = 1;     // keynum: the first key, relative to the begin
  int keystep = 1;
  int limit = 0;  // range with lastkey -1: the keys are 1/limit of the rest
};

using Args = std::span<const std::string_view>;

// A key position found in a command's arguments, with its KeyFlag bits.
struct KeyRef {
  int pos;
  uint32_t flags;
};

// Redis's getkeys procs: for the few commands whose keys (or key flags) the
// specs cannot give in every case. Appends the keys of argv (argv[0] the
// command name) to *out; returns how many it found.
using GetKeysProc = size_t (*)(Args argv, std::vector<KeyRef>* out);

struct CommandContext;
using CommandHandler = void (*)(CommandContext& ctx);

// Per-command statistics (INFO commandstats), kept in the row itself so
// that recording them costs no lookup.
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
  // LATENCY HISTOGRAM / INFO latencystats; made on the first call recorded
  // with latency-tracking on (shared only so that rows stay copyable).
  std::shared_ptr<LatencyHistogram> latency;
};

// One row of the command table, written with designated initializers:
//   f.Add({.name = "lmove", .arity = 5, .flags = kWrite | kDenyOom,
//          .keys = {{.flags = kRW | kAccess | kDelete, .index = 1},
//                   {.flags = kRW | kInsert, .index = 2}},
//          .handler = CmdLMove, .summary = "...", .since = "6.2.0"});
struct CommandSpec {
  const char* name;   // lower case; "client|setname" for subcommands
  int arity;          // Redis convention: negative = at least -arity
  uint32_t flags = 0;  // CommandFlag bits
  std::vector<KeySpec> keys = {};
  CommandHandler handler = nullptr;
  uint32_t acl = 0;           // AclCategory bits neither the flags nor the family give
  const char* tips = "";      // COMMAND INFO tips, space separated
  GetKeysProc getkeys = nullptr;  // only where Redis has one
  const char* summary = "";   // COMMAND DOCS
  const char* since = "1.0.0";  // COMMAND DOCS
  std::vector<CommandSpec> subcommands = {};

  // Filled in by CommandTable::Register from the above.
  const char* group = "generic";  // COMMAND DOCS group: the family's
  uint32_t acl_categories = 0;    // every AclCategory bit
  int first_key = 0;              // Redis's legacy range, from the key specs
  int last_key = 0;
  int key_step = 0;
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

  // Arguments a log must not show (passwords): MONITOR and SLOWLOG write
  // "(redacted)", as Redis's redactClientCommandArgument does for both.
  uint64_t redacted_args = 0;  // bit i: argument i
  void RedactArg(size_t i) {
    if (i < 64) redacted_args |= uint64_t{1} << i;
  }

  storage::Db& db();
  OpArgs op_args() { return OpArgs{db(), now_ms}; }
  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }
};

}  // namespace grabkv::server
