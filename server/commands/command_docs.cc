// COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS,
// GETKEYSANDFLAGS, HELP): the command table as Redis 7.0 prints it.
//
// Everything here is read from the CommandSpec rows: flags, ACL categories,
// tips and key specs as the rows state them (the legacy first/last/step and
// movablekeys derived from the key specs at registration). GETKEYS finds
// keys from the key specs, as Redis does, falling back on a row's getkeys
// proc only where Redis has one. What the rows do not carry (complexity,
// arguments, history) is left out of COMMAND DOCS.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

// Shared with the rest of the server family (declared in server_family.cc).
void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);

namespace {

// ---------------------------------------------------------------------------
// Flags, in the order Redis prints them.

struct FlagName {
  uint32_t bit;
  const char* name;
};

// Redis hides may_replicate, sentinel and only_sentinel from COMMAND INFO;
// grabkv's own flags (kAllowedWhileSubscribed...) are not printed either.
constexpr FlagName kFlagNames[] = {
    {kWrite, "write"},
    {kReadonly, "readonly"},
    {kDenyOom, "denyoom"},
    {kAdmin, "admin"},
    {kPubsub, "pubsub"},
    {kNoscript, "noscript"},
    {kBlocking, "blocking"},
    {kLoading, "loading"},
    {kStale, "stale"},
    {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"},
    {kAsking, "asking"},
    {kFast, "fast"},
    {kNoAuth, "no_auth"},
    {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kMovableKeys, "movablekeys"},
    {kAllowBusy, "allow_busy"},
};

constexpr FlagName kKeyFlagNames[] = {
    {kRO, "RO"},
    {kRW, "RW"},
    {kOW, "OW"},
    {kRM, "RM"},
    {kAccess, "access"},
    {kUpdate, "update"},
    {kInsert, "insert"},
    {kDelete, "delete"},
    {kNotKey, "not_key"},
    {kIncomplete, "incomplete"},
    {kVariableFlags, "variable_flags"},
};

void ReplyFlagSet(protocol::ReplyBuilder& rb, uint32_t flags, std::span<const FlagName> names) {
  size_t n = 0;
  for (const FlagName& f : names) n += (flags & f.bit) ? 1 : 0;
  rb.SetHeader(n);
  for (const FlagName& f : names) {
    if (flags & f.bit) rb.SimpleString(f.name);
  }
}

// ---------------------------------------------------------------------------
// Key positions, from the rows' key specs as Redis 7.0 finds them.

// Whether GETKEYS can say anything about the command.
bool HasKeys(const CommandSpec& spec) {
  if (spec.getkeys != nullptr) return true;
  for (const KeySpec& ks : spec.keys) {
    if (!(ks.flags & kNotKey)) return true;
  }
  return false;
}

// A top-level name or "parent|sub", case-insensitive; nullptr if unknown.
const CommandSpec* LookupFullName(const CommandTable& t, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return t.Find(name);
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  const CommandSpec* parent = t.Find(name.substr(0, bar));
  return parent ? CommandTable::FindSub(*parent, sub) : nullptr;
}

// ---------------------------------------------------------------------------
// Replies.

// One step of a key spec's search (begin_search, find_keys): {type: <type>,
// spec: {<name>: <integer or string>...}}.
using SpecField = std::pair<const char*, std::variant<int64_t, const char*>>;
void ReplySearchStep(protocol::ReplyBuilder& rb, const char* type,
                     std::initializer_list<SpecField> spec) {
  rb.MapHeader(2);
  rb.Bulk("type");
  rb.Bulk(type);
  rb.Bulk("spec");
  rb.MapHeader(spec.size());
  for (const auto& [name, value] : spec) {
    rb.Bulk(name);
    if (const int64_t* n = std::get_if<int64_t>(&value)) {
      rb.Integer(*n);
    } else {
      rb.Bulk(std::get<const char*>(value));
    }
  }
}

void ReplyKeySpec(protocol::ReplyBuilder& rb, const KeySpec& ks) {
  rb.MapHeader(ks.notes != nullptr ? 4 : 3);
  if (ks.notes != nullptr) {
    rb.Bulk("notes");
    rb.Bulk(ks.notes);
  }
  rb.Bulk("flags");
  ReplyFlagSet(rb, ks.flags, kKeyFlagNames);

  // No index and no keyword: Redis's "unknown" spec (SORT's BY/GET/STORE),
  // whose keys the command's getkeys proc finds.
  const bool unknown = ks.keyword == nullptr && ks.index == 0;

  rb.Bulk("begin_search");
  if (unknown) {
    ReplySearchStep(rb, "unknown", {});
  } else if (ks.keyword != nullptr) {
    ReplySearchStep(rb, "keyword", {{"keyword", ks.keyword}, {"startfrom", ks.startfrom}});
  } else {
    ReplySearchStep(rb, "index", {{"index", ks.index}});
  }
  rb.Bulk("find_keys");
  if (unknown) {
    ReplySearchStep(rb, "unknown", {});
  } else if (ks.keynum) {
    ReplySearchStep(rb, "keynum",
                    {{"keynumidx", ks.keynumidx}, {"firstkey", ks.firstkey}, {"keystep", ks.keystep}});
  } else {
    ReplySearchStep(rb, "range",
                    {{"lastkey", ks.lastkey}, {"keystep", ks.keystep}, {"limit", ks.limit}});
  }
}

// Calls fn(tip) for each space-separated tip of the row.
template <typename Fn>
size_t ForEachTip(const CommandSpec& spec, Fn&& fn) {
  std::string_view tips = spec.tips;
  size_t n = 0;
  while (!tips.empty()) {
    size_t sp = tips.find(' ');
    std::string_view tip = tips.substr(0, sp);
    if (!tip.empty()) {
      fn(tip);
      ++n;
    }
    if (sp == std::string_view::npos) break;
    tips.remove_prefix(sp + 1);
  }
  return n;
}

// One COMMAND INFO entry (Redis 7.0: 10 fields; RESP3 sets for flags,
// categories, tips and key specs).
void ReplyCommandInfo(protocol::ReplyBuilder& rb, const CommandSpec& spec) {
  rb.ArrayHeader(10);
  rb.Bulk(spec.name);
  rb.Integer(spec.arity);
  ReplyFlagSet(rb, spec.flags, kFlagNames);

  rb.Integer(spec.first_key);
  rb.Integer(spec.last_key);
  rb.Integer(spec.key_step);

  rb.SetHeader(static_cast<size_t>(__builtin_popcount(spec.acl_categories)));
  ForEachAclCategory(spec.acl_categories,
                     [&](const char* name) { rb.SimpleString(std::string("@") + name); });

  rb.SetHeader(ForEachTip(spec, [](std::string_view) {}));
  ForEachTip(spec, [&](std::string_view tip) { rb.Bulk(tip); });

  rb.SetHeader(spec.keys.size());
  for (const KeySpec& ks : spec.keys) ReplyKeySpec(rb, ks);

  if (spec.subcommands.empty()) {
    rb.SetHeader(0);
  } else {
    rb.ArrayHeader(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(rb, sub);
  }
}

void ReplyCommandDocs(protocol::ReplyBuilder& rb, const CommandSpec& spec) {
  bool has_subs = !spec.subcommands.empty();
  rb.MapHeader(has_subs ? 4 : 3);
  rb.Bulk("summary");
  rb.Bulk(spec.summary);
  rb.Bulk("since");
  rb.Bulk(spec.since);
  rb.Bulk("group");
  rb.Bulk(spec.group);
  if (has_subs) {
    rb.Bulk("subcommands");
    rb.MapHeader(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      rb.Bulk(sub.name);
      ReplyCommandDocs(rb, sub);
    }
  }
}

// ---------------------------------------------------------------------------
// Handlers.

void CmdCommand(CommandContext& ctx) {
  const CommandTable& t = ctx.server.commands();
  ctx.reply.ArrayHeader(t.size());
  t.ForEach([&](const CommandSpec& s) { ReplyCommandInfo(ctx.reply, s); });
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.commands().size()));
}

void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    CmdCommand(ctx);
    return;
  }
  const CommandTable& t = ctx.server.commands();
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* s = LookupFullName(t, ctx.arg(i));
    if (s == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(ctx.reply, *s);
    }
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  const CommandTable& t = ctx.server.commands();
  if (ctx.argc() == 2) {
    ctx.reply.MapHeader(t.size());
    t.ForEach([&](const CommandSpec& s) {
      ctx.reply.Bulk(s.name);
      ReplyCommandDocs(ctx.reply, s);
    });
    return;
  }
  size_t token = ctx.reply.DeferMap();
  size_t n = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    const CommandSpec* s = LookupFullName(t, ctx.arg(i));
    if (s == nullptr) continue;
    ctx.reply.Bulk(s->name);
    ReplyCommandDocs(ctx.reply, *s);
    ++n;
  }
  ctx.reply.SetDeferredMap(token, n);
}

enum class ListFilter { kNone, kModule, kAclCat, kPattern };

void CmdCommandList(CommandContext& ctx) {
  ListFilter filter = ListFilter::kNone;
  std::string_view arg;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    size_t more = ctx.argc() - 1 - i;
    if (EqualsIgnoreCase(ctx.arg(i), "filterby") && more == 2) {
      std::string_view type = ctx.arg(i + 1);
      if (EqualsIgnoreCase(type, "module")) {
        filter = ListFilter::kModule;
      } else if (EqualsIgnoreCase(type, "aclcat")) {
        filter = ListFilter::kAclCat;
      } else if (EqualsIgnoreCase(type, "pattern")) {
        filter = ListFilter::kPattern;
      } else {
        ctx.reply.Error("ERR syntax error");
        return;
      }
      arg = ctx.arg(i + 2);
      i += 2;
    } else {
      ctx.reply.Error("ERR syntax error");
      return;
    }
  }
  uint32_t cat = filter == ListFilter::kAclCat ? AclCategoryByName(arg) : 0;
  auto matches = [&](const CommandSpec& s) {
    switch (filter) {
      case ListFilter::kNone:
        return true;
      case ListFilter::kModule:
        return false;  // no modules
      case ListFilter::kAclCat:
        return (s.acl_categories & cat) != 0;
      case ListFilter::kPattern:
        return GlobMatch(arg, s.name, true);
    }
    return false;
  };
  size_t token = ctx.reply.DeferArray();
  size_t n = 0;
  auto visit = [&](const CommandSpec& s) {
    if (matches(s)) {
      ctx.reply.Bulk(s.name);
      ++n;
    }
  };
  ctx.server.commands().ForEach([&](const CommandSpec& s) {
    visit(s);
    for (const CommandSpec& sub : s.subcommands) visit(sub);
  });
  ctx.reply.SetDeferredArray(token, n);
}

// Shared by GETKEYS and GETKEYSANDFLAGS: the keys of the command given as
// arguments, or an error already replied.
bool ResolveKeys(CommandContext& ctx, std::vector<KeyRef>* keys) {
  Args argv = ctx.args.subspan(2);
  const CommandSpec* spec = ctx.server.commands().Find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    spec = CommandTable::FindSub(*spec, argv[1]);
  }
  if (spec == nullptr) {
    ctx.reply.Error("ERR Invalid command specified");
    return false;
  }
  if (!HasKeys(*spec)) {
    ctx.reply.Error("ERR The command has no key arguments");
    return false;
  }
  int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error("ERR Invalid number of arguments specified for command");
    return false;
  }
  CommandKeys(*spec, argv, keys);
  if (keys->empty() && !(spec->flags & kNoMandatoryKeys)) {
    ctx.reply.Error("ERR Invalid arguments specified for command");
    return false;
  }
  return true;
}

void CmdCommandGetKeys(CommandContext& ctx) {
  std::vector<KeyRef> keys;
  if (!ResolveKeys(ctx, &keys)) return;
  ctx.reply.ArrayHeader(keys.size());
  for (const KeyRef& k : keys) ctx.reply.Bulk(ctx.arg(2 + static_cast<size_t>(k.pos)));
}

void CmdCommandGetKeysAndFlags(CommandContext& ctx) {
  std::vector<KeyRef> keys;
  if (!ResolveKeys(ctx, &keys)) return;
  ctx.reply.ArrayHeader(keys.size());
  for (const KeyRef& k : keys) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(ctx.arg(2 + static_cast<size_t>(k.pos)));
    ReplyFlagSet(ctx.reply, k.flags, kKeyFlagNames);
  }
}

void CmdCommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "(no subcommand)",
                     "    Return details about all Redis commands.",
                     "COUNT",
                     "    Return the total number of commands in this Redis server.",
                     "LIST",
                     "    Return a list of all commands in this Redis server.",
                     "INFO [<command-name> ...]",
                     "    Return details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "DOCS [<command-name> ...]",
                     "    Return documentation details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "GETKEYS <full-command>",
                     "    Return the keys from a full Redis command.",
                     "GETKEYSANDFLAGS <full-command>",
                     "    Return the keys and the access flags from a full Redis command.",
                 });
}

}  // namespace

void RegisterCommandCommand(CommandTable& t) {
  constexpr uint32_t kF = kLoading | kStale;
  CommandFamily f(t, "server");
  f.Add({.name = "command",
         .arity = -1,
         .flags = kF | kSentinel,
         .handler = CmdCommand,
         .acl = kAclConnection,
         .tips = "nondeterministic_output_order",
         .summary = "Get array of Redis command details",
         .since = "2.8.13",
         .subcommands = {
             {.name = "command|count", .arity = 2, .flags = kF,
              .handler = CmdCommandCount, .acl = kAclConnection,
              .summary = "Get total number of Redis commands", .since = "2.8.13"},
             {.name = "command|docs", .arity = -2, .flags = kF,
              .handler = CmdCommandDocs, .acl = kAclConnection, .tips = "nondeterministic_output_order",
              .summary = "Get array of specific Redis command documentation", .since = "7.0.0"},
             {.name = "command|getkeys", .arity = -4, .flags = kF,
              .handler = CmdCommandGetKeys, .acl = kAclConnection,
              .summary = "Extract keys given a full Redis command", .since = "2.8.13"},
             {.name = "command|getkeysandflags", .arity = -4, .flags = kF,
              .handler = CmdCommandGetKeysAndFlags, .acl = kAclConnection,
              .summary = "Extract keys and access flags given a full Redis command", .since = "7.0.0"},
             {.name = "command|help", .arity = 2, .flags = kF,
              .handler = CmdCommandHelp, .acl = kAclConnection,
              .summary = "Show helpful text about the different subcommands", .since = "5.0.0"},
             {.name = "command|info", .arity = -2, .flags = kF,
              .handler = CmdCommandInfo, .acl = kAclConnection, .tips = "nondeterministic_output_order",
              .summary = "Get array of specific Redis command details, or all when no argument is given.", .since = "2.8.13"},
             {.name = "command|list", .arity = -2, .flags = kF,
              .handler = CmdCommandList, .acl = kAclConnection, .tips = "nondeterministic_output_order",
              .summary = "Get an array of Redis command names", .since = "7.0.0"}}});
}

}  // namespace grabkv::server
