// INFO [section ...]: the server's state as Redis 7.0 formats it.
//
// Field names and section order follow redis-server 7.0 (genRedisInfoString)
// so that tools that parse INFO find what they look for. Fields grabkv has no
// counterpart for (replication backlog, fork, defrag) are printed with the
// value an idle standalone Redis shows; fields grabkv does not measure are
// left out rather than made up.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/memory.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/core/version.h"

namespace grabkv::server {

namespace {

void Appendf(std::string* out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Appendf(std::string* out, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof(buf)) {
    out->append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.resize(static_cast<size_t>(n));
  out->append(big);
}

// Redis bytesToHuman.
std::string BytesToHuman(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
  } else if (n < (1ULL << 20)) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < (1ULL << 30)) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1 << 20));
  } else if (n < (1ULL << 40)) {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1ULL << 30));
  } else if (n < (1ULL << 50)) {
    std::snprintf(buf, sizeof(buf), "%.2fT", d / (1ULL << 40));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fP", d / (1ULL << 50));
  }
  return buf;
}

std::string Executable() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

int64_t ClampedHz(int64_t hz) { return std::clamp<int64_t>(hz, 1, 500); }

// --- sections ---------------------------------------------------------------

void ServerSection(ServerState& s, std::string* out) {
  struct utsname name;
  uname(&name);
  int64_t now_us = ServerState::NowUs();
  int64_t uptime = (now_us / 1000 - s.start_time_ms()) / 1000;
  const Config& cfg = s.config();
  Appendf(out,
          "# Server\r\n"
          "redis_version:%s\r\n"
          "grabkv_version:%s\r\n"
          "redis_git_sha1:00000000\r\n"
          "redis_git_dirty:0\r\n"
          "redis_build_id:0\r\n"
          "redis_mode:standalone\r\n"
          "os:%s %s %s\r\n"
          "arch_bits:64\r\n"
          "monotonic_clock:POSIX clock_gettime\r\n"
          "multiplexing_api:epoll\r\n"
          "atomicvar_api:c11-builtin\r\n"
          "gcc_version:%d.%d.%d\r\n"
          "process_id:%d\r\n"
          "process_supervised:no\r\n"
          "run_id:%s\r\n"
          "tcp_port:%" PRId64
          "\r\n"
          "server_time_usec:%" PRId64
          "\r\n"
          "uptime_in_seconds:%" PRId64
          "\r\n"
          "uptime_in_days:%" PRId64
          "\r\n"
          "hz:%" PRId64
          "\r\n"
          "configured_hz:%" PRId64
          "\r\n"
          "lru_clock:%" PRId64
          "\r\n"
          "executable:%s\r\n"
          "config_file:\r\n"
          "io_threads_active:0\r\n",
          kRedisCompatVersion, kGrabkvVersion, name.sysname, name.release, name.machine,
#ifdef __GNUC__
          __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
          0, 0, 0,
#endif
          static_cast<int>(getpid()), s.run_id().c_str(), s.bound_port, now_us, uptime,
          uptime / 86400, ClampedHz(cfg.hz), ClampedHz(cfg.hz),
          (now_us / 1000000) & ((1 << 24) - 1), Executable().c_str());
}

void ClientsSection(ServerState& s, std::string* out) {
  size_t max_in = 0, max_out = 0;
  for (const auto& [id, c] : s.clients()) {
    max_in = std::max(max_in, c->query_buffer_size);
    max_out = std::max(max_out, c->pending_output());
  }
  Appendf(out,
          "# Clients\r\n"
          "connected_clients:%zu\r\n"
          "cluster_connections:0\r\n"
          "maxclients:%" PRId64
          "\r\n"
          "client_recent_max_input_buffer:%zu\r\n"
          "client_recent_max_output_buffer:%zu\r\n"
          "blocked_clients:%zu\r\n"
          "tracking_clients:%lld\r\n"
          "clients_in_timeout_table:0\r\n",
          s.clients().size(), s.config().maxclients, max_in, max_out,
          s.blocking().blocked_clients(), static_cast<long long>(s.tracking().clients()));
}

double Ratio(uint64_t a, uint64_t b) {
  return b != 0 ? static_cast<double>(a) / static_cast<double>(b) : 0;
}

// Like Redis's getMemoryOverheadData: what the server holds besides the
// data set (its startup footprint, clients, the AOF buffer, scripts).
void MemorySection(ServerState& s, std::string* out) {
  const Config& cfg = s.config();
  uint64_t used = s.evictor().meter().Refresh();
  uint64_t peak = s.evictor().peak_allocated();
  uint64_t startup = s.startup_allocated();
  uint64_t rss = ResidentMemory();
  uint64_t total = TotalSystemMemory();
  uint64_t maxmem = static_cast<uint64_t>(cfg.maxmemory);
  AllocatorStats alloc = GetAllocatorStats();
  uint64_t clients = s.ClientBufferBytes();
  uint64_t aof_buffer = s.persistence != nullptr ? s.persistence->buffer_bytes() : 0;
  ScriptMemoryInfo scripts;
  if (const ScriptRuntime* rt = s.scripts_if_installed()) scripts = rt->MemoryInfo();
  uint64_t scripts_bytes = scripts.scripts_bytes + scripts.functions_bytes;
  uint64_t overhead = startup + clients + aof_buffer + scripts_bytes;
  uint64_t dataset = used > overhead ? used - overhead : 0;
  uint64_t net_used = used > startup ? used - startup : 0;
  // allocator_* ratios as Redis computes them (0 when the allocator says nothing).
  auto diff = [](uint64_t a, uint64_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); };
  Appendf(out,
          "# Memory\r\n"
          "used_memory:%" PRIu64 "\r\n"
          "used_memory_human:%s\r\n"
          "used_memory_rss:%" PRIu64 "\r\n"
          "used_memory_rss_human:%s\r\n"
          "used_memory_peak:%" PRIu64 "\r\n"
          "used_memory_peak_human:%s\r\n"
          "used_memory_peak_perc:%.2f%%\r\n"
          "used_memory_overhead:%" PRIu64 "\r\n"
          "used_memory_startup:%" PRIu64 "\r\n"
          "used_memory_dataset:%" PRIu64 "\r\n"
          "used_memory_dataset_perc:%.2f%%\r\n"
          "allocator_allocated:%" PRIu64 "\r\n"
          "allocator_active:%" PRIu64 "\r\n"
          "allocator_resident:%" PRIu64 "\r\n"
          "total_system_memory:%" PRIu64 "\r\n"
          "total_system_memory_human:%s\r\n",
          used, BytesToHuman(used).c_str(), rss, BytesToHuman(rss).c_str(), peak,
          BytesToHuman(peak).c_str(), Ratio(used, peak) * 100, overhead, startup, dataset,
          Ratio(dataset, net_used) * 100, alloc.allocated, alloc.active, alloc.resident, total,
          BytesToHuman(total).c_str());
  // One Lua state serves EVAL scripts and functions: it is counted as the
  // eval VM (used_memory_lua), the functions VM shows 0.
  Appendf(out,
          "used_memory_lua:%" PRIu64 "\r\n"
          "used_memory_vm_eval:%" PRIu64 "\r\n"
          "used_memory_lua_human:%s\r\n"
          "used_memory_scripts_eval:%" PRIu64 "\r\n"
          "number_of_cached_scripts:%" PRIu64 "\r\n"
          "number_of_functions:%" PRIu64 "\r\n"
          "number_of_libraries:%" PRIu64 "\r\n"
          "used_memory_vm_functions:0\r\n"
          "used_memory_vm_total:%" PRIu64 "\r\n"
          "used_memory_vm_total_human:%s\r\n"
          "used_memory_functions:%" PRIu64 "\r\n"
          "used_memory_scripts:%" PRIu64 "\r\n"
          "used_memory_scripts_human:%s\r\n",
          scripts.vm_bytes, scripts.vm_bytes, BytesToHuman(scripts.vm_bytes).c_str(),
          scripts.scripts_bytes, scripts.scripts_count, scripts.functions_count,
          scripts.libraries_count, scripts.vm_bytes, BytesToHuman(scripts.vm_bytes).c_str(),
          scripts.functions_bytes, scripts_bytes, BytesToHuman(scripts_bytes).c_str());
  Appendf(out,
          "maxmemory:%" PRIu64 "\r\n"
          "maxmemory_human:%s\r\n"
          "maxmemory_policy:%s\r\n"
          "allocator_frag_ratio:%.2f\r\n"
          "allocator_frag_bytes:%" PRId64 "\r\n"
          "allocator_rss_ratio:%.2f\r\n"
          "allocator_rss_bytes:%" PRId64 "\r\n"
          "rss_overhead_ratio:%.2f\r\n"
          "rss_overhead_bytes:%" PRId64 "\r\n"
          "mem_fragmentation_ratio:%.2f\r\n"
          "mem_fragmentation_bytes:%" PRId64 "\r\n"
          "mem_not_counted_for_evict:%" PRIu64 "\r\n"
          "mem_replication_backlog:0\r\n"
          "mem_total_replication_buffers:0\r\n"
          "mem_clients_slaves:0\r\n"
          "mem_clients_normal:%" PRIu64 "\r\n"
          "mem_cluster_links:0\r\n"
          "mem_aof_buffer:%" PRIu64 "\r\n"
          "mem_allocator:%s\r\n"
          "active_defrag_running:0\r\n"
          "lazyfree_pending_objects:%zu\r\n"
          "lazyfreed_objects:%zu\r\n",
          maxmem, BytesToHuman(maxmem).c_str(), Name(cfg.maxmemory_policy),
          Ratio(alloc.active, alloc.allocated), diff(alloc.active, alloc.allocated),
          Ratio(alloc.resident, alloc.active), diff(alloc.resident, alloc.active),
          Ratio(rss, alloc.resident), alloc.resident != 0 ? diff(rss, alloc.resident) : 0,
          Ratio(rss, used), diff(rss, used), aof_buffer, clients, aof_buffer, AllocatorName().c_str(),
          s.lazy_free().pending(), s.lazy_free().completed());
}

void PersistenceSection(ServerState& s, std::string* out) {
  out->append(
      "# Persistence\r\n"
      "loading:0\r\n"
      "async_loading:0\r\n"
      "current_cow_peak:0\r\n"
      "current_cow_size:0\r\n"
      "current_cow_size_age:0\r\n"
      "current_fork_perc:0.00\r\n"
      "current_save_keys_processed:0\r\n"
      "current_save_keys_total:0\r\n");
  // The persistence layer writes the rdb_* and aof_* fields.
  if (s.persistence != nullptr) {
    s.persistence->AppendInfo(out);
    return;
  }
  Appendf(out,
          "rdb_changes_since_last_save:%" PRIu64
          "\r\n"
          "rdb_bgsave_in_progress:0\r\n"
          "rdb_last_save_time:%" PRId64
          "\r\n"
          "rdb_last_bgsave_status:ok\r\n"
          "rdb_last_bgsave_time_sec:-1\r\n"
          "rdb_current_bgsave_time_sec:-1\r\n"
          "rdb_saves:0\r\n"
          "rdb_last_cow_size:0\r\n"
          "rdb_last_load_keys_expired:0\r\n"
          "rdb_last_load_keys_loaded:0\r\n",
          s.dirty, s.last_save_time_s);
  out->append(
      "aof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
      "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n"
      "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\n"
      "aof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
      "module_fork_last_cow_size:0\r\n");
}

void StatsSection(ServerState& s, std::string* out) {
  const ServerStats& st = s.stats();
  uint64_t expired = 0, hits = 0, misses = 0;
  for (const storage::Db& db : s.dbs()) {
    expired += db.expired_keys();
    hits += db.keyspace_hits();
    misses += db.keyspace_misses();
  }
  Appendf(out,
          "# Stats\r\n"
          "total_connections_received:%" PRIu64
          "\r\n"
          "total_commands_processed:%" PRIu64
          "\r\n"
          "instantaneous_ops_per_sec:%" PRIu64 "\r\n"
          "total_net_input_bytes:%" PRIu64
          "\r\n"
          "total_net_output_bytes:%" PRIu64
          "\r\n"
          "total_net_repl_input_bytes:0\r\n"
          "total_net_repl_output_bytes:0\r\n"
          "instantaneous_input_kbps:%.2f\r\n"
          "instantaneous_output_kbps:%.2f\r\n"
          "instantaneous_input_repl_kbps:0.00\r\n"
          "instantaneous_output_repl_kbps:0.00\r\n"
          "rejected_connections:%" PRIu64
          "\r\n"
          "sync_full:0\r\n"
          "sync_partial_ok:0\r\n"
          "sync_partial_err:0\r\n"
          "expired_keys:%" PRIu64
          "\r\n"
          "expired_stale_perc:0.00\r\n"
          "expired_time_cap_reached_count:0\r\n"
          "expire_cycle_cpu_milliseconds:0\r\n"
          "evicted_keys:%" PRIu64
          "\r\n"
          "evicted_clients:0\r\n"
          "total_eviction_exceeded_time:%" PRIu64
          "\r\n"
          "current_eviction_exceeded_time:%" PRIu64
          "\r\n"
          "keyspace_hits:%" PRIu64
          "\r\n"
          "keyspace_misses:%" PRIu64
          "\r\n"
          "pubsub_channels:%zu\r\n"
          "pubsub_patterns:%" PRId64
          "\r\n"
          "pubsubshard_channels:0\r\n"
          "latest_fork_usec:%" PRIu64
          "\r\n"
          "total_forks:%" PRIu64
          "\r\n"
          "migrate_cached_sockets:0\r\n"
          "slave_expires_tracked_keys:0\r\n"
          "active_defrag_hits:0\r\n"
          "active_defrag_misses:0\r\n"
          "active_defrag_key_hits:0\r\n"
          "active_defrag_key_misses:0\r\n"
          "total_active_defrag_time:0\r\n"
          "current_active_defrag_time:0\r\n"
          "tracking_total_keys:%zu\r\n"
          "tracking_total_items:%" PRIu64
          "\r\n"
          "tracking_total_prefixes:%zu\r\n"
          "unexpected_error_replies:0\r\n"
          "total_error_replies:%" PRIu64
          "\r\n"
          "dump_payload_sanitizations:0\r\n"
          "total_reads_processed:%" PRIu64 "\r\n"
          "total_writes_processed:%" PRIu64 "\r\n"
          "io_threaded_reads_processed:0\r\n"
          "io_threaded_writes_processed:0\r\n"
          "reply_buffer_shrinks:0\r\n"
          "reply_buffer_expands:0\r\n",
          st.total_connections_received, st.total_commands_processed, s.ops_rate.PerSecond(),
          st.total_net_input_bytes, st.total_net_output_bytes,
          static_cast<double>(s.net_input_rate.PerSecond()) / 1024,
          static_cast<double>(s.net_output_rate.PerSecond()) / 1024, st.rejected_connections, expired,
          s.evictor().evicted_keys(), s.evictor().total_exceeded_ms(ServerState::NowUs()),
          s.evictor().current_exceeded_ms(ServerState::NowUs()), hits, misses,
          s.pubsub().Channels("", true).size(), s.pubsub().NumPat(), st.latest_fork_usec,
          st.total_forks, s.tracking().total_keys(), s.tracking().total_items(),
          s.tracking().total_prefixes(), st.total_error_replies, st.total_reads_processed,
          st.total_writes_processed);
}

void ReplicationSection(ServerState& s, std::string* out) {
  // No replication: a standalone master's fields, with its own random id.
  Appendf(out,
          "# Replication\r\n"
          "role:master\r\n"
          "connected_slaves:0\r\n"
          "master_failover_state:no-failover\r\n"
          "master_replid:%s\r\n"
          "master_replid2:0000000000000000000000000000000000000000\r\n"
          "master_repl_offset:0\r\n"
          "second_repl_offset:-1\r\n"
          "repl_backlog_active:0\r\n"
          "repl_backlog_size:1048576\r\n"
          "repl_backlog_first_byte_offset:0\r\n"
          "repl_backlog_histlen:0\r\n",
          s.replid().c_str());
}

void AppendTimeval(std::string* out, const char* name, const struct timeval& tv) {
  Appendf(out, "%s:%ld.%06ld\r\n", name, static_cast<long>(tv.tv_sec),
          static_cast<long>(tv.tv_usec));
}

void CpuSection(std::string* out) {
  struct rusage self, children, thread;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  out->append("# CPU\r\n");
  AppendTimeval(out, "used_cpu_sys", self.ru_stime);
  AppendTimeval(out, "used_cpu_user", self.ru_utime);
  AppendTimeval(out, "used_cpu_sys_children", children.ru_stime);
  AppendTimeval(out, "used_cpu_user_children", children.ru_utime);
  AppendTimeval(out, "used_cpu_sys_main_thread", thread.ru_stime);
  AppendTimeval(out, "used_cpu_user_main_thread", thread.ru_utime);
}

void AppendCmdStat(const CommandSpec& c, std::string* out) {
  const CommandStats& st = c.stats;
  if (st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0) return;
  double per_call = st.calls ? static_cast<double>(st.usec) / static_cast<double>(st.calls) : 0;
  Appendf(out,
          "cmdstat_%s:calls=%" PRIu64 ",usec=%" PRIu64
          ",usec_per_call=%.2f"
          ",rejected_calls=%" PRIu64 ",failed_calls=%" PRIu64 "\r\n",
          c.name, st.calls, st.usec, per_call, st.rejected_calls, st.failed_calls);
}

void CommandStatsSection(ServerState& s, std::string* out) {
  out->append("# Commandstats\r\n");
  s.commands().ForEach([&](const CommandSpec& c) {
    AppendCmdStat(c, out);
    for (const CommandSpec& sub : c.subcommands) AppendCmdStat(sub, out);
  });
}

// latency_percentiles_usec_<command>:p50=1.003,p99=2.007,p99.9=3.007
void AppendLatencyStat(const CommandSpec& c, const std::vector<std::pair<std::string, double>>& pcts,
                       std::string* out) {
  if (c.stats.latency == nullptr) return;
  Appendf(out, "latency_percentiles_usec_%s:", c.name);
  for (size_t i = 0; i < pcts.size(); ++i) {
    Appendf(out, "%sp%s=%.3f", i == 0 ? "" : ",", pcts[i].first.c_str(),
            static_cast<double>(c.stats.latency->ValueAtPercentile(pcts[i].second)) / 1000.0);
  }
  out->append("\r\n");
}

void LatencyStatsSection(ServerState& s, std::string* out) {
  out->append("# Latencystats\r\n");
  if (!s.config().latency_tracking) return;
  // The setting is stored as Redis prints it ("50 99 99.9").
  std::vector<std::pair<std::string, double>> pcts;
  std::string_view text = s.config().latency_tracking_info_percentiles;
  while (!text.empty()) {
    size_t sp = text.find(' ');
    std::string word(text.substr(0, sp));
    if (!word.empty()) pcts.emplace_back(word, std::strtod(word.c_str(), nullptr));
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
  }
  s.commands().ForEach([&](const CommandSpec& c) {
    AppendLatencyStat(c, pcts, out);
    for (const CommandSpec& sub : c.subcommands) AppendLatencyStat(sub, pcts, out);
  });
}

void ErrorStatsSection(ServerState& s, std::string* out) {
  out->append("# Errorstats\r\n");
  // Redis keeps them in a radix tree: sorted by error code.
  std::vector<std::pair<std::string_view, uint64_t>> codes(s.stats().error_codes.begin(),
                                                           s.stats().error_codes.end());
  std::sort(codes.begin(), codes.end());
  for (const auto& [code, count] : codes) {
    Appendf(out, "errorstat_%.*s:count=%" PRIu64 "\r\n", static_cast<int>(code.size()), code.data(),
            count);
  }
}

void KeyspaceSection(ServerState& s, std::string* out) {
  out->append("# Keyspace\r\n");
  for (const storage::Db& db : s.dbs()) {
    if (db.size() == 0) continue;
    Appendf(out, "db%d:keys=%zu,expires=%zu,avg_ttl=%" PRId64 "\r\n", db.index(), db.size(),
            db.expires_size(), db.avg_ttl());
  }
}

// Sections in Redis's order; `in_default` marks those INFO prints with no
// argument (and for "default").
struct Section {
  const char* name;
  bool in_default;
};
constexpr Section kSections[] = {
    {"server", true},        {"clients", true},     {"memory", true},        {"persistence", true},
    {"stats", true},         {"replication", true}, {"cpu", true},           {"modules", true},
    {"commandstats", false}, {"errorstats", true},  {"latencystats", false}, {"cluster", true},
    {"keyspace", true},
};

void AppendSection(ServerState& s, std::string_view name, std::string* out) {
  if (name == "server") {
    ServerSection(s, out);
  } else if (name == "clients") {
    ClientsSection(s, out);
  } else if (name == "memory") {
    MemorySection(s, out);
  } else if (name == "persistence") {
    PersistenceSection(s, out);
  } else if (name == "stats") {
    StatsSection(s, out);
  } else if (name == "replication") {
    ReplicationSection(s, out);
  } else if (name == "cpu") {
    CpuSection(out);
  } else if (name == "modules") {
    out->append("# Modules\r\n");
  } else if (name == "commandstats") {
    CommandStatsSection(s, out);
  } else if (name == "errorstats") {
    ErrorStatsSection(s, out);
  } else if (name == "latencystats") {
    LatencyStatsSection(s, out);
  } else if (name == "cluster") {
    out->append("# Cluster\r\ncluster_enabled:0\r\n");
  } else if (name == "keyspace") {
    KeyspaceSection(s, out);
  }
}

}  // namespace

// Builds the INFO text for the given section arguments (empty = default),
// as Redis 7.0's genInfoSectionDict reads them: "default", "all" (every
// section of the core), "everything" (also the subsystems' own sections, as
// Redis adds its modules' sections), or section names in any case and any
// order; the sections come out in Redis's order, unknown names add nothing.
std::string GenerateInfo(ServerState& s, Args sections) {
  bool want[std::size(kSections)] = {};
  bool all = false, everything = false, defaults = sections.empty();
  if (sections.empty()) {
    for (size_t i = 0; i < std::size(kSections); ++i) want[i] = kSections[i].in_default;
  }
  std::vector<std::string> named;
  std::string lower;
  for (std::string_view arg : sections) {
    ToLower(arg, &lower);
    if (lower == "all") {
      all = true;
    } else if (lower == "everything") {
      all = everything = true;
    } else if (lower == "default") {
      defaults = true;
      for (size_t i = 0; i < std::size(kSections); ++i) want[i] |= kSections[i].in_default;
    } else {
      if (lower == "module_list") lower = "modules";
      for (size_t i = 0; i < std::size(kSections); ++i) {
        if (lower == kSections[i].name) want[i] = true;
      }
      named.push_back(lower);
    }
  }
  std::string out;
  bool first = true;
  for (size_t i = 0; i < std::size(kSections); ++i) {
    if (!all && !want[i]) continue;
    if (!first) out.append("\r\n");
    first = false;
    AppendSection(s, kSections[i].name, &out);
  }
  // Sections of the subsystems the core does not know (GRAB.*'s "grab").
  for (const auto& ext : s.extensions()) {
    if (ext == nullptr || ext->info_section() == nullptr) continue;
    bool wanted = everything || (defaults && ext->info_in_default()) ||
                  std::find(named.begin(), named.end(), ext->info_section()) != named.end();
    if (!wanted) continue;
    if (!first) out.append("\r\n");
    first = false;
    ext->AppendInfo(&out);
  }
  return out;
}

namespace {

void CmdInfo(CommandContext& ctx) {
  std::string text = GenerateInfo(ctx.server, ctx.args.subspan(1));
  ctx.reply.Verbatim(text);
}

}  // namespace

void RegisterInfoCommand(CommandTable& t) {
  CommandFamily f(t, "server");
  f.Add({.name = "info", .arity = -1, .flags = kLoading | kStale | kSentinel,
         .handler = CmdInfo, .acl = kAclDangerous, .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
         .summary = "Get information and statistics about the server", .since = "1.0.0"});
}

}  // namespace grabkv::server
