// COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS,
// GETKEYSANDFLAGS, HELP): the command table as Redis 7.0 prints it.
//
// Everything here is read from the CommandSpec rows. What the rows do not
// carry (Redis's key specs, command tips, complexity) is either derived from
// what they do carry (first/last/step, flags) or left out, never invented per
// command except for the commands whose keys move (numkeys-style arguments),
// which COMMAND GETKEYS must understand to be of any use to clients.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

// Shared with the rest of the server family (declared in server_family.cc).
uint32_t AclCategoryBits(const CommandSpec& spec);
void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);

namespace {

// ---------------------------------------------------------------------------
// Flags and ACL categories, in the order Redis prints them.

struct FlagName {
  uint32_t bit;
  const char* name;
};

// Redis hides may_replicate, sentinel and only_sentinel from COMMAND INFO.
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
    {kFast, "fast"},
    {kNoAuth, "no_auth"},
    {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"},
    {kNoMulti, "no_multi"},
    {kMovableKeys, "movablekeys"},
    {kAllowBusy, "allow_busy"},
};

// acl.c ACLCommandCategories order.
constexpr const char* kAclCategories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting",
};

int AclCategoryIndex(std::string_view name) {
  for (size_t i = 0; i < std::size(kAclCategories); ++i) {
    if (EqualsIgnoreCase(name, kAclCategories[i])) return static_cast<int>(i);
  }
  return -1;
}

uint32_t AclBit(const char* name) { return 1u << AclCategoryIndex(name); }

// ---------------------------------------------------------------------------
// Key positions.

// How the keys of a command are found: Redis's key-spec vocabulary.
struct KeySpec {
  bool begin_keyword = false;  // else begin at a fixed index
  int index = 0;               // begin_search index
  const char* keyword = "";    // begin_search keyword
  int startfrom = 0;
  bool find_keynum = false;                 // else a range
  int lastkey = 0, keystep = 1, limit = 0;  // range
  int keynumidx = 0, firstkey = 1;          // keynum (relative to begin)
  bool optional = false;  // a keyword that may be absent: then no keys, not an error
};

// Commands whose keys cannot be described by first/last/step. The table
// rows mark them kMovableKeys; this says how to find their keys.
struct MovableRule {
  const char* name;
  KeySpec specs[2];
  int nspecs;
};

constexpr KeySpec Keynum(int index) {
  KeySpec s;
  s.index = index;
  s.find_keynum = true;
  return s;
}
constexpr KeySpec Single(int index) {
  KeySpec s;
  s.index = index;
  return s;
}
constexpr KeySpec Streams(int startfrom) {
  KeySpec s;
  s.begin_keyword = true;
  s.keyword = "STREAMS";
  s.startfrom = startfrom;
  s.lastkey = -1;
  s.limit = 2;
  return s;
}

constexpr KeySpec Range(int index, int lastkey) {
  KeySpec s;
  s.index = index;
  s.lastkey = lastkey;
  return s;
}
// The key right after an optional keyword (GRAB.* ... OUTBOX key).
constexpr KeySpec AfterOptionalKeyword(const char* keyword, int startfrom) {
  KeySpec s;
  s.begin_keyword = true;
  s.keyword = keyword;
  s.startfrom = startfrom;
  s.optional = true;
  return s;
}

constexpr MovableRule kMovableRules[] = {
    // GRAB.* stock|counter claims user [COUNT n] [OUTBOX outbox]: cluster
    // clients and proxies route by every key, the outbox included.
    {"grab.pop", {Range(1, 1), AfterOptionalKeyword("OUTBOX", 4)}, 2},
    {"grab.undo", {Range(1, 1), AfterOptionalKeyword("OUTBOX", 4)}, 2},
    {"grab.take", {Range(1, 1), AfterOptionalKeyword("OUTBOX", 4)}, 2},
    {"grab.untake", {Range(1, 1), AfterOptionalKeyword("OUTBOX", 4)}, 2},
    {"eval", {Keynum(2)}, 1},
    {"evalsha", {Keynum(2)}, 1},
    {"eval_ro", {Keynum(2)}, 1},
    {"evalsha_ro", {Keynum(2)}, 1},
    {"fcall", {Keynum(2)}, 1},
    {"fcall_ro", {Keynum(2)}, 1},
    {"zunionstore", {Single(1), Keynum(2)}, 2},
    {"zinterstore", {Single(1), Keynum(2)}, 2},
    {"zdiffstore", {Single(1), Keynum(2)}, 2},
    {"zunion", {Keynum(1)}, 1},
    {"zinter", {Keynum(1)}, 1},
    {"zdiff", {Keynum(1)}, 1},
    {"zintercard", {Keynum(1)}, 1},
    {"sintercard", {Keynum(1)}, 1},
    {"lmpop", {Keynum(1)}, 1},
    {"zmpop", {Keynum(1)}, 1},
    {"blmpop", {Keynum(2)}, 1},
    {"bzmpop", {Keynum(2)}, 1},
    {"xread", {Streams(1)}, 1},
    {"xreadgroup", {Streams(4)}, 1},
};

const MovableRule* FindMovableRule(const CommandSpec& spec) {
  for (const MovableRule& r : kMovableRules) {
    if (std::strcmp(r.name, spec.name) == 0) return &r;
  }
  return nullptr;
}

// The key specs COMMAND INFO prints: the movable rule when there is one,
// else one range spec built from first/last/step.
std::vector<KeySpec> KeySpecsOf(const CommandSpec& spec) {
  if (const MovableRule* r = FindMovableRule(spec)) return {r->specs, r->specs + r->nspecs};
  if (spec.first_key <= 0) return {};
  KeySpec s;
  s.index = spec.first_key;
  s.lastkey = spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key;
  s.keystep = spec.key_step > 0 ? spec.key_step : 1;
  return {s};
}

// Key flags: the rows do not say how each key is used, so assume the worst
// for a write command (as Redis does for EVAL): RW access update.
std::vector<const char*> KeyFlagsOf(const CommandSpec& spec) {
  if (spec.flags & kWrite) return {"RW", "access", "update"};
  return {"RO", "access"};
}

bool HasKeys(const CommandSpec& spec) {
  return spec.first_key > 0 || FindMovableRule(spec) != nullptr;
}

// Appends the argument positions of the keys in argv (argv[0] is the
// command name) to *out. False when the arguments do not make sense
// (bad numkeys and the like), as Redis's "Invalid arguments" case.
bool ExtractKeys(const KeySpec& ks, Args argv, std::vector<int>* out) {
  int argc = static_cast<int>(argv.size());
  int begin;
  if (ks.begin_keyword) {
    begin = -1;
    for (int i = ks.startfrom; i < argc; ++i) {
      if (EqualsIgnoreCase(argv[i], ks.keyword)) {
        begin = i + 1;
        break;
      }
    }
    if (begin < 0) return ks.optional;
  } else {
    begin = ks.index;
  }
  if (begin >= argc) return false;
  if (ks.find_keynum) {
    int nidx = begin + ks.keynumidx;
    int64_t numkeys;
    if (nidx >= argc || !ParseInt64(argv[nidx], &numkeys) || numkeys < 0) return false;
    int first = begin + ks.firstkey;
    if (numkeys > (argc - first + ks.keystep - 1) / ks.keystep) return false;
    for (int64_t k = 0; k < numkeys; ++k) out->push_back(first + static_cast<int>(k) * ks.keystep);
    return true;
  }
  int last;
  if (ks.lastkey >= 0) {
    last = begin + ks.lastkey;
  } else if (ks.limit > 1) {
    // Redis's "limit": the keys are 1/limit of what remains (XREAD STREAMS).
    int remaining = argc - begin;
    last = begin + remaining / ks.limit - 1;
  } else {
    last = argc + ks.lastkey;
  }
  if (last >= argc) return false;
  for (int i = begin; i <= last; i += ks.keystep) out->push_back(i);
  return true;
}

bool KeysOf(const CommandSpec& spec, Args argv, std::vector<int>* out) {
  for (const KeySpec& ks : KeySpecsOf(spec)) {
    if (!ExtractKeys(ks, argv, out)) return false;
  }
  return true;
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

void ReplyKeySpec(protocol::ReplyBuilder& rb, const CommandSpec& spec, const KeySpec& ks) {
  rb.MapHeader(3);
  rb.Bulk("flags");
  std::vector<const char*> kf = KeyFlagsOf(spec);
  rb.SetHeader(kf.size());
  for (const char* f : kf) rb.SimpleString(f);

  rb.Bulk("begin_search");
  rb.MapHeader(2);
  rb.Bulk("type");
  if (ks.begin_keyword) {
    rb.Bulk("keyword");
    rb.Bulk("spec");
    rb.MapHeader(2);
    rb.Bulk("keyword");
    rb.Bulk(ks.keyword);
    rb.Bulk("startfrom");
    rb.Integer(ks.startfrom);
  } else {
    rb.Bulk("index");
    rb.Bulk("spec");
    rb.MapHeader(1);
    rb.Bulk("index");
    rb.Integer(ks.index);
  }

  rb.Bulk("find_keys");
  rb.MapHeader(2);
  rb.Bulk("type");
  if (ks.find_keynum) {
    rb.Bulk("keynum");
    rb.Bulk("spec");
    rb.MapHeader(3);
    rb.Bulk("keynumidx");
    rb.Integer(ks.keynumidx);
    rb.Bulk("firstkey");
    rb.Integer(ks.firstkey);
    rb.Bulk("keystep");
    rb.Integer(ks.keystep);
  } else {
    rb.Bulk("range");
    rb.Bulk("spec");
    rb.MapHeader(3);
    rb.Bulk("lastkey");
    rb.Integer(ks.lastkey);
    rb.Bulk("keystep");
    rb.Integer(ks.keystep);
    rb.Bulk("limit");
    rb.Integer(ks.limit);
  }
}

// One COMMAND INFO entry (Redis 7.0: 10 fields; RESP3 sets for flags,
// categories, tips and key specs).
void ReplyCommandInfo(protocol::ReplyBuilder& rb, const CommandSpec& spec) {
  rb.ArrayHeader(10);
  rb.Bulk(spec.name);
  rb.Integer(spec.arity);

  size_t nflags = 0;
  for (const FlagName& f : kFlagNames) nflags += (spec.flags & f.bit) ? 1 : 0;
  rb.SetHeader(nflags);
  for (const FlagName& f : kFlagNames) {
    if (spec.flags & f.bit) rb.SimpleString(f.name);
  }

  rb.Integer(spec.first_key);
  rb.Integer(spec.last_key);
  rb.Integer(spec.key_step);

  uint32_t acl = AclCategoryBits(spec);
  rb.SetHeader(static_cast<size_t>(__builtin_popcount(acl)));
  for (size_t i = 0; i < std::size(kAclCategories); ++i) {
    if (acl & (1u << i)) rb.SimpleString(std::string("@") + kAclCategories[i]);
  }

  rb.SetHeader(0);  // tips

  std::vector<KeySpec> specs = KeySpecsOf(spec);
  rb.SetHeader(specs.size());
  for (const KeySpec& ks : specs) ReplyKeySpec(rb, spec, ks);

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
  int cat = filter == ListFilter::kAclCat ? AclCategoryIndex(arg) : -1;
  auto matches = [&](const CommandSpec& s) {
    switch (filter) {
      case ListFilter::kNone:
        return true;
      case ListFilter::kModule:
        return false;  // no modules
      case ListFilter::kAclCat:
        return cat >= 0 && (AclCategoryBits(s) & (1u << cat)) != 0;
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

// Shared by GETKEYS and GETKEYSANDFLAGS: the key positions of the command
// given as arguments, or an error already replied.
bool ResolveKeys(CommandContext& ctx, const CommandSpec** out_spec, std::vector<int>* keys) {
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
  if (!KeysOf(*spec, argv, keys) || keys->empty()) {
    if (spec->flags & kNoMandatoryKeys) {
      keys->clear();
    } else {
      ctx.reply.Error("ERR Invalid arguments specified for command");
      return false;
    }
  }
  *out_spec = spec;
  return true;
}

void CmdCommandGetKeys(CommandContext& ctx) {
  const CommandSpec* spec;
  std::vector<int> keys;
  if (!ResolveKeys(ctx, &spec, &keys)) return;
  ctx.reply.ArrayHeader(keys.size());
  for (int k : keys) ctx.reply.Bulk(ctx.arg(2 + static_cast<size_t>(k)));
}

void CmdCommandGetKeysAndFlags(CommandContext& ctx) {
  const CommandSpec* spec;
  std::vector<int> keys;
  if (!ResolveKeys(ctx, &spec, &keys)) return;
  std::vector<const char*> kf = KeyFlagsOf(*spec);
  ctx.reply.ArrayHeader(keys.size());
  for (int k : keys) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(ctx.arg(2 + static_cast<size_t>(k)));
    ctx.reply.SetHeader(kf.size());
    for (const char* f : kf) ctx.reply.SimpleString(f);
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

uint32_t AclCategoryBits(const CommandSpec& spec) {
  uint32_t bits = 0;
  std::string_view cats = spec.acl_categories;
  size_t i = 0;
  while (i < cats.size()) {
    size_t j = cats.find(' ', i);
    if (j == std::string_view::npos) j = cats.size();
    std::string_view tok = cats.substr(i, j - i);
    if (!tok.empty() && tok[0] == '@') tok.remove_prefix(1);
    int idx = tok.empty() ? -1 : AclCategoryIndex(tok);
    if (idx >= 0) bits |= 1u << idx;
    i = j + 1;
  }
  // Redis setImplicitACLCategories.
  if (spec.flags & kWrite) bits |= AclBit("write");
  if ((spec.flags & kReadonly) && !(bits & AclBit("scripting"))) bits |= AclBit("read");
  if (spec.flags & kAdmin) bits |= AclBit("admin") | AclBit("dangerous");
  if (spec.flags & kPubsub) bits |= AclBit("pubsub");
  if (spec.flags & kFast) bits |= AclBit("fast");
  if (spec.flags & kBlocking) bits |= AclBit("blocking");
  if (!(bits & AclBit("fast"))) bits |= AclBit("slow");
  return bits;
}

void RegisterCommandCommand(CommandTable& t) {
  constexpr uint32_t kF = kLoading | kStale;
  constexpr const char* kAcl = "@slow @connection";
  CommandSpec command{"command",  -1,      kF | kSentinel,
                      0,          0,       0,
                      CmdCommand, kAcl,    "Get array of Redis command details",
                      "2.8.13",   "server"};
  command.subcommands = {
      {"command|count", 2, kF, 0, 0, 0, CmdCommandCount, kAcl, "Get total number of Redis commands",
       "2.8.13", "server"},
      {"command|docs", -2, kF, 0, 0, 0, CmdCommandDocs, kAcl,
       "Get array of specific Redis command documentation", "7.0.0", "server"},
      {"command|getkeys", -4, kF, 0, 0, 0, CmdCommandGetKeys, kAcl,
       "Extract keys given a full Redis command", "2.8.13", "server"},
      {"command|getkeysandflags", -4, kF, 0, 0, 0, CmdCommandGetKeysAndFlags, kAcl,
       "Extract keys and access flags given a full Redis command", "7.0.0", "server"},
      {"command|help", 2, kF, 0, 0, 0, CmdCommandHelp, kAcl,
       "Show helpful text about the different subcommands", "5.0.0", "server"},
      {"command|info", -2, kF, 0, 0, 0, CmdCommandInfo, kAcl,
       "Get array of specific Redis command details, or all when no argument is given.", "2.8.13",
       "server"},
      {"command|list", -2, kF, 0, 0, 0, CmdCommandList, kAcl, "Get an array of Redis command names",
       "7.0.0", "server"},
  };
  t.Register(std::move(command));
}

}  // namespace grabkv::server
