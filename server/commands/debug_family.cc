// The DEBUG subcommands that test suites written for Redis use, beyond the
// basic ones in server_family.cc (HELP, SLEEP, OBJECT, PROTOCOL, ERROR, LOG,
// crashes, LOADAOF): data set creation and signatures (POPULATE, DIGEST,
// DIGEST-VALUE), switches for background work (SET-ACTIVE-EXPIRE,
// PAUSE-CRON, AOF-FLUSH-SLEEP, ...), introspection of the storage's
// structures (HTSTATS, SDSLEN, LISTPACK, ...), and the allocator (MALLCTL).
//
// DIGEST is Redis's: a SHA-1 mix over every database, key, type, element
// and TTL presence, computed the same way, so two servers holding the same
// data set (Redis or grabkv) show the same digest.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "server/core/errors.h"
#include "server/core/log.h"
#include "server/core/memory.h"
#include "server/core/server_state.h"
#include "server/core/sha1.h"
#include "server/core/util.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace grabkv::server {

namespace {

using storage::Db;
using storage::Value;
using storage::ValueType;

// --- DIGEST ---------------------------------------------------------------------

using Digest = unsigned char[20];

// digest ^= SHA1(data): order-independent accumulation.
void XorDigest(Digest digest, std::string_view data) {
  unsigned char hash[20];
  Sha1(data, hash);
  for (int i = 0; i < 20; ++i) digest[i] ^= hash[i];
}

// digest = SHA1(digest ^ SHA1(data)): order-dependent accumulation.
void MixDigest(Digest digest, std::string_view data) {
  XorDigest(digest, data);
  Sha1(std::string_view(reinterpret_cast<const char*>(digest), 20), digest);
}

void MixUint32(Digest digest, uint32_t v) {
  const unsigned char be[4] = {static_cast<unsigned char>(v >> 24),
                               static_cast<unsigned char>(v >> 16),
                               static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  MixDigest(digest, std::string_view(reinterpret_cast<const char*>(be), 4));
}

// Redis's object type numbers (OBJ_STRING..OBJ_HASH).
uint32_t RedisTypeNumber(ValueType t) {
  switch (t) {
    case ValueType::kString: return 0;
    case ValueType::kList: return 1;
    case ValueType::kSet: return 2;
    case ValueType::kZSet: return 3;
    case ValueType::kHash: return 4;
  }
  return 0;
}

// Redis 7.0 writes a sorted set score into the digest with "%.17g".
std::string DigestScore(double score) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", score);
  return buf;
}

// A pair's digest (member/score, field/value), xored into the value's.
void XorPair(Digest digest, std::string_view a, std::string_view b) {
  unsigned char pair[20] = {};
  MixDigest(pair, a);
  MixDigest(pair, b);
  XorDigest(digest, std::string_view(reinterpret_cast<const char*>(pair), 20));
}

// The value's part of a key's digest (Redis's xorObjectDigest).
void ValueDigest(Digest digest, const Value& v, bool has_ttl) {
  MixUint32(digest, RedisTypeNumber(v.type()));
  switch (v.type()) {
    case ValueType::kString: {
      std::string scratch;
      MixDigest(digest, v.GetString(&scratch));
      break;
    }
    case ValueType::kList:
      for (auto it = v.As<storage::List>()->Begin(); it.Valid(); it.Next()) {
        MixDigest(digest, it.value());
      }
      break;
    case ValueType::kSet:
      v.As<storage::Set>()->ForEach([&](std::string_view m) { XorDigest(digest, m); });
      break;
    case ValueType::kZSet:
      for (auto it = v.As<storage::ZSet>()->Begin(); it.Valid(); it.Next()) {
        XorPair(digest, it.member(), DigestScore(it.score()));
      }
      break;
    case ValueType::kHash:
      v.As<storage::Hash>()->ForEach(
          [&](std::string_view f, std::string_view val) { XorPair(digest, f, val); });
      break;
  }
  if (has_ttl) XorDigest(digest, "!!expire!!");
}

void DebugDigest(CommandContext& ctx) {
  unsigned char final_digest[20] = {};
  for (Db& db : ctx.server.dbs()) {
    if (db.size() == 0) continue;
    MixUint32(final_digest, static_cast<uint32_t>(db.index()));
    db.table().ForEach([&](const Db::Entry* e) {
      unsigned char d[20] = {};
      MixDigest(d, e->key());
      ValueDigest(d, e->value, (e->flags & Db::kHasExpire) != 0);
      XorDigest(final_digest, std::string_view(reinterpret_cast<const char*>(d), 20));
    });
  }
  ctx.reply.SimpleString(DigestHex(final_digest));
}

void DebugDigestValue(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    unsigned char d[20] = {};
    const Db::Entry* e = ctx.db().FindRead(ctx.arg(i), ctx.now_ms, true, /*touch=*/false);
    if (e != nullptr) ValueDigest(d, e->value, (e->flags & Db::kHasExpire) != 0);
    ctx.reply.SimpleString(DigestHex(d));
  }
}

// --- POPULATE -------------------------------------------------------------------

// Redis's getPositiveLongFromObjectOrReply: one message for both failures.
bool ParsePositive(CommandContext& ctx, std::string_view arg, int64_t* out) {
  if (!ParseInt64(arg, out) || *out < 0) {
    ctx.reply.Error("ERR value is out of range, must be positive");
    return false;
  }
  return true;
}

// POPULATE count [prefix] [size]: keys "<prefix>:<n>" (at most 127 bytes,
// as Redis's buffer) holding "value:<n>", cut or zero-padded to `size`.
// Existing keys are left alone. Creation is reported ("new" event, WATCH)
// but is not a change to propagate or count as dirty, as in Redis.
void DebugPopulate(CommandContext& ctx) {
  int64_t count;
  if (!ParsePositive(ctx, ctx.arg(2), &count)) return;
  int64_t size = 0;
  if (ctx.argc() == 5 && !ParsePositive(ctx, ctx.arg(4), &size)) return;
  const std::string prefix = ctx.argc() >= 4 ? std::string(ctx.arg(3)) : "key";
  Db& db = ctx.db();
  std::string key, value;
  for (int64_t j = 0; j < count; ++j) {
    key = prefix + ":" + std::to_string(j);
    if (key.size() > 127) key.resize(127);
    storage::KeyWrite w(db, key, ctx.now_ms);
    if (w) continue;
    value = "value:" + std::to_string(j);
    if (size != 0) value.resize(static_cast<size_t>(size), '\0');
    Value v;
    v.SetString(value);
    w.Create(std::move(v));
    w.ReportCreatedNow();
  }
  ctx.reply.Ok();
}

// --- storage introspection ------------------------------------------------------

// HTSTATS <dbid>: the keyspace tables, in Redis's report layout.
void AppendTableStats(std::string* out, size_t buckets, size_t elements, size_t longest) {
  out->append("Hash table 0 stats (main hash table):\n");
  if (elements == 0) {
    out->append("No stats available for empty dictionaries\n");
    return;
  }
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                " table size: %zu\n number of elements: %zu\n max chain length: %zu\n", buckets,
                elements, longest);
  out->append(buf);
}

void DebugHtStats(CommandContext& ctx) {
  int64_t id;
  if (!ParseInt64(ctx.arg(2), &id)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  if (id < 0 || id >= static_cast<int64_t>(ctx.server.dbs().size())) {
    ctx.reply.Error("ERR Out of range database");
    return;
  }
  Db& db = ctx.server.db(static_cast<int>(id));
  std::string out = "[Dictionary HT]\n";
  AppendTableStats(&out, db.table().bucket_count(), db.size(), db.table().LongestChain());
  out += "[Expires HT]\n";
  AppendTableStats(&out, db.expires_table().bucket_count(), db.expires_size(),
                   db.expires_table().LongestChain());
  ctx.reply.Verbatim(out);
}

const Db::Entry* LookupOrNoSuchKey(CommandContext& ctx) {
  const Db::Entry* e = ctx.db().Find(ctx.arg(2), ctx.now_ms, /*touch=*/false);
  if (e == nullptr) ctx.reply.Error(errors::kNoSuchKey);
  return e;
}

void DebugHtStatsKey(CommandContext& ctx) {
  const Db::Entry* e = LookupOrNoSuchKey(ctx);
  if (e == nullptr) return;
  const std::string_view enc = e->value.EncodingName();
  if (enc != "hashtable" && enc != "skiplist") {
    ctx.reply.Error("ERR The value stored at the specified key is not represented using an hash "
                    "table");
    return;
  }
  std::string out;
  AppendTableStats(&out, 0, e->value.container()->Length(), 0);
  ctx.reply.Verbatim(out);
}

// SDSLEN: grabkv stores keys inline in the table entry and values inline
// (up to 14 bytes) or in a heap string; the fields keep Redis's names.
void DebugSdsLen(CommandContext& ctx) {
  const Db::Entry* e = LookupOrNoSuchKey(ctx);
  if (e == nullptr) return;
  const Value& v = e->value;
  if (!v.is_string() || v.is_int()) {
    ctx.reply.Error("ERR Not an sds encoded string.");
    return;
  }
  char buf[256];
  const size_t heap = v.HeapUsage();
  std::snprintf(buf, sizeof(buf),
                "key_sds_len:%zu, key_sds_avail:0, key_zmalloc: %zu, val_sds_len:%zu, "
                "val_sds_avail:%zu, val_zmalloc: %zu",
                e->key().size(), Db::Table::EntryBytes(e->key().size()), v.StringLength(),
                heap != 0 ? heap - v.StringLength() - sizeof(std::string) - 1 : 0, heap);
  ctx.reply.SimpleString(buf);
}

// LISTPACK / QUICKLIST: the structure goes to the log (Redis prints it on
// stdout), the reply says where.
void DebugListpack(CommandContext& ctx) {
  const Db::Entry* e = LookupOrNoSuchKey(ctx);
  if (e == nullptr) return;
  if (std::string_view(e->value.EncodingName()) != "listpack") {
    ctx.reply.Error("ERR Not a listpack encoded object.");
    return;
  }
  Log(LogLevel::kNotice, "DEBUG LISTPACK %s: %zu entries, %zu bytes",
      std::string(e->key()).c_str(), e->value.container()->Length(), e->value.HeapUsage());
  ctx.reply.SimpleString("Listpack structure printed on stdout");
}

void DebugQuicklist(CommandContext& ctx) {
  const Db::Entry* e = LookupOrNoSuchKey(ctx);
  if (e == nullptr) return;
  if (std::string_view(e->value.EncodingName()) != "quicklist") {
    ctx.reply.Error("ERR Not a quicklist encoded object.");
    return;
  }
  Log(LogLevel::kNotice, "DEBUG QUICKLIST %s: %zu entries, %zu bytes",
      std::string(e->key()).c_str(), e->value.container()->Length(), e->value.HeapUsage());
  ctx.reply.SimpleString("Quicklist structure printed on stdout");
}

void DebugStructSize(CommandContext& ctx) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "bits:%zu value:%zu dictentry:%zu client:%zu ",
                sizeof(void*) * 8, sizeof(Value), Db::Table::EntryBytes(0), sizeof(Client));
  ctx.reply.Bulk(buf);
}

// STRINGMATCH-TEST: random patterns and strings through the glob matcher
// (a crash or hang would be the failure).
void DebugStringMatchTest(CommandContext& ctx) {
  std::mt19937_64 rng(ctx.now_ms);
  static const char kAlphabet[] = "*?[]^-\\ab";
  std::string pattern, str;
  for (int i = 0; i < 100000; ++i) {
    pattern.clear();
    str.clear();
    const size_t plen = rng() % 32, slen = rng() % 32;
    for (size_t k = 0; k < plen; ++k) pattern.push_back(kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
    for (size_t k = 0; k < slen; ++k) str.push_back(static_cast<char>('a' + rng() % 3));
    GlobMatch(pattern, str, (rng() & 1) != 0);
  }
  ctx.reply.SimpleString("Apparently Redis did not crash: test passed");
}

// --- allocator --------------------------------------------------------------------

// MALLCTL <name> [value]: an integer read (and optionally written) through
// jemalloc's mallctl, trying 8, 4, 2 then 1 bytes as Redis does (jemalloc
// reports the size it wanted by shrinking the length it was given).
void DebugMallctl(CommandContext& ctx) {
  const std::string name(ctx.arg(2));
  const bool write = ctx.argc() > 3;
  int64_t val = 0;
  if (write && !ParseInt64(ctx.arg(3), &val)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  int64_t old = 0;
  size_t sz = sizeof(old);
  while (sz > 0) {
    int ret = Mallctl(name.c_str(), &old, &sz, write ? &val : nullptr, write ? sz : 0);
    if (ret == 0) {
      ctx.reply.Integer(old);
      return;
    }
    if (ret == EPERM && write && Mallctl(name.c_str(), nullptr, nullptr, &val, sz) == 0) {
      ctx.reply.Ok();
      return;
    }
    if (ret != EINVAL) {
      ctx.reply.Error(std::string("ERR ") + std::strerror(ret));
      return;
    }
    sz /= 2;
  }
  ctx.reply.Error(std::string("ERR ") + std::strerror(EINVAL));
}

// MALLCTL-STR <name> [value|VOID]
void DebugMallctlStr(CommandContext& ctx) {
  const std::string name(ctx.arg(2));
  const bool write = ctx.argc() > 3;
  const char* old = nullptr;
  size_t sz = sizeof(old);
  const int rret = Mallctl(name.c_str(), &old, &sz, nullptr, 0);
  if (rret != 0 && !(rret == EPERM && write)) {
    ctx.reply.Error(std::string("ERR ") + std::strerror(rret));
    return;
  }
  int wret = 0;
  if (write) {
    std::string val(ctx.arg(3));
    const char* p = val.c_str();
    wret = val == "VOID" ? Mallctl(name.c_str(), nullptr, nullptr, nullptr, 0)
                         : Mallctl(name.c_str(), nullptr, nullptr, &p, sizeof(p));
  }
  if (rret == 0) {
    ctx.reply.Bulk(old != nullptr ? old : "");
  } else if (wret != 0) {
    ctx.reply.Error(std::string("ERR ") + std::strerror(wret));
  } else {
    ctx.reply.Ok();
  }
}

// --- switches ---------------------------------------------------------------------

// Redis reads these flags with atoi: anything not a number is 0.
int64_t AtoI(std::string_view s) { return std::atoll(std::string(s).c_str()); }

void DebugQuicklistPackedThreshold(CommandContext& ctx) {
  int64_t v;
  if (!ParseMemory(ctx.arg(2), &v) || v < 0 || v > (int64_t{1} << 32)) {
    ctx.reply.Error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    return;
  }
  ctx.server.debug.quicklist_packed_threshold = v == 0 ? (1ull << 30) : static_cast<uint64_t>(v);
  ctx.reply.Ok();
}

void DebugReplyBuffer(CommandContext& ctx) {
  ServerState::DebugSettings& d = ctx.server.debug;
  if (EqualsIgnoreCase(ctx.arg(2), "peak-reset-time")) {
    if (EqualsIgnoreCase(ctx.arg(3), "never")) {
      d.reply_buffer_peak_reset_ms = -1;
    } else if (EqualsIgnoreCase(ctx.arg(3), "reset")) {
      d.reply_buffer_peak_reset_ms = 5000;
    } else {
      int64_t ms;
      if (!ParseInt64(ctx.arg(3), &ms)) {
        ctx.reply.Error(errors::kNotInteger);
        return;
      }
      d.reply_buffer_peak_reset_ms = ms;
    }
  } else if (EqualsIgnoreCase(ctx.arg(2), "resizing")) {
    d.reply_buffer_resizing = AtoI(ctx.arg(3)) != 0;
  } else {
    ctx.reply.Error("ERR Syntax error");
    return;
  }
  ctx.reply.Ok();
}

void DebugConfigRewriteForceAll(CommandContext& ctx) {
  const std::string& path = ctx.server.config().config_file;
  std::string err;
  if (path.empty()) {
    err = std::strerror(EFAULT);  // what Redis's rewrite of a NULL path fails with
  } else if (RewriteConfigFile(ctx.server.config_table(), path, &err, /*force_all=*/true)) {
    ctx.reply.Ok();
    return;
  }
  ctx.reply.Error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + err);
}

[[noreturn]] void DebugOom() {
  // Like zmalloc's out-of-memory handler: log, then abort (the crash report
  // follows from SIGABRT).
  Log(LogLevel::kWarning, "Out Of Memory allocating %zu bytes!", SIZE_MAX);
  std::abort();
}

}  // namespace

// The subcommands above, for CmdDebug (server_family.cc); false when `sub`
// with this many arguments is none of them.
bool RunDebugSubcommand(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  auto is = [&](const char* name) { return EqualsIgnoreCase(sub, name); };
  ServerState::DebugSettings& d = ctx.server.debug;
  if (is("populate") && argc >= 3 && argc <= 5) {
    DebugPopulate(ctx);
  } else if (is("digest") && argc == 2) {
    DebugDigest(ctx);
  } else if (is("digest-value") && argc >= 2) {
    DebugDigestValue(ctx);
  } else if (is("set-active-expire") && argc == 3) {
    d.active_expire = AtoI(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (is("pause-cron") && argc == 3) {
    d.pause_cron = AtoI(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (is("aof-flush-sleep") && argc == 3) {
    d.aof_flush_sleep_us = AtoI(ctx.arg(2));
    ctx.reply.Ok();
  } else if (is("set-skip-checksum-validation") && argc == 3) {
    d.skip_checksum_validation = AtoI(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (is("set-disable-deny-scripts") && argc == 3) {
    d.disable_deny_scripts = AtoI(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (is("quicklist-packed-threshold") && argc == 3) {
    DebugQuicklistPackedThreshold(ctx);
  } else if (is("replybuffer") && argc == 4) {
    DebugReplyBuffer(ctx);
  } else if (is("change-repl-id") && argc == 2) {
    Log(LogLevel::kWarning, "Changing replication IDs after receiving DEBUG change-repl-id");
    ctx.server.ChangeReplicationId();
    ctx.reply.Ok();
  } else if (is("htstats") && argc == 3) {
    DebugHtStats(ctx);
  } else if (is("htstats-key") && argc == 3) {
    DebugHtStatsKey(ctx);
  } else if (is("sdslen") && argc == 3) {
    DebugSdsLen(ctx);
  } else if (is("listpack") && argc == 3) {
    DebugListpack(ctx);
  } else if (is("quicklist") && (argc == 3 || argc == 4)) {
    DebugQuicklist(ctx);
  } else if (is("structsize") && argc == 2) {
    DebugStructSize(ctx);
  } else if (is("stringmatch-test") && argc == 2) {
    DebugStringMatchTest(ctx);
  } else if (is("mallctl") && argc >= 3 && HaveJemalloc()) {
    DebugMallctl(ctx);
  } else if (is("mallctl-str") && argc >= 3 && HaveJemalloc()) {
    DebugMallctlStr(ctx);
  } else if (is("config-rewrite-force-all") && argc == 2) {
    DebugConfigRewriteForceAll(ctx);
  } else if (is("leak") && argc == 3) {
    new std::string(ctx.arg(2));  // the leak is the point (leak detectors' tests)
    ctx.reply.Ok();
  } else if (is("oom")) {
    DebugOom();
  } else {
    return false;
  }
  return true;
}

}  // namespace grabkv::server
