// ServerState: everything the commands operate on, without any IO.
//
// Owns the databases, the command table, the configuration, the registry of
// clients and the statistics. The libuv layer (event_loop.h) owns one and
// drives it; tests build one directly and run commands through Dispatch().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/core/blocking.h"
#include "server/core/client.h"
#include "server/core/command_table.h"
#include "server/core/config.h"
#include "server/core/eviction.h"
#include "server/core/monitor.h"
#include "server/core/latency.h"
#include "server/core/background_worker.h"
#include "server/core/propagate.h"
#include "server/core/pubsub_registry.h"
#include "server/core/subsystems.h"
#include "server/core/tracking.h"
#include "server/core/watch_registry.h"
#include "storage/db.h"

namespace grabkv::server {

struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t latest_fork_usec = 0;  // the loop's pause for the last fork
  uint64_t total_forks = 0;
  double fork_rate_gb_s = 0;  // memory forked per second at the last fork
  uint64_t total_reads_processed = 0;   // socket reads that returned data
  uint64_t total_writes_processed = 0;  // socket writes of replies
  StringMap<uint64_t> error_codes;  // errorstats (codes can be client-made: keyed hash)
};

// Redis's instantaneous_* figures: a counter's rate, sampled every 100 ms
// by the cron and averaged over the last 16 samples.
class RateSampler {
 public:
  void Sample(int64_t now_ms, uint64_t value) {
    if (last_ms_ != 0) {
      int64_t elapsed = now_ms - last_ms_;
      // A counter reset by CONFIG RESETSTAT counts as no change.
      uint64_t delta = value >= last_value_ ? value - last_value_ : 0;
      samples_[index_] = elapsed > 0 ? delta * 1000 / static_cast<uint64_t>(elapsed) : 0;
      index_ = (index_ + 1) % kSamples;
    }
    last_ms_ = now_ms;
    last_value_ = value;
  }
  uint64_t PerSecond() const {
    uint64_t sum = 0;
    for (uint64_t v : samples_) sum += v;
    return sum / kSamples;
  }

 private:
  static constexpr size_t kSamples = 16;
  uint64_t samples_[kSamples] = {};
  size_t index_ = 0;
  int64_t last_ms_ = 0;
  uint64_t last_value_ = 0;
};

class ServerState : public storage::KeyspaceObserver, public protocol::ErrorSink {
 public:
  // Takes the final configuration (after config file and arguments).
  explicit ServerState(Config config);
  ~ServerState() override;

  Config& config() { return config_; }
  const Config& config() const { return config_; }
  ConfigTable& config_table() { return config_table_; }
  const CommandTable& commands() const { return commands_; }
  ServerStats& stats() { return stats_; }
  // A subsystem's state (see Extension); nullptr when not installed.
  template <class T>
  T* extension() const {
    const size_t id = ExtensionId<T>();
    return id < extensions_.size() ? static_cast<T*>(extensions_[id].get()) : nullptr;
  }
  template <class T>
  T& AddExtension(std::unique_ptr<T> ext) {
    const size_t id = ExtensionId<T>();
    if (extensions_.size() <= id) extensions_.resize(id + 1);
    T& ref = *ext;
    extensions_[id] = std::move(ext);
    return ref;
  }
  const std::vector<std::unique_ptr<Extension>>& extensions() const { return extensions_; }
  std::vector<storage::Db>& dbs() { return dbs_; }
  storage::Db& db(int i) { return dbs_[i]; }
  BackgroundWorker& lazy_free() { return lazy_free_; }
  std::mt19937_64& rng() { return rng_; }
  WatchRegistry& watches() { return watches_; }
  PubSubRegistry& pubsub() { return pubsub_; }
  BlockingManager& blocking() { return blocking_; }
  Slowlog& slowlog() { return slowlog_; }
  LatencyMonitor& latency_monitor() { return latency_monitor_; }
  // LATENCY: records `latency_ms` for `event` when latency-monitor-threshold
  // is on and reached (events: "command", "fast-command", "expire-cycle",
  // "eviction-cycle", "aof-write", "aof-fsync-always", "aof-fstat",
  // "aof-rewrite-diff-write", "fork"...).
  void AddLatencySampleIfNeeded(const char* event, int64_t latency_ms) {
    const int64_t threshold = config_.latency_monitor_threshold;
    if (threshold != 0 && latency_ms >= threshold) {
      latency_monitor_.AddSample(event, latency_ms, NowMs() / 1000);
    }
  }
  // maxmemory: eviction and used memory (server/core/eviction.h).
  Evictor& evictor() { return evictor_; }
  // Allocated bytes once the server is set up, before any data (INFO
  // used_memory_startup, MEMORY STATS startup.allocated); the IO layer marks
  // it when its listeners are up.
  uint64_t startup_allocated() const { return startup_allocated_; }
  void MarkStartupMemory() { startup_allocated_ = evictor_.meter().Refresh(); }
  // Query and output buffers of every client (INFO mem_clients_normal).
  uint64_t ClientBufferBytes() const;
  // How keys record their accesses (follows maxmemory-policy, lfu-*).
  const storage::AccessTracker& access_tracker() const { return access_; }
  // The maxmemory check before the running top-level command found memory
  // over the limit (Redis's server.script_oom): a script may then not run
  // a deny-oom command before its first write.
  bool script_oom = false;
  // What DEBUG switches for test suites (server/commands/debug_family.cc).
  struct DebugSettings {
    bool active_expire = true;         // DEBUG SET-ACTIVE-EXPIRE
    bool pause_cron = false;           // DEBUG PAUSE-CRON
    int64_t aof_flush_sleep_us = 0;    // DEBUG AOF-FLUSH-SLEEP
    bool disable_deny_scripts = false;  // DEBUG SET-DISABLE-DENY-SCRIPTS
    bool skip_checksum_validation = false;  // DEBUG SET-SKIP-CHECKSUM-VALIDATION
    uint64_t quicklist_packed_threshold = 1ull << 30;
    int64_t reply_buffer_peak_reset_ms = 5000;  // DEBUG REPLYBUFFER
    bool reply_buffer_resizing = true;
  };
  DebugSettings debug;
  // The replication ids INFO shows (DEBUG CHANGE-REPL-ID draws a new one).
  const std::string& replid() const { return replid_; }
  void ChangeReplicationId();
  // Ends a client's MULTI: queued commands dropped, keys unwatched.
  void DiscardTransaction(Client& c);
  // Client-side caching (CLIENT TRACKING).
  Tracking& tracking() { return tracking_; }
  MonitorFeed& monitors() { return monitors_; }
  // The script engine (server/scripting/ installs it; see server/app.h).
  ScriptRuntime& scripts() { return *scripts_; }
  const ScriptRuntime* scripts_if_installed() const { return scripts_.get(); }
  void set_scripts(std::unique_ptr<ScriptRuntime> engine) { scripts_ = std::move(engine); }
  CommandTable& mutable_commands() { return commands_; }
  // Effects of write commands, for the append-only file.
  Propagator& propagator() { return propagator_; }
  // Counts every keyspace change reported by the databases: a command
  // changed data iff this moved while it ran.
  uint64_t keyspace_writes() const { return keyspace_writes_; }
  // True while the append-only file is replayed at start: no blocking, no
  // lazy expiry, nothing propagated.
  bool loading = false;
  // The append-only file, when the IO layer has set one up (tests run
  // without). Owned by whoever created it.
  Persistence* persistence = nullptr;

  // Milliseconds since the epoch; the wall clock read once per command.
  static int64_t NowMs();
  static int64_t NowUs();
  // Back-to-back commands (one read's pipelined batch) share clock reads:
  // the time a command ended is the next one's start, which halves the
  // clock_gettime calls per command (≈70 ns each on a VM). Only within a
  // ClockChain scope; anywhere else every command reads the clock.
  int64_t ChainedNowUs() {
    int64_t t = chained_us_;
    chained_us_ = 0;
    return t != 0 ? t : NowUs();
  }
  void ChainClock(int64_t us) {
    if (chain_depth_ > 0) chained_us_ = us;
  }
  class ClockChain {
   public:
    explicit ClockChain(ServerState* s) : s_(s) { ++s_->chain_depth_; }
    ~ClockChain() {
      if (--s_->chain_depth_ == 0) s_->chained_us_ = 0;
    }
    ClockChain(const ClockChain&) = delete;
    ClockChain& operator=(const ClockChain&) = delete;

   private:
    ServerState* s_;
  };
  int64_t start_time_ms() const { return start_time_ms_; }
  const std::string& run_id() const { return run_id_; }

  // --- clients ---
  uint64_t NextClientId() { return next_client_id_++; }
  void AddClient(Client* c) {
    clients_[c->id()] = c;
    c->reply().set_error_sink(this);
  }
  void RemoveClient(Client* c) { clients_.erase(c->id()); }
  const absl::flat_hash_map<uint64_t, Client*>& clients() const { return clients_; }
  // CLIENT KILL and similar: the IO layer closes these at the end of the
  // loop iteration (a handler never closes a socket itself).
  void ScheduleClose(Client& c) {
    c.close_asap = true;
    close_queue.push_back(c.id());
  }
  std::vector<uint64_t> close_queue;
  // A client got output (or was unblocked) outside its own command: pub/sub
  // messages, a served blocking command. The IO layer flushes it (and resumes
  // its buffered input) at the end of the loop iteration.
  void NotifyOutput(Client& c) { output_queue.push_back(c.id()); }
  std::vector<uint64_t> output_queue;
  // Everything that must forget a client when it goes away.
  void ForgetClient(Client& c);
  // The top-level command being executed, for the crash report (null
  // between commands).
  const Client* current_client = nullptr;
  Args current_args;
  // Set by the IO layer: the listening port actually bound.
  int64_t bound_port = 0;

  // --- lifecycle ---
  // SHUTDOWN asks the IO layer to stop after the current command.
  bool shutdown_requested = false;
  // The shutdown must not write the RDB snapshot (SHUTDOWN NOSAVE, or the
  // SHUTDOWN command already wrote it).
  bool shutdown_skip_save = false;
  // Changes since the last save (INFO rdb_changes_since_last_save).
  uint64_t dirty = 0;
  int64_t last_save_time_s = 0;

  // --- INFO's sampled figures (SampleMetrics, from the cron) ---
  // Every 100 ms: the command and network rates, and the memory peak.
  void SampleMetrics();
  RateSampler ops_rate, net_input_rate, net_output_rate;

  // KeyspaceObserver: the one place every write is reported to.
  void OnKeyWritten(const storage::KeyWriteReport& report) override;
  void OnDbReplaced(int db_index, int other_index) override;
  void OnKeyExpired(int db_index, std::string_view key) override;
  void OnKeyMiss(int db_index, std::string_view key) override;

  // ErrorSink: every error reply built for a client (INFO errorstats).
  void OnErrorReply(std::string_view msg) override;
  // Errors replied by commands nested in the one running (EXEC's, a
  // script's redis.call): Execute tells a command's own errors from theirs.
  uint64_t nested_errors = 0;

  // Frees a taken database or value off the loop thread when it is large.
  void FreeLater(std::unique_ptr<storage::Db::Taken> taken);

 private:
  // Follows maxmemory-policy, lfu-log-factor and lfu-decay-time.
  void ApplyAccessTracking();
  // Follows notify-keyspace-events (keymiss reporting of the databases).
  void ApplyNotifyKeyspaceEvents();

  Config config_;
  int64_t last_metrics_sample_ms_ = 0;
  ConfigTable config_table_;
  CommandTable commands_;
  ServerStats stats_;
  std::vector<std::unique_ptr<Extension>> extensions_;  // by ExtensionId
  std::vector<storage::Db> dbs_;
  BackgroundWorker lazy_free_;
  std::mt19937_64 rng_;
  absl::flat_hash_map<uint64_t, Client*> clients_;
  WatchRegistry watches_;
  PubSubRegistry pubsub_{this};
  BlockingManager blocking_{this};
  Slowlog slowlog_;
  LatencyMonitor latency_monitor_;
  Tracking tracking_{this};
  MonitorFeed monitors_{this};
  std::unique_ptr<ScriptRuntime> scripts_;
  Propagator propagator_;
  Evictor evictor_;
  uint64_t startup_allocated_ = 0;
  storage::AccessTracker access_;
  uint64_t keyspace_writes_ = 0;
  int64_t chained_us_ = 0;
  int chain_depth_ = 0;
  uint64_t next_client_id_ = 1;
  int64_t start_time_ms_;
  std::string run_id_;
  std::string replid_;
  void last_save_time_s_init();
};

// Runs one command arriving from a client with Redis's checks (unknown
// command, arity, authentication, pub/sub context, MULTI queueing), then
// serves clients blocked on keys the command made ready. args[0] is the
// command name. The reply goes to client.reply().
void Dispatch(ServerState& server, Client& client, Args args);

// How Execute runs a command (see CommandContext).
struct ExecOptions {
  bool in_transaction = false;
  bool in_script = false;
  bool unblock_timeout = false;
  bool rerun = false;  // a blocked command run again: not shown to MONITOR twice
  int64_t now_ms = 0;  // 0 = read the clock; EXEC and scripts freeze it
};

// Runs an already looked-up and checked command and records its
// statistics: the common core of Dispatch, EXEC, scripts and blocked
// re-runs.
void Execute(ServerState& server, Client& client, const CommandSpec* spec, Args args,
             const ExecOptions& opts);

}  // namespace grabkv::server
