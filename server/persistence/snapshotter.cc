#include "server/persistence/snapshotter.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "server/core/log.h"
#include "server/core/server_state.h"
#include "server/persistence/fork_child.h"
#include "server/persistence/rdb.h"
#include "server/scripting/lua_engine.h"
#include "storage/db.h"

namespace grabkv::server {

namespace {

// Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, the schedule
// waits this long before trying again.
constexpr int64_t kRetryDelayS = 5;

// Redis's shared.bgsaveerr (without the leading '-').
const std::string kMisconf =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
const std::string kNoError;

// The `save` setting as (seconds, changes) pairs; empty = snapshots off.
std::vector<std::pair<int64_t, int64_t>> SaveParams(const std::string& s) {
  std::vector<std::pair<int64_t, int64_t>> out;
  std::vector<int64_t> nums;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) nums.push_back(std::strtoll(s.substr(i, j - i).c_str(), nullptr, 10));
    i = j;
  }
  for (size_t k = 0; k + 1 < nums.size(); k += 2) out.emplace_back(nums[k], nums[k + 1]);
  return out;
}

}  // namespace

Snapshotter::Snapshotter(ServerState* server) : server_(server) {
  last_save_s_ = ServerState::NowMs() / 1000;
}

Snapshotter::~Snapshotter() { KillChild(); }

std::string Snapshotter::Path() const {
  const Config& cfg = server_->config();
  if (!cfg.dbfilename.empty() && cfg.dbfilename[0] == '/') return cfg.dbfilename;
  return (cfg.dir.empty() ? std::string(".") : cfg.dir) + "/" + cfg.dbfilename;
}

std::string Snapshotter::TempName(pid_t pid) const {
  return "temp-" + std::to_string(pid) + ".rdb";
}

bool Snapshotter::Reload(bool save, bool flush, bool merge, std::string* err) {
  if (save && !SaveNow(err)) return false;
  if (flush) {
    for (storage::Db& db : server_->dbs()) server_->FreeLater(db.TakeAll());
    scripting::Lua(*server_).FlushFunctions();
  }
  std::string why;
  if (!Load(&why, merge)) {
    Log(LogLevel::kWarning, "%s", why.c_str());
    *err = "ERR Error trying to load the RDB dump";
    return false;
  }
  Log(LogLevel::kWarning, "DB reloaded by DEBUG RELOAD");
  return true;
}

bool Snapshotter::Load(std::string* error, bool merge) {
  int64_t start_us = ServerState::NowUs();
  RdbLoadStats stats;
  bool missing = false;
  std::string path = Path();
  if (!RdbLoadFile(*server_, path, start_us / 1000, merge, &stats, &missing, error)) return false;
  if (missing) return true;
  keys_loaded_ = stats.keys_loaded;
  keys_expired_ = stats.keys_expired;
  server_->dirty = 0;
  Log(LogLevel::kNotice, "Done loading RDB, keys loaded: %" PRIu64 ", keys expired: %" PRIu64 ".",
      stats.keys_loaded, stats.keys_expired);
  Log(LogLevel::kNotice, "DB loaded from disk: %.3f seconds",
      static_cast<double>(ServerState::NowUs() - start_us) / 1e6);
  return true;
}

bool Snapshotter::SaveNow(std::string* err) {
  if (child_active()) {
    *err = "ERR Background save already in progress";
    return false;
  }
  int64_t start_ms = ServerState::NowMs();
  std::string why;
  if (!RdbSaveToPath(*server_, Path(), TempName(::getpid()), start_ms, &why)) {
    Log(LogLevel::kWarning, "%s", why.c_str());
    *err = "ERR";
    return false;
  }
  Log(LogLevel::kNotice, "DB saved on disk");
  dirty_at_fork_ = server_->dirty;
  SaveSucceeded(-1);
  return true;
}

void Snapshotter::SaveSucceeded(int64_t elapsed_s) {
  server_->dirty = server_->dirty >= dirty_at_fork_ ? server_->dirty - dirty_at_fork_ : 0;
  last_save_s_ = ServerState::NowMs() / 1000;
  server_->last_save_time_s = last_save_s_;
  last_bgsave_ok_ = true;
  if (elapsed_s >= 0) last_bgsave_time_s_ = elapsed_s;
  ++saves_;
}

Snapshotter::BgStart Snapshotter::StartBgsave(bool schedule, bool other_child, std::string* err) {
  if (child_active()) {
    *err = "ERR Background save already in progress";
    return BgStart::kInProgress;
  }
  if (other_child) {
    if (schedule) {
      scheduled_ = true;
      return BgStart::kScheduled;
    }
    *err =
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE "
        "in order to schedule a BGSAVE whenever possible.";
    return BgStart::kOtherChild;
  }
  scheduled_ = false;
  int64_t fork_start_us = ServerState::NowUs();
  int64_t now_ms = fork_start_us / 1000;
  last_try_s_ = now_ms / 1000;
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    last_bgsave_ok_ = false;
    Log(LogLevel::kWarning, "Can't save in background: fork: %s", std::strerror(e));
    *err = "ERR";
    return BgStart::kFailed;
  }
  if (pid == 0) {
    // Child: write the file and leave without running any destructor.
    PrepareForkedChild();
    std::string why;
    bool ok = RdbSaveToPath(*server_, Path(), TempName(::getpid()), now_ms, &why);
    if (!ok) std::fprintf(stderr, "%s\n", why.c_str());
    ::_exit(ok ? 0 : 1);
  }
  NoteFork(*server_, fork_start_us);
  child_pid_ = pid;
  child_start_ms_ = now_ms;
  dirty_at_fork_ = server_->dirty;
  Log(LogLevel::kNotice, "Background saving started by pid %d", static_cast<int>(pid));
  return BgStart::kStarted;
}

void Snapshotter::Reap(bool ok) {
  int64_t elapsed_s = (ServerState::NowMs() - child_start_ms_) / 1000;
  child_pid_ = -1;
  if (ok) {
    Log(LogLevel::kNotice, "Background saving terminated with success");
    SaveSucceeded(elapsed_s);
  } else {
    last_bgsave_ok_ = false;
    last_bgsave_time_s_ = elapsed_s;
  }
}

void Snapshotter::Cron(bool other_child) {
  if (child_pid_ > 0) {
    int status = 0;
    pid_t r = ::waitpid(child_pid_, &status, WNOHANG);
    if (r == 0) return;
    bool ok = r == child_pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    pid_t pid = child_pid_;
    if (!ok) {
      if (r == child_pid_ && WIFSIGNALED(status)) {
        Log(LogLevel::kWarning, "Background saving terminated by signal %d", WTERMSIG(status));
      } else {
        Log(LogLevel::kWarning, "Background saving error");
      }
      // A killed child may leave its temporary file behind.
      std::string tmp = TempName(pid);
      const Config& cfg = server_->config();
      ::unlink(((cfg.dir.empty() ? std::string(".") : cfg.dir) + "/" + tmp).c_str());
    }
    // A child stopped on purpose (SIGUSR1) is not a failure, as in Redis.
    bool killed_on_purpose = r == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1;
    if (killed_on_purpose) {
      child_pid_ = -1;
    } else {
      Reap(ok);
    }
    return;
  }
  if (other_child) return;
  if (scheduled_) {
    std::string err;
    StartBgsave(false, false, &err);
    return;
  }
  const int64_t now_s = ServerState::NowMs() / 1000;
  for (const auto& [seconds, changes] : SaveParams(server_->config().save)) {
    if (server_->dirty >= static_cast<uint64_t>(changes) && now_s - last_save_s_ > seconds &&
        (last_bgsave_ok_ || now_s - last_try_s_ > kRetryDelayS)) {
      Log(LogLevel::kNotice, "%" PRId64 " changes in %" PRId64 " seconds. Saving...", changes, seconds);
      std::string err;
      StartBgsave(false, false, &err);
      return;
    }
  }
}

void Snapshotter::KillChild() {
  if (child_pid_ <= 0) return;
  ::kill(child_pid_, SIGUSR1);
  ::waitpid(child_pid_, nullptr, 0);
  const Config& cfg = server_->config();
  ::unlink(((cfg.dir.empty() ? std::string(".") : cfg.dir) + "/" + TempName(child_pid_)).c_str());
  child_pid_ = -1;
}

void Snapshotter::Shutdown() {
  if (child_active()) {
    Log(LogLevel::kWarning, "There is a child saving an .rdb. Killing it!");
    KillChild();
  }
  if (server_->shutdown_skip_save || SaveParams(server_->config().save).empty()) return;
  Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
  std::string err;
  if (SaveNow(&err)) {
    Log(LogLevel::kNotice, "DB saved on disk");
  } else {
    Log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
  }
}

const std::string& Snapshotter::write_error() const {
  const Config& cfg = server_->config();
  if (!last_bgsave_ok_ && cfg.stop_writes_on_bgsave_error && !SaveParams(cfg.save).empty()) {
    return kMisconf;
  }
  return kNoError;
}

void Snapshotter::AppendInfo(std::string* out) const {
  char buf[512];
  int64_t now = ServerState::NowMs();
  int n = std::snprintf(
      buf, sizeof(buf),
      "rdb_changes_since_last_save:%" PRIu64 "\r\n"
      "rdb_bgsave_in_progress:%d\r\n"
      "rdb_last_save_time:%" PRId64 "\r\n"
      "rdb_last_bgsave_status:%s\r\n"
      "rdb_last_bgsave_time_sec:%" PRId64 "\r\n"
      "rdb_current_bgsave_time_sec:%" PRId64 "\r\n"
      "rdb_saves:%" PRIu64 "\r\n"
      "rdb_last_cow_size:0\r\n"
      "rdb_last_load_keys_expired:%" PRIu64 "\r\n"
      "rdb_last_load_keys_loaded:%" PRIu64 "\r\n",
      server_->dirty, child_active() ? 1 : 0, last_save_s_, last_bgsave_ok_ ? "ok" : "err",
      last_bgsave_time_s_, child_active() ? (now - child_start_ms_) / 1000 : int64_t{-1}, saves_,
      keys_expired_, keys_loaded_);
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace grabkv::server
