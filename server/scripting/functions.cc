// FUNCTION libraries: loading (shebang, redis.register_function), replacing,
// deleting. The commands are in function_family.cc.
//
// A library's code runs once at load time in the function environment
// whose __index points at a small "load API" (redis.register_function,
// redis.log, the libraries; no base functions, no redis.call), as Redis
// 7.0 does; the environment is then switched back to the full globals, so
// the registered callbacks see the normal sandbox when FCALL runs them.
#include <cstring>
#include <string>

#include "server/scripting/lua_internal.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server::scripting {

bool ValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

namespace {

constexpr const char* kBadName =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

// Parses the register_function arguments; returns an error text or nullptr.
const char* ParseRegistration(lua_State* L, LuaEngine::LoadState* ls) {
  int argc = lua_gettop(L);
  FunctionEntry fn;
  int cb = 0;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      return "calling redis.register_function with a single argument is only applicable to Lua "
             "table (representing named arguments).";
    }
    bool have_name = false;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      if (lua_type(L, -2) != LUA_TSTRING) return "named argument key given to redis.register_function is not a string";
      std::string_view key = lua_tostring(L, -2);
      if (key == "function_name") {
        if (lua_type(L, -1) != LUA_TSTRING) return "function_name argument given to redis.register_function must be a string";
        fn.name = lua_tostring(L, -1);
        have_name = true;
      } else if (key == "description") {
        if (lua_type(L, -1) != LUA_TSTRING) return "description argument given to redis.register_function must be a string";
        fn.description = lua_tostring(L, -1);
        fn.has_description = true;
      } else if (key == "callback") {
        if (lua_type(L, -1) != LUA_TFUNCTION) return "callback argument given to redis.register_function must be a function";
      } else if (key == "flags") {
        if (!lua_istable(L, -1)) return "flags argument to redis.register_function must be a table representing function flags";
        for (int i = 1;; ++i) {
          lua_rawgeti(L, -1, i);
          if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
          }
          if (lua_type(L, -1) != LUA_TSTRING || !ParseScriptFlag(lua_tostring(L, -1), &fn.flags)) {
            return "unknown flag given";
          }
          lua_pop(L, 1);
        }
      } else {
        return "unknown argument given to redis.register_function";
      }
      lua_pop(L, 1);
    }
    if (!have_name) return "redis.register_function must get a function name argument";
    lua_getfield(L, 1, "callback");
    if (lua_type(L, -1) != LUA_TFUNCTION) return "redis.register_function must get a callback argument";
    cb = lua_gettop(L);
  } else if (argc == 2) {
    if (lua_type(L, 1) != LUA_TSTRING) return "first argument to redis.register_function must be a string";
    if (lua_type(L, 2) != LUA_TFUNCTION) return "second argument to redis.register_function must be a function";
    fn.name = lua_tostring(L, 1);
    cb = 2;
  } else {
    return "wrong number of arguments to redis.register_function";
  }
  if (!ValidFunctionName(fn.name)) return kBadName;
  for (const FunctionEntry& f : ls->functions) {
    if (f.name == fn.name) return "Function already exists in the library";
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, ls->table_ref);
  lua_pushlstring(L, fn.name.data(), fn.name.size());
  lua_pushvalue(L, cb);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  fn.library = ls->library;
  ls->functions.push_back(std::move(fn));
  return nullptr;
}

}  // namespace

int LuaRegisterFunction(lua_State* L) {
  auto* e = static_cast<LuaEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
  LuaEngine::LoadState* ls = e->load_state();
  const char* err = ls == nullptr
                        ? "redis.register_function can only be called on FUNCTION LOAD command"
                        : ParseRegistration(L, ls);
  if (err == nullptr) return 0;
  lua_settop(L, 0);
  PushError(L, err);
  return lua_error(L);
}

bool LuaEngine::LoadLibrary(std::string_view code, bool replace, std::string* name, std::string* err) {
  if (code.substr(0, 2) != "#!") {
    *err = "ERR Missing library metadata";
    return false;
  }
  size_t eol = code.find('\n');
  if (eol == std::string_view::npos) {
    *err = "ERR Invalid library metadata";
    return false;
  }
  std::string_view line = code.substr(0, eol);
  bool have_name = false;
  const bool parsed = ForEachShebangWord(line, [&](std::string_view part, bool first) {
    if (first) {
      if (!EqualsIgnoreCase(part.substr(2), "lua")) {
        *err = "ERR Engine '" + std::string(part.substr(2)) + "' not found";
        return false;
      }
    } else if (part.substr(0, 5) == "name=") {
      if (have_name) {
        *err = "ERR Invalid metadata value, name argument was given multiple times";
        return false;
      }
      have_name = true;
      name->assign(part.substr(5));
    } else {
      *err = "ERR Invalid metadata value given: " + std::string(part);
      return false;
    }
    return true;
  });
  if (!parsed) return false;
  if (!have_name) {
    *err = "ERR Library name was not given";
    return false;
  }
  if (!ValidFunctionName(*name)) {
    *err = std::string("ERR ") + kBadName;
    return false;
  }
  if (!replace && libraries_.contains(*name)) {
    *err = "ERR Library '" + *name + "' already exists";
    return false;
  }
  lua_State* L = lua_;
  std::string_view body = code.substr(eol);
  if (CompileChunk(L, body, "@user_function") != 0) {
    *err = "ERR Error compiling function: ";
    const char* msg = lua_tostring(L, -1);
    err->append(msg != nullptr ? msg : "");
    lua_pop(L, 1);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "grabkv.fenv");
  lua_setfenv(L, -2);
  LoadState ls;
  ls.library = *name;
  ls.start_ms = ServerState::NowMs();
  lua_newtable(L);
  ls.table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  SetFunctionEnvForLoad(true);
  int fn_idx = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, errh_ref_);
  lua_insert(L, fn_idx);
  load_state_ = &ls;
  int status = lua_pcall(L, 0, 0, fn_idx);
  load_state_ = nullptr;
  SetFunctionEnvForLoad(false);
  bool ok = true;
  if (status != 0) {
    *err = "ERR Error registering functions: ";
    if (lua_istable(L, -1)) lua_getfield(L, -1, "err");
    else lua_pushvalue(L, -1);
    const char* msg = lua_tostring(L, -1);
    err->append(msg != nullptr ? msg : "unknown error");
    ok = false;
  } else if (ls.functions.empty()) {
    *err = "ERR No functions registered";
    ok = false;
  } else {
    for (const FunctionEntry& f : ls.functions) {
      auto it = functions_.find(f.name);
      if (it != functions_.end() && it->second.library != *name) {
        *err = "ERR Function " + f.name + " already exists";
        ok = false;
        break;
      }
    }
  }
  lua_settop(L, fn_idx - 1);
  if (ok) {
    DeleteLibrary(*name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, functions_ref_);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ls.table_ref);
    LibraryEntry lib{*name, std::string(code), {}};
    for (FunctionEntry& f : ls.functions) {
      lua_getfield(L, -1, f.name.c_str());
      lua_setfield(L, -3, f.name.c_str());
      lib.functions.push_back(f.name);
      functions_[f.name] = std::move(f);
    }
    lua_pop(L, 2);
    libraries_[*name] = std::move(lib);
  }
  luaL_unref(L, LUA_REGISTRYINDEX, ls.table_ref);
  return ok;
}

bool LuaEngine::DeleteLibrary(std::string_view name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return false;
  lua_State* L = lua_;
  lua_rawgeti(L, LUA_REGISTRYINDEX, functions_ref_);
  for (const std::string& f : it->second.functions) {
    functions_.erase(f);
    lua_pushnil(L);
    lua_setfield(L, -2, f.c_str());
  }
  lua_pop(L, 1);
  libraries_.erase(it);
  return true;
}

void LuaEngine::FlushFunctions() {
  libraries_.clear();
  functions_.clear();
  lua_newtable(lua_);
  lua_rawseti(lua_, LUA_REGISTRYINDEX, functions_ref_);
  lua_gc(lua_, LUA_GCCOLLECT, 0);
}

}  // namespace grabkv::server::scripting
