// The command table's rows: what CommandTable::Register derives from a row
// (ACL categories, legacy key range, movablekeys, the family's group and
// category), the getkeys procs, and the dispatch flags that replaced name
// lists in dispatch.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "tests/server/command_test_util.h"

namespace grabkv::server {
namespace {

void Noop(CommandContext&) {}

TEST(CommandTableTest, DerivesAclCategoriesFromFlagsAndFamily) {
  CommandTable t;
  CommandFamily f(t, "list", kAclList);
  f.Add({.name = "w", .arity = 2, .flags = kWrite | kFast, .handler = Noop});
  f.Add({.name = "r", .arity = 2, .flags = kReadonly, .handler = Noop});
  f.Add({.name = "a", .arity = 1, .flags = kAdmin, .handler = Noop});
  f.Add({.name = "b", .arity = -3, .flags = kWrite | kBlocking, .handler = Noop});
  f.Add({.name = "k", .arity = 2, .flags = kReadonly, .handler = Noop, .acl = kAclDangerous});
  EXPECT_EQ(AclCategoryText(t.Find("w")->acl_categories), "@write @list @fast");
  EXPECT_EQ(AclCategoryText(t.Find("r")->acl_categories), "@read @list @slow");
  EXPECT_EQ(AclCategoryText(t.Find("a")->acl_categories), "@list @admin @slow @dangerous");
  EXPECT_EQ(AclCategoryText(t.Find("b")->acl_categories), "@write @list @slow @blocking");
  EXPECT_EQ(AclCategoryText(t.Find("k")->acl_categories), "@read @list @slow @dangerous");
  EXPECT_STREQ(t.Find("w")->group, "list");
}

TEST(CommandTableTest, ScriptsAreNotRead) {
  CommandTable t;
  CommandFamily f(t, "scripting", kAclScripting);
  f.Add({.name = "eval_ro", .arity = -3, .flags = kReadonly | kNoscript, .handler = Noop});
  EXPECT_EQ(AclCategoryText(t.Find("eval_ro")->acl_categories), "@slow @scripting");
}

TEST(CommandTableTest, ContainersLeaveTheFamilyCategoryToTheirSubcommands) {
  CommandTable t;
  CommandFamily f(t, "generic", kAclKeyspace);
  f.Add({.name = "object",
         .arity = -2,
         .subcommands = {{.name = "object|encoding",
                          .arity = 3,
                          .flags = kReadonly,
                          .keys = {{.flags = kRO, .index = 2}},
                          .handler = Noop}}});
  const CommandSpec* object = t.Find("object");
  ASSERT_NE(object, nullptr);
  EXPECT_EQ(AclCategoryText(object->acl_categories), "@slow");
  const CommandSpec* enc = CommandTable::FindSub(*object, "encoding");
  ASSERT_NE(enc, nullptr);
  EXPECT_EQ(AclCategoryText(enc->acl_categories), "@keyspace @read @slow");
  EXPECT_STREQ(enc->group, "generic");
  EXPECT_EQ(enc->first_key, 2);
  EXPECT_EQ(enc->last_key, 2);
  EXPECT_EQ(enc->key_step, 1);
}

TEST(CommandTableTest, LegacyKeyRangeAndMovableKeysComeFromTheKeySpecs) {
  CommandTable t;
  CommandFamily f(t, "generic");
  // One range: taken as is (MSET's step 2).
  f.Add({.name = "mset", .arity = -3, .flags = kWrite,
         .keys = {{.flags = kOW | kUpdate, .index = 1, .lastkey = -1, .keystep = 2}}});
  // Consecutive ranges merge (LMOVE, SINTERSTORE).
  f.Add({.name = "lmove", .arity = 5, .flags = kWrite,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kRW | kInsert, .index = 2}}});
  f.Add({.name = "sinterstore", .arity = -3, .flags = kWrite,
         .keys = {{.flags = kRW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .lastkey = -1}}});
  // A keynum spec makes the keys movable; the ranges before it still count.
  f.Add({.name = "zunionstore", .arity = -4, .flags = kWrite,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .keynum = true}}});
  f.Add({.name = "zunion", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1, .keynum = true}}});
  // A keyword spec too (GRAB.* OUTBOX).
  f.Add({.name = "grab", .arity = -4, .flags = kWrite,
         .keys = {{.flags = kRW, .index = 1}, {.flags = kRW, .index = 2},
                  {.flags = kRW | kInsert, .keyword = "OUTBOX", .startfrom = 4}}});
  f.Add({.name = "ping", .arity = -1});
  struct Want {
    const char* name;
    int first, last, step;
    bool movable;
  };
  for (const Want& w : {Want{"mset", 1, -1, 2, false}, Want{"lmove", 1, 2, 1, false},
                        Want{"sinterstore", 1, -1, 1, false}, Want{"zunionstore", 1, 1, 1, true},
                        Want{"zunion", 0, 0, 0, true}, Want{"grab", 1, 2, 1, true},
                        Want{"ping", 0, 0, 0, false}}) {
    SCOPED_TRACE(w.name);
    const CommandSpec* s = t.Find(w.name);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->first_key, w.first);
    EXPECT_EQ(s->last_key, w.last);
    EXPECT_EQ(s->key_step, w.step);
    EXPECT_EQ((s->flags & kMovableKeys) != 0, w.movable);
  }
}

std::vector<KeyRef> Keys(GetKeysProc proc, std::vector<std::string_view> argv) {
  std::vector<KeyRef> out;
  proc(argv, &out);
  return out;
}

std::vector<int> Positions(const std::vector<KeyRef>& keys) {
  std::vector<int> out;
  for (const KeyRef& k : keys) out.push_back(k.pos);
  return out;
}

TEST(CommandTableTest, GetKeysProcsReadCountsAsAtoi) {
  EXPECT_EQ(Positions(Keys(NumkeysAt1GetKeys, {"zunion", "2", "a", "b"})), (std::vector<int>{2, 3}));
  EXPECT_EQ(Positions(Keys(NumkeysAt1GetKeys, {"zunion", "1x", "a"})), (std::vector<int>{2}));
  EXPECT_TRUE(Keys(NumkeysAt1GetKeys, {"zunion", "0", "a"}).empty());
  EXPECT_TRUE(Keys(NumkeysAt1GetKeys, {"zunion", "3", "a"}).empty());
  EXPECT_TRUE(Keys(NumkeysAt1GetKeys, {"zunion", "x", "a"}).empty());
  EXPECT_EQ(Positions(Keys(NumkeysAt2GetKeys, {"eval", "s", " 2", "a", "b"})), (std::vector<int>{3, 4}));
  // The store key comes after the others, as Redis's proc returns it.
  EXPECT_EQ(Positions(Keys(StoreNumkeysGetKeys, {"zunionstore", "d", "2x", "a", "b"})),
            (std::vector<int>{3, 4, 1}));
  for (const KeyRef& k : Keys(StoreNumkeysGetKeys, {"zunionstore", "d", "2", "a", "b"})) {
    EXPECT_EQ(k.flags, 0u);
  }
}

TEST(CommandTableTest, SetGetKeysFlagsDependOnGet) {
  std::vector<KeyRef> plain = Keys(SetGetKeys, {"set", "k", "v", "EX", "10"});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].pos, 1);
  EXPECT_EQ(plain[0].flags, kOW | kUpdate);
  std::vector<KeyRef> get = Keys(SetGetKeys, {"set", "k", "v", "gEt"});
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0].flags, kRW | kAccess | kUpdate);
  // "get" as the value is not the option.
  EXPECT_EQ(Keys(SetGetKeys, {"set", "k", "get"})[0].flags, kOW | kUpdate);
}

// Which commands carry grabkv's dispatch flags: exactly the lists dispatch
// used to hard-code.
std::set<std::string> WithFlag(const CommandTable& t, uint32_t flag) {
  std::set<std::string> out;
  t.ForEach([&](const CommandSpec& s) {
    if (s.flags & flag) out.insert(s.name);
    for (const CommandSpec& sub : s.subcommands) {
      if (sub.flags & flag) out.insert(sub.name);
    }
  });
  return out;
}

TEST(CommandTableTest, DispatchFlagsAreOnTheRightRows) {
  testing::CommandRunner r;
  const CommandTable& t = r.server().commands();
  EXPECT_EQ(WithFlag(t, kAllowedWhileSubscribed),
            (std::set<std::string>{"ping", "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
                                   "ssubscribe", "sunsubscribe", "quit", "reset"}));
  EXPECT_EQ(WithFlag(t, kRunsInsideMulti),
            (std::set<std::string>{"exec", "discard", "multi", "watch", "quit", "reset"}));
  EXPECT_EQ(WithFlag(t, kRefusedOnWriteError), (std::set<std::string>{"ping"}));
  EXPECT_EQ(WithFlag(t, kWriteIfQueuedWrites), (std::set<std::string>{"exec"}));
}

TEST(CommandTableTest, EveryRowIsComplete) {
  testing::CommandRunner r;
  r.server().commands().ForEach([&](const CommandSpec& s) {
    SCOPED_TRACE(s.name);
    // Only a container may lack a handler (COMMAND has both).
    if (s.subcommands.empty()) {
      EXPECT_NE(s.handler, nullptr);
    }
    EXPECT_EQ(s.acl_categories & (kAclFast | kAclSlow) ? 1 : 0, 1);
    for (const KeySpec& ks : s.keys) {
      // Exactly one of RO/RW/OW/RM, or none for a spec that names no key
      // (the shard channels of SSUBSCRIBE/SPUBLISH, as Redis's not_key).
      EXPECT_EQ(__builtin_popcount(ks.flags & (kRO | kRW | kOW | kRM)), (ks.flags & kNotKey) ? 0 : 1);
    }
  });
}

TEST(CommandTableTest, SubscribedRESP2ClientMayPingButNotGet) {
  testing::CommandRunner r;
  EXPECT_EQ(r.Cmd("subscribe ch").substr(0, 4), "*3\r\n");
  EXPECT_EQ(r.Cmd("ping"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  EXPECT_EQ(r.Cmd("get k"),
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
            "RESET are allowed in this context\r\n");
}

TEST(CommandTableTest, MultiQueuesAllButItsOwnCommands) {
  testing::CommandRunner r;
  EXPECT_EQ(r.Cmd("multi"), "+OK\r\n");
  EXPECT_EQ(r.Cmd("set k v"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("ping"), "+QUEUED\r\n");
  EXPECT_EQ(r.Cmd("watch k"), "-ERR WATCH inside MULTI is not allowed\r\n");
  EXPECT_EQ(r.Cmd("exec"), "*2\r\n+OK\r\n+PONG\r\n");
}

}  // namespace
}  // namespace grabkv::server
