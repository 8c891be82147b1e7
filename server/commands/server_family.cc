// Server and admin commands: CONFIG, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB,
// TIME, SHUTDOWN, DEBUG. INFO lives in info.cc and COMMAND in
// command_docs.cc; RegisterServerFamily registers all of them.
#include <time.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/log.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

// Defined in info.cc and command_docs.cc.
void RegisterInfoCommand(CommandTable& t);
void RegisterCommandCommand(CommandTable& t);

bool RunDebugSubcommand(CommandContext& ctx);  // debug_family.cc

// Redis addReplyHelp: a header naming the command as sent (upper-cased),
// the lines, and the closing HELP entry.
void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines) {
  ctx.reply.ArrayHeader(lines.size() + 3);
  ctx.reply.SimpleString(ToUpper(ctx.arg(0)) +
                         " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (const char* line : lines) ctx.reply.SimpleString(line);
  ctx.reply.SimpleString("HELP");
  ctx.reply.SimpleString("    Prints this help.");
}

namespace {

constexpr std::string_view kSyntaxError = errors::kSyntax;

// --- CONFIG -------------------------------------------------------------------

void CmdConfigGet(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> found, batch;
  std::set<std::string> seen;
  std::string key;
  const ConfigTable& table = ctx.server.config_table();
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view pattern = ctx.arg(i);
    batch.clear();
    table.Get(pattern, &batch);
    // Without glob characters Redis echoes the name as it was asked for.
    if (pattern.find_first_of("*?[") == std::string_view::npos && batch.size() == 1) {
      batch[0].first.assign(pattern);
    }
    for (auto& kv : batch) {
      ToLower(kv.first, &key);
      if (!seen.insert(key).second) continue;
      found.push_back(std::move(kv));
    }
  }
  ctx.reply.MapHeader(found.size());
  for (const auto& [name, value] : found) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// CONFIG SET name value [name value ...]: all or nothing (ConfigTable::SetAll);
// each changed setting's new value is applied by the hook its owner registered.
void CmdConfigSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply.Error(kSyntaxError);
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) {
    pairs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
    // Redis 7.0's SENSITIVE_CONFIG settings: their values never reach a log.
    std::string_view n = ctx.arg(i);
    if (EqualsIgnoreCase(n, "requirepass") || EqualsIgnoreCase(n, "masterauth") ||
        EqualsIgnoreCase(n, "tls-key-file-pass") || EqualsIgnoreCase(n, "tls-client-key-file-pass")) {
      ctx.RedactArg(i + 1);
    }
  }
  std::string err = ctx.server.config_table().SetAll(pairs);
  if (!err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  ctx.reply.Ok();
}

void ResetCommandStats(const CommandSpec& c) {
  c.stats = {};
  for (const CommandSpec& sub : c.subcommands) ResetCommandStats(sub);
}

void CmdConfigResetStat(CommandContext& ctx) {
  ctx.server.stats() = ServerStats{};
  ctx.server.commands().ForEach(ResetCommandStats);
  for (storage::Db& db : ctx.server.dbs()) db.ResetStats();
  ctx.server.evictor().ResetStats();
  ctx.reply.Ok();
}

// CONFIG REWRITE: Redis 7.0's rules (ConfigTable::Rewrite) on the file the
// server started with.
void CmdConfigRewrite(CommandContext& ctx) {
  const std::string& path = ctx.server.config().config_file;
  if (path.empty()) {
    ctx.reply.Error("ERR The server is running without a config file");
    return;
  }
  std::string err;
  if (!RewriteConfigFile(ctx.server.config_table(), path, &err)) {
    Log(LogLevel::kWarning, "CONFIG-REWRITE failed: %s", err.c_str());
    ctx.reply.Error("ERR Rewriting config file: " + err);
    return;
  }
  Log(LogLevel::kWarning, "CONFIG REWRITE executed with success.");
  ctx.reply.Ok();
}

void CmdConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "GET <pattern>",
                     "    Return parameters matching the glob-like <pattern> and their values.",
                     "SET <directive> <value>",
                     "    Set the configuration <directive> to <value>.",
                     "RESETSTAT",
                     "    Reset statistics reported by the INFO command.",
                     "REWRITE",
                     "    Rewrite the configuration file.",
                 });
}

// --- keyspace -------------------------------------------------------------------

void CmdDbSize(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.db().size())); }

// FLUSHDB/FLUSHALL [ASYNC|SYNC]; the default follows lazyfree-lazy-user-flush.
bool ParseFlushMode(CommandContext& ctx, bool* async) {
  *async = ctx.server.config().lazyfree_lazy_user_flush;
  if (ctx.argc() > 2) {
    ctx.reply.Error(kSyntaxError);
    return false;
  }
  if (ctx.argc() == 2) {
    if (EqualsIgnoreCase(ctx.arg(1), "sync")) {
      *async = false;
    } else if (EqualsIgnoreCase(ctx.arg(1), "async")) {
      *async = true;
    } else {
      ctx.reply.Error(kSyntaxError);
      return false;
    }
  }
  return true;
}

// Empties one database; returns how many keys it held. A whole database
// going is no key write: observers hear of it as OnDbReplaced, and the
// commands count Redis's changes themselves.
uint64_t EmptyDb(ServerState& s, storage::Db& db, bool async) {
  uint64_t removed = db.size();
  std::unique_ptr<storage::Db::Taken> taken = db.TakeAll();
  if (async) s.FreeLater(std::move(taken));
  return removed;
}

void CmdFlushDb(CommandContext& ctx) {
  bool async;
  if (!ParseFlushMode(ctx, &async)) return;
  ctx.server.dirty += EmptyDb(ctx.server, ctx.db(), async);
  ctx.PropagateVerbatim();  // even an empty db, as Redis
  ctx.reply.Ok();
}

void CmdFlushAll(CommandContext& ctx) {
  bool async;
  if (!ParseFlushMode(ctx, &async)) return;
  uint64_t removed = 0;
  for (storage::Db& db : ctx.server.dbs()) removed += EmptyDb(ctx.server, db, async);
  // Redis 7.0 counts the keys removed (an empty keyspace: no change) and
  // records FLUSHALL whatever it removed.
  ctx.server.dirty += removed;
  ctx.PropagateVerbatim();
  ctx.reply.Ok();
}

// Redis getIntFromObjectOrReply with a custom message.
bool ParseDbIndex(std::string_view arg, int* out) {
  int64_t v;
  if (!ParseInt64(arg, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int>(v);
  return true;
}

void CmdSwapDb(CommandContext& ctx) {
  int a, b;
  if (!ParseDbIndex(ctx.arg(1), &a)) {
    ctx.reply.Error("ERR invalid first DB index");
    return;
  }
  if (!ParseDbIndex(ctx.arg(2), &b)) {
    ctx.reply.Error("ERR invalid second DB index");
    return;
  }
  int n = static_cast<int>(ctx.server.dbs().size());
  if (a < 0 || a >= n || b < 0 || b >= n) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  if (a != b) {
    // Wakes clients blocked on keys of either db (ServerState::OnDbReplaced).
    ctx.server.db(a).SwapContents(ctx.server.db(b));
  }
  ++ctx.server.dirty;
  ctx.PropagateVerbatim();  // SWAPDB 0 0 too, as Redis
  ctx.reply.Ok();
}

// --- server -------------------------------------------------------------------

void CmdTime(CommandContext& ctx) {
  int64_t us = ServerState::NowUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(us / 1000000));
  ctx.reply.Bulk(std::to_string(us % 1000000));
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. grabkv keeps no dataset on
// disk, so the save options only need to parse. On success there is no
// reply: the IO layer stops after this command and closes every connection.
void CmdShutdown(CommandContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(a, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(a, "now")) {
      now = true;
    } else if (EqualsIgnoreCase(a, "force")) {
      force = true;
    } else if (EqualsIgnoreCase(a, "abort")) {
      abort = true;
    } else {
      ctx.reply.Error(kSyntaxError);
      return;
    }
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    ctx.reply.Error(kSyntaxError);
    return;
  }
  if (abort) {
    // A shutdown here is immediate, so there is never one to abort.
    ctx.reply.Error("ERR No shutdown in progress.");
    return;
  }
  // Redis: during a busy script only SHUTDOWN NOSAVE goes through.
  if (!nosave && ctx.server.scripts().busy()) {
    ctx.reply.Error(ctx.server.scripts().BusyError());
    return;
  }
  // Redis saves dump.rdb when asked (SAVE) or when `save` points are set,
  // unless NOSAVE; a failed save keeps the server up unless FORCE. The
  // append-only file is written and fsynced by the shutdown itself.
  const bool want_save = save || (!nosave && !ctx.server.config().save.empty());
  if (want_save && ctx.server.persistence != nullptr) {
    std::string err;
    if (!ctx.server.persistence->SaveNow(&err) && !force) {
      ctx.reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
      return;
    }
  }
  ctx.server.shutdown_skip_save = nosave || want_save;
  ctx.server.shutdown_requested = true;
}

// --- DEBUG ----------------------------------------------------------------------

void DebugHelp(CommandContext& ctx) {
  ReplyHelp(ctx,
            {
                "AOF-FLUSH-SLEEP <microsec>",
                "    Server will sleep before flushing the AOF, this is used for testing.",
                "ASSERT",
                "    Crash by assertion failed.",
                "CHANGE-REPL-ID",
                "    Change the replication IDs of the instance.",
                "    Dangerous: should be used only for testing the replication subsystem.",
                "CONFIG-REWRITE-FORCE-ALL",
                "    Like CONFIG REWRITE but writes all configuration options, including",
                "    keywords not listed in original configuration file or default values.",
                "DIGEST",
                "    Output a hex signature representing the current DB content.",
                "DIGEST-VALUE <key> [<key> ...]",
                "    Output a hex signature of the values of all the specified keys.",
                "ERROR <string>",
                "    Return a Redis protocol error with <string> as message. Useful for clients",
                "    unit tests to simulate Redis errors.",
                "LEAK <string>",
                "    Create a memory leak of the input string.",
                "LOG <message>",
                "    Write <message> to the server log.",
                "HTSTATS <dbid>",
                "    Return hash table statistics of the specified Redis database.",
                "HTSTATS-KEY <key>",
                "    Like HTSTATS but for the hash table stored at <key>'s value.",
                "LOADAOF",
                "    Flush the AOF buffers on disk and reload the AOF in memory.",
                "MALLCTL <key> [<val>]",
                "    Get or set a malloc tuning integer.",
                "MALLCTL-STR <key> [<val>]",
                "    Get or set a malloc tuning string.",
                "OBJECT <key>",
                "    Show low level info about `key` and associated value.",
                "OOM",
                "    Crash the server simulating an out-of-memory error.",
                "PANIC",
                "    Crash the server simulating a panic.",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys named key:<num>. If <prefix> is specified then",
                "    it is used instead of the 'key' prefix. These are not propagated to",
                "    replicas. Cluster slots are not respected so keys not belonging to the",
                "    current node can be created in cluster mode.",
                "PROTOCOL <type>",
                "    Reply with a test value of the specified type. <type> can be: string,",
                "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                "    true, false.",
                "RELOAD [option ...]",
                "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
                "    * MERGE: Merge the content of the RDB file with the current dataset.",
                "    * NOFLUSH: Do not empty the current dataset before loading the RDB file.",
                "    * NOSAVE: the database will be loaded from an existing RDB file.",
                "    Examples:",
                "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
                "      the database.",
                "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
                "      existing RDB file.",
                "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
                "      file to the database.",
                "SDSLEN <key>",
                "    Show low level SDS string info representing `key` and value.",
                "SEGFAULT",
                "    Crash the server with sigsegv.",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Setting it to 0 disables expiring keys in background when they are not",
                "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                "    default.",
                "QUICKLIST-PACKED-THRESHOLD <size>",
                "    Sets the threshold for elements to be inserted as plain vs packed nodes",
                "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
                "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
                "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
                "SLEEP <seconds>",
                "    Stop the server for <seconds>. Decimals allowed.",
                "STRINGMATCH-TEST",
                "    Run a fuzz tester against the stringmatchlen() function.",
                "STRUCTSIZE",
                "    Return the size of different Redis core C structures.",
                "LISTPACK <key>",
                "    Show low level info about the listpack encoding of <key>.",
                "QUICKLIST <key> [<0|1>]",
                "    Show low level info about the quicklist encoding of <key>.",
                "    The optional argument (0 by default) sets the level of detail",
                "PAUSE-CRON <0|1>",
                "    Stop periodic cron job processing.",
                "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
                "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
                "    In case NEVER is provided the last observed peak will never be reset",
                "    In case RESET is provided the peak reset time will be restored to the default value",
                "REPLYBUFFER RESIZING <0|1>",
                "    Enable or disable the reply buffer resize cron job",
                "SET-DISABLE-DENY-SCRIPTS <0|1>",
                "    Disable the deny-script flag of commands, so that scripts can call them.",
            });
}

// Bytes of an RDB length prefix.
size_t RdbLenSize(uint64_t len) {
  if (len < (1 << 6)) return 1;
  if (len < (1 << 14)) return 2;
  if (len <= UINT32_MAX) return 5;
  return 9;
}

// An estimate of rdbSavedObjectLen: exact for integers and short strings
// (no LZF compression is modelled), approximate for containers.
size_t SerializedLength(const storage::Value& v) {
  if (!v.is_string())
    return RdbLenSize(v.container()->MemoryUsage()) + v.container()->MemoryUsage();
  int64_t n;
  std::string scratch;
  std::string_view s = v.GetString(&scratch);
  if (s.size() <= 11 && ParseInt64(s, &n)) {
    if (n >= INT8_MIN && n <= INT8_MAX) return 2;
    if (n >= INT16_MIN && n <= INT16_MAX) return 3;
    if (n >= INT32_MIN && n <= INT32_MAX) return 5;
  }
  return RdbLenSize(s.size()) + s.size();
}

void DebugObject(CommandContext& ctx) {
  storage::Db::Entry* e = ctx.db().Find(ctx.arg(2), ctx.now_ms, /*touch=*/false);
  if (e == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u"
                " lru_seconds_idle:%" PRIu64,
                static_cast<void*>(&e->value), e->value.EncodingName(), SerializedLength(e->value),
                storage::Db::AccessMeta(e),
                storage::LruIdleMs(storage::Db::AccessMeta(e), ctx.now_ms) / 1000);
  ctx.reply.SimpleString(buf);
}

void DebugSleep(CommandContext& ctx) {
  std::string arg(ctx.arg(2));
  double seconds = std::strtod(arg.c_str(), nullptr);
  int64_t us = static_cast<int64_t>(seconds * 1000000);
  if (us > 0) {
    struct timespec ts;
    ts.tv_sec = us / 1000000;
    ts.tv_nsec = (us % 1000000) * 1000;
    nanosleep(&ts, nullptr);
  }
  ctx.reply.Ok();
}

// Test values of each RESP type, for client test suites.
void DebugProtocol(CommandContext& ctx) {
  protocol::ReplyBuilder& rb = ctx.reply;
  std::string_view type = ctx.arg(2);
  auto is = [&](const char* name) { return EqualsIgnoreCase(type, name); };
  if (is("string")) {
    rb.Bulk("Hello World");
  } else if (is("integer")) {
    rb.Integer(12345);
  } else if (is("double")) {
    rb.Double(3.141);
  } else if (is("bignum")) {
    constexpr std::string_view kBig = "1234567999999999999999999999999999999";
    if (rb.resp3()) {
      rb.Raw("(");
      rb.Raw(kBig);
      rb.Raw("\r\n");
    } else {
      rb.Bulk(kBig);
    }
  } else if (is("null")) {
    rb.Null();
  } else if (is("array") || is("set")) {
    if (is("array")) {
      rb.ArrayHeader(3);
    } else {
      rb.SetHeader(3);
    }
    for (int j = 0; j < 3; ++j) rb.Integer(j);
  } else if (is("map")) {
    rb.MapHeader(3);
    for (int j = 0; j < 3; ++j) {
      rb.Integer(j);
      rb.Bool(j == 1);
    }
  } else if (is("attrib")) {
    if (rb.resp3()) {
      rb.Raw("|1\r\n");
      rb.Bulk("key-popularity");
      rb.ArrayHeader(2);
      rb.Bulk("key:123");
      rb.Integer(90);
    }
    rb.Bulk("Some real reply following the attribute");
  } else if (is("push")) {
    if (!rb.resp3()) {
      rb.Error("ERR RESP2 is not supported by this command");
      return;
    }
    rb.PushHeader(2);
    rb.Bulk("server-cpu-usage");
    rb.Integer(42);
    rb.Bulk("Some real reply following the push reply");
  } else if (is("verbatim")) {
    rb.Verbatim("This is a verbatim\nstring");
  } else if (is("true")) {
    rb.Bool(true);
  } else if (is("false")) {
    rb.Bool(false);
  } else {
    rb.Error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

void CmdDebug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  size_t argc = ctx.argc();
  if (argc == 2 && EqualsIgnoreCase(sub, "help")) {
    DebugHelp(ctx);
  } else if (argc == 3 && EqualsIgnoreCase(sub, "sleep")) {
    DebugSleep(ctx);
  } else if (argc == 3 && EqualsIgnoreCase(sub, "object")) {
    DebugObject(ctx);
  } else if (argc == 3 && EqualsIgnoreCase(sub, "error")) {
    // The argument is the whole error line, code included (Redis prepends
    // only the '-').
    ctx.reply.Error(ctx.arg(2));
  } else if (argc == 3 && EqualsIgnoreCase(sub, "log")) {
    std::string msg(ctx.arg(2));
    Log(LogLevel::kWarning, "DEBUG LOG: %s", msg.c_str());
    ctx.reply.Ok();
  } else if (argc == 2 && EqualsIgnoreCase(sub, "segfault")) {
    // How crash reporting is tested (as in Redis): a real invalid access,
    // reported by the SIGSEGV handler (server/core/crash_report.h).
    volatile char* bad = reinterpret_cast<volatile char*>(-1);
    *bad = 'x';
  } else if (argc == 2 && EqualsIgnoreCase(sub, "panic")) {
    Log(LogLevel::kWarning, "------------------------------------------------");
    Log(LogLevel::kWarning, "!!! Software Failure. Press left mouse button to continue");
    Log(LogLevel::kWarning, "Guru Meditation: DEBUG PANIC called at Unix time %lld",
        static_cast<long long>(ctx.now_ms / 1000));
    std::abort();
  } else if (argc == 2 && EqualsIgnoreCase(sub, "assert")) {
    Log(LogLevel::kWarning, "=== ASSERTION FAILED ===");
    Log(LogLevel::kWarning, "==> server_family.cc: '1 == 2' is not true");
    std::abort();
  } else if (argc == 3 && EqualsIgnoreCase(sub, "protocol")) {
    DebugProtocol(ctx);
  } else if (EqualsIgnoreCase(sub, "reload") && ctx.server.persistence != nullptr) {
    bool save = true, flush = true, merge = false;
    for (size_t j = 2; j < argc; ++j) {
      if (EqualsIgnoreCase(ctx.arg(j), "merge")) {
        merge = true;
      } else if (EqualsIgnoreCase(ctx.arg(j), "noflush")) {
        flush = false;
      } else if (EqualsIgnoreCase(ctx.arg(j), "nosave")) {
        save = false;
      } else {
        ctx.reply.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        return;
      }
    }
    std::string err;
    if (ctx.server.persistence->ReloadSnapshot(save, flush, merge, &err)) {
      ctx.reply.Ok();
    } else {
      ctx.reply.Error(err);
    }
  } else if (argc == 2 && EqualsIgnoreCase(sub, "loadaof") && ctx.server.persistence != nullptr) {
    std::string err;
    if (ctx.server.persistence->Reload(&err)) {
      ctx.reply.Ok();
    } else {
      ctx.reply.Error(err);
    }
  } else if (!RunDebugSubcommand(ctx)) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(sub.substr(0, 128)) + "'. Try DEBUG HELP.");
  }
}

}  // namespace

void RegisterServerFamily(CommandTable& t) {
  constexpr uint32_t kConfigFlags = kAdmin | kNoscript | kLoading | kStale;
  CommandFamily f(t, "server");
  f.Add({.name = "config",
         .arity = -2,
         .summary = "A container for server configuration commands",
         .since = "2.0.0",
         .subcommands = {
             {.name = "config|get", .arity = -3, .flags = kConfigFlags,
              .handler = CmdConfigGet,
              .summary = "Get the values of configuration parameters", .since = "2.0.0"},
             {.name = "config|set", .arity = -4, .flags = kConfigFlags,
              .handler = CmdConfigSet, .tips = "request_policy:all_nodes response_policy:all_succeeded",
              .summary = "Set configuration parameters to the given values", .since = "2.0.0"},
             {.name = "config|resetstat", .arity = 2, .flags = kConfigFlags,
              .handler = CmdConfigResetStat,
              .summary = "Reset the stats returned by INFO", .since = "2.0.0"},
             {.name = "config|rewrite", .arity = 2, .flags = kConfigFlags,
              .handler = CmdConfigRewrite,
              .summary = "Rewrite the configuration file with the in memory configuration", .since = "2.8.0"},
             {.name = "config|help", .arity = 2, .flags = kLoading | kStale,
              .handler = CmdConfigHelp,
              .summary = "Show helpful text about the different subcommands", .since = "5.0.0"}}});
  f.Add({.name = "dbsize", .arity = 1, .flags = kReadonly | kFast,
         .handler = CmdDbSize, .acl = kAclKeyspace, .tips = "request_policy:all_shards response_policy:agg_sum",
         .summary = "Return the number of keys in the selected database", .since = "1.0.0"});
  f.Add({.name = "flushdb", .arity = -1, .flags = kWrite,
         .handler = CmdFlushDb, .acl = kAclKeyspace | kAclDangerous, .tips = "request_policy:all_shards response_policy:all_succeeded",
         .summary = "Remove all keys from the current database", .since = "1.0.0"});
  f.Add({.name = "flushall", .arity = -1, .flags = kWrite,
         .handler = CmdFlushAll, .acl = kAclKeyspace | kAclDangerous, .tips = "request_policy:all_shards response_policy:all_succeeded",
         .summary = "Remove all keys from all databases", .since = "1.0.0"});
  f.Add({.name = "swapdb", .arity = 3, .flags = kWrite | kFast,
         .handler = CmdSwapDb, .acl = kAclKeyspace | kAclDangerous,
         .summary = "Swaps two Redis databases", .since = "4.0.0"});
  f.Add({.name = "time", .arity = 1, .flags = kLoading | kStale | kFast,
         .handler = CmdTime, .tips = "nondeterministic_output",
         .summary = "Return the current server time", .since = "2.6.0"});
  f.Add({.name = "shutdown", .arity = -1, .flags = kAdmin | kNoscript | kLoading | kStale | kNoMulti | kSentinel | kAllowBusy,
         .handler = CmdShutdown,
         .summary = "Synchronously save the dataset to disk and then shut down the server", .since = "1.0.0"});
  f.Add({.name = "debug", .arity = -2, .flags = kAdmin | kNoscript | kLoading | kStale,
         .handler = CmdDebug,
         .summary = "A container for debugging commands", .since = "1.0.0"});
  RegisterInfoCommand(t);
  RegisterCommandCommand(t);
}

}  // namespace grabkv::server
