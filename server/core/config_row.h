// ConfigTable::Row, the config table's row for one setting: private to the
// config table's sources (config.cc, config_rewrite.cc).
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "server/core/config.h"

namespace grabkv::server {

struct ConfigTable::Row {
  const char* name;
  const char* alias;  // "" when none
  ConfigKind kind;
  bool mutable_;
  // bool*, int64_t* (kInt, kMemory, kOctal) or std::string* by kind;
  // nullptr for kEnum (see get_enum/set_enum) and kSpecial.
  void* field;
  int64_t min = 0, max = INT64_MAX;
  std::vector<const char*> choices = {};
  // Accepted for redis.conf compatibility without any effect in grabkv.
  bool passive = false;
  // See DirectiveSpec::unsupported; def is the value that stays allowed.
  const char* unsupported = nullptr;
  // The default, as CONFIG GET prints it (CONFIG REWRITE leaves out a
  // setting at its default).
  std::string def = {};
  // kEnum: the value as an index into choices.
  std::function<int()> get_enum = {};
  std::function<void(int)> set_enum = {};
  // Redis 7.0's PROTECTED_CONFIG: CONFIG SET only with enable-protected-configs.
  bool protected_ = false;
  // Strings Redis keeps as NULL when empty: CONFIG REWRITE drops their line.
  bool empty_is_null = false;
  // CONFIG REWRITE writes it even at its default (dir, save, ...).
  bool always_rewrite = false;
  // CONFIG SET only: refuses a parsed new value (rendered), else "".
  std::function<std::string(const std::string&)> check = {};
  ConfigHook hook = {};
};

}  // namespace grabkv::server
