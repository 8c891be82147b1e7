// What commands propagate (the append-only file's command stream), checked
// against what redis-server 7.0.15 wrote to its appendonly.aof for the same
// commands: relative and absolute TTLs become PEXPIREAT/SET ... PXAT,
// random and float results are recorded as their outcome, blocking forms as
// their non-blocking ones, EXEC and scripts by their effects wrapped in
// MULTI/EXEC, GRAB.* as plain Redis commands. The last tests replay the
// captured stream on a fresh server and compare the whole keyspace.
#include "server/core/propagate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "protocol/resp_parser.h"
#include "storage/rdb_value.h"
#include "tests/server/command_test_util.h"

namespace grabkv {
namespace {

using server::Client;
using server::Propagator;
using server::ServerState;
using testing::CommandRunner;
using Command = std::vector<std::string>;

// Renders commands as the RESP multibulks the Propagator writes.
std::string Render(const std::vector<Command>& cmds) {
  std::string out;
  for (const Command& c : cmds) {
    std::vector<std::string_view> views(c.begin(), c.end());
    Propagator::AppendCommand(&out, views);
  }
  return out;
}

// Splits a captured stream back into commands.
std::vector<Command> ParseStream(std::string_view stream) {
  std::vector<Command> cmds;
  protocol::ParserLimits limits;
  limits.max_bulk_len = INT64_MAX;
  protocol::RespParser parser(limits);
  size_t pos = 0;
  while (pos < stream.size()) {
    auto st = parser.Parse(stream.substr(pos));
    EXPECT_EQ(st, protocol::RespParser::Status::kCommand) << "bad stream at " << pos;
    if (st != protocol::RespParser::Status::kCommand) break;
    cmds.emplace_back(parser.args().begin(), parser.args().end());
    pos += parser.consumed();
  }
  return cmds;
}

// A RESP2 reply flattened: bulks, integers and simple strings as text,
// nulls as "(nil)", arrays spliced in.
void Flatten(std::string_view r, size_t* pos, std::vector<std::string>* out) {
  const char type = r[*pos];
  const size_t eol = r.find("\r\n", *pos);
  const std::string head(r.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  if (type == '$') {
    const long n = std::stol(head);
    if (n < 0) {
      out->push_back("(nil)");
      return;
    }
    out->emplace_back(r.substr(*pos, static_cast<size_t>(n)));
    *pos += static_cast<size_t>(n) + 2;
  } else if (type == '*' || type == '~' || type == '%') {
    const long n = std::stol(head);
    if (n < 0) {
      out->push_back("(nil)");
      return;
    }
    for (long i = 0; i < (type == '%' ? 2 * n : n); ++i) Flatten(r, pos, out);
  } else {
    out->push_back(head);
  }
}

std::vector<std::string> Flat(std::string_view reply) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < reply.size()) Flatten(reply, &pos, &out);
  return out;
}

class PropagateTest : public testing::RunnerTest {
 protected:
  PropagateTest() {
    prop().set_sink([this](std::string_view resp) { captured_.append(resp); });
    prop().set_enabled(true);
  }

  Propagator& prop() { return runner_.server().propagator(); }
  ServerState& server() { return runner_.server(); }

  // The stream captured since the last call.
  std::string Take() {
    std::string s;
    s.swap(captured_);
    return s;
  }

  // Expects the captured stream to be exactly `expected`, where an argument
  // "~N" stands for an absolute time now + N ms (within 2 s) and takes the
  // captured value.
  void ExpectEffects(std::vector<Command> expected) {
    const std::string got = Take();
    const std::vector<Command> cmds = ParseStream(got);
    const int64_t now = ServerState::NowMs();
    for (size_t i = 0; i < expected.size() && i < cmds.size(); ++i) {
      for (size_t j = 0; j < expected[i].size() && j < cmds[i].size(); ++j) {
        std::string& e = expected[i][j];
        if (e.size() < 2 || e[0] != '~') continue;
        const int64_t want = now + std::stoll(e.substr(1));
        const int64_t have = std::atoll(cmds[i][j].c_str());
        EXPECT_LE(std::llabs(have - want), 2000) << cmds[i][j] << " vs " << e;
        e = cmds[i][j];
      }
    }
    EXPECT_EQ(got, Render(expected)) << Describe(cmds);
  }

  static std::string Describe(const std::vector<Command>& cmds) {
    std::string s = "captured:\n";
    for (const Command& c : cmds) {
      for (const std::string& a : c) s += a + " ";
      s += "\n";
    }
    return s;
  }

  void ExpectNothing() { EXPECT_EQ(Take(), ""); }

  // Makes `key` expire now (waits out a 1 ms TTL).
  void ExpireSoon(std::string_view key) {
    // The TTL's own effect is not what the caller checks: dropped.
    Cmd("PEXPIRE " + std::string(key) + " 1");
    Take();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  // Replays a stream as the append-only file loader does: loading, expiry
  // paused, every command through Dispatch.
  static void Replay(CommandRunner& target, std::string_view stream) {
    ServerState& s = target.server();
    s.loading = true;
    for (auto& db : s.dbs()) db.set_expiry_paused(true);
    Client& loader = target.AddClient();
    for (const Command& c : ParseStream(stream)) target.RunOn(loader, c);
    s.loading = false;
    for (auto& db : s.dbs()) db.set_expiry_paused(false);
  }

  std::string captured_;
};

// ---------------------------------------------------------------------------
// RESTORE

// A DUMP payload of the string `s`.
std::string StringPayload(std::string_view s) {
  storage::Value v;
  v.SetString(s);
  return storage::RdbDumpPayload(v, true);
}

TEST_F(PropagateTest, RestoreRecordsAnAbsoluteTtl) {
  const std::string p = StringPayload("hello");
  EXPECT_EQ(Run({"RESTORE", "a", "0", p}), "+OK\r\n");
  EXPECT_EQ(Run({"RESTORE", "b", "100000", p}), "+OK\r\n");
  EXPECT_EQ(Run({"restore", "c", "99999999999999", p, "absttl"}), "+OK\r\n");
  EXPECT_EQ(Run({"RESTORE", "a", "0", p}), "-BUSYKEY Target key name already exists.\r\n");
  ExpectEffects({{"SELECT", "0"},
                 {"RESTORE", "a", "0", p},
                 {"RESTORE", "b", "~100000", p, "ABSTTL"},
                 {"restore", "c", "99999999999999", p, "absttl"}});
}

TEST_F(PropagateTest, RestoreInThePastDeletesOrRecordsNothing) {
  const std::string p = StringPayload("hello");
  Cmd("SET k v");
  Take();
  EXPECT_EQ(Run({"RESTORE", "k", "1", p, "ABSTTL", "REPLACE"}), "+OK\r\n");
  EXPECT_FALSE(Exists("k"));
  EXPECT_EQ(Run({"RESTORE", "k", "1", p, "ABSTTL"}), "+OK\r\n");
  EXPECT_FALSE(Exists("k"));
  ExpectEffects({{"DEL", "k"}});  // (SELECT went out with the SET)
}

// ---------------------------------------------------------------------------
// Strings

TEST_F(PropagateTest, SetWithExpiryBecomesPxat) {
  Cmd("SET a 1 EX 100");
  Cmd("SET b 1 PX 100000 GET");
  Cmd("SET c 1 EXAT 99999999999");
  Cmd("set d 1 pxat 99999999999999");
  Cmd("set e 1 nx ex 100");
  Cmd("SETEX f 100 v");
  Cmd("PSETEX g 100000 v");
  ExpectEffects({{"SELECT", "0"},
                 {"SET", "a", "1", "PXAT", "~100000"},
                 {"SET", "b", "1", "PXAT", "~100000"},
                 {"SET", "c", "1", "PXAT", "99999999999000"},
                 {"SET", "d", "1", "PXAT", "99999999999999"},
                 {"SET", "e", "1", "PXAT", "~100000"},
                 {"SET", "f", "v", "PXAT", "~100000"},
                 {"SET", "g", "v", "PXAT", "~100000"}});
}

TEST_F(PropagateTest, SetDropsGetAndSkippedSetsRecordNothing) {
  Cmd("set k v");
  Cmd("set k 2 xx keepttl get");
  Cmd("set k 3 GET get");
  Cmd("set k 4 nx");
  Cmd("set k 4 nx ex 10");
  Cmd("set k2 4 xx get");
  Cmd("GETSET k 5");
  Cmd("getset k 6");
  ExpectEffects({{"SELECT", "0"},
                 {"set", "k", "v"},
                 {"set", "k", "2", "xx", "keepttl"},
                 {"set", "k", "3"},
                 {"SET", "k", "5"},
                 {"SET", "k", "6"}});
}

TEST_F(PropagateTest, GetExRecordsAbsoluteTimePersistOrDel) {
  Cmd("SET k v");
  Take();
  Cmd("GETEX k EX 100");
  Cmd("GETEX k PX 100000");
  Cmd("GETEX k EXAT 99999999999");
  Cmd("getex k pxat 99999999999999");
  Cmd("GETEX k PERSIST");
  Cmd("GETEX k PERSIST");  // no TTL: nothing changes
  Cmd("GETEX k");
  Cmd("GETEX nokey EX 10");
  Cmd("GETEX k EX 0");  // an error
  Cmd("GETEX k PXAT 1");
  Cmd("SET k v");
  server().config().lazyfree_lazy_expire = true;
  Cmd("GETEX k EXAT 1");
  ExpectEffects({{"PEXPIREAT", "k", "~100000"},
                 {"PEXPIREAT", "k", "~100000"},
                 {"PEXPIREAT", "k", "99999999999000"},
                 {"PEXPIREAT", "k", "99999999999999"},
                 {"PERSIST", "k"},
                 {"DEL", "k"},
                 {"SET", "k", "v"},
                 {"UNLINK", "k"}});
  EXPECT_EQ(Cmd("EXISTS k"), ":0\r\n");
}

TEST_F(PropagateTest, GetDelIsDelOrUnlink) {
  Cmd("GETDEL k");
  ExpectNothing();
  Cmd("SET k v");
  Cmd("GETDEL k");
  server().config().lazyfree_lazy_user_del = true;
  Cmd("SET k v");
  Cmd("GETDEL k");
  ExpectEffects(
      {{"SELECT", "0"}, {"SET", "k", "v"}, {"DEL", "k"}, {"SET", "k", "v"}, {"UNLINK", "k"}});
}

TEST_F(PropagateTest, FloatIncrementsRecordTheResult) {
  Cmd("set fl 1");
  Cmd("INCRBYFLOAT fl 2.5");
  Cmd("incrbyfloat fl2 3");
  Cmd("incrbyfloat fl 1e2");
  Cmd("RPUSH l a");
  Cmd("INCRBYFLOAT l 1");   // WRONGTYPE
  Cmd("INCRBYFLOAT fl x");  // not a float
  Cmd("HSET h f 1");
  Cmd("HINCRBYFLOAT h f 1.5");
  Cmd("hincrbyfloat h g 2");
  Cmd("HINCRBYFLOAT h f 1e3");
  Cmd("HINCRBY h i 5");
  ExpectEffects({{"SELECT", "0"},
                 {"set", "fl", "1"},
                 {"SET", "fl", "3.5", "KEEPTTL"},
                 {"SET", "fl2", "3", "KEEPTTL"},
                 {"SET", "fl", "103.5", "KEEPTTL"},
                 {"RPUSH", "l", "a"},
                 {"HSET", "h", "f", "1"},
                 {"HSET", "h", "f", "2.5"},
                 {"HSET", "h", "g", "2"},
                 {"HSET", "h", "f", "1002.5"},
                 {"HINCRBY", "h", "i", "5"}});
}

// ---------------------------------------------------------------------------
// EXPIRE family

TEST_F(PropagateTest, ExpireFamilyBecomesPexpireatWithOptionsAsSent) {
  Cmd("SET k v");
  Take();
  Cmd("EXPIRE k 100");
  Cmd("pexpire k 100000");
  Cmd("EXPIREAT k 99999999999");
  Cmd("pexpireat k 99999999999999");
  Cmd("expire k 100 nx");  // has a TTL: not set
  Cmd("expire k 200 xx");
  Cmd("expire k 50 gt");  // not greater
  Cmd("expire k 50 lt");
  Cmd("pexpire k 40000 LT xx");
  Cmd("expire nokey 10");
  Cmd("expire k abc");
  ExpectEffects({{"PEXPIREAT", "k", "~100000"},
                 {"PEXPIREAT", "k", "~100000"},
                 {"PEXPIREAT", "k", "99999999999000"},
                 {"pexpireat", "k", "99999999999999"},
                 {"PEXPIREAT", "k", "~200000", "xx"},
                 {"PEXPIREAT", "k", "~50000", "lt"},
                 {"PEXPIREAT", "k", "~40000", "LT", "xx"}});
}

TEST_F(PropagateTest, ExpireInThePastDeletes) {
  Cmd("SET k v");
  Cmd("EXPIRE k -1");
  Cmd("SET k v");
  Cmd("PEXPIRE k 0");
  Cmd("SET k v");
  Cmd("EXPIREAT k 1");
  Cmd("SET k v");
  Cmd("PEXPIREAT k 1 xx");  // no TTL: XX fails
  server().config().lazyfree_lazy_expire = true;
  Cmd("PEXPIREAT k 1");
  ExpectEffects({{"SELECT", "0"},
                 {"SET", "k", "v"},
                 {"DEL", "k"},
                 {"SET", "k", "v"},
                 {"DEL", "k"},
                 {"SET", "k", "v"},
                 {"DEL", "k"},
                 {"SET", "k", "v"},
                 {"UNLINK", "k"}});
}

// Redis's checkAlreadyExpired is false while loading: the TTL is set and
// the key stays until something expires it after loading.
TEST_F(PropagateTest, PastTimesWhileLoadingSetTheTtl) {
  prop().set_enabled(false);
  Cmd("SET k v");
  Cmd("SET g v");
  server().loading = true;
  for (auto& db : server().dbs()) db.set_expiry_paused(true);
  EXPECT_EQ(Cmd("EXPIRE k -1"), ":1\r\n");
  EXPECT_EQ(Cmd("GETEX g PXAT 1"), "$1\r\nv\r\n");
  EXPECT_EQ(Cmd("EXISTS k g"), ":2\r\n");
  EXPECT_EQ(Cmd("PEXPIRETIME g"), ":1\r\n");
  server().loading = false;
  for (auto& db : server().dbs()) db.set_expiry_paused(false);
  EXPECT_EQ(Cmd("EXISTS k g"), ":0\r\n");
}

// ---------------------------------------------------------------------------
// SPOP

TEST_F(PropagateTest, SpopRecordsSremOfWhatWasPopped) {
  Cmd("SADD s a b c d e");
  Take();
  const std::string one = Flat(Cmd("SPOP s"))[0];
  ExpectEffects({{"SREM", "s", one}});
  Cmd("SPOP s 0");
  Cmd("SPOP nos");
  Cmd("SPOP nos 3");
  ExpectNothing();
  const std::vector<std::string> two = Flat(Cmd("SPOP s 2"));
  ASSERT_EQ(two.size(), 2u);
  // One SREM per member, as Redis 7.0 (7.2 batches them), in one MULTI.
  ExpectEffects({{"MULTI"}, {"SREM", "s", two[0]}, {"SREM", "s", two[1]}, {"EXEC"}});
  const std::string last1 = Flat(Cmd("SPOP s 1"))[0];
  ExpectEffects({{"SREM", "s", last1}});
  Cmd("SPOP s 10");  // the whole set
  ExpectEffects({{"DEL", "s"}});
  Cmd("SADD s2 a");
  Cmd("SPOP s2");
  ExpectEffects({{"SADD", "s2", "a"}, {"SREM", "s2", "a"}});
}

// ---------------------------------------------------------------------------
// Lists and sorted sets: blocking forms and MPOP

TEST_F(PropagateTest, ListPopsRecordNonBlockingForms) {
  Cmd("rpush l a b c d e f g");
  Take();
  Cmd("BLPOP nol l 0");
  Cmd("brpop l 0");
  Cmd("blmove l l2 left RIGHT 0");
  Cmd("BRPOPLPUSH l l2 0");
  Cmd("LMPOP 2 nol l left COUNT 2");
  Cmd("BLMPOP 0 2 nol l right count 5");
  Cmd("RPUSH l a b c");
  Cmd("LMPOP 1 l LEFT");
  Cmd("lpop l 5");
  Cmd("rpop nol");
  Cmd("LMPOP 1 nol LEFT");
  Cmd("lmove l2 l2 left right");
  ExpectEffects({{"LPOP", "l"},
                 {"RPOP", "l"},
                 {"LMOVE", "l", "l2", "left", "RIGHT"},
                 {"RPOPLPUSH", "l", "l2"},
                 {"LPOP", "l", "2"},
                 {"RPOP", "l", "1"},
                 {"RPUSH", "l", "a", "b", "c"},
                 {"LPOP", "l", "1"},
                 {"lpop", "l", "5"},
                 {"lmove", "l2", "l2", "left", "right"}});
}

TEST_F(PropagateTest, ZsetPopsRecordZpop) {
  Cmd("zadd z 1 a 2 b 3 c");
  Take();
  Cmd("BZPOPMAX z 0");
  Cmd("bzpopmin z nokey 0");
  Cmd("ZMPOP 1 z MIN");
  Cmd("zadd z 1 a 2 b 3 c");
  Cmd("ZMPOP 1 z max count 10");
  Cmd("zadd z 1 a 2 b 3 c");
  Cmd("BZMPOP 0 1 z MIN COUNT 2");
  Cmd("zpopmin z 5");
  Cmd("ZMPOP 1 nokey MIN");
  Cmd("zpopmax nokey");
  ExpectEffects({{"ZPOPMAX", "z"},
                 {"ZPOPMIN", "z"},
                 {"ZPOPMIN", "z", "1"},
                 {"zadd", "z", "1", "a", "2", "b", "3", "c"},
                 {"ZPOPMAX", "z", "3"},
                 {"zadd", "z", "1", "a", "2", "b", "3", "c"},
                 {"ZPOPMIN", "z", "2"},
                 {"zpopmin", "z", "5"}});
}

TEST_F(PropagateTest, BlockedClientsServedLaterRecordTheirPop) {
  Client& b1 = runner_.AddClient();
  Client& b2 = runner_.AddClient();
  Client& b3 = runner_.AddClient();
  Client& b4 = runner_.AddClient();
  Client& b5 = runner_.AddClient();
  EXPECT_EQ(On(b1, "BLPOP q1 0"), "");
  EXPECT_EQ(On(b2, "BLMPOP 0 1 q2 RIGHT COUNT 3"), "");
  EXPECT_EQ(On(b3, "BLMOVE q3 dst right left 0"), "");
  EXPECT_EQ(On(b4, "BZPOPMIN z1 0"), "");
  EXPECT_EQ(On(b5, "BZMPOP 0 1 z2 MAX COUNT 3"), "");
  ExpectNothing();
  Cmd("rpush q1 a b");
  Cmd("rpush q2 a b");
  Cmd("rpush q3 a b");
  Cmd("zadd z1 1 a 2 b");
  Cmd("zadd z2 1 a 2 b");
  EXPECT_EQ(server().blocking().blocked_clients(), 0u);
  // Each served pop is its own batch after the push (no MULTI), as Redis.
  ExpectEffects({{"SELECT", "0"},
                 {"rpush", "q1", "a", "b"},
                 {"LPOP", "q1"},
                 {"rpush", "q2", "a", "b"},
                 {"RPOP", "q2", "2"},
                 {"rpush", "q3", "a", "b"},
                 {"LMOVE", "q3", "dst", "right", "left"},
                 {"zadd", "z1", "1", "a", "2", "b"},
                 {"ZPOPMIN", "z1"},
                 {"zadd", "z2", "1", "a", "2", "b"},
                 {"ZPOPMAX", "z2", "2"}});
  // A timeout records nothing.
  EXPECT_EQ(On(b1, "BLPOP q9 1"), "");
  server().blocking().HandleTimeouts(ServerState::NowMs() + 5000);
  EXPECT_EQ(b1.out(), "*-1\r\n");
  ExpectNothing();
}

TEST_F(PropagateTest, BlockingCommandOnExpiredKeyRecordsOnlyTheDel) {
  Cmd("RPUSH l a");
  ExpireSoon("l");
  Take();
  Client& b = runner_.AddClient();
  EXPECT_EQ(On(b, "BLPOP l 0"), "");
  ExpectEffects({{"DEL", "l"}});
  Cmd("RPUSH l x");
  ExpectEffects({{"RPUSH", "l", "x"}, {"LPOP", "l"}});
}

// ---------------------------------------------------------------------------
// MULTI/EXEC, SELECT, lazy expiry

TEST_F(PropagateTest, ExecRecordsItsCommandsWrappedWhenMoreThanOne) {
  Cmd("MULTI");
  Cmd("SET a 1");
  Cmd("EXEC");
  ExpectEffects({{"SELECT", "0"}, {"SET", "a", "1"}});
  Cmd("MULTI");
  Cmd("GET a");
  Cmd("EXEC");
  ExpectNothing();
  Cmd("MULTI");
  Cmd("SET a 1");
  Cmd("INCR a");
  Cmd("EXEC");
  ExpectEffects({{"MULTI"}, {"SET", "a", "1"}, {"INCR", "a"}, {"EXEC"}});
  Cmd("SADD s m");
  Take();
  Cmd("MULTI");
  Cmd("SPOP s");
  Cmd("EXPIRE a 100");
  Cmd("BLPOP nolist 0");  // never blocks inside EXEC, records nothing
  Cmd("EXEC");
  ExpectEffects({{"MULTI"}, {"SREM", "s", "m"}, {"PEXPIREAT", "a", "~100000"}, {"EXEC"}});
}

TEST_F(PropagateTest, SelectIsEmittedWhenTheDbChanges) {
  Cmd("SELECT 1");
  Cmd("SET a 1");
  Cmd("SET b 1");
  Cmd("SELECT 0");
  Cmd("SET c 1");
  ExpectEffects(
      {{"SELECT", "1"}, {"SET", "a", "1"}, {"SET", "b", "1"}, {"SELECT", "0"}, {"SET", "c", "1"}});
  // Inside a transaction the SELECT leading the batch stays before MULTI.
  Cmd("MULTI");
  Cmd("SELECT 3");
  Cmd("SET a 1");
  Cmd("SELECT 0");
  Cmd("SET b 1");
  Cmd("EXEC");
  ExpectEffects({{"SELECT", "3"},
                 {"MULTI"},
                 {"SET", "a", "1"},
                 {"SELECT", "0"},
                 {"SET", "b", "1"},
                 {"EXEC"}});
  Cmd("SELECT 5");
  Cmd("SET c 1");
  Cmd("MULTI");
  Cmd("SET c 2");
  Cmd("SELECT 0");
  Cmd("EXEC");
  Cmd("SET d 1");
  ExpectEffects(
      {{"SELECT", "5"}, {"SET", "c", "1"}, {"SET", "c", "2"}, {"SELECT", "0"}, {"SET", "d", "1"}});
}

TEST_F(PropagateTest, LazyExpiryDelComesFirst) {
  Cmd("RPUSH le a b");
  ExpireSoon("le");
  Take();
  Cmd("rpush le c");
  ExpectEffects({{"MULTI"}, {"DEL", "le"}, {"rpush", "le", "c"}, {"EXEC"}});
  Cmd("SET le2 v");
  ExpireSoon("le2");
  Take();
  Cmd("GET le2");
  ExpectEffects({{"DEL", "le2"}});
  Cmd("SET le3 v");
  ExpireSoon("le3");
  Take();
  Cmd("EXPIRE le3 100");  // on a missing key: only the deletion
  ExpectEffects({{"DEL", "le3"}});
  server().config().lazyfree_lazy_expire = true;
  Cmd("SET le4 v");
  ExpireSoon("le4");
  Take();
  Cmd("GETEX le4 PERSIST");
  ExpectEffects({{"UNLINK", "le4"}});
}

// ---------------------------------------------------------------------------
// Scripts and functions

TEST_F(PropagateTest, ScriptsPropagateTheirEffects) {
  Run({"EVAL", "return redis.call('set','x','1')", "0"});
  ExpectEffects({{"SELECT", "0"}, {"set", "x", "1"}});
  Run({"EVAL", "redis.call('set','x','1'); return redis.call('incr','x')", "0"});
  ExpectEffects({{"MULTI"}, {"set", "x", "1"}, {"incr", "x"}, {"EXEC"}});
  Run({"EVAL", "return redis.call('get','x')", "0"});
  Run({"EVAL_RO", "return redis.call('get','x')", "0"});
  ExpectNothing();
  Run({"EVAL", "redis.call('set','y','1','ex','100'); return redis.call('spop','s9')", "0"});
  ExpectEffects({{"SET", "y", "1", "PXAT", "~100000"}});
  Cmd("SADD s m");
  Take();
  const std::string sha = Flat(
      Run({"SCRIPT", "LOAD",
           "redis.call('spop', KEYS[1]); return redis.call('incrbyfloat', KEYS[2], '1.5')"}))[0];
  Cmd("SCRIPT FLUSH");
  ExpectNothing();
  Run({"SCRIPT", "LOAD",
       "redis.call('spop', KEYS[1]); return redis.call('incrbyfloat', KEYS[2], '1.5')"});
  Run({"EVALSHA", sha, "2", "s", "f"});
  ExpectEffects({{"MULTI"}, {"SREM", "s", "m"}, {"SET", "f", "1.5", "KEEPTTL"}, {"EXEC"}});
}

TEST_F(PropagateTest, FunctionsLoadDeleteFlushAreRecordedAsSent) {
  const std::string code =
      "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return "
      "redis.call('set', keys[1], args[1]) end)";
  Run({"function", "load", code});
  Run({"FUNCTION", "LOAD", code});  // exists: an error
  Cmd("fcall f1 1 fk fv");
  Cmd("FCALL_RO f1 1 fk fv");  // a write in a read-only call: an error
  Cmd("function delete mylib");
  Cmd("function delete mylib");  // not found
  Cmd("FUNCTION FLUSH");
  Cmd("function flush async");
  Cmd("FUNCTION FLUSH bad");
  Cmd("FUNCTION LIST");
  ExpectEffects({{"SELECT", "0"},
                 {"function", "load", code},
                 {"set", "fk", "fv"},
                 {"function", "delete", "mylib"},
                 {"FUNCTION", "FLUSH"},
                 {"function", "flush", "async"}});
}

// ---------------------------------------------------------------------------
// FLUSHALL, FLUSHDB, SWAPDB

TEST_F(PropagateTest, FlushAndSwapAreRecordedEvenWhenNothingChanges) {
  Cmd("FLUSHALL");
  Cmd("flushall");
  Cmd("FLUSHDB");
  Cmd("flushdb async");
  Cmd("FLUSHDB bad");
  Cmd("SELECT 3");
  Cmd("flushdb");
  Cmd("SELECT 0");
  Cmd("swapdb 0 1");
  Cmd("SWAPDB 0 0");
  Cmd("SWAPDB 0 99");
  ExpectEffects({{"SELECT", "0"},
                 {"FLUSHALL"},
                 {"flushall"},
                 {"FLUSHDB"},
                 {"flushdb", "async"},
                 {"SELECT", "3"},
                 {"flushdb"},
                 {"SELECT", "0"},
                 {"swapdb", "0", "1"},
                 {"SWAPDB", "0", "0"}});
}

// ---------------------------------------------------------------------------
// Geo

TEST_F(PropagateTest, GeoAddIsRecordedAsZaddAndStoresVerbatim) {
  // As redis-server 7.0.15 wrote them to appendonly.aof.
  Cmd("GEOADD k 13.361389 38.115556 Palermo 15.087269 37.502669 Catania");
  Cmd("GEOADD k 13.361389 38.115556 Palermo");  // no change: nothing
  Cmd("GEOADD k xx CH 1 2 Palermo");
  Cmd("GEOADD k NX 1 2 Palermo");               // skipped: nothing
  Cmd("GEOADD k 200 100 bad");                  // error: nothing
  Cmd("GEOSEARCHSTORE d k FROMLONLAT 1 2 BYRADIUS 10 km");
  Cmd("GEORADIUS k 1 2 10 km STORE d2");
  Cmd("GEOSEARCH k FROMLONLAT 1 2 BYRADIUS 10 km");  // a read: nothing
  Cmd("GEOSEARCHSTORE d nokey FROMLONLAT 1 1 BYRADIUS 10 km");  // deletes d
  Cmd("GEOSEARCHSTORE d nokey FROMLONLAT 1 1 BYRADIUS 10 km");  // nothing to delete
  ExpectEffects({{"SELECT", "0"},
                 {"zadd", "k", "3479099956230698", "Palermo", "3479447370796909", "Catania"},
                 {"zadd", "k", "xx", "CH", "3378080408407459", "Palermo"},
                 {"GEOSEARCHSTORE", "d", "k", "FROMLONLAT", "1", "2", "BYRADIUS", "10", "km"},
                 {"GEORADIUS", "k", "1", "2", "10", "km", "STORE", "d2"},
                 {"GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", "1", "1", "BYRADIUS", "10", "km"}});
}

TEST_F(PropagateTest, GeoAddInsideMultiAndScriptsIsAZadd) {
  // As redis-server 7.0.15 wrote them: a transaction with one effect is
  // recorded without MULTI/EXEC, a script's effects are wrapped.
  Cmd("MULTI");
  Cmd("GEOADD mg 1 1 a");
  Cmd("GEOADD mg 1 1 a");
  Cmd("EXEC");
  Run({"EVAL", "redis.call('GEOADD', KEYS[1], 2, 2, 'b') return redis.call('GEOADD', KEYS[1], 'CH', 3, 3, 'b')",
       "1", "mg"});
  ExpectEffects({{"SELECT", "0"},
                 {"zadd", "mg", "3377822707026402", "a"},
                 {"MULTI"},
                 {"zadd", "mg", "3378191666521995", "b"},
                 {"zadd", "mg", "CH", "3379368329318596", "b"},
                 {"EXEC"}});
}

TEST_F(PropagateTest, SortStoreIsRecordedVerbatim) {
  // As redis-server 7.0.15 wrote them to appendonly.aof.
  Cmd("RPUSH l 3 1 2");
  Take();
  Cmd("SORT l");                 // a read: nothing
  Cmd("SORT l STORE dst");
  Cmd("SORT l LIMIT 0 0 STORE dst");  // deletes dst
  Cmd("SORT l LIMIT 0 0 STORE dst");  // nothing to delete: nothing
  ExpectEffects({{"SORT", "l", "STORE", "dst"}, {"SORT", "l", "LIMIT", "0", "0", "STORE", "dst"}});
}

// ---------------------------------------------------------------------------
// GRAB.*

TEST_F(PropagateTest, GrabPopAndUndoRecordPlainCommands) {
  Cmd("RPUSH stock c1 c2");
  Take();
  Cmd("GRAB.POP stock claims u1 OUTBOX ob");
  const std::string entry = Flat(Cmd("LINDEX ob -1"))[0];
  ExpectEffects({{"MULTI"},
                 {"LPOP", "stock"},
                 {"HSET", "claims", "u1", "c1"},
                 {"RPUSH", "ob", entry},
                 {"EXEC"}});
  Cmd("GRAB.POP stock claims u1 OUTBOX ob");  // a retry: the same answer
  ExpectNothing();
  Cmd("GRAB.POP stock claims u2");
  ExpectEffects({{"MULTI"}, {"LPOP", "stock"}, {"HSET", "claims", "u2", "c2"}, {"EXEC"}});
  EXPECT_EQ(Cmd("EXISTS stock"), ":0\r\n");
  Cmd("GRAB.POP stock claims u3");  // sold out
  Cmd("GRAB.POP stock claims u3 BAD");
  ExpectNothing();
  Cmd("GRAB.UNDO stock claims u1");
  ExpectEffects({{"MULTI"}, {"HDEL", "claims", "u1"}, {"LPUSH", "stock", "c1"}, {"EXEC"}});
  Cmd("GRAB.UNDO stock claims u1");
  ExpectNothing();
  Cmd("GRAB.UNDO stock claims u2 OUTBOX ob");
  const std::string undo = Flat(Cmd("LINDEX ob -1"))[0];
  ExpectEffects({{"MULTI"},
                 {"HDEL", "claims", "u2"},
                 {"LPUSH", "stock", "c2"},
                 {"RPUSH", "ob", undo},
                 {"EXEC"}});
}

TEST_F(PropagateTest, GrabTakeAndUntakeRecordCounters) {
  Cmd("SET cnt 10");
  Take();
  Cmd("GRAB.TAKE cnt tk u1 COUNT 3");
  ExpectEffects({{"MULTI"}, {"DECRBY", "cnt", "3"}, {"HSET", "tk", "u1", "3"}, {"EXEC"}});
  Cmd("GRAB.TAKE cnt tk u1 COUNT 3");   // replay
  Cmd("GRAB.TAKE cnt tk u9 COUNT 30");  // not enough
  ExpectNothing();
  Cmd("GRAB.UNTAKE cnt tk u1 OUTBOX ob");
  const std::string entry = Flat(Cmd("LINDEX ob -1"))[0];
  ExpectEffects(
      {{"MULTI"}, {"HDEL", "tk", "u1"}, {"INCRBY", "cnt", "3"}, {"RPUSH", "ob", entry}, {"EXEC"}});
  Cmd("GRAB.UNTAKE cnt tk u1");
  ExpectNothing();
  EXPECT_EQ(Cmd("GET cnt"), "$2\r\n10\r\n");
}

TEST_F(PropagateTest, GrabSplitRecordsTheSharesInChunks) {
  Cmd("GRAB.SPLIT env 100000 2500 SEED 7");
  const std::vector<std::string> shares = Flat(Cmd("LRANGE env 0 -1"));
  ASSERT_EQ(shares.size(), 2500u);
  std::vector<Command> expected = {{"SELECT", "0"}, {"MULTI"}};
  for (size_t from = 0; from < shares.size(); from += 1024) {
    Command c = {"RPUSH", "env"};
    for (size_t i = from; i < std::min(shares.size(), from + 1024); ++i) c.push_back(shares[i]);
    expected.push_back(std::move(c));
  }
  expected.push_back({"EXEC"});
  ExpectEffects(expected);
  Cmd("GRAB.SPLIT env 100 2");  // exists: an error
  ExpectNothing();
  Cmd("GRAB.SPLIT small 10 3 SEED 1");
  const std::vector<std::string> s = Flat(Cmd("LRANGE small 0 -1"));
  ExpectEffects({{"RPUSH", "small", s[0], s[1], s[2]}});
}

// ---------------------------------------------------------------------------
// Replay: the captured stream rebuilds the same keyspace.

// Every key of every db with its type, absolute TTL and content.
std::map<std::string, std::string> Snapshot(CommandRunner& r) {
  std::map<std::string, std::string> out;
  Client& c = r.AddClient();
  const int dbs = static_cast<int>(r.server().dbs().size());
  for (int db = 0; db < dbs; ++db) {
    r.RunOn(c, {"SELECT", std::to_string(db)});
    for (const std::string& key : Flat(r.RunOn(c, {"KEYS", "*"}))) {
      const std::string type = Flat(r.RunOn(c, {"TYPE", key}))[0];
      std::string desc = type + " ttl=" + Flat(r.RunOn(c, {"PEXPIRETIME", key}))[0] + " :";
      std::vector<std::string> items;
      if (type == "string") {
        items = Flat(r.RunOn(c, {"GET", key}));
      } else if (type == "list") {
        items = Flat(r.RunOn(c, {"LRANGE", key, "0", "-1"}));
      } else if (type == "set") {
        items = Flat(r.RunOn(c, {"SMEMBERS", key}));
        std::sort(items.begin(), items.end());
      } else if (type == "hash") {
        std::vector<std::string> flat = Flat(r.RunOn(c, {"HGETALL", key}));
        for (size_t i = 0; i + 1 < flat.size(); i += 2)
          items.push_back(flat[i] + "=" + flat[i + 1]);
        std::sort(items.begin(), items.end());
      } else if (type == "zset") {
        items = Flat(r.RunOn(c, {"ZRANGE", key, "0", "-1", "WITHSCORES"}));
      }
      for (const std::string& i : items) desc += " " + i;
      out[std::to_string(db) + ":" + key] = desc;
    }
  }
  return out;
}

TEST_F(PropagateTest, ReplayOfARandomWorkloadRebuildsTheKeyspace) {
  std::mt19937 rng(20240611);
  auto pick = [&rng](std::initializer_list<const char*> options) {
    std::uniform_int_distribution<size_t> d(0, options.size() - 1);
    return std::string(options.begin()[d(rng)]);
  };
  auto num = [&rng](int lo, int hi) {
    return std::to_string(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  runner_.Run({"FUNCTION", "LOAD",
          "#!lua name=lib\nredis.register_function('popinc', function(keys, args) "
          "redis.call('spop', keys[1]); return redis.call('hincrbyfloat', keys[2], 'f', args[1]) "
          "end)"});
  // Blocking commands run on their own client; one that blocks is served
  // at once by `serve` from the main client.
  Client& blocker = runner_.AddClient();
  auto blocking = [&](const std::string& cmd, const std::string& serve) {
    On(blocker, cmd);
    if (server().blocking().IsBlocked(blocker)) Cmd(serve);
    EXPECT_FALSE(server().blocking().IsBlocked(blocker)) << cmd;
  };
  for (int step = 0; step < 3000; ++step) {
    const std::string s = "s" + num(0, 2), l = "l" + num(0, 2), z = "z" + num(0, 1),
                      k = "k" + num(0, 4), h = "h" + num(0, 1);
    switch (std::uniform_int_distribution<int>(0, 27)(rng)) {
      case 0:
        Cmd("SADD " + s + " " + num(0, 40) + " " + num(0, 40) + " m" + num(0, 9));
        break;
      case 1:
        Cmd("SPOP " + s + (rng() % 2 ? "" : " " + num(0, 6)));
        break;
      case 2:
        Cmd("RPUSH " + l + " " + num(0, 99) + " " + num(0, 99));
        break;
      case 3:
        blocking(pick({"BLPOP ", "BRPOP "}) + l + " " + l + "x 0", "RPUSH " + l + " 5 6");
        break;
      case 4:
        blocking("BLMPOP 0 2 " + l + " l9 " + pick({"LEFT", "RIGHT"}) + " COUNT " + num(1, 4),
                 "RPUSH l9 " + num(0, 9));
        break;
      case 5:
        blocking("BLMOVE " + l + " l" + num(0, 2) + " " + pick({"LEFT RIGHT", "RIGHT LEFT"}) + " 0",
                 "LPUSH " + l + " " + num(0, 9));
        break;
      case 6:
        Cmd("SET " + k + " " + num(0, 9) + " " +
            pick({"EX 100", "PX 50000", "EXAT 99999999999", "KEEPTTL GET", "NX PX 1", "XX"}));
        break;
      case 7:
        Cmd("SETEX " + k + " " + num(10, 1000) + " v");
        break;
      case 8:
        Cmd("GETEX " + k + " " + pick({"EX 200", "PXAT 1", "PERSIST", "PXAT 99999999999999"}));
        break;
      case 9:
        Cmd(pick({"EXPIRE ", "PEXPIRE ", "EXPIREAT ", "PEXPIREAT "}) + k + " " +
            pick({"100", "-5", "300000", "99999999999"}) + " " + pick({"GT", "LT", "XX", "NX"}));
        break;
      case 10:
        Cmd(pick({"EXPIRE ", "PEXPIRE "}) + h + " " + num(1000, 5000));
        break;
      case 11:
        Cmd("INCRBYFLOAT f" + num(0, 1) + " " + pick({"0.1", "1.5", "-2.25", "3e2"}));
        break;
      case 12:
        Cmd("HINCRBYFLOAT " + h + " " + pick({"a", "b"}) + " " + pick({"0.3", "1e-2", "7"}));
        break;
      case 13:
        Cmd("ZADD " + z + " " + num(0, 9) + " a" + num(0, 9) + " " + num(0, 9) + " b" + num(0, 9));
        break;
      case 14:
        blocking(pick({"BZPOPMIN ", "BZPOPMAX "}) + z + " 0", "ZADD " + z + " 5 q");
        break;
      case 15:
        Cmd("ZMPOP 1 " + z + " " + pick({"MIN", "MAX"}) + " COUNT " + num(1, 3));
        break;
      case 16:
        Cmd("MULTI");
        Cmd("SELECT " + num(0, 2));
        Cmd("SPOP " + s);
        Cmd("SET " + k + " v EX 500");
        Cmd("BLPOP " + l + " 0");
        Cmd("SELECT 0");
        Cmd("EXEC");
        break;
      case 17:
        Run({"EVAL",
             "redis.call('spop', KEYS[1]); redis.call('set', KEYS[2], 'e', 'px', '90000'); return "
             "redis.call('incrbyfloat', KEYS[3], '0.5')",
             "3", s, k, "f2"});
        break;
      case 18:
        Cmd("FCALL popinc 2 " + s + " " + h + " 1.25");
        break;
      case 19:
        Cmd("RPUSH stock c" + num(0, 99));
        break;
      case 20:
        Cmd("GRAB.POP stock claims u" + num(0, 9) + " OUTBOX ob");
        break;
      case 21:
        Cmd("GRAB.UNDO stock claims u" + num(0, 9) + (rng() % 2 ? " OUTBOX ob" : ""));
        break;
      case 22:
        Cmd("INCRBY cnt " + num(0, 5));
        Cmd("GRAB.TAKE cnt taken u" + num(0, 9) + " COUNT " + num(1, 3));
        break;
      case 23:
        Cmd("GRAB.UNTAKE cnt taken u" + num(0, 9) + " OUTBOX ob");
        break;
      case 24:
        Cmd("GRAB.SPLIT env" + num(0, 20) + " " + num(100, 5000) + " " + num(1, 50));
        break;
      case 25:
        Cmd(pick({"GETDEL ", "GETSET ", "PERSIST "}) + k + (rng() % 3 == 0 ? "" : " x"));
        break;
      case 26:
        blocking("BZMPOP 0 1 " + z + " MAX COUNT 2", "ZADD " + z + " 1 x 2 y 3 z");
        break;
      case 27:
        // Keys that expire now: their lazy deletions are recorded.
        Cmd("SET " + k + " t PX 1");
        Cmd("PEXPIRE " + l + " 1");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        if (rng() % 20 == 0) Cmd(pick({"SWAPDB 0 1", "FLUSHDB", "SWAPDB 1 2"}));
        break;
    }
  }
  ASSERT_EQ(server().blocking().blocked_clients(), 0u);
  // Let the 1 ms TTLs of the last steps pass: both snapshots then agree.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string stream = Take();
  prop().set_enabled(false);

  CommandRunner b;
  Replay(b, stream);
  const auto want = Snapshot(runner_);
  const auto got = Snapshot(b);
  EXPECT_GT(want.size(), 10u);
  EXPECT_EQ(got, want);
  // Functions came along too.
  EXPECT_EQ(b.Cmd("FUNCTION LIST LIBRARYNAME lib").find("popinc") != std::string::npos, true);
}

}  // namespace
}  // namespace grabkv
