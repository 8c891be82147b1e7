// libFuzzer target: the input is a Lua script, run with EVAL through the
// server's own command dispatch (in-process, as command_fuzz does), in the
// real sandbox.
//
// Bounds per input: an instruction budget (this target's count hook replaces
// the engine's and raises an error after kBudget instructions, then on every
// instruction so that a pcall cannot swallow it), and the engine's own Lua
// memory cap plus libFuzzer's -rss_limit_mb/-malloc_limit_mb (scripts/fuzz.sh).
//
// Checks: the reply is exactly one well-formed reply; the server still
// answers PING; a key written before a script that cannot reach `redis` is
// intact.
#include <lua5.1/lua.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/app/app.h"
#include "tests/fuzz/in_process_server.h"
#include "server/core/client.h"
#include "server/scripting/lua_engine.h"
#include "server/core/server_state.h"

namespace {


constexpr int64_t kBudget = 2000000;  // Lua instructions per input
constexpr int kHookEvery = 1000;
int64_t g_used = 0;

void BudgetHook(lua_State* L, lua_Debug*) {
  g_used += kHookEvery;
  if (g_used < kBudget) return;
  lua_sethook(L, BudgetHook, LUA_MASKCOUNT, 1);  // from now on, every instruction
  lua_pushstring(L, "fuzz: instruction budget exhausted");
  lua_error(L);
}

[[noreturn]] void Fail(const std::string& what, std::string_view script, std::string_view out) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\nscript: %.*s\noutput: %.*s\n", what.c_str(),
               static_cast<int>(std::min<size_t>(script.size(), 2000)), script.data(),
               static_cast<int>(std::min<size_t>(out.size(), 2000)), out.data());
  std::abort();
}

// Validates one RESP value at *pos (RESP2 and the RESP3 types a script may
// produce); false if malformed.
bool ReadValue(std::string_view s, size_t* pos, int depth) {
  if (depth > 100000 || *pos >= s.size()) return false;
  char t = s[(*pos)++];
  size_t eol = s.find("\r\n", *pos);
  if (eol == std::string_view::npos) return false;
  std::string_view line = s.substr(*pos, eol - *pos);
  *pos = eol + 2;
  if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos) return false;
  auto num = [&](int64_t* v) {
    if (line.empty()) return false;
    char* end;
    std::string tmp(line);
    *v = std::strtoll(tmp.c_str(), &end, 10);
    return *end == '\0';
  };
  int64_t n;
  switch (t) {
    case '+': case '-': case ',': case '(': case '#': case '_':
      return t != '-' || !line.empty();
    case ':':
      return num(&n);
    case '$': case '=': case '!':
      if (!num(&n) || n < -1) return false;
      if (n == -1) return t == '$';
      if (s.size() - *pos < static_cast<size_t>(n) + 2) return false;
      *pos += static_cast<size_t>(n);
      if (s.substr(*pos, 2) != "\r\n") return false;
      *pos += 2;
      return true;
    case '*': case '~': case '%': {
      if (!num(&n) || n < -1) return false;
      if (n == -1) return t == '*';
      int64_t items = t == '%' ? 2 * n : n;
      for (int64_t i = 0; i < items; ++i) {
        if (!ReadValue(s, pos, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

struct World : grabkv::fuzz::InProcessServer {
  World() { server.config().busy_reply_threshold = 1000000000; }  // the budget decides
};

World& W() { return grabkv::fuzz::TheWorld<World>(); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  W();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = W();
  std::string script(reinterpret_cast<const char*>(data), size);
  w.Run({"SET", "fuzz:guard", "intact"});
  g_used = 0;
  lua_sethook(grabkv::server::scripting::Lua(w.server).lua(), BudgetHook, LUA_MASKCOUNT, kHookEvery);
  std::string out = w.Run({"EVAL", script, "1", "k", "a"});
  size_t pos = 0;
  if (!ReadValue(out, &pos, 0) || pos != out.size()) Fail("malformed reply", script, out);
  if (w.Run({"PING"}) != "+PONG\r\n") Fail("PING after the script", script, out);
  // A script that cannot reach `redis` cannot change the data.
  if (script.find("redis") == std::string::npos) {
    std::string guard = w.Run({"GET", "fuzz:guard"});
    if (guard != "$6\r\nintact\r\n") Fail("guard key changed: " + guard, script, out);
  }
  w.Run({"FLUSHALL"});
  w.Run({"SCRIPT", "FLUSH"});  // the script cache must not grow over a run
  return 0;
}
