// MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// Queueing happens in Dispatch (a command read while in MULTI is checked and
// queued there); this file runs and discards transactions and keeps the
// WATCH bookkeeping.
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"

namespace grabkv::server {

namespace {

void DiscardTransaction(ServerState& s, Client& c) { s.DiscardTransaction(c); }

// Redis 7: a watched key that expired after WATCH fails EXEC even when
// nothing deleted it yet.
bool WatchedKeyExpired(ServerState& s, const Client& c, int64_t now_ms) {
  for (const Client::WatchedKey& w : c.watched) {
    storage::Db& db = s.db(w.db);
    const storage::Db::Entry* e = db.table().Find(w.key);
    if (e != nullptr && db.IsExpired(e, now_ms)) return true;
  }
  return false;
}

void CmdMulti(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.in_multi = true;
  ctx.client.multi_aborted = false;
  ctx.client.queued.clear();
  ctx.reply.Ok();
}

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.Error("ERR DISCARD without MULTI");
    return;
  }
  DiscardTransaction(ctx.server, ctx.client);
  ctx.reply.Ok();
}

void CmdExec(CommandContext& ctx) {
  // The queued commands record their own effects; the Propagator wraps them
  // in MULTI/EXEC when there is more than one.
  ctx.PropagateNothing();
  Client& c = ctx.client;
  if (!c.in_multi) {
    ctx.reply.Error("ERR EXEC without MULTI");
    return;
  }
  if (c.multi_aborted) {
    DiscardTransaction(ctx.server, c);
    ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  if (c.watch_dirty || WatchedKeyExpired(ctx.server, c, ctx.now_ms)) {
    DiscardTransaction(ctx.server, c);
    ctx.reply.NullArray();
    return;
  }
  std::vector<Client::QueuedCommand> queued;
  queued.swap(c.queued);
  c.in_multi = false;
  // Unwatch before running: the transaction's own writes must not matter.
  ctx.server.watches().UnwatchAll(c);
  ctx.reply.ArrayHeader(queued.size());
  ExecOptions opts;
  opts.in_transaction = true;
  opts.now_ms = ctx.now_ms;  // one clock for the whole transaction
  std::vector<std::string_view> views;
  c.exec_commands = queued.size();
  for (const Client::QueuedCommand& q : queued) {
    views.assign(q.args.begin(), q.args.end());
    Execute(ctx.server, c, q.spec, views, opts);
  }
  c.exec_commands = 0;
}

void CmdWatch(CommandContext& ctx) {
  Client& c = ctx.client;
  if (c.in_multi) {
    ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  // Once dirty, further WATCHes cannot make EXEC succeed: nothing to add.
  if (!c.watch_dirty) {
    int db = c.db_index();
    for (size_t i = 1; i < ctx.argc(); ++i) {
      std::string_view key = ctx.arg(i);
      bool already = false;
      for (const Client::WatchedKey& w : c.watched) {
        if (w.db == db && w.key == key) {
          already = true;
          break;
        }
      }
      if (already) continue;
      // A key already past its TTL is gone for this watcher: delete it now
      // (lazy expiry), so that its later removal is no change to it.
      ctx.db().Find(key, ctx.now_ms);
      ctx.server.watches().Watch(c, db, key);
      c.watched.push_back({db, std::string(key)});
    }
  }
  ctx.reply.Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  ctx.server.watches().UnwatchAll(ctx.client);
  ctx.reply.Ok();
}

constexpr uint32_t kTxFlags = kNoscript | kLoading | kStale;

}  // namespace

void RegisterTransactionFamily(CommandTable& t) {
  CommandFamily f(t, "transactions", kAclTransaction);
  f.Add({.name = "multi", .arity = 1, .flags = kTxFlags | kFast | kAllowBusy | kRunsInsideMulti,
         .handler = CmdMulti,
         .summary = "Starts a transaction.", .since = "1.2.0"});
  f.Add({.name = "exec", .arity = 1, .flags = kTxFlags | kSkipSlowlog | kRunsInsideMulti | kWriteIfQueuedWrites,
         .handler = CmdExec,
         .summary = "Executes all commands in a transaction.", .since = "1.2.0"});
  f.Add({.name = "discard", .arity = 1, .flags = kTxFlags | kFast | kAllowBusy | kRunsInsideMulti,
         .handler = CmdDiscard,
         .summary = "Discards a transaction.", .since = "2.0.0"});
  f.Add({.name = "watch", .arity = -2, .flags = kTxFlags | kFast | kAllowBusy | kRunsInsideMulti,
         .keys = {{.flags = kRO, .index = 1, .lastkey = -1}}, .handler = CmdWatch,
         .summary = "Monitors changes to keys to determine the execution of a transaction.", .since = "2.2.0"});
  f.Add({.name = "unwatch", .arity = 1, .flags = kTxFlags | kFast | kAllowBusy,
         .handler = CmdUnwatch,
         .summary = "Forgets about watched keys of a transaction.", .since = "2.2.0"});
}

}  // namespace grabkv::server
