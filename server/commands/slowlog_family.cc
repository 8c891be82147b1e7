// SLOWLOG and LATENCY: reading and resetting what Execute and the loop
// record (server/core/latency.h).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "server/core/errors.h"
#include "server/core/memory.h"
#include "server/core/server_state.h"
#include "server/core/util.h"

namespace grabkv::server {

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);  // server_family.cc

namespace {

constexpr uint32_t kAdminFlags = kAdmin | kLoading | kStale;

// --- SLOWLOG -------------------------------------------------------------------

void CmdSlowlogGet(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() == 3) {
    if (!ParseInt64(ctx.arg(2), &count) || count < -1) {
      ctx.reply.Error("ERR count should be greater than or equal to -1");
      return;
    }
    if (count == -1) count = INT64_MAX;
  } else if (ctx.argc() > 3) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.arg(1).substr(0, 128)) + "'. Try SLOWLOG HELP.");
    return;
  }
  const auto& entries = ctx.server.slowlog().entries();
  const size_t n = static_cast<uint64_t>(count) < entries.size() ? static_cast<size_t>(count)
                                                                  : entries.size();
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowlogEntry& e = entries[i];
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(static_cast<int64_t>(e.id));
    ctx.reply.Integer(e.time_s);
    ctx.reply.Integer(e.duration_us);
    ctx.reply.ArrayHeader(e.args.size());
    for (const std::string& a : e.args) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.addr);
    ctx.reply.Bulk(e.name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.slowlog().entries().size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server.slowlog().Reset();
  ctx.reply.Ok();
}

void CmdSlowlogHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
  });
}

// --- LATENCY -------------------------------------------------------------------

int64_t NowS() { return ServerState::NowMs() / 1000; }

void CmdLatencyLatest(CommandContext& ctx) {
  const auto& events = ctx.server.latency_monitor().events();
  ctx.reply.ArrayHeader(events.size());
  for (const auto& [name, ts] : events) {
    const LatencyMonitor::Sample& last =
        ts.samples[(ts.next + LatencyMonitor::kSamples - 1) % LatencyMonitor::kSamples];
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(name);
    ctx.reply.Integer(last.time_s);
    ctx.reply.Integer(last.latency_ms);
    ctx.reply.Integer(ts.max_ms);
  }
}

void CmdLatencyHistory(CommandContext& ctx) {
  const LatencyMonitor::Series* ts = ctx.server.latency_monitor().Find(ctx.arg(2));
  if (ts == nullptr) {
    ctx.reply.ArrayHeader(0);
    return;
  }
  std::vector<LatencyMonitor::Sample> samples = ts->Ordered();
  ctx.reply.ArrayHeader(samples.size());
  for (const LatencyMonitor::Sample& s : samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(s.time_s);
    ctx.reply.Integer(s.latency_ms);
  }
}

void CmdLatencyReset(CommandContext& ctx) {
  LatencyMonitor& m = ctx.server.latency_monitor();
  if (ctx.argc() == 2) {
    ctx.reply.Integer(static_cast<int64_t>(m.ResetAll()));
    return;
  }
  int64_t n = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) n += m.Reset(ctx.arg(i)) ? 1 : 0;
  ctx.reply.Integer(n);
}

void CmdLatencyGraph(CommandContext& ctx) {
  const LatencyMonitor::Series* ts = ctx.server.latency_monitor().Find(ctx.arg(2));
  if (ts == nullptr) {
    ctx.reply.Error("ERR No samples available for event '" + std::string(ctx.arg(2)) + "'");
    return;
  }
  ctx.reply.Verbatim(LatencyGraph(ctx.arg(2), *ts, NowS()));
}

// LATENCY DOCTOR: Redis's report, per event its spikes, average, mean
// deviation and period, then the advice that applies to the events seen.
std::string LatencyReport(ServerState& s) {
  const Config& cfg = s.config();
  if (cfg.latency_monitor_threshold == 0 && s.latency_monitor().events().empty()) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  std::string report;
  int eventnum = 0, advices = 0;
  // The advice each event calls for, printed once each, in Redis's order.
  enum Advice {
    kBetterVm, kSlowlogEnable, kSlowlogTuning, kSlowlogInspect, kScheduler, kLocalDisk, kSsd,
    kDataWriteback, kDiskContention, kNoAppendfsync, kRelaxFsync, kWriteLoadInfo, kHz,
    kLargeObjects, kMassEviction, kDisableThp, kAdviceCount
  };
  bool advise[kAdviceCount] = {};
  auto add = [&](std::initializer_list<Advice> list) {
    for (Advice a : list) advise[a] = true;
    advices += static_cast<int>(list.size());
  };
  const int64_t now = NowS();
  for (const auto& [event, ts] : s.latency_monitor().events()) {
    std::vector<LatencyMonitor::Sample> samples = ts.Ordered();
    if (samples.empty()) continue;
    if (eventnum == 0) {
      report += "Dave, I have observed latency spikes in this Redis instance. You don't mind "
                "talking about it, do you Dave?\n\n";
    }
    ++eventnum;
    uint64_t sum = 0;
    int64_t oldest = 0;
    for (const auto& x : samples) {
      sum += x.latency_ms;
      if (oldest == 0 || x.time_s < oldest) oldest = x.time_s;
    }
    const uint64_t avg = sum / samples.size();
    int64_t period = now - oldest;
    if (period == 0) period = 1;
    uint64_t dev = 0;
    for (const auto& x : samples) {
      int64_t d = static_cast<int64_t>(avg) - x.latency_ms;
      dev += static_cast<uint64_t>(d < 0 ? -d : d);
    }
    const uint64_t mad = dev / samples.size();
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "%d. %s: %zu latency spikes (average %" PRIu64 "ms, mean deviation %" PRIu64
                  "ms, period %.2f sec). Worst all time event %" PRIu32 "ms.",
                  eventnum, event.c_str(), samples.size(), avg, mad,
                  static_cast<double>(period) / static_cast<double>(samples.size()), ts.max_ms);
    report += buf;
    if (event == "fork") {
      const double rate = s.stats().fork_rate_gb_s;
      const char* quality = rate < 10 ? "terrible" : rate < 25 ? "poor" : rate < 100 ? "good" : "excellent";
      if (rate < 25) add({kBetterVm});
      std::snprintf(buf, sizeof(buf), " Fork rate is %.2f GB/sec (%s).", rate, quality);
      report += buf;
    }
    if (event == "command") {
      if (cfg.slowlog_log_slower_than < 0) {
        add({kSlowlogEnable});
      } else if (cfg.slowlog_log_slower_than / 1000 > cfg.latency_monitor_threshold) {
        add({kSlowlogTuning});
      }
      add({kSlowlogInspect, kLargeObjects});
    } else if (event == "fast-command") {
      add({kScheduler});
    } else if (event == "aof-write-pending-fsync") {
      add({kLocalDisk, kDiskContention, kSsd, kDataWriteback});
    } else if (event == "aof-write-active-child") {
      add({kNoAppendfsync, kDataWriteback, kSsd});
    } else if (event == "aof-write-alone") {
      add({kLocalDisk, kDataWriteback, kSsd});
    } else if (event == "aof-fsync-always") {
      add({kRelaxFsync});
    } else if (event == "aof-fstat" || event == "rdb-unlink-temp-file") {
      add({kDiskContention, kLocalDisk});
    } else if (event == "aof-rewrite-diff-write" || event == "aof-rename") {
      add({kWriteLoadInfo, kDataWriteback, kSsd, kLocalDisk});
    } else if (event == "expire-cycle") {
      add({kHz, kLargeObjects});
    } else if (event == "eviction-del") {
      add({kLargeObjects});
    } else if (event == "eviction-cycle") {
      add({kMassEviction});
    }
    report += '\n';
  }
  // Not tied to an event: transparent huge pages in use by the process.
  if (AnonHugePagesBytes() > 0) add({kDisableThp});
  if (eventnum == 0 && advices == 0) {
    report += "Dave, no latency spike was observed during the lifetime of this Redis instance, not "
              "in the slightest bit. I honestly think you ought to sit down calmly, take a stress "
              "pill, and think things over.\n";
    return report;
  }
  if (advices == 0) {
    report += "\nWhile there are latency events logged, I'm not able to suggest any easy fix. "
              "Please use the Redis community to get some help, providing this report in your "
              "help request.\n";
    return report;
  }
  report += "\nI have a few advices for you:\n\n";
  // Each advice once, in Redis's order (the enum's); the two slow log ones
  // name the threshold in microseconds.
  const unsigned long long want = static_cast<unsigned long long>(cfg.latency_monitor_threshold) * 1000;
  // The fixed texts (the two slow log advices are formatted below).
  static const std::pair<Advice, const char*> kTexts[] = {
      {kBetterVm,
       "- If you are using a virtual machine, consider upgrading it with a faster one using "
       "a hypervisior that provides less latency during fork() calls. Xen is known to have "
       "poor fork() performance. Even in the context of the same VM provider, certain "
       "kinds of instances can execute fork faster than others.\n"},
      {kSlowlogInspect,
       "- Check your Slow Log to understand what are the commands you are running which "
       "are too slow to execute. Please check https://redis.io/commands/slowlog for more "
       "information.\n"},
      {kScheduler,
       "- The system is slow to execute Redis code paths not containing system calls. This "
       "usually means the system does not provide Redis CPU time to run for long periods. "
       "You should try to:\n"
       "  1) Lower the system load.\n"
       "  2) Use a computer / VM just for Redis if you are running other software in the "
       "same system.\n"
       "  3) Check if you have a \"noisy neighbour\" problem.\n"
       "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency "
       "in your system.\n"
       "  5) Check if the problem is allocator-related by recompiling Redis with "
       "MALLOC=libc, if you are using Jemalloc. However this may create fragmentation "
       "problems.\n"},
      {kLocalDisk,
       "- It is strongly advised to use local disks for persistence, especially if you are "
       "using AOF. Remote disks provided by platform-as-a-service providers are known to be "
       "slow.\n"},
      {kSsd,
       "- SSD disks are able to reduce fsync latency, and total time needed for "
       "snapshotting and AOF log rewriting (resulting in smaller memory usage). With "
       "extremely high write load SSD disks can be a good option. However Redis should "
       "perform reasonably with high load using normal disks. Use this advice as a last "
       "resort.\n"},
      {kDataWriteback,
       "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost "
       "compared to data=ordered, however this mode of operation provides less guarantees, "
       "and sometimes it can happen that after a hard crash the AOF file will have a "
       "half-written command at the end and will require to be repaired before Redis "
       "restarts.\n"},
      {kDiskContention,
       "- Try to lower the disk contention. This is often caused by other disk intensive "
       "processes running in the same computer (including other Redis instances).\n"},
      {kNoAppendfsync,
       "- Assuming from the point of view of data safety this is viable in your "
       "environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so "
       "that fsync will not be performed while there is a child rewriting the AOF file or "
       "producing an RDB file (the moment where there is high disk contention).\n"},
      {kRelaxFsync,
       "- Your fsync policy is set to 'always'. It is very hard to get good performances "
       "with such a setup, if possible try to relax the fsync policy to 'onesec'.\n"},
      {kWriteLoadInfo,
       "- Latency during the AOF atomic rename operation or when the final difference is "
       "flushed to the AOF file at the end of the rewrite, sometimes is caused by very high "
       "write load, causing the AOF buffer to get very large. If possible try to send less "
       "commands to accomplish the same work, or use Lua scripts to group multiple "
       "operations into a single EVALSHA call.\n"},
      {kHz,
       "- In order to make the Redis keys expiring process more incremental, try to set "
       "the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"},
      {kLargeObjects,
       "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
       "blocking operation. If you have very large objects that are often deleted, "
       "expired, or evicted, try to fragment those objects into multiple smaller "
       "objects.\n"},
      {kMassEviction,
       "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of "
       "large objects via sets or sorted sets intersections, STORE option of SORT, Redis "
       "Cluster large keys migrations (RESTORE command), may create sudden memory pressure "
       "forcing the server to block trying to evict keys. \n"},
      {kDisableThp,
       "- I detected a non zero amount of anonymous huge pages used by your process. This "
       "creates very serious latency events in different conditions, especially when Redis "
       "is persisting on disk. To disable THP support use the command 'echo never > "
       "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into "
       "/etc/rc.local so that the command will be executed again after a reboot. Note that "
       "even if you have already disabled THP, you still need to restart the Redis process "
       "to get rid of the huge pages already created.\n"},
  };
  char buf[512];
  for (int a = 0; a < kAdviceCount; ++a) {
    if (!advise[a]) continue;
    if (a == kSlowlogEnable) {
      std::snprintf(buf, sizeof(buf),
                    "- There are latency issues with potentially slow commands you are using. Try "
                    "to enable the Slow Log Redis feature using the command 'CONFIG SET "
                    "slowlog-log-slower-than %llu'. If the Slow log is disabled Redis is not able "
                    "to log slow commands execution for you.\n",
                    want);
      report += buf;
    } else if (a == kSlowlogTuning) {
      std::snprintf(buf, sizeof(buf),
                    "- Your current Slow Log configuration only logs events that are slower than "
                    "your configured latency monitor threshold. Please use 'CONFIG SET "
                    "slowlog-log-slower-than %llu'.\n",
                    want);
      report += buf;
    } else {
      for (const auto& [which, text] : kTexts) {
        if (which == a) report += text;
      }
    }
  }
  return report;
}

void CmdLatencyDoctor(CommandContext& ctx) { ctx.reply.Verbatim(LatencyReport(ctx.server)); }

// One command's histogram: {"calls": n, "histogram_usec": {µs: cumulative}}.
void ReplyHistogram(CommandContext& ctx, const LatencyHistogram& h) {
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Integer(static_cast<int64_t>(h.total()));
  ctx.reply.Bulk("histogram_usec");
  auto levels = h.Cumulative();
  ctx.reply.MapHeader(levels.size());
  for (const auto& [us, count] : levels) {
    ctx.reply.Integer(us);
    ctx.reply.Integer(static_cast<int64_t>(count));
  }
}

void CmdLatencyHistogram(CommandContext& ctx) {
  std::vector<const CommandSpec*> with_data;
  auto add = [&](const CommandSpec& c) {
    if (c.stats.latency != nullptr) with_data.push_back(&c);
  };
  auto add_with_subs = [&](const CommandSpec& c) {
    add(c);
    for (const CommandSpec& sub : c.subcommands) add(sub);
  };
  if (ctx.argc() == 2) {
    ctx.server.commands().ForEach(add_with_subs);
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      // "config|get" names a subcommand; a container names all of its own.
      std::string_view name = ctx.arg(i);
      const size_t bar = name.find('|');
      const CommandSpec* c = ctx.server.commands().Find(name.substr(0, bar));
      if (c != nullptr && bar != std::string_view::npos) {
        c = c->subcommands.empty() ? nullptr : CommandTable::FindSub(*c, name.substr(bar + 1));
      }
      if (c != nullptr) add_with_subs(*c);
    }
  }
  ctx.reply.MapHeader(with_data.size());
  for (const CommandSpec* c : with_data) {
    ctx.reply.Bulk(c->name);
    ReplyHistogram(ctx, *c->stats.latency);
  }
}

void CmdLatencyHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
  });
}

}  // namespace

void RegisterSlowlogFamily(CommandTable& t) {
  CommandFamily f(t, "server");
  constexpr uint32_t kLatencyFlags = kAdminFlags | kNoscript;
  constexpr const char* kSpecial =
      "nondeterministic_output request_policy:all_nodes response_policy:special";
  f.Add({.name = "slowlog",
         .arity = -2,
         .summary = "A container for slow log commands",
         .since = "2.2.12",
         .subcommands = {
             {.name = "slowlog|get", .arity = -2, .flags = kAdminFlags,
              .handler = CmdSlowlogGet, .tips = "request_policy:all_nodes nondeterministic_output",
              .summary = "Get the slow log's entries", .since = "2.2.12"},
             {.name = "slowlog|len", .arity = 2, .flags = kAdminFlags,
              .handler = CmdSlowlogLen, .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
              .summary = "Get the slow log's length", .since = "2.2.12"},
             {.name = "slowlog|reset", .arity = 2, .flags = kAdminFlags,
              .handler = CmdSlowlogReset, .tips = "request_policy:all_nodes response_policy:all_succeeded",
              .summary = "Clear all entries from the slow log", .since = "2.2.12"},
             {.name = "slowlog|help", .arity = 2, .flags = kLoading | kStale,
              .handler = CmdSlowlogHelp,
              .summary = "Show helpful text about the different subcommands", .since = "6.2.0"}}});
  f.Add({.name = "latency",
         .arity = -2,
         .summary = "A container for latency diagnostics commands",
         .since = "2.8.13",
         .subcommands = {
             {.name = "latency|history", .arity = 3, .flags = kLatencyFlags,
              .handler = CmdLatencyHistory, .tips = kSpecial,
              .summary = "Return timestamp-latency samples for the event", .since = "2.8.13"},
             {.name = "latency|doctor", .arity = 2, .flags = kLatencyFlags,
              .handler = CmdLatencyDoctor, .tips = kSpecial,
              .summary = "Return a human readable latency analysis report", .since = "2.8.13"},
             {.name = "latency|latest", .arity = 2, .flags = kLatencyFlags,
              .handler = CmdLatencyLatest, .tips = kSpecial,
              .summary = "Return the latest latency samples for all events", .since = "2.8.13"},
             {.name = "latency|reset", .arity = -2, .flags = kLatencyFlags,
              .handler = CmdLatencyReset, .tips = "request_policy:all_nodes response_policy:all_succeeded",
              .summary = "Reset latency data for one or more events", .since = "2.8.13"},
             {.name = "latency|help", .arity = 2, .flags = kLoading | kStale,
              .handler = CmdLatencyHelp,
              .summary = "Show helpful text about the different subcommands", .since = "2.8.13"},
             {.name = "latency|histogram", .arity = -2, .flags = kLatencyFlags,
              .handler = CmdLatencyHistogram, .tips = kSpecial,
              .summary = "Return the cumulative distribution of latencies of a subset of commands or all commands", .since = "7.0.0"},
             {.name = "latency|graph", .arity = 3, .flags = kLatencyFlags,
              .handler = CmdLatencyGraph, .tips = kSpecial,
              .summary = "Return a latency graph for the event", .since = "2.8.13"}}});
}

}  // namespace grabkv::server
