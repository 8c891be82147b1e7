// Dispatch: the single path from parsed arguments to a command handler.
#include <cstdio>
#include <cstring>
#include <string>

#include "server/core/errors.h"
#include "server/core/log.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {

// A command refused before it runs. Inside MULTI it also dooms the
// transaction (EXEC answers EXECABORT), as Redis's flagTransaction does.
void Reject(ServerState& s, Client& c, std::string_view msg) {
  c.reply().Error(msg);
  if (c.in_multi) c.multi_aborted = true;
}

void RejectUnknownCommand(ServerState& s, Client& c, Args args) {
  // Redis: "unknown command '%.128s', with args beginning with: 'a' 'b' "
  std::string msg = "ERR unknown command '";
  msg.append(args[0].substr(0, 128));
  msg += "', with args beginning with: ";
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    size_t room = 128 - list.size();
    list += '\'';
    list.append(args[i].substr(0, room));
    list += "' ";
  }
  msg += list;
  Reject(s, c, msg);
}

bool QueuedWrite(const Client& c) {
  for (const auto& q : c.queued) {
    if (q.spec->flags & kWrite) return true;
  }
  return false;
}

// maxmemory (Redis 7.0's processCommand): evict what the policy allows;
// when memory stays over the limit, refuse deny-oom commands, an EXEC whose
// queued commands include one (the transaction is discarded), and, inside
// MULTI, anything but EXEC/DISCARD/QUIT/RESET (queueing costs memory too).
bool MemoryAllows(ServerState& s, Client& c, const CommandSpec* spec) {
  const bool oom = s.evictor().Perform(s) == Evictor::Result::kFail;
  s.script_oom = oom;
  if (!oom) return true;
  const std::string_view name = spec->name;
  const bool exec = name == "exec";
  bool deny = (spec->flags & kDenyOom) != 0;
  if (exec && c.in_multi) {
    for (const auto& q : c.queued) deny = deny || (q.spec->flags & kDenyOom);
  }
  if (!deny && !(c.in_multi && !exec && name != "discard" && name != "quit" && name != "reset")) {
    return true;
  }
  spec->stats.rejected_calls++;
  if (exec && c.in_multi) {
    s.DiscardTransaction(c);
    c.reply().Error(std::string("EXECABORT Transaction discarded because of: ") + kOomError);
    return false;
  }
  Reject(s, c, kOomError);
  return false;
}

// Redis logs a script's commands as its own fake client's: no address
// ("?:0") and no name.
void RecordSlow(ServerState& s, Client& c, Args args, int64_t elapsed_us, bool in_script,
                uint64_t redacted) {
  const Config& cfg = s.config();
  s.slowlog().Push(args, elapsed_us, ServerState::NowMs() / 1000, in_script ? "?:0" : c.addr,
                   in_script ? std::string_view() : std::string_view(c.name()), cfg.slowlog_max_len,
                   redacted);
}

}  // namespace

void Execute(ServerState& s, Client& c, const CommandSpec* spec, Args args, const ExecOptions& opts) {
  int64_t start_us = s.ChainedNowUs();
  CommandContext ctx{s, c, c.reply(), args, spec, opts.now_ms != 0 ? opts.now_ms : start_us / 1000};
  ctx.in_transaction = opts.in_transaction;
  ctx.in_script = opts.in_script;
  ctx.unblock_timeout = opts.unblock_timeout;
  ctx.loading = s.loading;
  const uint64_t errors_before = s.stats().total_error_replies;
  const uint64_t outer_nested = s.nested_errors;
  s.nested_errors = 0;
  Propagator& prop = s.propagator();
  uint64_t writes_before = s.keyspace_writes();
  int db_before = c.db_index();
  uint64_t commits_before = prop.commits();
  prop.Enter();
  const bool top_level = s.current_client == nullptr;
  if (top_level) {
    s.current_client = &c;
    s.current_args = args;
  }
  // MONITOR: EVAL/FCALL (kSkipMonitor) show before their redis.call lines,
  // everything else once it ran (in the db it left selected). One branch
  // when nobody monitors.
  bool feed = false;
  if (s.monitors().active() && !opts.rerun && !s.loading) [[unlikely]] {
    if (spec->flags & kSkipMonitor) {
      s.monitors().Feed(c, c.db_index(), args, opts.in_script, 0);
    } else {
      feed = !(spec->flags & kAdmin);
    }
  }
  spec->handler(ctx);
  // Client-side caching: a tracking client's keys, held-back invalidations.
  // (A script's commands run on its own client: their keys are the caller's.)
  if (c.tracking != 0 || s.tracking().after_command_work() ||
      (opts.in_script && s.tracking().clients() > 0)) [[unlikely]] {
    s.tracking().AfterCommand(c, spec, args, opts.in_script, top_level);
  }
  if (feed) [[unlikely]] s.monitors().Feed(c, c.db_index(), args, opts.in_script, ctx.redacted_args);
  if (top_level) s.current_client = nullptr;
  if (prop.enabled()) {
    using Mode = CommandContext::PropagateMode;
    if (ctx.propagate_mode == Mode::kVerbatim ||
        (ctx.propagate_mode == Mode::kAuto && (spec->flags & kWrite) &&
         s.keyspace_writes() != writes_before)) {
      prop.Add(db_before, args);
    }
  }
  prop.Leave();
  if (prop.commits() != commits_before && s.persistence != nullptr) s.persistence->NoteWriter(c.id());
  int64_t end_us = ServerState::NowUs();
  s.ChainClock(end_us);
  int64_t elapsed = end_us - start_us;
  const int64_t slow_ms = s.config().slow_command_log_threshold;
  if (top_level && slow_ms > 0 && elapsed / 1000 >= slow_ms) {
    // A runaway command stops every other client: say which one it was.
    Log(LogLevel::kWarning, "Slow command: '%s' took %lld ms (client id=%llu addr=%s name=%s)",
        spec->name, static_cast<long long>(elapsed / 1000), static_cast<unsigned long long>(c.id()),
        c.addr.c_str(), c.name().c_str());
  }

  CommandStats& st = spec->stats;
  // SLOWLOG, LATENCY and the latency histograms: commands EXEC and scripts
  // run are recorded one by one, as Redis 7.0 does; nothing while loading,
  // and a command that blocked is recorded when it is served (the duration
  // of that last run), not when it times out (as Redis 7.0.15).
  const Config& cfg = s.config();
  if (!s.loading && !opts.unblock_timeout &&
      !(c.blocked && s.blocking().WaitingAfterRun(c))) {
    if (cfg.latency_tracking) {
      if (st.latency == nullptr) st.latency = std::make_shared<LatencyHistogram>();
      st.latency->RecordUs(elapsed);
    }
    if (cfg.slowlog_log_slower_than >= 0 && elapsed >= cfg.slowlog_log_slower_than &&
        !(spec->flags & kSkipSlowlog)) {
      RecordSlow(s, c, args, elapsed, opts.in_script, ctx.redacted_args);
    }
    if (cfg.latency_monitor_threshold != 0) {
      s.AddLatencySampleIfNeeded((spec->flags & kFast) ? "fast-command" : "command", elapsed / 1000);
    }
  }
  st.calls++;
  st.usec += static_cast<uint64_t>(elapsed > 0 ? elapsed : 0);
  // Failed: it replied an error of its own (not one of a command it ran).
  const uint64_t errors = s.stats().total_error_replies - errors_before;
  if (errors > s.nested_errors) st.failed_calls++;
  s.nested_errors = outer_nested + errors;
  s.stats().total_commands_processed++;
}

namespace {
void DispatchOne(ServerState& s, Client& c, Args args);
}  // namespace

namespace {
void DispatchReplyMode(ServerState& s, Client& c, Args args) {
  if (c.reply_mode == Client::ReplyMode::kOn) {
    DispatchOne(s, c, args);
    // CLIENT REPLY OFF/SKIP itself: its own invalidations were held back.
    if (c.reply_mode != Client::ReplyMode::kOn) [[unlikely]] s.tracking().FlushPending();
    return;
  }
  // CLIENT REPLY OFF/SKIP: run the command, then drop what it replied.
  if (c.reply_mode == Client::ReplyMode::kSkipNext) c.reply_mode = Client::ReplyMode::kSkipThis;
  size_t before = c.out().size();
  DispatchOne(s, c, args);
  if (c.reply_mode == Client::ReplyMode::kSkipThis) {
    c.out().resize(before);
    c.reply_mode = Client::ReplyMode::kOn;
  } else if (c.reply_mode == Client::ReplyMode::kOff) {
    c.out().resize(before);
  }
  s.tracking().FlushPending();
}
}  // namespace

void Dispatch(ServerState& s, Client& c, Args args) {
  if (args.empty()) return;
  DispatchReplyMode(s, c, args);
  // CLIENT CACHING yes/no applies to one command (or transaction).
  if (c.tracking & Client::kTrackingCaching) [[unlikely]] {
    Tracking::EndOfCommand(c, s.commands().Find(args[0]));
  }
}

namespace {
// Pipelines repeat the same command name: remember the last one a client
// sent, byte for byte, so that a repeat costs one short compare.
const CommandSpec* FindCached(ServerState& s, Client& c, std::string_view name) {
  if (c.last_lookup_spec != nullptr && name.size() == c.last_lookup_len &&
      std::memcmp(name.data(), c.last_lookup_name, name.size()) == 0) {
    return c.last_lookup_spec;
  }
  const CommandSpec* spec = s.commands().Find(name);
  if (spec != nullptr && name.size() <= sizeof(c.last_lookup_name)) {
    std::memcpy(c.last_lookup_name, name.data(), name.size());
    c.last_lookup_len = static_cast<uint8_t>(name.size());
    c.last_lookup_spec = spec;
  }
  return spec;
}

void DispatchOne(ServerState& s, Client& c, Args args) {
  const CommandSpec* spec = FindCached(s, c, args[0]);
  if (s.tracking().clients() > 0) [[unlikely]] {
    s.tracking().LimitTable();
  }
  // CLIENT LIST's cmd= is the command being processed, set on lookup as
  // Redis does: NULL for an unknown one, the queued one inside MULTI, and
  // EXEC (not its queued commands) during EXEC.
  c.last_command = "NULL";
  if (spec == nullptr) {
    RejectUnknownCommand(s, c, args);
    return;
  }
  if (!spec->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = CommandTable::FindSub(*spec, args[1]);
    if (sub == nullptr) {
      Reject(s, c, errors::UnknownSubcommand(args[0], args[1]));
      return;
    }
    spec = sub;
  }
  c.last_command = spec->name;
  int argc = static_cast<int>(args.size());
  if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    spec->stats.rejected_calls++;
    Reject(s, c, errors::WrongNumArgs(spec->name));
    return;
  }
  if (!c.authenticated() && !(spec->flags & kNoAuth)) {
    spec->stats.rejected_calls++;
    Reject(s, c, "NOAUTH Authentication required.");
    return;
  }
  if (c.in_multi && (spec->flags & kNoMulti)) {
    spec->stats.rejected_calls++;
    Reject(s, c, "ERR Command not allowed inside a transaction");
    return;
  }
  if (s.config().maxmemory != 0 && !s.scripts().busy() && !s.loading) [[unlikely]] {
    if (!MemoryAllows(s, c, spec)) return;
  }
  if (c.resp() == 2 && c.subscriptions() > 0 && !(spec->flags & kAllowedWhileSubscribed)) {
    spec->stats.rejected_calls++;
    Reject(s, c,
           std::string("ERR Can't execute '") + spec->name +
               "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context");
    return;
  }
  // A script has run past busy-reply-threshold and the IO layer is serving
  // other clients from inside it (EventLoop::ProcessEventsWhileBusy).
  if (s.scripts().busy() && !(spec->flags & kAllowBusy)) {
    spec->stats.rejected_calls++;
    Reject(s, c, s.scripts().BusyError());
    return;
  }
  // The append-only file could not be written: refuse what would need it,
  // as Redis does (PING too, so that a health check notices).
  if (s.persistence != nullptr && !s.loading && !s.persistence->write_error().empty() &&
      ((spec->flags & (kWrite | kRefusedOnWriteError)) ||
       ((spec->flags & kWriteIfQueuedWrites) && QueuedWrite(c)))) {
    spec->stats.rejected_calls++;
    Reject(s, c, s.persistence->write_error());
    return;
  }
  // The monitor feed may not touch the keyspace (Redis treats it as a
  // replica, which CLIENT PAUSE never holds).
  if (c.monitor) {
    constexpr uint32_t kKeyspace = kWrite | kReadonly | kMayReplicate;
    bool touches = spec->flags & kKeyspace;
    if (!touches && (spec->flags & kWriteIfQueuedWrites)) {
      for (const auto& q : c.queued) touches = touches || (q.spec->flags & kKeyspace);
    }
    if (touches) {
      spec->stats.rejected_calls++;
      Reject(s, c, "ERR Replica can't interact with the keyspace");
      return;
    }
  } else if (s.blocking().paused() && s.blocking().HoldsCommand(c, spec)) {
    // CLIENT PAUSE: held, not refused; runs when the pause ends.
    s.blocking().Postpone(c, spec, args);
    return;
  }
  if (c.in_multi && !(spec->flags & kRunsInsideMulti)) {
    c.queued.push_back({spec, std::vector<std::string>(args.begin(), args.end())});
    c.reply().SimpleString("QUEUED");
    return;
  }
  Execute(s, c, spec, args, {});
  // Pushes made by this command (or by the EXEC it was) reach blocked
  // clients only now that it is complete.
  s.blocking().ServeReady();
}
}  // namespace

}  // namespace grabkv::server
