// MEMORY: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP (Redis 7.0).
//
// Sizes come from the allocator (server/core/memory.h) and from the
// storage's own accounting of each value (Value::HeapUsage, kept up to date
// as containers change, so MEMORY USAGE needs no sampling: SAMPLES is
// accepted and checked as Redis does, and the whole value is counted).
#include <cinttypes>
#include <string>
#include <vector>

#include "server/core/errors.h"
#include "server/core/memory.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);  // server_family.cc

namespace {

using storage::Db;

// MEMORY USAGE key [SAMPLES count]: the entry (header and key bytes) and
// everything its value owns.
void CmdMemoryUsage(CommandContext& ctx) {
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (!EqualsIgnoreCase(ctx.arg(i), "samples") || i + 1 >= ctx.argc()) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    int64_t samples;
    if (!ParseInt64(ctx.arg(i + 1), &samples)) {
      ctx.reply.Error(errors::kNotInteger);
      return;
    }
    if (samples < 0) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  // Redis's objectCommandLookup: no access recorded, no keymiss event.
  const Db::Entry* e =
      ctx.db().FindRead(ctx.arg(2), ctx.now_ms, /*report_miss=*/false, /*touch=*/false);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Integer(
      static_cast<int64_t>(Db::Table::EntryBytes(e->key().size()) + e->value.HeapUsage()));
}

// What MEMORY STATS and MEMORY DOCTOR report (Redis's getMemoryOverheadData).
struct MemoryOverhead {
  uint64_t total = 0, peak = 0, startup = 0, clients = 0, aof = 0, overhead = 0;
  uint64_t keys = 0, dataset = 0;
  struct DbOverhead {
    int index;
    uint64_t main, expires;
  };
  std::vector<DbOverhead> dbs;
  uint64_t alloc_allocated = 0, alloc_active = 0, alloc_resident = 0, rss = 0;
};

MemoryOverhead Measure(ServerState& s) {
  MemoryOverhead m;
  Evictor& ev = s.evictor();
  m.total = ev.meter().Refresh();
  m.peak = ev.peak_allocated();
  m.startup = s.startup_allocated();
  m.clients = s.ClientBufferBytes();
  m.aof = s.persistence != nullptr ? s.persistence->buffer_bytes() : 0;
  m.overhead = m.startup + m.clients + m.aof;
  for (Db& db : s.dbs()) {
    if (db.size() == 0) continue;
    MemoryOverhead::DbOverhead d{db.index(), db.table().OverheadBytes(),
                                 db.expires_table().OverheadBytes()};
    m.overhead += d.main + d.expires;
    m.keys += db.size();
    m.dbs.push_back(d);
  }
  m.dataset = m.total > m.overhead ? m.total - m.overhead : 0;
  m.alloc_allocated = AllocatorStat("stats.allocated");
  m.alloc_active = AllocatorStat("stats.active");
  m.alloc_resident = AllocatorStat("stats.resident");
  m.rss = ResidentMemory();
  return m;
}

double Ratio(uint64_t a, uint64_t b) { return b != 0 ? static_cast<double>(a) / b : 0; }
// Redis stores these as float.
void ReplyFloat(CommandContext& ctx, double d) { ctx.reply.Double(static_cast<float>(d)); }
int64_t Diff(uint64_t a, uint64_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); }

void CmdMemoryStats(CommandContext& ctx) {
  const MemoryOverhead m = Measure(ctx.server);
  const uint64_t net = m.total > m.startup ? m.total - m.startup : 0;
  ctx.reply.MapHeader(27 + m.dbs.size());
  auto field = [&](const char* name, int64_t v) {
    ctx.reply.Bulk(name);
    ctx.reply.Integer(v);
  };
  auto ratio = [&](const char* name, double v) {
    ctx.reply.Bulk(name);
    ReplyFloat(ctx, v);
  };
  field("peak.allocated", static_cast<int64_t>(m.peak));
  field("total.allocated", static_cast<int64_t>(m.total));
  field("startup.allocated", static_cast<int64_t>(m.startup));
  field("replication.backlog", 0);
  field("clients.slaves", 0);
  field("clients.normal", static_cast<int64_t>(m.clients));
  field("cluster.links", 0);
  field("aof.buffer", static_cast<int64_t>(m.aof));
  field("lua.caches", 0);
  field("functions.caches", 0);
  for (const auto& d : m.dbs) {
    ctx.reply.Bulk("db." + std::to_string(d.index));
    ctx.reply.MapHeader(3);
    field("overhead.hashtable.main", static_cast<int64_t>(d.main));
    field("overhead.hashtable.expires", static_cast<int64_t>(d.expires));
    field("overhead.hashtable.slot-to-keys", 0);
  }
  field("overhead.total", static_cast<int64_t>(m.overhead));
  field("keys.count", static_cast<int64_t>(m.keys));
  field("keys.bytes-per-key", m.keys != 0 ? static_cast<int64_t>(net / m.keys) : 0);
  field("dataset.bytes", static_cast<int64_t>(m.dataset));
  ratio("dataset.percentage", net != 0 ? 100.0 * Ratio(m.dataset, net) : 0);
  ratio("peak.percentage", 100.0 * Ratio(m.total, m.peak));
  field("allocator.allocated", static_cast<int64_t>(m.alloc_allocated));
  field("allocator.active", static_cast<int64_t>(m.alloc_active));
  field("allocator.resident", static_cast<int64_t>(m.alloc_resident));
  ratio("allocator-fragmentation.ratio", Ratio(m.alloc_active, m.alloc_allocated));
  field("allocator-fragmentation.bytes", Diff(m.alloc_active, m.alloc_allocated));
  ratio("allocator-rss.ratio", Ratio(m.alloc_resident, m.alloc_active));
  field("allocator-rss.bytes", Diff(m.alloc_resident, m.alloc_active));
  ratio("rss-overhead.ratio", Ratio(m.rss, m.alloc_resident));
  field("rss-overhead.bytes", Diff(m.rss, m.alloc_resident));
  ratio("fragmentation", Ratio(m.rss, m.total));
  field("fragmentation.bytes", Diff(m.rss, m.total));
}

// Redis's getMemoryDoctorReport: the same thresholds and texts.
void CmdMemoryDoctor(CommandContext& ctx) {
  ServerState& s = ctx.server;
  const MemoryOverhead m = Measure(s);
  std::string report;
  constexpr uint64_t k10Mb = 10 << 20;
  if (m.total < (5 << 20)) {
    report =
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't "
        "be used in these conditions. Please, leave for your mission on Earth and fill it with "
        "some data. The new Sam and I will be back to our programming as soon as I finished "
        "rebooting.";
  } else {
    const bool big_peak = Ratio(m.peak, m.total) > 1.5;
    const bool high_frag = Ratio(m.rss, m.total) > 1.4 && Diff(m.rss, m.total) > int64_t{k10Mb};
    const bool high_alloc_frag = Ratio(m.alloc_active, m.alloc_allocated) > 1.1 &&
                                 Diff(m.alloc_active, m.alloc_allocated) > int64_t{k10Mb};
    const bool high_alloc_rss = Ratio(m.alloc_resident, m.alloc_active) > 1.1 &&
                                Diff(m.alloc_resident, m.alloc_active) > int64_t{k10Mb};
    const bool high_proc_rss = Ratio(m.rss, m.alloc_resident) > 1.1 &&
                               Diff(m.rss, m.alloc_resident) > int64_t{k10Mb};
    const size_t nclients = s.clients().size();
    const bool big_client_buf = nclients > 0 && m.clients / nclients > (200 << 10);
    const bool many_scripts = s.scripts().script_count() > 1000;
    if (!(big_peak || high_frag || high_alloc_frag || high_alloc_rss || high_proc_rss ||
          big_client_buf || many_scripts)) {
      report =
          "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
          "occurs on this base.";
    } else {
      report = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
      if (big_peak) {
        report +=
            " * Peak memory: In the past this instance used more than 150% the memory that is "
            "currently using. The allocator is normally not able to release memory after a peak, "
            "so you can expect to see a big fragmentation ratio, however this is actually "
            "harmless and is only due to the memory peak, and if the Redis instance Resident Set "
            "Size (RSS) is currently bigger than expected, the memory will be used as soon as you "
            "fill the Redis instance with more data. If the memory peak was only occasional and "
            "you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise "
            "the only other option is to shutdown and restart the instance.\n\n";
      }
      if (high_frag) {
        report +=
            " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
            "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
            "than the sum of the logical allocations Redis performed). This problem is usually "
            "due either to a large peak memory (check if there is a peak memory entry above in "
            "the report) or may result from a workload that causes the allocator to fragment "
            "memory a lot. If the problem is a large peak memory, then there is no issue. "
            "Otherwise, make sure you are using the Jemalloc allocator and not the default libc "
            "malloc. Note: The currently used allocator is \"" +
            AllocatorName() + "\".\n\n";
      }
      if (high_alloc_frag) {
        report +=
            " * High allocator fragmentation: This instance has an allocator external "
            "fragmentation greater than 1.1. This problem is usually due either to a large peak "
            "memory (check if there is a peak memory entry above in the report) or may result "
            "from a workload that causes the allocator to fragment memory a lot. You can try "
            "enabling 'activedefrag' config option.\n\n";
      }
      if (high_alloc_rss) {
        report +=
            " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
            "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
            "the sum what the allocator actually holds). This problem is usually due to a large "
            "peak memory (check if there is a peak memory entry above in the report), you can "
            "try the MEMORY PURGE command to reclaim it.\n\n";
      }
      if (high_proc_rss) {
        report +=
            " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
            "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
            "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
            "Modules.\n\n";
      }
      if (big_client_buf) {
        report +=
            " * Big client buffers: The clients output buffers in this instance are greater than "
            "200K per client (on average). This may result from different causes, like Pub/Sub "
            "clients subscribed to channels bot not receiving data fast enough, so that data "
            "piles on the Redis instance output buffer, or clients sending commands with large "
            "replies or very large sequences of commands in the same pipeline. Please use the "
            "CLIENT LIST command in order to investigate the issue if it causes problems in your "
            "instance, or to understand better why certain clients are using a big amount of "
            "memory.\n\n";
      }
      if (many_scripts) {
        report +=
            " * Many scripts: There seem to be many cached scripts in this instance (more than "
            "1000). This may be because scripts are generated and `EVAL`ed, instead of being "
            "parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT "
            "FLUSH` is called periodically, the scripts' caches may end up consuming most of "
            "your memory.\n\n";
      }
      report += "I'm here to keep you safe, Sam. I want to help you.\n";
    }
  }
  ctx.reply.Verbatim(report);
}

void CmdMemoryMallocStats(CommandContext& ctx) { ctx.reply.Verbatim(MallocStatsText()); }

void CmdMemoryPurge(CommandContext& ctx) {
  PurgeAllocator();  // Redis answers OK whatever the allocator did
  ctx.reply.Ok();
}

void CmdMemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "DOCTOR",
                     "    Return memory problems reports.",
                     "MALLOC-STATS",
                     "    Return internal statistics report from the memory allocator.",
                     "PURGE",
                     "    Attempt to purge dirty pages for reclamation by the allocator.",
                     "STATS",
                     "    Return information about the memory usage of the server.",
                     "USAGE <key> [SAMPLES <count>]",
                     "    Return memory in bytes used by <key> and its value. Nested values are",
                     "    sampled up to <count> times (default: 5, 0 means sample all).",
                 });
}

}  // namespace

void RegisterMemoryFamily(CommandTable& t) {
  CommandFamily f(t, "server");
  constexpr const char* kSpecial =
      "nondeterministic_output request_policy:all_shards response_policy:special";
  f.Add({.name = "memory",
         .arity = -2,
         .summary = "A container for memory diagnostics commands",
         .since = "4.0.0",
         .subcommands = {
             {.name = "memory|doctor", .arity = 2, .handler = CmdMemoryDoctor, .tips = kSpecial,
              .summary = "Outputs memory problems report", .since = "4.0.0"},
             {.name = "memory|malloc-stats", .arity = 2, .handler = CmdMemoryMallocStats,
              .tips = kSpecial, .summary = "Show allocator internal stats", .since = "4.0.0"},
             {.name = "memory|purge", .arity = 2, .handler = CmdMemoryPurge,
              .tips = "request_policy:all_shards response_policy:all_succeeded",
              .summary = "Ask the allocator to release memory", .since = "4.0.0"},
             {.name = "memory|stats", .arity = 2, .handler = CmdMemoryStats, .tips = kSpecial,
              .summary = "Show memory usage details", .since = "4.0.0"},
             {.name = "memory|help", .arity = 2, .flags = kLoading | kStale,
              .handler = CmdMemoryHelp,
              .summary = "Show helpful text about the different subcommands", .since = "4.0.0"},
             {.name = "memory|usage", .arity = -3, .flags = kReadonly,
              .keys = {{.flags = kRO, .index = 2}}, .handler = CmdMemoryUsage,
              .summary = "Estimate the memory usage of a key", .since = "4.0.0"}}});
}

}  // namespace grabkv::server
