// The `redis` table scripts see (call, pcall, error_reply, ...) and the
// conversions between RESP replies and Lua values, as Redis 7.0 does them
// (script_lua.c is the specification).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/core/log.h"
#include "server/scripting/lua_internal.h"
#include "server/scripting/sha1.h"
#include "server/core/server_state.h"
#include "server/core/version.h"

namespace grabkv::server::scripting {

void PushError(lua_State* L, std::string_view msg) {
  std::string text;
  if (!msg.empty() && msg[0] == '-') {
    size_t sp = msg.find(' ');
    if (sp == std::string_view::npos) {
      text = "ERR ";
      text.append(msg.substr(1));
    } else {
      text.append(msg.substr(1, sp - 1));
      text += ' ';
      text.append(msg.substr(sp + 1));
    }
  } else {
    text = "ERR ";
    text.append(msg);
  }
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, text.data(), text.size());
  lua_setfield(L, -2, "err");
}

// ---------------------------------------------------------------------------
// RESP -> Lua

namespace {

std::string_view Line(std::string_view buf, size_t* pos) {
  size_t end = buf.find('\r', *pos);
  if (end == std::string_view::npos) end = buf.size();
  std::string_view line = buf.substr(*pos, end - *pos);
  *pos = end + 2;
  return line;
}

int64_t LineInt(std::string_view buf, size_t* pos) {
  std::string_view l = Line(buf, pos);
  bool neg = !l.empty() && l[0] == '-';
  uint64_t v = 0;  // unsigned: INT64_MIN's magnitude does not overflow
  for (size_t i = neg ? 1 : 0; i < l.size(); ++i) v = v * 10 + static_cast<uint64_t>(l[i] - '0');
  return static_cast<int64_t>(neg ? 0 - v : v);
}

void SetField(lua_State* L, const char* name) { lua_setfield(L, -2, name); }

}  // namespace

void PushReply(lua_State* L, std::string_view buf, size_t* pos) {
  luaL_checkstack(L, 5, "reached lua stack limit");
  char type = buf[(*pos)++];
  switch (type) {
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(LineInt(buf, pos)));
      return;
    case '$':
    case '=': {
      int64_t len = LineInt(buf, pos);
      if (len < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      std::string_view data = buf.substr(*pos, static_cast<size_t>(len));
      *pos += static_cast<size_t>(len) + 2;
      if (type == '$') {
        lua_pushlstring(L, data.data(), data.size());
      } else {
        lua_createtable(L, 0, 1);
        lua_createtable(L, 0, 2);
        lua_pushlstring(L, data.data(), std::min<size_t>(3, data.size()));
        SetField(L, "format");
        std::string_view s = data.size() >= 4 ? data.substr(4) : std::string_view();
        lua_pushlstring(L, s.data(), s.size());
        SetField(L, "string");
        SetField(L, "verbatim_string");
      }
      return;
    }
    case '+': {
      std::string_view s = Line(buf, pos);
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, s.data(), s.size());
      SetField(L, "ok");
      return;
    }
    case '-': {
      std::string_view s = Line(buf, pos);
      std::string with_dash = "-";
      with_dash.append(s);
      PushError(L, with_dash);
      lua_pushboolean(L, 1);
      SetField(L, "ignore_error_stats_update");
      return;
    }
    case '*':
    case '~':
    case '>': {
      int64_t n = LineInt(buf, pos);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      if (type == '~') {
        lua_createtable(L, 0, 1);
        lua_createtable(L, 0, static_cast<int>(n));
        for (int64_t i = 0; i < n; ++i) {
          PushReply(L, buf, pos);
          lua_pushboolean(L, 1);
          lua_settable(L, -3);
        }
        SetField(L, "set");
        return;
      }
      lua_createtable(L, static_cast<int>(n), 0);
      for (int64_t i = 0; i < n; ++i) {
        PushReply(L, buf, pos);
        lua_rawseti(L, -2, static_cast<int>(i + 1));
      }
      return;
    }
    case '%': {
      int64_t n = LineInt(buf, pos);
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, static_cast<int>(n));
      for (int64_t i = 0; i < n; ++i) {
        PushReply(L, buf, pos);
        PushReply(L, buf, pos);
        lua_settable(L, -3);
      }
      SetField(L, "map");
      return;
    }
    case '|': {  // attributes are skipped, the value after them is the reply
      int64_t n = LineInt(buf, pos);
      for (int64_t i = 0; i < 2 * n; ++i) {
        PushReply(L, buf, pos);
        lua_pop(L, 1);
      }
      PushReply(L, buf, pos);
      return;
    }
    case '_':
      Line(buf, pos);
      lua_pushnil(L);
      return;
    case '#':
      lua_pushboolean(L, Line(buf, pos) == "t");
      return;
    case ',': {
      std::string s(Line(buf, pos));
      lua_createtable(L, 0, 1);
      lua_pushnumber(L, strtod(s.c_str(), nullptr));
      SetField(L, "double");
      return;
    }
    case '(': {
      std::string_view s = Line(buf, pos);
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, s.data(), s.size());
      SetField(L, "big_number");
      return;
    }
    default:
      Line(buf, pos);
      lua_pushnil(L);
  }
}

// ---------------------------------------------------------------------------
// Lua -> RESP

namespace {

// t[name] of the table on top, pushed; returns its type.
int RawField(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  return lua_type(L, -1);
}

std::string NoNewlines(const char* s, size_t len) {
  std::string out(s, len);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

}  // namespace

void WriteReply(lua_State* L, protocol::ReplyBuilder& reply, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    reply.Error("ERR reached lua stack limit");
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      reply.Bulk(std::string_view(s, len));
      return;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) reply.Integer(1);
        else reply.Null();
      } else {
        reply.Bool(lua_toboolean(L, -1));
      }
      return;
    case LUA_TNUMBER: {
      double d = lua_tonumber(L, -1);
      reply.Integer(X86DoubleToInt64(d));  // Redis: (long long)
      return;
    }
    case LUA_TTABLE:
      break;
    default:
      reply.Null();
      return;
  }
  size_t len;
  if (RawField(L, "err") == LUA_TSTRING) {
    const char* s = lua_tolstring(L, -1, &len);
    reply.Error(std::string_view(s, len));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "ok") == LUA_TSTRING) {
    const char* s = lua_tolstring(L, -1, &len);
    reply.SimpleString(NoNewlines(s, len));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "double") == LUA_TNUMBER) {
    reply.Double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "big_number") == LUA_TSTRING) {
    const char* s = lua_tolstring(L, -1, &len);
    std::string num = NoNewlines(s, len);
    if (reply.resp3()) {
      reply.Raw("(" + num + "\r\n");
    } else {
      reply.Bulk(num);
    }
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "verbatim_string") == LUA_TTABLE) {
    if (RawField(L, "format") == LUA_TSTRING) {
      lua_pushstring(L, "string");
      lua_rawget(L, -3);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t flen;
        const char* fmt = lua_tolstring(L, -2, &flen);
        const char* s = lua_tolstring(L, -1, &len);
        reply.Verbatim(std::string_view(s, len), std::string_view(fmt, flen).substr(0, 3));
        lua_pop(L, 3);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (RawField(L, "map") == LUA_TTABLE) {
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      ++n;
    }
    reply.MapHeader(n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      WriteReply(L, reply, script_resp);
      lua_pop(L, 1);
      WriteReply(L, reply, script_resp);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "set") == LUA_TTABLE) {
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      ++n;
    }
    reply.SetHeader(n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      WriteReply(L, reply, script_resp);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  size_t token = reply.DeferArray();
  size_t n = 0;
  for (int j = 1;; ++j) {
    lua_rawgeti(L, -1, j);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    WriteReply(L, reply, script_resp);
    lua_pop(L, 1);
    ++n;
  }
  reply.SetDeferredArray(token, n);
}

// ---------------------------------------------------------------------------
// redis.*

namespace {

LuaEngine* Engine(lua_State* L) { return static_cast<LuaEngine*>(lua_touserdata(L, lua_upvalueindex(1))); }

// Runs the command whose arguments are on the stack. Leaves exactly one
// value on the stack (the converted reply or an error table) and returns
// whether that value is an error that redis.call must raise.
bool RunCommand(lua_State* L, LuaEngine* e) {
  int argc = lua_gettop(L);
  RunState* rs = e->run();
  if (argc == 0) {
    PushError(L, "Please specify at least one argument for this redis lib call");
    return true;
  }
  std::vector<std::string>& store = e->arg_store();
  std::vector<std::string_view>& views = e->arg_views();
  if (store.size() < static_cast<size_t>(argc)) store.resize(argc);
  views.clear();
  for (int j = 1; j <= argc; ++j) {
    int t = lua_type(L, j);
    if (t == LUA_TNUMBER) {
      char buf[64];
      int n = snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, j)));
      store[j - 1].assign(buf, static_cast<size_t>(n));
      views.emplace_back(store[j - 1]);
    } else if (t == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, j, &len);
      views.emplace_back(s, len);
    } else {
      lua_settop(L, 0);
      PushError(L, "Lua redis lib command arguments must be strings or integers");
      return true;
    }
  }
  if (rs == nullptr) {
    lua_settop(L, 0);
    PushError(L, "redis.call/pcall can only be called inside a script invocation");
    return true;
  }
  ServerState& s = e->server();
  const CommandSpec* spec = s.commands().Find(views[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argc >= 2) {
    spec = CommandTable::FindSub(*spec, views[1]);
  }
  const char* err = nullptr;
  if (spec == nullptr) {
    err = "Unknown Redis command called from script";
  } else if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    err = "Wrong number of args calling Redis command from script";
  } else if ((spec->flags & kNoscript) && !s.debug.disable_deny_scripts) {
    err = "This Redis command is not allowed from script";
  } else if ((spec->flags & (kWrite | kMayReplicate)) && rs->read_only) {
    // Redis counts may-replicate commands (PFCOUNT, PUBLISH) as writes here.
    err = "Write commands are not allowed from read-only scripts.";
  } else if ((spec->flags & kDenyOom) && !rs->allow_oom && !rs->wrote && s.script_oom &&
             s.config().maxmemory != 0) {
    // Over maxmemory when the script started: refused until its first
    // write, after which stopping half-way would break atomicity.
    static const std::string kOom = std::string("-") + kOomError;
    err = kOom.c_str();
  }
  if (err != nullptr) {
    lua_settop(L, 0);
    PushError(L, err);
    return true;
  }
  if (spec->flags & kWrite) rs->wrote = true;
  Client& c = e->script_client();
  c.out().clear();
  ExecOptions opts;
  opts.in_script = true;
  opts.now_ms = rs->now_ms;
  Execute(s, c, spec, Args(views.data(), views.size()), opts);
  lua_settop(L, 0);
  std::string& out = c.out();
  if (out.empty()) {
    lua_pushboolean(L, 0);
    return false;
  }
  size_t pos = 0;
  PushReply(L, out, &pos);
  bool is_error = out[0] == '-';
  out.clear();
  return is_error;
}

int RedisCall(lua_State* L) {
  if (RunCommand(L, Engine(L))) return lua_error(L);
  return 1;
}

int RedisPcall(lua_State* L) {
  RunCommand(L, Engine(L));
  return 1;
}

int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushError(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);
  std::string_view msg(s, len);
  if (!msg.empty() && msg[0] == '-') {
    PushError(L, msg);
  } else {
    std::string with_dash = "-";
    with_dash.append(msg);
    PushError(L, with_dash);
  }
  return 1;
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushError(L, "wrong number or type of arguments");
    return 1;
  }
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int Sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushError(L, "wrong number of arguments");
    return lua_error(L);
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  std::string hex = Sha1Hex(std::string_view(s ? s : "", s ? len : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int RedisLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) {
    PushError(L, "redis.log() requires two arguments or more.");
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    PushError(L, "First argument must be a number (log level).");
    return lua_error(L);
  }
  int level = X86DoubleToInt(lua_tonumber(L, 1));  // Redis: (int); NaN, 1e10 -> INT_MIN
  if (level < 0 || level > 3) {
    PushError(L, "Invalid debug level.");
    return lua_error(L);
  }
  std::string msg;
  for (int j = 2; j <= argc; ++j) {
    size_t len;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (j != 2) msg += ' ';
    msg.append(s, len);
  }
  Log(static_cast<LogLevel>(level), "%s", msg.c_str());
  return 0;
}

int SetResp(lua_State* L) {
  LuaEngine* e = Engine(L);
  if (lua_gettop(L) != 1) {
    PushError(L, "redis.setresp() requires one argument.");
    return lua_error(L);
  }
  int resp = X86DoubleToInt(lua_tonumber(L, 1));  // Redis: (int); NaN, 1e10 -> INT_MIN
  if (resp != 2 && resp != 3) {
    PushError(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  e->script_client().set_resp(resp);
  return 0;
}

int ReturnTrue(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}
int ReturnFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
int ReturnNothing(lua_State*) { return 0; }

int SetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushError(L, "redis.set_repl() requires two arguments.");
    return lua_error(L);
  }
  int flags = X86DoubleToInt(lua_tonumber(L, 1));  // Redis: (int); NaN, 1e10 -> INT_MIN
  if (flags & ~3) {
    PushError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return lua_error(L);
  }
  return 0;
}

}  // namespace

void OpenRedisApi(lua_State* L, LuaEngine* engine) {
  lua_newtable(L);
  const struct {
    const char* name;
    lua_CFunction fn;
  } fns[] = {{"call", RedisCall},           {"pcall", RedisPcall},
             {"error_reply", ErrorReply},   {"status_reply", StatusReply},
             {"sha1hex", Sha1hex},          {"log", RedisLog},
             {"setresp", SetResp},          {"replicate_commands", ReturnTrue},
             {"breakpoint", ReturnFalse},   {"debug", ReturnNothing},
             {"set_repl", SetRepl},         {"register_function", LuaRegisterFunction}};
  for (const auto& f : fns) {
    lua_pushlightuserdata(L, engine);
    lua_pushcclosure(L, f.fn, 1);
    lua_setfield(L, -2, f.name);
  }
  const struct {
    const char* name;
    int value;
  } consts[] = {{"LOG_DEBUG", 0},    {"LOG_VERBOSE", 1}, {"LOG_NOTICE", 2},
                {"LOG_WARNING", 3},  {"REPL_NONE", 0},   {"REPL_AOF", 1},
                {"REPL_SLAVE", 2},   {"REPL_REPLICA", 2}, {"REPL_ALL", 3}};
  for (const auto& c : consts) {
    lua_pushinteger(L, c.value);
    lua_setfield(L, -2, c.name);
  }
  lua_pushstring(L, kRedisCompatVersion);
  lua_setfield(L, -2, "REDIS_VERSION");
  int maj = 0, min = 0, patch = 0;
  sscanf(kRedisCompatVersion, "%d.%d.%d", &maj, &min, &patch);
  lua_pushinteger(L, (maj << 16) | (min << 8) | patch);
  lua_setfield(L, -2, "REDIS_VERSION_NUM");
  lua_setfield(L, LUA_GLOBALSINDEX, "redis");
}

}  // namespace grabkv::server::scripting
