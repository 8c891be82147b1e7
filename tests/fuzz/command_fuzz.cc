// libFuzzer target: sequences of commands from three clients, run in-process
// (ServerState + Clients without sockets, through server::Dispatch, as
// tests/command_test_util.h does) against one fresh ServerState per input.
//
// Decoding (the input format is described above LLVMFuzzerTestOneInput):
// per command, the client (0-2), the command (an index into the server's
// own command table, subcommands included, so new commands are fuzzed
// without touching this file), the number of
// arguments, and each argument: a key k0..k3, a token from a dictionary of
// interesting values (numbers incl. huge/negative/float/inf/nan, options,
// range syntax, config names, command names for scripts' redis.call, ...)
// or raw bytes. EVAL bodies and FUNCTION LOAD libraries come from a fixed
// set of scripts (see kScripts) so that no input can loop forever in Lua.
//
// After every command the harness checks:
//   - every client's output is well-formed RESP (RESP3 types only for a
//     client speaking RESP3), and the caller got exactly one reply (push
//     frames aside) unless it subscribed, blocked or turned replies off;
//   - a blocked client got nothing yet;
//   - when the keyspace changed: a checker client (not registered, so the
//     fuzzed clients cannot kill it) cross-checks what the commands report:
//     SCAN ⊇ KEYS, DBSIZE ≥ |KEYS|, and per key its length command against
//     the elements listed (STRLEN/GET, LLEN/LRANGE/LINDEX, HLEN/HGETALL/
//     HGET, SCARD/SMEMBERS/SISMEMBER, ZCARD/ZRANGE WITHSCORES/ZSCORE/ZRANK,
//     score order), never getting an error; the multi-command checks run
//     inside MULTI/EXEC so that the clock is frozen (no key expires halfway);
//   - at the end of the input (CheckReplay): what the commands propagated
//     (the append-only file's stream) replays without an error on a fresh
//     server loading it, and rebuilds the same keyspace (values and TTLs).
// Like the IO layer, the harness closes clients that QUIT or were killed
// (and replaces them with a new connection), times out blocked clients that
// are picked again, and resets the queues the IO layer would drain.
//
// FUZZ_TRACE=1 in the environment prints every command and reply (use it
// on a crash file to write down the reproducer).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_parser.h"
#include "server/app/app.h"
#include "server/core/client.h"
#include "server/core/log.h"
#include "server/scripting/sha1.h"
#include "server/core/server_state.h"

namespace {

using grabkv::server::Client;
using grabkv::server::CommandSpec;
using grabkv::server::Config;
using grabkv::server::ServerState;

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

bool g_trace = false;

std::string Escape(std::string_view s, size_t max = 200) {
  std::string o;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r') {
      o += "\\r";
    } else if (c == '\n') {
      o += "\\n";
    } else if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 32 || c >= 127) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      o += buf;
    } else {
      o += static_cast<char>(c);
    }
  }
  if (s.size() > max) o += "...(" + std::to_string(s.size()) + " bytes)";
  return o;
}

[[noreturn]] void Fail(const std::string& what, std::string_view out) {
  std::fprintf(stderr, "FUZZ FAILURE: %s\noutput: \"%s\"\n", what.c_str(), Escape(out, 2000).c_str());
  std::abort();
}

// ---------------------------------------------------------------------------
// A strict RESP2/RESP3 reply reader: validation and a value tree for the
// checker.

struct RVal {
  char type = 0;     // the RESP prefix byte
  bool null = false;  // $-1, *-1 or _
  std::string str;    // simple/bulk/verbatim/error/double/bignum text
  int64_t num = 0;    // integers and booleans
  std::vector<RVal> elems;
};

class RespReader {
 public:
  RespReader(std::string_view s, bool resp3) : s_(s), resp3_(resp3) {}
  // Reads one value at the current position; false with err() when the bytes
  // are not a complete, well-formed reply.
  bool Read(RVal* v, int depth = 0) {
    if (depth > 2000) return Bad("nesting too deep");
    if (pos_ >= s_.size()) return Bad("truncated: expected a type byte");
    char t = s_[pos_++];
    v->type = t;
    std::string_view line;
    switch (t) {
      case '+':
      case '-':
        if (!Line(&line)) return false;
        if (t == '-' && line.empty()) return Bad("empty error");
        v->str.assign(line);
        return true;
      case ':':
        if (!Line(&line)) return false;
        return Int(line, &v->num);
      case '$':
      case '!':
      case '=': {
        if (t != '$' && !resp3_) return Bad("RESP3 type in a RESP2 reply");
        if (!Line(&line)) return false;
        int64_t n;
        if (!Int(line, &n)) return false;
        if (n == -1 && t == '$') {
          v->null = true;
          return true;
        }
        if (n < 0) return Bad("negative length");
        if (static_cast<uint64_t>(n) + 2 > s_.size() - pos_) return Bad("truncated bulk");
        v->str.assign(s_.substr(pos_, n));
        pos_ += n;
        if (s_[pos_] != '\r' || s_[pos_ + 1] != '\n') return Bad("bulk not followed by CRLF");
        pos_ += 2;
        if (t == '=' && (n < 4 || v->str[3] != ':')) return Bad("verbatim without format");
        return true;
      }
      case '*':
      case '%':
      case '~':
      case '>':
      case '|': {
        if (t != '*' && !resp3_) return Bad("RESP3 type in a RESP2 reply");
        if (!Line(&line)) return false;
        int64_t n;
        if (!Int(line, &n)) return false;
        if (n == -1 && t == '*') {
          v->null = true;
          return true;
        }
        if (n < 0) return Bad("negative aggregate length");
        int64_t items = (t == '%' || t == '|') ? 2 * n : n;
        if (static_cast<uint64_t>(items) > (s_.size() - pos_) / 3) return Bad("truncated aggregate");
        if (t == '>' && n == 0) return Bad("empty push");
        v->elems.resize(static_cast<size_t>(items));
        for (auto& e : v->elems) {
          if (!Read(&e, depth + 1)) return false;
        }
        if (t == '|') {  // an attribute precedes the real reply
          RVal real;
          if (!Read(&real, depth + 1)) return false;
          *v = std::move(real);
        }
        return true;
      }
      case '_':
        if (!resp3_) return Bad("RESP3 null in a RESP2 reply");
        if (!Line(&line)) return false;
        if (!line.empty()) return Bad("null with payload");
        v->null = true;
        return true;
      case ',': {
        if (!resp3_) return Bad("RESP3 double in a RESP2 reply");
        if (!Line(&line)) return false;
        if (line != "inf" && line != "-inf" && line != "nan") {
          std::string tmp(line);
          char* end = nullptr;
          errno = 0;
          std::strtod(tmp.c_str(), &end);
          if (tmp.empty() || end != tmp.c_str() + tmp.size()) return Bad("bad double");
        }
        v->str.assign(line);
        return true;
      }
      case '#':
        if (!resp3_) return Bad("RESP3 boolean in a RESP2 reply");
        if (!Line(&line)) return false;
        if (line != "t" && line != "f") return Bad("bad boolean");
        v->num = line == "t";
        return true;
      case '(':
        if (!resp3_) return Bad("RESP3 big number in a RESP2 reply");
        if (!Line(&line)) return false;
        {
          size_t i = (!line.empty() && line[0] == '-') ? 1 : 0;
          if (i == line.size()) return Bad("empty big number");
          for (; i < line.size(); ++i)
            if (line[i] < '0' || line[i] > '9') return Bad("bad big number");
        }
        v->str.assign(line);
        return true;
      default:
        return Bad(std::string("unknown type byte '") + Escape(std::string_view(&t, 1)) + "'");
    }
  }
  bool done() const { return pos_ == s_.size(); }
  const std::string& err() const { return err_; }
  size_t pos() const { return pos_; }

 private:
  bool Bad(std::string e) {
    err_ = std::move(e) + " at byte " + std::to_string(pos_);
    return false;
  }
  // A line ends at the first CRLF and may contain neither CR nor LF.
  bool Line(std::string_view* line) {
    size_t cr = s_.find('\r', pos_);
    if (cr == std::string_view::npos || cr + 1 >= s_.size()) return Bad("truncated line");
    if (s_[cr + 1] != '\n') return Bad("CR without LF");
    *line = s_.substr(pos_, cr - pos_);
    if (line->find('\n') != std::string_view::npos) return Bad("LF inside a line");
    pos_ = cr + 2;
    return true;
  }
  // Canonical integers only: what a reply writer prints.
  bool Int(std::string_view s, int64_t* out) {
    if (s.empty() || s.size() > 20) return Bad("bad integer length");
    std::string tmp(s);
    if (tmp == "-0" || (tmp.size() > 1 && tmp[0] == '0') || (tmp.size() > 2 && tmp[0] == '-' && tmp[1] == '0'))
      return Bad("non-canonical integer");
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(tmp.c_str(), &end, 10);
    if (errno != 0 || end != tmp.c_str() + tmp.size() || !(std::isdigit(static_cast<unsigned char>(tmp.back()))))
      return Bad("bad integer");
    *out = v;
    return true;
  }
  std::string_view s_;
  bool resp3_;
  size_t pos_ = 0;
  std::string err_;
};

// Validates a whole output buffer; returns the number of replies that are not
// push frames.
size_t ValidateOutput(std::string_view out, bool resp3, const char* who) {
  RespReader r(out, resp3);
  size_t replies = 0;
  while (!r.done()) {
    RVal v;
    if (!r.Read(&v)) Fail(std::string(who) + ": malformed reply: " + r.err(), out);
    if (v.type != '>') ++replies;
  }
  return replies;
}

// ---------------------------------------------------------------------------
// Inputs.

// Scripts for EVAL/EVAL_RO/SCRIPT LOAD (bodies are never raw fuzz bytes, so
// no input can make the VM loop forever). They reach every redis.call path
// (any command through unpack(ARGV)), the Lua<->RESP conversions in both
// directions, the bundled libraries (cjson, struct, bit) and error paths.
const char* const kScripts[] = {
    "return redis.call(unpack(ARGV))",
    "return redis.pcall(unpack(ARGV))",
    "redis.setresp(3); return redis.call(unpack(ARGV))",
    "redis.setresp(3); return redis.pcall(unpack(ARGV))",
    "#!lua flags=no-writes\nreturn redis.call(unpack(ARGV))",
    "#!lua\nreturn redis.pcall(unpack(ARGV))",
    "#!lua flags=allow-oom,no-cluster\nreturn redis.call(unpack(ARGV))",
    "#!lua flags=bogus\nreturn 1",
    "return redis.call('get', KEYS[1])",
    "return redis.call('set', KEYS[1], ARGV[1])",
    "if redis.call('get',KEYS[1]) == ARGV[1] then return redis.call('del',KEYS[1]) else return 0 end",
    "return {KEYS[1], ARGV[1], 1, 2.5, -3.7, true, false, {err='ERR inner'}, {ok='fine'}, {1, {2, {3, {}}}}}",
    "return {1, 2, nil, 4}",
    "return redis.error_reply(ARGV[1] or 'x')",
    "return redis.status_reply(ARGV[1] or 'x')",
    "return {err=ARGV[1]}",
    "error(ARGV[1])",
    "error({err=ARGV[1]})",
    "return tonumber(ARGV[1])",
    "return tostring(tonumber(ARGV[1]))",
    "return {tonumber(ARGV[1]), tonumber(ARGV[2])}",
    "redis.setresp(3); return {double=tonumber(ARGV[1])}",
    "redis.setresp(3); return {map={a=1, b={1,2}}, set={x=true}}",
    "redis.setresp(3); return {big_number=ARGV[1]}",
    "redis.setresp(3); return {verbatim_string={format='txt', string=ARGV[1]}}",
    "return cjson.encode(cjson.decode(ARGV[1]))",
    "return cjson.decode(ARGV[1])",
    "return cjson.encode({ARGV[1], tonumber(ARGV[2]), {a=ARGV[3]}})",
    "return struct.pack(ARGV[1], ARGV[2], ARGV[3])",
    "return {struct.unpack(ARGV[1], ARGV[2])}",
    "return struct.size(ARGV[1])",
    "return bit.tohex(tonumber(ARGV[1]) or 0, tonumber(ARGV[2]) or 8)",
    "return bit.band(tonumber(ARGV[1]) or 0, tonumber(ARGV[2]) or 0)",
    "return bit.lshift(tonumber(ARGV[1]) or 0, tonumber(ARGV[2]) or 0)",
    "return redis.sha1hex(ARGV[1] or '')",
    "redis.log(redis.LOG_WARNING, ARGV[1] or ''); return 1",
    "return math.random(tonumber(ARGV[1]) or 10)",
    "return #redis.call('keys', '*')",
    "return redis.call('incrbyfloat', KEYS[1], ARGV[1])",
    "return redis.call('zadd', KEYS[1], ARGV[1], ARGV[2])",
    "return redis.call('lpush', KEYS[1], unpack(ARGV))",
    "return redis.call('hset', KEYS[1], ARGV[1], ARGV[2])",
    "local t = redis.call('zrange', KEYS[1], 0, -1, 'withscores') return t",
    "local a = {} for i = 1, #ARGV do a[i] = ARGV[i] end return a",
    "return redis.setresp(tonumber(ARGV[1]))",
    "return redis.call()",
    "return redis.call('nosuchcommand')",
    "return pcall(redis.call, 'get')",
    "local ok, e = pcall(function() return redis.call(unpack(ARGV)) end) return {tostring(ok), tostring(e)}",
    "return string.format('%d', tonumber(ARGV[1]) or 0)",
    "return loadstring('return 1')",
    "x = 5",
    "return redis.replicate_commands()",
    "redis.set_repl(redis.REPL_NONE); return redis.call(unpack(ARGV))",
    "return redis.acl_check_cmd(unpack(ARGV))",
    "return redis.breakpoint()",
    "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}",
    "return _G",
    "return {1, {2, 3}, 'x', {ok='y'}}",
    "return 3.99",
    "return -0.5",
    "return 1e300",
    "return {nil}",
    "return",
};

// FUNCTION LOAD bodies (also fixed).
const char* const kLibraries[] = {
    "#!lua name=lib1\n"
    "redis.register_function('f1', function(keys, args) return redis.call(unpack(args)) end)\n"
    "redis.register_function{function_name='f2', callback=function(keys, args) return keys[1] end,"
    " flags={'no-writes'}, description='second'}",
    "#!lua name=lib2\nredis.register_function('g', function(keys, args) return #args end)",
    "#!lua name=lib3\nredis.register_function('f1', function() return 1 end)",
    "#!lua name=bad\nreturn 1",
    "#!lua name=lib4\nerror('boom')",
    "#!lua\nredis.register_function('h', function() return 1 end)",
    "#!lua name=lib5\nredis.call('set', 'k0', 1)",
    "#!lua name=lib6\nredis.register_function{function_name='w', callback=function(k, a) "
    "return redis.pcall(unpack(a)) end, flags={'allow-oom', 'bogus'}}",
    "#!lua name=lib7 bogus=1\nredis.register_function('h2', function() return 1 end)",
    "#!lua name=lib8\nredis.register_function('ro', function(k, a) return redis.call(unpack(a)) end, "
    "{'no-writes'})",
    "not a library",
};

std::vector<std::string> MakeDictionary(const ServerState& s) {
  std::vector<std::string> d = {
      // Numbers.
      "0", "1", "-1", "2", "3", "4", "5", "7", "10", "-2", "-10", "100", "1000", "127", "128",
      "255", "256", "512", "513", "65", "64", "4294967296", "2147483647", "2147483648",
      "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
      "9223372036854775806", "9223372036854775808", "-9223372036854775809",
      "18446744073709551616", "99999999999999999999999", "1.5", "-1.5", "0.1", "0.0", "-0",
      "-0.0", "3.0", "1e3", "1e308", "1e309", "-1e309", "4.9e-324", "1.7976931348623157e308",
      "inf", "-inf", "+inf", "INF", "nan", "NaN", "-nan", "0x10", " 1", "1 ", "01", "+1",
      "1.", ".5", "5e-1", "123abc", "17179869184", "0.001", "0.01", "86400", "1700000000",
      "1700000000000", "253402300800000",
      // Range syntax and patterns.
      "(", "[", "-", "+", "(1", "[1", "(1.5", "(a", "[a", "[b", "(z", "[\xff", "-inf", "+inf",
      "(-inf", "(+inf", "(inf", "*", "?", "k*", "*0", "k[0-2]", "[a-", "\\", "k?", "h*",
      "[^a]", "*a*a*a*a*a*a*a*b",
      // Options.
      "NX", "XX", "GT", "LT", "CH", "INCR", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "GET",
      "PERSIST", "WITHSCORES", "WITHSCORE", "LIMIT", "BYSCORE", "BYLEX", "REV", "COUNT",
      "MATCH", "TYPE", "LEFT", "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN", "WEIGHTS",
      "AGGREGATE", "SUM", "MIN", "MAX", "ASYNC", "SYNC", "REPLACE", "DB", "WITHVALUES",
      "NOSAVE", "SAVE", "NOW", "FORCE", "ABORT", "AUTH", "SETNAME", "ON", "OFF", "SKIP", "ID",
      "USER", "ADDR", "LADDR", "SKIPME", "YES", "NO", "ERROR", "TIMEOUT", "OUTBOX", "SEED",
      "FLUSH", "LOAD", "LIBRARYNAME", "WITHCODE", "ALL", "default", "LIB-NAME", "LIB-VER",
      "NORMAL", "PUBSUB", "MASTER", "REPLICA", "HELP", "ENCODING", "REFCOUNT", "IDLETIME",
      "FREQ", "SCHEDULE", "numkeys", "full",
      // Types and encodings.
      "string", "list", "set", "zset", "hash", "stream", "none",
      // Config names and values.
      "maxmemory", "maxmemory-policy", "allkeys-lru", "allkeys-lfu", "volatile-ttl",
      "allkeys-random", "volatile-lru", "noeviction", "hash-max-listpack-entries",
      "hash-max-listpack-value", "zset-max-listpack-entries", "zset-max-listpack-value",
      "list-max-listpack-size", "set-max-intset-entries", "list-compress-depth",
      "busy-reply-threshold", "lua-time-limit", "requirepass", "proto-max-bulk-len",
      "client-output-buffer-limit", "normal 1 1 0", "lazyfree-lazy-user-del",
      "lazyfree-lazy-user-flush", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
      "loglevel", "warning", "hz", "timeout", "maxclients", "databases", "save", "1mb",
      "1gb", "100kb", "appendfsync", "always",
      // Names, channels, misc strings.
      "lib1", "lib2", "f1", "f2", "g", "w", "ro", "nope", "ch", "ch*", "__keyspace@0__:k0",
      "", "a", "b", "c", "x", "y", "foo", "bar", "{\"a\":[1,2,{\"b\":null}],\"c\":1.5e3}",
      "[1,2,3]", "[[[[[[[[[[[[]]]]]]]]]]]]", "{\"a\":", "\"\\u0000\\ud800\"", "true", "null",
      ">i4", "<I8", "b", "B", "h", "H", "l", "L", "T", "i16", "s", "f", "d", "c0", "bbbbbbbb",
      "i3", "!4i4", "xX", "c99999", "\x00\x01\x02\xff", "\r\n", "line\r\nbreak", " ",
      "\xe4\xb8\xad\xe6\x96\x87", "-123", "123", "1234567890123456789012345678901234567890",
      "0000000000000001",
  };
  d.push_back(std::string(65, 'v'));     // just past the listpack value limit
  d.push_back(std::string(1000, 'w'));   // long
  d.push_back(std::string(70, '9'));     // a long numeric string
  d.push_back(std::string(600, 'z'));
  s.commands().ForEach([&](const CommandSpec& spec) {
    std::string name = spec.name;
    d.push_back(name);
    for (const auto& sub : spec.subcommands) {
      std::string n = sub.name;
      size_t bar = n.find('|');
      d.push_back(bar == std::string::npos ? n : n.substr(bar + 1));
    }
  });
  for (const char* sc : kScripts) d.push_back(grabkv::server::scripting::Sha1Hex(sc));
  d.push_back("ffffffffffffffffffffffffffffffffffffffff");
  return d;
}

// A command as picked from the table: its name and, for a container, one
// subcommand.
struct CommandChoice {
  std::string name;
  std::string sub;  // empty if none
};

struct Globals {
  std::vector<CommandChoice> commands;
  std::vector<std::string> dict;
};

const Globals& G() {
  static const Globals* g = [] {
    auto* g = new Globals;
    ServerState s{Config{}};
    grabkv::server::Assemble(s);
    s.commands().ForEach([&](const CommandSpec& spec) {
      if (spec.subcommands.empty()) {
        g->commands.push_back({spec.name, ""});
      } else {
        for (const auto& sub : spec.subcommands) {
          std::string n = sub.name;
          g->commands.push_back({spec.name, n.substr(n.find('|') + 1)});
        }
        g->commands.push_back({spec.name, "nosuchsub"});
      }
    });
    g->commands.push_back({"nosuchcommand", ""});
    g->dict = MakeDictionary(s);
    return g;
  }();
  return *g;
}

bool Eq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool ParseLL(std::string_view s, long long* v) {
  std::string t(s);
  char* end = nullptr;
  errno = 0;
  *v = std::strtoll(t.c_str(), &end, 10);
  return !t.empty() && end == t.c_str() + t.size() && errno == 0;
}

// Commands not fuzzed, or fuzzed only with some arguments: each with why.
// Returns a reason to skip, or nullptr.
const char* SkipReason(const std::vector<std::string>& a) {
  const std::string& n = a[0];
  // DEBUG SLEEP really sleeps (nanosleep) for the given seconds.
  if (Eq(n, "debug") && a.size() > 1 && Eq(a[1], "sleep")) return "sleeps";
  // The following are kept and safe in-process (listed so nobody wonders):
  //  - SHUTDOWN only sets shutdown_requested here (the IO layer would exit);
  //    the harness clears the flag after each command.
  //  - SAVE, BGSAVE, BGREWRITEAOF, DEBUG LOADAOF: no Aof object in-process,
  //    so they answer an error and never fork or touch files.
  //  - CONFIG SET dir/appendonly/logfile/...: with no Aof and no IO layer a
  //    setting is only a value in Config (logging goes to /dev/null).
  //  - Blocking commands park the client (no wait in-process); the harness
  //    times them out.
  // Replies (and work) proportional to a count argument, as in Redis
  // (SRANDMEMBER key -1000000000 builds a billion-element reply there too):
  // counts are limited so that an input cannot take minutes or gigabytes.
  auto big_count = [&](size_t from, long long limit) {
    for (size_t i = from; i < a.size(); ++i) {
      long long v;
      if (ParseLL(a[i], &v) && (v > limit || v < -limit)) return true;
    }
    return false;
  };
  if ((Eq(n, "srandmember") || Eq(n, "hrandfield") || Eq(n, "zrandmember") || Eq(n, "spop")) &&
      big_count(2, 10000))
    return "reply proportional to count";
  // SETRANGE allocates up to offset bytes (512 MB allowed, as in Redis).
  if (Eq(n, "setrange") && big_count(2, 1 << 20)) return "allocation proportional to offset";
  // SETBIT and BITFIELD's writes grow the string to the offset (512 MB
  // allowed, as in Redis): only offsets up to 8 Mbit (1 MB).
  if (Eq(n, "setbit") && big_count(2, 1 << 23)) return "allocation proportional to offset";
  if (Eq(n, "bitfield")) {
    for (size_t i = 2; i + 2 < a.size(); ++i) {
      if (!Eq(a[i], "set") && !Eq(a[i], "incrby")) continue;
      std::string_view off = a[i + 2];
      long long v;
      const bool hash = !off.empty() && off[0] == '#';
      if (ParseLL(hash ? off.substr(1) : off, &v) && (v > (1 << 23) / (hash ? 64 : 1)))
        return "allocation proportional to offset";
    }
  }
  // GRAB.SPLIT builds `count` shares (up to 1,000,000).
  if (Eq(n, "grab.split") && big_count(3, 10000)) return "work proportional to count";
  // Scripts: only the fixed bodies (see kScripts), which pass any ARGV to
  // redis.call: keep DEBUG SLEEP out of there too (it is noscript, but a
  // mistake there would hang the fuzzer rather than fail it).
  return nullptr;
}

// ---------------------------------------------------------------------------
// The in-process server with three fuzzed clients and a checker.

class Harness {
 public:
  Harness() : server_(Config{}), checker_(1u << 30) {
    grabkv::server::Assemble(server_);
    server_.rng().seed(12345);  // SPOP, RANDOMKEY, ...: reproducible
    // Record what the commands propagate (the append-only file's stream):
    // CheckReplay() loads it into a fresh server and compares.
    server_.propagator().set_sink([this](std::string_view resp) { stream_.append(resp); });
    server_.propagator().set_enabled(true);
    for (auto& c : clients_) c = NewClient();
  }
  ~Harness() {
    for (auto& c : clients_) server_.ForgetClient(*c);
  }

  void Run(size_t ci, std::vector<std::string> args) {
    Client& c = *clients_[ci];
    if (server_.blocking().IsBlocked(c)) {
      // A real connection would not be read while blocked: time it out, as
      // CLIENT UNBLOCK would, and then go on with the command.
      FUZZ_CHECK(c.out().empty());
      server_.blocking().Unblock(c, false);
      FUZZ_CHECK(!server_.blocking().IsBlocked(c));
      AfterCommand();
    }
    if (const char* why = SkipReason(args)) {
      if (g_trace) std::fprintf(stderr, "  (skipped: %s)\n", why);
      return;
    }
    if (g_trace) {
      std::fprintf(stderr, "c%zu(id %llu):", ci, static_cast<unsigned long long>(c.id()));
      for (const auto& a : args) std::fprintf(stderr, " \"%s\"", Escape(a).c_str());
      std::fprintf(stderr, "\n");
    }
    bool resp3_before = c.resp() == 3;
    auto mode_before = c.reply_mode;
    uint64_t writes_before = server_.keyspace_writes();
    std::vector<std::string_view> views(args.begin(), args.end());
    grabkv::server::Dispatch(server_, c, views);

    bool resp3 = resp3_before || c.resp() == 3;
    const std::string& name = args[0];
    // SHUTDOWN replies only when it refuses (the server exits otherwise).
    bool no_reply_ok = Eq(name, "shutdown");
    bool subscribe_family = Eq(name, "subscribe") || Eq(name, "unsubscribe") ||
                            Eq(name, "psubscribe") || Eq(name, "punsubscribe") ||
                            Eq(name, "ssubscribe") || Eq(name, "sunsubscribe");
    bool blocked = server_.blocking().IsBlocked(c);
    size_t replies = ValidateOutput(c.out(), resp3, "caller");
    if (g_trace) std::fprintf(stderr, "  -> \"%s\"\n", Escape(c.out(), 300).c_str());
    using Mode = Client::ReplyMode;
    if (!blocked && !subscribe_family && mode_before == Mode::kOn && c.reply_mode == Mode::kOn) {
      if (replies != 1 && !(no_reply_ok && replies == 0)) Fail("expected exactly one reply, got " + std::to_string(replies), c.out());
    }
    if (blocked && replies != 0) Fail("a blocked client got a reply", c.out());
    c.out().clear();
    AfterCommand();
    if (server_.keyspace_writes() != writes_before) {
      CheckDb(c.db_index());
      if (c.db_index() != 0) CheckDb(0);
    }
  }

  void CheckAll() {
    for (int db = 0; db < 3; ++db) CheckDb(db);
    CheckReplay();
  }

  // The propagated stream, loaded the way the append-only file is loaded
  // (server/aof_load.cc: loading, expiry paused, one client, Dispatch),
  // must run without an error and rebuild the same keyspace (keys about to
  // expire aside: the two dumps are taken at different times).
  void CheckReplay() {
    // Dump first: the stream is complete (lazy expiry the dump causes only
    // deletes keys that are left out of the comparison anyway).
    std::map<std::string, Entry> before = Dump(server_, checker_);
    std::string stream = stream_;
    ServerState replica{Config{}};
    grabkv::server::Assemble(replica);
    replica.loading = true;
    for (auto& db : replica.dbs()) db.set_expiry_paused(true);
    Client loader(1u << 30);
    grabkv::protocol::ParserLimits limits;
    limits.max_bulk_len = INT64_MAX;
    grabkv::protocol::RespParser parser(limits);
    size_t pos = 0;
    while (pos < stream.size()) {
      auto st = parser.Parse(std::string_view(stream).substr(pos));
      if (st != grabkv::protocol::RespParser::Status::kCommand)
        Fail("propagated stream does not parse at byte " + std::to_string(pos), stream);
      std::vector<std::string_view> args(parser.args().begin(), parser.args().end());
      std::string cmd;
      for (auto a : args) cmd += " \"" + Escape(a, 60) + "\"";
      if (g_trace) std::fprintf(stderr, "replay:%s\n", cmd.c_str());
      FUZZ_CHECK(!args.empty());
      loader.out().clear();
      grabkv::server::Dispatch(replica, loader, args);
      // No error, at top level or inside an EXEC's array.
      RespReader r(loader.out(), false);
      RVal v;
      if (!r.Read(&v) || !r.done()) Fail("replay: malformed reply to" + cmd, loader.out());
      bool err = v.type == '-';
      for (const RVal& e : v.elems) err = err || e.type == '-';
      if (err) Fail("replaying the propagated stream failed at" + cmd, loader.out());
      pos += parser.consumed();
    }
    FUZZ_CHECK(!loader.in_multi);
    replica.loading = false;
    for (auto& db : replica.dbs()) db.set_expiry_paused(false);
    Client reader(1u << 30);
    std::map<std::string, Entry> after = Dump(replica, reader);
    int64_t horizon = ServerState::NowMs() + 200;
    auto live = [&](const std::map<std::string, Entry>& m) {
      std::map<std::string, std::string> out;
      for (const auto& [k, e] : m)
        if (e.expire_ms < 0 || e.expire_ms > horizon) out[k] = e.text + " @" + std::to_string(e.expire_ms);
      return out;
    };
    auto a = live(before), b = live(after);
    if (a != b) {
      std::string diff;
      for (const auto& [k, v] : a) {
        auto it = b.find(k);
        if (it == b.end()) diff += "missing after replay: " + Escape(k) + " = " + Escape(v) + "\n";
        else if (it->second != v) diff += "differs: " + Escape(k) + ": " + Escape(v) + " != " + Escape(it->second) + "\n";
      }
      for (const auto& [k, v] : b)
        if (!a.count(k)) diff += "extra after replay: " + Escape(k) + " = " + Escape(v) + "\n";
      Fail("replay of the propagated stream gives another keyspace:\n" + diff, stream);
    }
    replica.ForgetClient(reader);
  }

 private:
  std::unique_ptr<Client> NewClient() {
    auto c = std::make_unique<Client>(server_.NextClientId());
    server_.AddClient(c.get());
    return c;
  }

  // What the IO layer does at the end of a loop iteration.
  void AfterCommand() {
    server_.blocking().HandleTimeouts(ServerState::NowMs());
    for (size_t i = 0; i < clients_.size(); ++i) {
      Client& c = *clients_[i];
      // Pushed messages, served blocked commands, timeouts.
      if (!c.out().empty()) {
        ValidateOutput(c.out(), c.resp() == 3, "other client");
        if (g_trace) std::fprintf(stderr, "  c%zu gets \"%s\"\n", i, Escape(c.out(), 300).c_str());
        if (server_.blocking().IsBlocked(c)) Fail("a blocked client has output", c.out());
        c.out().clear();
      }
      if (c.close_after_reply || c.close_asap) {
        if (g_trace) std::fprintf(stderr, "  c%zu disconnected\n", i);
        server_.ForgetClient(c);
        clients_[i] = NewClient();
      }
    }
    server_.close_queue.clear();
    server_.output_queue.clear();
    server_.shutdown_requested = false;
  }

  struct Entry {
    int64_t expire_ms;  // -1: none
    std::string text;   // type and content, sets and hashes sorted
  };
  // Every key of every database (with a frozen clock per key).
  static std::map<std::string, Entry> Dump(ServerState& s, Client& c) {
    std::map<std::string, Entry> out;
    for (int db = 0; db < static_cast<int>(s.dbs().size()); ++db) {
      if (s.db(db).size() == 0) continue;
      Call(s, c, {"select", std::to_string(db)});
      RVal keys = Call(s, c, {"keys", "*"});
      for (const RVal& k : keys.elems) {
        Call(s, c, {"multi"});
        Call(s, c, {"type", k.str});
        Call(s, c, {"pexpiretime", k.str});
        Call(s, c, {"get", k.str});
        Call(s, c, {"lrange", k.str, "0", "-1"});
        Call(s, c, {"hgetall", k.str});
        Call(s, c, {"smembers", k.str});
        Call(s, c, {"zrange", k.str, "0", "-1", "withscores"});
        RVal r = Call(s, c, {"exec"});
        FUZZ_CHECK(r.elems.size() == 7);
        const std::string& type = r.elems[0].str;
        if (type == "none") continue;
        Entry e{r.elems[1].num, type + ":"};
        auto flat = [&](const RVal& v, bool sort_pairs, bool sort_items) {
          std::vector<std::string> items;
          if (sort_pairs) {
            for (size_t i = 0; i + 1 < v.elems.size(); i += 2)
              items.push_back(Escape(v.elems[i].str, 1 << 20) + "=" + Escape(v.elems[i + 1].str, 1 << 20));
          } else {
            for (const RVal& x : v.elems) items.push_back(Escape(x.str, 1 << 20));
          }
          if (sort_items) std::sort(items.begin(), items.end());
          for (const auto& i : items) e.text += i + ",";
        };
        if (type == "string") e.text += Escape(r.elems[2].str, 1 << 20);
        else if (type == "list") flat(r.elems[3], false, false);
        else if (type == "hash") flat(r.elems[4], true, true);
        else if (type == "set") flat(r.elems[5], false, true);
        else if (type == "zset") flat(r.elems[6], true, false);
        out[std::to_string(db) + ":" + k.str] = std::move(e);
      }
    }
    return out;
  }

  // Runs a command on a client that is not one of the fuzzed ones and
  // returns its reply; an error reply is a failure (the EXEC array of the
  // dump's blind reads may hold WRONGTYPE errors: only the top level counts).
  static RVal Call(ServerState& s, Client& c, std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    c.out().clear();
    grabkv::server::Dispatch(s, c, v);
    RespReader r(c.out(), false);
    RVal val;
    if (!r.Read(&val) || !r.done()) Fail("checker: malformed reply: " + r.err(), c.out());
    if (val.type == '-') Fail("checker: " + std::string(*args.begin()) + " failed", c.out());
    c.out().clear();
    return val;
  }

  // Runs a command on the checker and returns its parsed reply; an error
  // reply is a failure (it only reads what exists, with the right type).
  RVal Check(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    checker_.out().clear();
    grabkv::server::Dispatch(server_, checker_, v);
    RespReader r(checker_.out(), false);
    RVal val;
    if (!r.Read(&val) || !r.done()) Fail("checker: malformed reply: " + r.err(), checker_.out());
    if (val.type == '-') {
      std::string cmd;
      for (auto a : args) cmd += std::string(a) + " ";
      Fail("checker: " + cmd + "failed", checker_.out());
    }
    checker_.out().clear();
    return val;
  }

  static void Expect(bool ok, const std::string& what) {
    if (!ok) Fail("invariant: " + what, "");
  }

  void CheckDb(int db) {
    std::string dbs = std::to_string(db);
    Check({"select", dbs});
    // SCAN first: a key that KEYS lists later existed (unexpired) already.
    std::set<std::string> scanned;
    std::string cursor = "0";
    int rounds = 0;
    do {
      RVal r = Check({"scan", cursor, "count", "50"});
      Expect(r.type == '*' && r.elems.size() == 2, "SCAN reply shape");
      cursor = r.elems[0].str;
      for (const RVal& k : r.elems[1].elems) scanned.insert(k.str);
      Expect(++rounds < 100000, "SCAN terminates");
    } while (cursor != "0");
    RVal keys = Check({"keys", "*"});
    RVal dbsize = Check({"dbsize"});
    Expect(dbsize.type == ':' && dbsize.num >= static_cast<int64_t>(keys.elems.size()),
           "DBSIZE >= |KEYS *| in db " + dbs);
    std::set<std::string> listed;
    for (const RVal& k : keys.elems) {
      Expect(listed.insert(k.str).second, "KEYS lists a key twice: " + Escape(k.str));
      Expect(scanned.count(k.str) == 1, "SCAN missed key " + Escape(k.str) + " in db " + dbs);
    }
    size_t n = 0;
    for (const std::string& k : listed) {
      if (++n > 8) break;
      CheckKey(k);
    }
  }

  // Runs commands on the checker inside MULTI/EXEC: one frozen clock, so a
  // key cannot expire between two of them. Returns the EXEC array, or an
  // empty vector when the key is gone (expired since it was listed): the
  // first command must be TYPE k.
  using Cmd = std::vector<std::string>;
  std::vector<RVal> Atomic(const std::string& type, const std::vector<Cmd>& cmds) {
    Check({"multi"});
    for (const Cmd& c : cmds) {
      std::vector<std::string_view> v(c.begin(), c.end());
      checker_.out().clear();
      grabkv::server::Dispatch(server_, checker_, v);
      if (checker_.out() != "+QUEUED\r\n") Fail("checker: not queued: " + c[0], checker_.out());
    }
    RVal r = Check({"exec"});
    Expect(r.type == '*' && r.elems.size() == cmds.size(), "checker EXEC reply");
    for (size_t i = 0; i < r.elems.size(); ++i) {
      if (r.elems[i].type == '-') Fail("checker: " + cmds[i][0] + " failed: " + r.elems[i].str, "");
    }
    if (r.elems[0].str == "none") return {};
    Expect(r.elems[0].str == type, "TYPE changed without a write: " + type + " -> " + r.elems[0].str);
    return std::move(r.elems);
  }

  void CheckKey(const std::string& k) {
    std::string type = Check({"type", k}).str;
    std::string what = " for key " + Escape(k) + " (" + type + ")";
    if (type == "none") return;  // expired since KEYS
    const std::string t = "type";
    if (type == "string") {
      auto r = Atomic(type, {{t, k}, {"get", k}, {"strlen", k}, {"pttl", k}});
      if (r.empty()) return;
      Expect(r[2].num == static_cast<int64_t>(r[1].str.size()), "STRLEN == |GET|" + what);
      Expect(r[3].num >= -1, "PTTL of an existing key >= -1" + what);
    } else if (type == "list") {
      auto r = Atomic(type, {{t, k}, {"llen", k}, {"lrange", k, "0", "-1"}});
      if (r.empty()) return;
      const auto& all = r[2].elems;
      Expect(r[1].num == static_cast<int64_t>(all.size()), "LLEN == |LRANGE 0 -1|" + what);
      Expect(!all.empty(), "no empty list is stored" + what);
      size_t mid = all.size() / 2;
      auto q = Atomic(type, {{t, k}, {"lindex", k, "0"}, {"lindex", k, "-1"},
                             {"lindex", k, std::to_string(mid)}, {"lrange", k, std::to_string(mid), "-1"},
                             {"llen", k}});
      if (q.empty()) return;
      Expect(q[1].str == all.front().str, "LINDEX 0" + what);
      Expect(q[2].str == all.back().str, "LINDEX -1" + what);
      Expect(q[3].str == all[mid].str, "LINDEX mid" + what);
      Expect(q[4].elems.size() == all.size() - mid, "|LRANGE mid -1|" + what);
      for (size_t i = 0; i < q[4].elems.size(); ++i)
        Expect(q[4].elems[i].str == all[mid + i].str, "LRANGE mid -1 == tail of LRANGE 0 -1" + what);
    } else if (type == "hash") {
      auto r = Atomic(type, {{t, k}, {"hlen", k}, {"hgetall", k}, {"hkeys", k}});
      if (r.empty()) return;
      const auto& all = r[2].elems;
      Expect(all.size() % 2 == 0 && r[1].num == static_cast<int64_t>(all.size() / 2),
             "HLEN == |HGETALL|/2" + what);
      Expect(r[3].elems.size() == all.size() / 2, "|HKEYS| == HLEN" + what);
      Expect(!all.empty(), "no empty hash is stored" + what);
      std::set<std::string> fields;
      std::vector<Cmd> cmds = {{t, k}};
      for (size_t i = 0; i + 1 < all.size(); i += 2) {
        Expect(fields.insert(all[i].str).second, "HGETALL field twice" + what);
        if (i < 16) {
          cmds.push_back({"hget", k, all[i].str});
          cmds.push_back({"hstrlen", k, all[i].str});
        }
      }
      auto q = Atomic(type, cmds);
      if (q.empty()) return;
      for (size_t j = 1; j + 1 < q.size(); j += 2) {
        size_t i = j - 1;  // field index * 2
        Expect(q[j].str == all[i + 1].str, "HGET == value in HGETALL" + what);
        Expect(q[j + 1].num == static_cast<int64_t>(all[i + 1].str.size()), "HSTRLEN" + what);
      }
    } else if (type == "set") {
      auto r = Atomic(type, {{t, k}, {"scard", k}, {"smembers", k}});
      if (r.empty()) return;
      const auto& all = r[2].elems;
      Expect(r[1].num == static_cast<int64_t>(all.size()), "SCARD == |SMEMBERS|" + what);
      Expect(!all.empty(), "no empty set is stored" + what);
      std::set<std::string> members;
      std::vector<Cmd> cmds = {{t, k}};
      for (size_t i = 0; i < all.size(); ++i) {
        Expect(members.insert(all[i].str).second, "SMEMBERS member twice" + what);
        if (i < 8) cmds.push_back({"sismember", k, all[i].str});
      }
      auto q = Atomic(type, cmds);
      for (size_t j = 1; j < q.size(); ++j) Expect(q[j].num == 1, "SISMEMBER of a member" + what);
    } else if (type == "zset") {
      auto r = Atomic(type, {{t, k}, {"zcard", k}, {"zrange", k, "0", "-1", "withscores"},
                             {"zrangebyscore", k, "-inf", "+inf"}, {"zcount", k, "-inf", "+inf"},
                             {"zrevrange", k, "0", "-1"}});
      if (r.empty()) return;
      const auto& all = r[2].elems;
      const auto& byscore = r[3].elems;
      Expect(all.size() % 2 == 0 && r[1].num == static_cast<int64_t>(all.size() / 2),
             "ZCARD == |ZRANGE 0 -1|" + what);
      Expect(!all.empty(), "no empty zset is stored" + what);
      Expect(byscore.size() == all.size() / 2, "|ZRANGEBYSCORE -inf +inf| == ZCARD" + what);
      Expect(r[4].num == r[1].num, "ZCOUNT -inf +inf == ZCARD" + what);
      Expect(r[5].elems.size() == byscore.size(), "|ZREVRANGE| == ZCARD" + what);
      double prev = -INFINITY;
      std::string prev_member;
      std::set<std::string> members;
      std::vector<Cmd> cmds = {{t, k}};
      for (size_t i = 0; i + 1 < all.size(); i += 2) {
        const std::string& m = all[i].str;
        const std::string& sc = all[i + 1].str;
        double score = std::strtod(sc.c_str(), nullptr);
        Expect(!std::isnan(score), "score is not NaN" + what);
        Expect(members.insert(m).second, "ZRANGE member twice" + what);
        Expect(score > prev || (score == prev && (i == 0 || m > prev_member)),
               "ZRANGE order (score, member)" + what);
        prev = score;
        prev_member = m;
        Expect(byscore[i / 2].str == m, "ZRANGEBYSCORE order == ZRANGE order" + what);
        Expect(r[5].elems[r[5].elems.size() - 1 - i / 2].str == m, "ZREVRANGE is ZRANGE reversed" + what);
        if (i < 16) {
          cmds.push_back({"zscore", k, m});
          cmds.push_back({"zrank", k, m});
        }
      }
      auto q = Atomic(type, cmds);
      for (size_t j = 1; j + 1 < q.size(); j += 2) {
        size_t i = j - 1;
        Expect(q[j].str == all[i + 1].str, "ZSCORE == score in ZRANGE" + what);
        Expect(q[j + 1].num == static_cast<int64_t>(i / 2), "ZRANK == position in ZRANGE" + what);
      }
    } else {
      Expect(false, "unknown TYPE" + what);
    }
  }

  ServerState server_;
  std::array<std::unique_ptr<Client>, 3> clients_;
  Client checker_;  // never registered: cannot be killed, listed or blocked
  std::string stream_;  // what was propagated
};

// Reads the input front to back; past the end everything reads as zero.
class Reader {
 public:
  Reader(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  bool empty() const { return pos_ >= n_; }
  uint8_t U8() { return pos_ < n_ ? d_[pos_++] : 0; }
  size_t U16() { return (static_cast<size_t>(U8()) << 8) | U8(); }
  std::string Bytes(size_t len) {
    len = std::min(len, n_ - std::min(pos_, n_));
    std::string s(reinterpret_cast<const char*>(d_) + pos_, len);
    pos_ += len;
    return s;
  }
  std::string Line() {
    size_t start = pos_;
    while (pos_ < n_ && d_[pos_] != '\n') ++pos_;
    std::string s(reinterpret_cast<const char*>(d_) + start, pos_ - start);
    if (pos_ < n_) ++pos_;
    return s;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

bool IsEvalBody(const std::vector<std::string>& a, size_t i) {
  return i == 1 && (Eq(a[0], "eval") || Eq(a[0], "eval_ro"));
}
bool IsScriptLoadBody(const std::vector<std::string>& a, size_t i) {
  return i == 2 && Eq(a[0], "script") && Eq(a[1], "load");
}
bool IsFunctionLoad(const std::vector<std::string>& a) {
  return a.size() >= 2 && Eq(a[0], "function") && Eq(a[1], "load");
}

// Text mode: "@N" stands for kScripts[N] (EVAL, SCRIPT LOAD) or
// kLibraries[N] (FUNCTION LOAD's last argument); other bodies are refused,
// so that no input runs Lua code of its own.
bool ResolveText(std::vector<std::string>* a) {
  auto pick = [](std::string* tok, const char* const* set, size_t n) {
    if (tok->size() < 2 || (*tok)[0] != '@') return false;
    size_t i = std::strtoul(tok->c_str() + 1, nullptr, 10);
    if (i >= n) return false;
    *tok = set[i];
    return true;
  };
  for (size_t i = 1; i < a->size(); ++i) {
    if (IsEvalBody(*a, i) || IsScriptLoadBody(*a, i)) {
      if (!pick(&(*a)[i], kScripts, std::size(kScripts))) return false;
    }
  }
  if (IsFunctionLoad(*a) && a->size() > 2) {
    if (!pick(&a->back(), kLibraries, std::size(kLibraries))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_trace = std::getenv("FUZZ_TRACE") != nullptr;
  grabkv::server::LogInit("/dev/null", grabkv::server::LogLevel::kWarning);
  G();
  return 0;
}

// Input format, one command after the other:
//   op < 0xF0 (binary): client = op % 3, argc = (op >> 2) % 8; then a u16
//     command index (into the table, subcommands expanded); for EVAL/EVAL_RO/
//     SCRIPT LOAD a u8 script index; per argument a kind byte: < 80 a key
//     k0..k3, < 110 a small number, < 240 a u16 dictionary index, else a
//     length byte (% 41) and that many raw bytes; for FUNCTION LOAD a u8
//     REPLACE flag and a u8 library index instead of arguments.
//   op >= 0xF0 (text, for hand-written seeds): client = op % 3, then one
//     line of space-separated arguments ("c0 SET k0 1" style, without the
//     "c0"), "@N" naming script/library N as above.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Globals& g = G();
  Reader in(data, size);
  Harness h;
  static const char* const kKeys[] = {"k0", "k1", "k2", "k3"};
  static const char* const kSmall[] = {"-1", "0", "1", "2", "3", "5", "10", "-2"};
  for (int n = 0; n < 256 && !in.empty(); ++n) {
    uint8_t op = in.U8();
    size_t ci = op % 3;
    std::vector<std::string> args;
    if (op >= 0xF0) {
      std::string line = in.Line();
      for (size_t i = 0; i < line.size();) {
        size_t j = line.find(' ', i);
        if (j == std::string::npos) j = line.size();
        if (j > i) args.push_back(line.substr(i, j - i));
        i = j + 1;
      }
      if (args.empty() || !ResolveText(&args)) continue;
      h.Run(ci, std::move(args));
      continue;
    }
    const CommandChoice& cc = g.commands[in.U16() % g.commands.size()];
    args.push_back(cc.name);
    if (!cc.sub.empty()) args.push_back(cc.sub);
    if (IsFunctionLoad(args)) {
      if (in.U8() & 1) args.push_back("REPLACE");
      args.push_back(kLibraries[in.U8() % std::size(kLibraries)]);
      h.Run(ci, std::move(args));
      continue;
    }
    if (Eq(cc.name, "eval") || Eq(cc.name, "eval_ro") || (Eq(cc.name, "script") && Eq(cc.sub, "load")))
      args.push_back(kScripts[in.U8() % std::size(kScripts)]);
    size_t argc = (op >> 2) % 8;
    for (size_t i = 0; i < argc; ++i) {
      uint8_t kind = in.U8();
      if (kind < 80) {
        args.push_back(kKeys[kind % 4]);
      } else if (kind < 110) {
        args.push_back(kSmall[kind % 8]);
      } else if (kind < 240) {
        args.push_back(g.dict[in.U16() % g.dict.size()]);
      } else {
        args.push_back(in.Bytes(in.U8() % 41));
      }
    }
    h.Run(ci, std::move(args));
  }
  h.CheckAll();
  return 0;
}
