// Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, CLIENT, RESET.
#include <algorithm>
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/core/version.h"

namespace grabkv::server {

namespace {

// --- authentication -------------------------------------------------------

// Whether `user` may log in with `pass` (else WRONGPASS). The only user is
// "default"; with no requirepass it has no password (any password is
// accepted for it, as Redis's nopass user).
bool CredentialsMatch(const ServerState& s, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  const std::string& required = s.config().requirepass;
  return required.empty() || required == pass;
}

constexpr const char* kWrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

// Redis clientSetName rules: printable ASCII without spaces.
bool ValidClientName(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// --- commands ---------------------------------------------------------------

void CmdPing(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply.Error(errors::WrongNumArgs("ping"));
    return;
  }
  // A subscribed RESP2 connection can only receive arrays: Redis answers
  // ["pong", msg] there.
  if (ctx.client.resp() == 2 && ctx.client.subscriptions() > 0) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
    return;
  }
  if (ctx.argc() == 2) {
    ctx.reply.Bulk(ctx.arg(1));
  } else {
    ctx.reply.SimpleString("PONG");
  }
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

void CmdSelect(CommandContext& ctx) {
  int64_t id;
  if (!ParseInt64(ctx.arg(1), &id)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  // Redis (getIntFromObjectOrReply) words an integer that does not fit an
  // int differently from one that is no integer at all.
  if (id < INT32_MIN || id > INT32_MAX) {
    ctx.reply.Error(errors::kNotInt32);
    return;
  }
  if (id < 0 || id >= static_cast<int64_t>(ctx.server.dbs().size())) {
    ctx.reply.Error(errors::kDbIndexOutOfRange);
    return;
  }
  ctx.client.set_db_index(static_cast<int>(id));
  ctx.reply.Ok();
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  ctx.RedactArg(1);  // MONITOR and SLOWLOG never show them
  ctx.RedactArg(2);
  std::string_view user = "default";
  std::string_view pass = ctx.arg(1);
  if (ctx.argc() == 3) {
    user = ctx.arg(1);
    pass = ctx.arg(2);
  } else if (ctx.server.config().requirepass.empty()) {
    ctx.reply.Error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
    return;
  }
  if (!CredentialsMatch(ctx.server, user, pass)) {
    ctx.reply.Error(kWrongPass);
    return;
  }
  ctx.client.set_authenticated(true);
  ctx.reply.Ok();
}

void CmdHello(CommandContext& ctx) {
  int64_t ver = 0;
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(1), &ver)) {
      ctx.reply.Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (ver < 2 || ver > 3) {
      ctx.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    size_t more = ctx.argc() - 1 - j;
    if (EqualsIgnoreCase(ctx.arg(j), "AUTH") && more >= 2) {
      ctx.RedactArg(j + 1);
      ctx.RedactArg(j + 2);
      user = ctx.arg(j + 1);
      pass = ctx.arg(j + 2);
      has_auth = true;
      j += 2;
    } else if (EqualsIgnoreCase(ctx.arg(j), "SETNAME") && more >= 1) {
      name = ctx.arg(j + 1);
      has_name = true;
      j += 1;
    } else {
      ctx.reply.Error("ERR Syntax error in HELLO option '" + std::string(ctx.arg(j)) + "'");
      return;
    }
  }
  if (has_auth) {
    if (!CredentialsMatch(ctx.server, user, pass)) {
      ctx.reply.Error(kWrongPass);
      return;
    }
    ctx.client.set_authenticated(true);
  }
  if (!ctx.client.authenticated()) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return;
  }
  if (has_name) {
    if (!ValidClientName(name)) {
      ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    ctx.client.set_name(std::string(name));
  }
  if (ver != 0) ctx.client.set_resp(static_cast<int>(ver));
  auto& r = ctx.reply;
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kRedisCompatVersion);
  r.Bulk("proto");
  r.Integer(ctx.client.resp());
  r.Bulk("id");
  r.Integer(static_cast<int64_t>(ctx.client.id()));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

void CmdReset(CommandContext& ctx) {
  Client& c = ctx.client;
  // Leave MULTI, unwatch, unsubscribe, unblock: a fresh connection's state.
  c.in_multi = false;
  c.multi_aborted = false;
  c.queued.clear();
  ctx.server.watches().UnwatchAll(c);
  ctx.server.pubsub().Forget(c);
  if (c.tracking != 0) ctx.server.tracking().Disable(c);
  ctx.server.monitors().Remove(c);  // leaves MONITOR mode, as in Redis
  c.set_db_index(0);
  c.set_resp(2);
  c.set_name("");
  c.set_authenticated(ctx.server.config().requirepass.empty());
  ctx.reply.SimpleString("RESET");
}

// --- CLIENT ---------------------------------------------------------------

// Redis's client type: a connection with subscriptions is a pubsub client
// (CLIENT LIST/KILL TYPE, and the output buffer class in connection.cc).
bool IsPubSubClient(const Client& c) { return c.subscriptions() > 0; }

// CLIENT LIST's flags=, in Redis 7.0's letter order, for the states grabkv
// has: O in MONITOR mode, P subscribed, x in MULTI (or running EXEC), b
// blocked, t tracking (R its redirection broke, B in BCAST mode), d a WATCHed
// key changed, c close after reply, A close as soon as possible, U Unix
// socket, e
// CLIENT NO-EVICT on; N for none.
std::string ClientFlags(const Client& c) {
  std::string f;
  if (c.monitor) f += 'O';
  if (IsPubSubClient(c)) f += 'P';
  if (c.in_multi || c.exec_commands > 0) f += 'x';
  if (c.blocked) f += 'b';
  if (c.tracking & Client::kTrackingOn) f += 't';
  if (c.tracking & Client::kTrackingBrokenRedir) f += 'R';
  if (c.tracking & Client::kTrackingBcast) f += 'B';
  if (c.watch_dirty) f += 'd';
  if (c.close_after_reply) f += 'c';
  if (c.close_asap) f += 'A';
  if (c.unix_socket) f += 'U';
  if (c.no_evict) f += 'e';
  if (f.empty()) f = "N";
  return f;
}

// One CLIENT LIST line, fields in Redis 7.0's order.
std::string ClientLine(const Client& c, int64_t now_ms) {
  std::string s;
  s.reserve(320);
  auto add = [&s](const char* k, const std::string& v) {
    if (!s.empty()) s += ' ';
    s += k;
    s += '=';
    s += v;
  };
  auto num = [](auto v) { return std::to_string(v); };
  add("id", num(c.id()));
  add("addr", c.addr);
  add("laddr", c.laddr);
  add("fd", num(c.fd));
  add("name", c.name());
  add("age", num((now_ms - c.created_ms) / 1000));
  add("idle", num((now_ms - c.last_interaction_ms) / 1000));
  add("flags", ClientFlags(c));
  add("db", num(c.db_index()));
  add("sub", num(c.channels.size()));
  add("psub", num(c.patterns.size()));
  add("ssub", num(c.shard_channels.size()));
  add("multi", c.in_multi           ? num(c.queued.size())
               : c.exec_commands > 0 ? num(c.exec_commands)
                                     : "-1");
  add("qbuf", num(c.query_buffer_size));
  add("qbuf-free", num(c.query_buffer_free));
  add("argv-mem", "0");
  add("multi-mem", "0");
  add("rbs", num(c.query_buffer_size + c.query_buffer_free));
  add("rbp", num(c.query_buffer_size));
  add("obl", num(c.out().size()));
  add("oll", num(c.inflight_output > 0 ? 1 : 0));
  add("omem", num(c.inflight_output));
  add("tot-mem", num(c.query_buffer_size + c.query_buffer_free + c.pending_output() + sizeof(Client)));
  add("events", c.pending_output() > 0 ? "rw" : "r");
  add("cmd", c.last_command);
  add("user", "default");
  add("redir", (c.tracking & Client::kTrackingOn) ? num(c.tracking_redirect) : "-1");
  add("resp", num(c.resp()));
  return s;
}

void ClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id())); }

void ClientSetName(CommandContext& ctx) {
  if (!ValidClientName(ctx.arg(2))) {
    ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client.set_name(std::string(ctx.arg(2)));
  ctx.reply.Ok();
}

void ClientGetName(CommandContext& ctx) {
  if (ctx.client.name().empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.name());
  }
}

// Redis 7.2's CLIENT SETINFO (newer client libraries send it on connect).
void ClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), value = ctx.arg(3);
  bool is_name = EqualsIgnoreCase(attr, "lib-name");
  if (!is_name && !EqualsIgnoreCase(attr, "lib-ver")) {
    ctx.reply.Error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!ValidClientName(value)) {
    ctx.reply.Error(std::string("ERR ") + (is_name ? "lib-name" : "lib-ver") +
                    " cannot contain spaces, newlines or special characters.");
    return;
  }
  (is_name ? ctx.client.lib_name : ctx.client.lib_ver) = std::string(value);
  ctx.reply.Ok();
}

void ClientInfo(CommandContext& ctx) {
  ctx.reply.Verbatim(ClientLine(ctx.client, ctx.now_ms) + "\n");
}

void ClientList(CommandContext& ctx) {
  std::vector<uint64_t> ids;
  bool by_id = false;
  int type = -1;  // -1 any, 0 normal, 1 pubsub
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(2), "type")) {
    std::string_view t = ctx.arg(3);
    if (!EqualsIgnoreCase(t, "normal") && !EqualsIgnoreCase(t, "master") &&
        !EqualsIgnoreCase(t, "replica") && !EqualsIgnoreCase(t, "slave") &&
        !EqualsIgnoreCase(t, "pubsub")) {
      ctx.reply.Error("ERR Unknown client type '" + std::string(t) + "'");
      return;
    }
    // No masters or replicas here.
    if (!EqualsIgnoreCase(t, "normal") && !EqualsIgnoreCase(t, "pubsub")) {
      ctx.reply.Verbatim("");
      return;
    }
    type = EqualsIgnoreCase(t, "pubsub") ? 1 : 0;
  } else if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(2), "id")) {
    by_id = true;
    for (size_t j = 3; j < ctx.argc(); ++j) {
      int64_t id;
      if (!ParseInt64(ctx.arg(j), &id)) {
        ctx.reply.Error("ERR Invalid client ID");
        return;
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (ctx.argc() != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::vector<const Client*> list;
  if (by_id) {
    for (uint64_t id : ids) {
      auto it = ctx.server.clients().find(id);
      if (it != ctx.server.clients().end()) list.push_back(it->second);
    }
  } else {
    for (const auto& [id, c] : ctx.server.clients()) {
      if (type == -1 || (type == 1) == IsPubSubClient(*c)) list.push_back(c);
    }
    std::sort(list.begin(), list.end(), [](const Client* a, const Client* b) { return a->id() < b->id(); });
  }
  std::string out;
  for (const Client* c : list) {
    out += ClientLine(*c, ctx.now_ms);
    out += '\n';
  }
  ctx.reply.Verbatim(out);
}

void ClientKill(CommandContext& ctx) {
  auto& clients = ctx.server.clients();
  if (ctx.argc() == 3) {
    // Old form: CLIENT KILL addr.
    for (const auto& [id, c] : clients) {
      if (c->addr == ctx.arg(2)) {
        ctx.reply.Ok();
        if (c == &ctx.client) {
          c->close_after_reply = true;
        } else {
          ctx.server.ScheduleClose(*c);
        }
        return;
      }
    }
    ctx.reply.Error("ERR No such client");
    return;
  }
  uint64_t want_id = 0;
  std::string_view addr, laddr, user;
  bool has_addr = false, has_laddr = false, has_user = false, skipme = true;
  int type = -1;  // -1 any, 0 normal, 1 pubsub, 2 none-matching (master/replica)
  if ((ctx.argc() - 2) % 2 != 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  for (size_t j = 2; j + 1 < ctx.argc(); j += 2) {
    std::string_view opt = ctx.arg(j), val = ctx.arg(j + 1);
    if (EqualsIgnoreCase(opt, "id")) {
      int64_t id;
      if (!ParseInt64(val, &id) || id <= 0) {
        ctx.reply.Error("ERR client-id should be greater than 0");
        return;
      }
      want_id = static_cast<uint64_t>(id);
    } else if (EqualsIgnoreCase(opt, "type")) {
      if (EqualsIgnoreCase(val, "normal")) {
        type = 0;
      } else if (EqualsIgnoreCase(val, "pubsub")) {
        type = 1;
      } else if (EqualsIgnoreCase(val, "master") || EqualsIgnoreCase(val, "replica") ||
                 EqualsIgnoreCase(val, "slave")) {
        type = 2;
      } else {
        ctx.reply.Error("ERR Unknown client type '" + std::string(val) + "'");
        return;
      }
    } else if (EqualsIgnoreCase(opt, "addr")) {
      addr = val;
      has_addr = true;
    } else if (EqualsIgnoreCase(opt, "laddr")) {
      laddr = val;
      has_laddr = true;
    } else if (EqualsIgnoreCase(opt, "user")) {
      user = val;
      has_user = true;
    } else if (EqualsIgnoreCase(opt, "skipme")) {
      if (EqualsIgnoreCase(val, "yes")) {
        skipme = true;
      } else if (EqualsIgnoreCase(val, "no")) {
        skipme = false;
      } else {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (has_user && user != "default") {
    ctx.reply.Error("ERR No such user '" + std::string(user) + "'");
    return;
  }
  int64_t killed = 0;
  bool kill_self = false;
  for (const auto& [id, c] : clients) {
    if (want_id != 0 && c->id() != want_id) continue;
    if (type == 2 || (type != -1 && (type == 1) != IsPubSubClient(*c))) continue;
    if (has_addr && c->addr != addr) continue;
    if (has_laddr && c->laddr != laddr) continue;
    if (c == &ctx.client) {
      if (skipme) continue;
      kill_self = true;
    } else {
      ctx.server.ScheduleClose(*c);
    }
    ++killed;
  }
  ctx.reply.Integer(killed);
  if (kill_self) ctx.client.close_after_reply = true;
}

void ClientUnblock(CommandContext& ctx) {
  int64_t id;
  if (!ParseInt64(ctx.arg(2), &id)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  bool with_error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "error")) {
      with_error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "timeout")) {
      ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  } else if (ctx.argc() > 4) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  auto it = ctx.server.clients().find(static_cast<uint64_t>(id));
  bool done = it != ctx.server.clients().end() &&
              ctx.server.blocking().Unblock(*it->second, with_error);
  ctx.reply.Integer(done ? 1 : 0);
}

void ClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "on")) {
    ctx.client.reply_mode = Client::ReplyMode::kOn;
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    ctx.client.reply_mode = Client::ReplyMode::kOff;
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (ctx.client.reply_mode == Client::ReplyMode::kOn) ctx.client.reply_mode = Client::ReplyMode::kSkipNext;
  } else {
    ctx.reply.Error(errors::kSyntax);
  }
}

void ClientNoEvict(CommandContext& ctx) {
  if (!EqualsIgnoreCase(ctx.arg(2), "on") && !EqualsIgnoreCase(ctx.arg(2), "off")) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  // No client eviction here (maxmemory-clients is not supported), so the
  // flag protects against nothing; kept for CLIENT LIST/INFO (flags=e).
  ctx.client.no_evict = EqualsIgnoreCase(ctx.arg(2), "on");
  ctx.reply.Ok();
}

void ClientHelp(CommandContext& ctx) {
  static const char* kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "SETINFO <LIB-NAME|LIB-VER> <value>",
      "    Set client library name or version.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.ArrayHeader(std::size(kLines));
  for (const char* l : kLines) ctx.reply.SimpleString(l);
}

constexpr uint32_t kConnFlags = kNoscript | kLoading | kStale;

}  // namespace

// client_tracking.cc
void ClientTracking(CommandContext& ctx);
void ClientCaching(CommandContext& ctx);
void ClientGetRedir(CommandContext& ctx);
void ClientTrackingInfo(CommandContext& ctx);
// monitor_family.cc
void ClientPause(CommandContext& ctx);
void ClientUnpause(CommandContext& ctx);

void RegisterConnectionFamily(CommandTable& t) {
  CommandFamily f(t, "connection", kAclConnection);
  f.Add({.name = "ping", .arity = -1, .flags = kFast | kSentinel | kAllowedWhileSubscribed | kRefusedOnWriteError,
         .handler = CmdPing, .tips = "request_policy:all_shards response_policy:all_succeeded",
         .summary = "Returns the server's liveliness response.", .since = "1.0.0"});
  f.Add({.name = "echo", .arity = 2, .flags = kFast | kLoading | kStale,
         .handler = CmdEcho,
         .summary = "Returns the given string.", .since = "1.0.0"});
  f.Add({.name = "quit", .arity = -1, .flags = kNoscript | kLoading | kStale | kFast | kNoAuth | kAllowBusy | kAllowedWhileSubscribed | kRunsInsideMulti,
         .handler = CmdQuit,
         .summary = "Closes the connection.", .since = "1.0.0"});
  f.Add({.name = "select", .arity = 2, .flags = kLoading | kStale | kFast,
         .handler = CmdSelect,
         .summary = "Changes the selected database.", .since = "1.0.0"});
  f.Add({.name = "auth", .arity = -2, .flags = kNoscript | kLoading | kStale | kFast | kNoAuth | kSentinel | kAllowBusy,
         .handler = CmdAuth,
         .summary = "Authenticates the connection.", .since = "1.0.0"});
  f.Add({.name = "hello", .arity = -1, .flags = kNoscript | kLoading | kStale | kFast | kNoAuth | kSentinel | kAllowBusy,
         .handler = CmdHello,
         .summary = "Handshakes with the Redis server.", .since = "6.0.0"});
  f.Add({.name = "reset", .arity = 1, .flags = kNoscript | kLoading | kStale | kFast | kNoAuth | kAllowBusy | kAllowedWhileSubscribed | kRunsInsideMulti,
         .handler = CmdReset,
         .summary = "Resets the connection.", .since = "6.2.0"});
  f.Add({.name = "client",
         .arity = -2,
         .flags = kSentinel,
         .summary = "A container for client connection commands.",
         .since = "2.4.0",
         .subcommands = {
             {.name = "client|id", .arity = 2, .flags = kConnFlags,
              .handler = ClientId,
              .summary = "Returns the unique client ID of the connection.", .since = "5.0.0"},
             {.name = "client|setname", .arity = 3, .flags = kConnFlags,
              .handler = ClientSetName,
              .summary = "Sets the connection name.", .since = "2.6.9"},
             {.name = "client|getname", .arity = 2, .flags = kConnFlags,
              .handler = ClientGetName,
              .summary = "Returns the name of the connection.", .since = "2.6.9"},
             // WARN client|setinfo: NO REDIS INFO
             {.name = "client|setinfo", .arity = 4, .flags = kConnFlags,
              .handler = ClientSetInfo,
              .summary = "Sets information specific to the client or connection.", .since = "7.2.0"},
             {.name = "client|info", .arity = 2, .flags = kConnFlags,
              .handler = ClientInfo, .tips = "nondeterministic_output",
              .summary = "Returns information about the connection.", .since = "6.2.0"},
             {.name = "client|list", .arity = -2, .flags = kAdmin | kConnFlags,
              .handler = ClientList, .tips = "nondeterministic_output",
              .summary = "Lists open connections.", .since = "2.4.0"},
             {.name = "client|kill", .arity = -3, .flags = kAdmin | kConnFlags,
              .handler = ClientKill,
              .summary = "Terminates open connections.", .since = "2.4.0"},
             {.name = "client|unblock", .arity = -3, .flags = kAdmin | kConnFlags,
              .handler = ClientUnblock,
              .summary = "Unblocks a client blocked by a blocking command from a different connection.", .since = "5.0.0"},
             {.name = "client|pause", .arity = -3, .flags = kAdmin | kConnFlags,
              .handler = ClientPause,
              .summary = "Stop processing commands from clients for some time", .since = "2.9.50"},
             {.name = "client|unpause", .arity = 2, .flags = kAdmin | kConnFlags,
              .handler = ClientUnpause,
              .summary = "Resumes processing commands from paused clients.", .since = "6.2.0"},
             {.name = "client|reply", .arity = 3, .flags = kConnFlags,
              .handler = ClientReply,
              .summary = "Instructs the server whether to reply to commands.", .since = "3.2.0"},
             {.name = "client|getredir", .arity = 2, .flags = kConnFlags,
              .handler = ClientGetRedir,
              .summary = "Returns the client ID to which the connection's tracking notifications " "are redirected.", .since = "6.0.0"},
             {.name = "client|tracking", .arity = -3, .flags = kConnFlags,
              .handler = ClientTracking,
              .summary = "Controls server-assisted client-side caching for the connection.", .since = "6.0.0"},
             {.name = "client|caching", .arity = 3, .flags = kConnFlags,
              .handler = ClientCaching,
              .summary = "Instructs the server whether to track the keys in the next request.", .since = "6.0.0"},
             {.name = "client|trackinginfo", .arity = 2, .flags = kConnFlags,
              .handler = ClientTrackingInfo,
              .summary = "Returns information about server-assisted client-side caching for the " "connection.", .since = "6.2.0"},
             {.name = "client|no-evict", .arity = 3, .flags = kAdmin | kConnFlags,
              .handler = ClientNoEvict,
              .summary = "Sets the client eviction mode of the connection.", .since = "7.0.0"},
             {.name = "client|help", .arity = 2, .flags = kLoading | kStale,
              .handler = ClientHelp,
              .summary = "Returns helpful text about the different subcommands.", .since = "5.0.0"}}});
}

}  // namespace grabkv::server
