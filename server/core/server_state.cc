#include "server/core/server_state.h"

#include "server/core/memory.h"
#include "server/core/notify.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <cstdio>


namespace grabkv::server {

storage::Db& CommandContext::db() { return server.db(client.db_index()); }

bool CommandContext::propagating() const { return server.propagator().enabled(); }

void CommandContext::Propagate(std::initializer_list<std::string_view> argv) {
  propagate_mode = PropagateMode::kCustom;
  server.propagator().Add(client.db_index(), argv);
}

void CommandContext::Propagate(Args argv) {
  propagate_mode = PropagateMode::kCustom;
  server.propagator().Add(client.db_index(), argv);
}

ServerState::ServerState(Config config)
    : config_(std::move(config)), config_table_(&config_), rng_(std::random_device{}()) {
  dbs_.reserve(static_cast<size_t>(config_.databases));
  for (int i = 0; i < config_.databases; ++i) {
    dbs_.emplace_back(i);
    dbs_.back().set_observer(this);
    dbs_.back().set_access_tracker(&access_);
  }
  start_time_ms_ = NowMs();
  last_save_time_s_init();
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_.push_back(kHex[rng_() & 15]);
  // Redis draws the replication id apart from the run id (changeReplicationId).
  for (int i = 0; i < 40; ++i) replid_.push_back(kHex[rng_() & 15]);
  // The core's settings whose new value must act at once (the others are
  // read from Config where they are used).
  config_table_.SetHook("loglevel", [this] {
    LogSetLevel(config_.loglevel);
    return std::string();
  });
  // CONFIG SET dir (with enable-protected-configs) moves the server there,
  // as main() does at start.
  config_table_.SetHook("dir", [this] {
    if (chdir(config_.dir.c_str()) != 0) return std::string(std::strerror(errno));
    return std::string();
  });
  ApplyAccessTracking();
  MarkStartupMemory();
  for (const char* name : {"maxmemory-policy", "lfu-log-factor", "lfu-decay-time"}) {
    config_table_.SetHook(name, [this] {
      ApplyAccessTracking();
      return std::string();
    });
  }
  // Read misses cost a call only while keymiss events are asked for.
  ApplyNotifyKeyspaceEvents();
  config_table_.SetHook("notify-keyspace-events", [this] {
    ApplyNotifyKeyspaceEvents();
    return std::string();
  });
}

void ServerState::ApplyAccessTracking() {
  // As in Redis, switching between LRU and LFU leaves each key's metadata
  // to be read the new way until its next access rewrites it.
  access_.lfu = IsLfu(config_.maxmemory_policy);
  access_.log_factor = config_.lfu_log_factor;
  access_.decay_time = config_.lfu_decay_time;
}

void ServerState::ChangeReplicationId() {
  static const char kHex[] = "0123456789abcdef";
  for (char& ch : replid_) ch = kHex[rng_() & 15];
}

void ServerState::DiscardTransaction(Client& c) {
  c.queued.clear();
  c.in_multi = false;
  c.multi_aborted = false;
  watches_.UnwatchAll(c);
}

void ServerState::ApplyNotifyKeyspaceEvents() {
  const int flags = config_.notify_keyspace_flags;
  const bool misses = (flags & kNotifyKeyMiss) && (flags & (kNotifyKeyspace | kNotifyKeyevent));
  for (storage::Db& db : dbs_) db.set_report_misses(misses);
}

void ServerState::OnKeyMiss(int db_index, std::string_view key) {
  NotifyKeyspaceEvent(*this, kNotifyKeyMiss, "keymiss", key, db_index);
}

void ServerState::last_save_time_s_init() { last_save_time_s = start_time_ms_ / 1000; }

ServerState::~ServerState() = default;

void ServerState::SampleMetrics() {
  int64_t now = NowMs();
  if (now - last_metrics_sample_ms_ < 100) return;
  last_metrics_sample_ms_ = now;
  ops_rate.Sample(now, stats_.total_commands_processed);
  net_input_rate.Sample(now, stats_.total_net_input_bytes);
  net_output_rate.Sample(now, stats_.total_net_output_bytes);
  evictor_.meter().Refresh();  // moves the peak
}

uint64_t ServerState::ClientBufferBytes() const {
  uint64_t bytes = 0;
  for (const auto& [id, c] : clients_) bytes += c->query_buffer_size + c->pending_output();
  return bytes;
}

int64_t ServerState::NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t ServerState::NowUs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// The one place every write of a key ends up: the change counter, WATCH, and
// blocked clients here; the command's default propagation keys off
// keyspace_writes_ (see Execute).
void ServerState::OnKeyWritten(const storage::KeyWriteReport& report) {
  const int db_index = report.db_index;
  const std::string_view key = report.key;
  // An expiry deletion records its own DEL (OnKeyExpired); it does not make
  // the command that ran into it a write.
  if (!report.expired()) ++keyspace_writes_;
  dirty += report.changes;
  watches_.Touch(db_index, key);
  // Any write may give a blocked client something (a push, a rename onto
  // the key, ...): its command is simply tried again after this one.
  blocking_.SignalKeyReady(db_index, key);
  // Client-side caching: one branch when nothing is tracked.
  if (tracking_.watching()) tracking_.InvalidateKey(key);
  // Keyspace notifications: one branch while notify-keyspace-events is "".
  if (config_.notify_keyspace_flags != 0) NotifyWrite(*this, report);
}

void ServerState::OnDbReplaced(int db_index, int other_index) {
  ++keyspace_writes_;
  watches_.TouchDbReplaced(dbs_[db_index], other_index >= 0 ? &dbs_[other_index] : nullptr);
  // After SWAPDB a blocked client may find data under its key (a flush
  // cannot give it any).
  if (other_index >= 0) {
    blocking_.SignalDb(db_index);
    blocking_.SignalDb(other_index);
  } else if (tracking_.clients() > 0 || tracking_.watching()) {
    // A flush (not SWAPDB) invalidates every tracking client's cache.
    tracking_.NoteFlush();
  }
}

size_t NextExtensionId() {
  static size_t next = 0;
  return next++;
}

void ServerState::OnErrorReply(std::string_view msg) {
  stats_.total_error_replies++;
  size_t sp = msg.find_first_of(" \r\n");
  stats_.error_codes[std::string(msg.substr(0, sp))]++;
}

void ServerState::ForgetClient(Client& c) {
  watches_.UnwatchAll(c);
  pubsub_.Forget(c);
  blocking_.Forget(c);
  if (c.tracking != 0) tracking_.Disable(c);
  monitors_.Remove(c);
  RemoveClient(&c);
}

void ServerState::OnKeyExpired(int db_index, std::string_view key) {
  // Replicas and the file see expiry as a deletion, as Redis propagates it.
  propagator_.Add(db_index, {config_.lazyfree_lazy_expire ? "UNLINK" : "DEL", key});
}

void ServerState::FreeLater(std::unique_ptr<storage::Db::Taken> taken) {
  if (taken->keys.size() + taken->expires.size() < 64) return;  // cheap: free here
  auto* raw = taken.release();
  lazy_free_.Submit([raw] { delete raw; });
}

}  // namespace grabkv::server
