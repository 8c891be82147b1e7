#include "server/persistence/aof.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/core/log.h"
#include "server/core/memory.h"
#include "server/core/server_state.h"
#include "server/persistence/fork_child.h"
#include "server/core/util.h"

namespace grabkv::server {

namespace {

bool WriteAll(int fd, const char* p, size_t n, size_t* written) {
  *written = 0;
  while (*written < n) {
    ssize_t w = ::write(fd, p + *written, n - *written);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    *written += static_cast<size_t>(w);
  }
  return true;
}

// fsync the directory holding `path`, so that a rename survives power loss.
void FsyncDirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) return;
  ::fsync(dfd);
  ::close(dfd);
}

}  // namespace

Aof::Aof(ServerState* server) : server_(server), snap_(server) {
  server_->persistence = this;
  server_->propagator().set_sink([this](std::string_view resp) { Feed(resp); });
  // CONFIG SET appendonly turns the file on (a full rewrite first) or off;
  // appendfsync takes effect for the very next write.
  ConfigTable& table = server_->config_table();
  table.SetHook("appendonly", [this]() -> std::string {
    if (!server_->config().appendonly) {
      Disable();
      return "";
    }
    std::string err;
    return Enable(&err) ? "" : err;
  });
  table.SetHook("appendfsync", [this] {
    RefreshPolicy();
    return std::string();
  });
}

Aof::~Aof() {
  server_->config_table().SetHook("appendonly", nullptr);
  server_->config_table().SetHook("appendfsync", nullptr);
  AbortRewrite();
  if (fd_ >= 0) ::close(fd_);
  server_->propagator().set_sink(nullptr);
  server_->propagator().set_enabled(false);
  server_->persistence = nullptr;
}

std::string Aof::Path() const {
  const Config& cfg = server_->config();
  if (!cfg.appendfilename.empty() && cfg.appendfilename[0] == '/') return cfg.appendfilename;
  return (cfg.dir.empty() ? std::string(".") : cfg.dir) + "/" + cfg.appendfilename;
}

std::string Aof::TempRewriteName(pid_t pid) const {
  const Config& cfg = server_->config();
  return (cfg.dir.empty() ? std::string(".") : cfg.dir) + "/temp-rewriteaof-bg-" +
         std::to_string(pid) + ".aof";
}

void Aof::UpdatePropagation() {
  // Effects are needed while the file is on, or while a child writes the
  // file that will turn it on.
  server_->propagator().set_enabled(state_ == State::kOn ||
                                    (state_ == State::kWaitRewrite && Rewriting()));
}

void Aof::RefreshPolicy() { always_ = server_->config().appendfsync == AppendFsync::kAlways; }

bool Aof::Start(std::string* error) {
  RefreshPolicy();
  // Redis's precedence: with the append-only file on, it alone is loaded;
  // otherwise dump.rdb, when there is one.
  if (!server_->config().appendonly) return snap_.Load(error);
  std::string path = Path();
  std::vector<std::string> redis_files;
  if (::access(path.c_str(), F_OK) != 0 && !RedisManifestFiles(&redis_files, error)) return false;
  if (redis_files.empty()) {
    if (!Load(path, error)) return false;
  } else {
    // A Redis 7 multi-part AOF (appenddirname + manifest) and no file of
    // ours: load its parts in order, then continue in our single file.
    for (const std::string& f : redis_files) {
      Log(LogLevel::kNotice, "Loading Redis 7 AOF part %s", f.c_str());
      if (!LoadRedisPart(f, error)) return false;
    }
    Log(LogLevel::kWarning,
        "Loaded the Redis AOF directory %s/%s; grabkv continues in %s and leaves that directory "
        "untouched, so it is now stale (redis-server would load it, not grabkv's file)",
        server_->config().dir.c_str(), server_->config().appenddirname.c_str(), path.c_str());
    std::string err;
    if (!WriteAofNow(&err)) {
      *error = "Can't write the append-only file " + path + " after loading the Redis AOF directory";
      return false;
    }
  }
  if (!OpenForAppend(error)) return false;
  base_size_ = current_size_;
  state_ = State::kOn;
  UpdatePropagation();
  return true;
}

bool Aof::RedisManifestFiles(std::vector<std::string>* files, std::string* error) {
  const Config& cfg = server_->config();
  std::string dir = (cfg.dir.empty() ? std::string(".") : cfg.dir) + "/" + cfg.appenddirname;
  std::string manifest = dir + "/" + cfg.appendfilename + ".manifest";
  FILE* f = std::fopen(manifest.c_str(), "r");
  if (f == nullptr) return true;  // none: a fresh start
  // Lines like "file appendonly.aof.1.base.aof seq 1 type b": the base
  // first, then the incr files in manifest order; history (h) is ignored.
  std::string base;
  std::vector<std::string> incr;
  char line[4096];
  bool ok = true;
  while (ok && std::fgets(line, sizeof(line), f) != nullptr) {
    if (line[0] == '#' || line[0] == '\n') continue;
    std::vector<std::string> words;
    ok = SplitArgs(line, &words) && words.size() % 2 == 0;
    std::string name, type;
    for (size_t i = 0; ok && i + 1 < words.size(); i += 2) {
      if (words[i] == "file") name = words[i + 1];
      if (words[i] == "type") type = words[i + 1];
    }
    if (!ok || name.empty() || name.find('/') != std::string::npos) {
      ok = false;
    } else if (type == "b") {
      base = dir + "/" + name;
    } else if (type == "i") {
      incr.push_back(dir + "/" + name);
    }
  }
  std::fclose(f);
  if (!ok) {
    *error = "Invalid AOF manifest file format: " + manifest;
    return false;
  }
  if (!base.empty()) files->push_back(base);
  files->insert(files->end(), incr.begin(), incr.end());
  return true;
}

bool Aof::OpenForAppend(std::string* error) {
  std::string path = Path();
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    *error = "Can't open the append-only file " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  int64_t fstat_start_us = ServerState::NowUs();
  current_size_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
  server_->AddLatencySampleIfNeeded("aof-fstat", (ServerState::NowUs() - fstat_start_us) / 1000);
  last_fsync_ms_ = ServerState::NowMs();
  return true;
}

void Aof::Feed(std::string_view resp) {
  if (server_->config().aof_timestamp_enabled) {
    int64_t now_s = ServerState::NowMs() / 1000;
    if (now_s != last_ts_s_) {
      last_ts_s_ = now_s;
      std::string ts = "#TS:" + std::to_string(now_s) + "\r\n";
      if (state_ == State::kOn) aof_buf_ += ts;
      if (Rewriting()) rewrite_buf_ += ts;
    }
  }
  if (state_ == State::kOn) aof_buf_.append(resp);
  if (Rewriting()) rewrite_buf_.append(resp);
}

void Aof::NoteWriter(uint64_t client_id) {
  if (state_ == State::kOn) writers_.push_back(client_id);
}

// LATENCY's events for a write of the buffer, as Redis names them: by what
// else was going on, and all of them together as "aof-write".
void Aof::NoteWriteLatency(int64_t ms) {
  if (fsyncs_in_flight_.load() > 0) {
    server_->AddLatencySampleIfNeeded("aof-write-pending-fsync", ms);
  } else if (Rewriting()) {
    server_->AddLatencySampleIfNeeded("aof-write-active-child", ms);
  } else {
    server_->AddLatencySampleIfNeeded("aof-write-alone", ms);
  }
  server_->AddLatencySampleIfNeeded("aof-write", ms);
}

bool Aof::WriteBuffer() {
  if (aof_buf_.empty()) return true;
  // DEBUG AOF-FLUSH-SLEEP: lets tests catch writes waiting on the flush.
  if (server_->debug.aof_flush_sleep_us > 0) ::usleep(static_cast<useconds_t>(server_->debug.aof_flush_sleep_us));
  if (fd_ < 0) {
    if (state_ != State::kOn) return true;
    std::string err;
    if (!OpenForAppend(&err)) {
      write_error_ = "MISCONF Errors writing to the AOF file: " + err;
      return false;
    }
  }
  size_t written = 0;
  // Timed only while the latency monitor is on: this runs every loop iteration.
  const bool timed = server_->config().latency_monitor_threshold != 0;
  int64_t write_start_us = timed ? ServerState::NowUs() : 0;
  bool ok = WriteAll(fd_, aof_buf_.data(), aof_buf_.size(), &written);
  if (timed) NoteWriteLatency((ServerState::NowUs() - write_start_us) / 1000);
  if (ok) {
    current_size_ += static_cast<int64_t>(aof_buf_.size());
    if (aof_buf_.capacity() > (4u << 20)) {
      std::string().swap(aof_buf_);
    } else {
      aof_buf_.clear();
    }
    unsynced_ = true;
    if (!write_error_.empty() && !fsync_failed_) {
      Log(LogLevel::kWarning, "AOF write error looks solved. Grabkv can write again.");
      write_error_.clear();
    }
    return true;
  }
  int err = errno;
  last_write_errno_ = err;
  // Never leave half a command in the file: cut it back, or (if even that
  // fails) drop the written part from the buffer so it is not written twice.
  if (written > 0) {
    if (::ftruncate(fd_, current_size_) == 0) {
      written = 0;
    } else {
      current_size_ += static_cast<int64_t>(written);
      aof_buf_.erase(0, written);
    }
  }
  if (write_error_.empty()) {
    Log(LogLevel::kWarning, "Error writing to the AOF file: %s", std::strerror(err));
  }
  write_error_ = std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(err);
  return false;
}

void Aof::FailWriters() {
  // Their replies must not acknowledge what is not on disk.
  for (uint64_t id : writers_) {
    auto it = server_->clients().find(id);
    if (it != server_->clients().end()) server_->ScheduleClose(*it->second);
  }
  writers_.clear();
}

void Aof::BeforeReplies() {
  if (finish_fd_ >= 0) DrainRewrite();
  if (state_ != State::kOn) return;
  if (aof_buf_.empty() && writers_.empty()) return;
  const Config& cfg = server_->config();
  bool always = always_;
  if (!WriteBuffer()) {
    // Not even in the kernel: in no mode may these replies go out (a
    // process crash would lose what they acknowledge).
    FailWriters();
    return;
  }
  if (always) {
    bool skip = cfg.no_appendfsync_on_rewrite && Rewriting();
    if (!skip && unsynced_) {
      int64_t fsync_start_us = ServerState::NowUs();
      int rc = ::fdatasync(fd_);
      server_->AddLatencySampleIfNeeded("aof-fsync-always",
                                        (ServerState::NowUs() - fsync_start_us) / 1000);
      if (rc != 0) {
        int err = errno;
        Log(LogLevel::kWarning, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s",
            std::strerror(err));
        fsync_failed_ = true;
        last_write_errno_ = err;
        write_error_ = std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(err);
        FailWriters();
        return;
      }
      unsynced_ = false;
      last_fsync_ms_ = ServerState::NowMs();
    }
    writers_.clear();
    return;
  }
  writers_.clear();
  if (cfg.appendfsync == AppendFsync::kEverysec && unsynced_ &&
      ServerState::NowMs() - last_fsync_ms_ >= 1000) {
    SubmitFsync();
  }
}

void Aof::SubmitFsync() {
  if (fsyncs_in_flight_.load() > 0) return;  // the running one covers it soon
  if (server_->config().no_appendfsync_on_rewrite && Rewriting()) return;
  unsynced_ = false;
  last_fsync_ms_ = ServerState::NowMs();
  int fd = fd_;
  fsyncs_in_flight_.fetch_add(1);
  worker_.Submit([this, fd] {
    if (::fdatasync(fd) != 0) fsync_errno_.store(errno);
    fsyncs_in_flight_.fetch_sub(1);
  });
}

void Aof::Cron() {
  if (child_pid_ > 0) CheckChild();
  snap_.Cron(Rewriting());
  if (finish_fd_ >= 0) DrainRewrite();
  if (int err = fsync_errno_.exchange(0); err != 0 && state_ == State::kOn) {
    Log(LogLevel::kWarning, "Error fsyncing the AOF file in the background: %s", std::strerror(err));
    fsync_failed_ = true;
    last_write_errno_ = err;
    write_error_ = std::string("MISCONF Errors writing to the AOF file: ") + std::strerror(err);
  }
  const Config& cfg = server_->config();
  if (state_ == State::kOn) {
    // Buffered bytes left over by a failed write are retried here too.
    if (!aof_buf_.empty()) WriteBuffer();
    if (cfg.appendfsync == AppendFsync::kEverysec && unsynced_ && ServerState::NowMs() - last_fsync_ms_ >= 1000) {
      SubmitFsync();
    }
  }
  if (Rewriting() || snap_.child_active()) return;
  if (rewrite_scheduled_) {
    std::string err;
    StartRewrite(false, &err);
    return;
  }
  if (state_ == State::kOn && cfg.auto_aof_rewrite_percentage > 0 &&
      current_size_ > cfg.auto_aof_rewrite_min_size) {
    int64_t base = base_size_ > 0 ? base_size_ : 1;
    int64_t growth = (current_size_ * 100 / base) - 100;
    if (growth >= cfg.auto_aof_rewrite_percentage) {
      Log(LogLevel::kNotice, "Starting automatic rewriting of AOF on %" PRId64 "%% growth", growth);
      std::string err;
      StartRewrite(false, &err);
    }
  }
}

Aof::RewriteStart Aof::StartRewrite(bool nested, std::string* err) {
  if (Rewriting()) {
    *err = "ERR Background append only file rewriting already in progress";
    return RewriteStart::kInProgress;
  }
  // One child at a time, as in Redis: after a running BGSAVE.
  if (nested || snap_.child_active()) {
    rewrite_scheduled_ = true;
    return RewriteStart::kScheduled;
  }
  rewrite_scheduled_ = false;
  // Everything committed so far goes to the current file first, so the
  // effects collected from now on are exactly those after the fork.
  if (state_ == State::kOn) WriteBuffer();
  int64_t fork_start_us = ServerState::NowUs();
  int64_t now_ms = fork_start_us / 1000;
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    *err = std::string("ERR Can't rewrite append only file in background: fork: ") + std::strerror(e);
    Log(LogLevel::kWarning, "Can't rewrite append only file in background: fork: %s", std::strerror(e));
    last_rewrite_ok_ = false;
    ++rewrite_failures_in_a_row_;
    if (state_ == State::kWaitRewrite) rewrite_scheduled_ = true;  // retried from Cron
    return RewriteStart::kFailed;
  }
  if (pid == 0) {
    // Child: write the file and leave without running any destructor.
    PrepareForkedChild();
    std::string tmp = TempRewriteName(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) ::_exit(1);
    bool ok = WriteSnapshot(*server_, fd, now_ms) && ::fsync(fd) == 0;
    ::close(fd);
    ::_exit(ok ? 0 : 1);
  }
  NoteFork(*server_, fork_start_us);
  child_pid_ = pid;
  rewrite_start_ms_ = now_ms;
  dirty_at_fork_ = server_->dirty;
  rewrite_buf_.clear();
  // The collected effects must start with their own SELECT.
  server_->propagator().ForgetSelectedDb();
  UpdatePropagation();
  Log(LogLevel::kNotice, "Background append only file rewriting started by pid %d", static_cast<int>(pid));
  return RewriteStart::kStarted;
}

void Aof::CheckChild() {
  int status = 0;
  pid_t r = ::waitpid(child_pid_, &status, WNOHANG);
  if (r == 0) return;
  bool ok = r == child_pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    if (r == child_pid_ && WIFSIGNALED(status)) {
      Log(LogLevel::kWarning, "Background AOF rewrite terminated by signal %d", WTERMSIG(status));
    } else {
      Log(LogLevel::kWarning, "Background AOF rewrite terminated with error");
    }
  }
  pid_t pid = child_pid_;
  child_pid_ = -1;
  finish_tmp_ = TempRewriteName(pid);
  if (ok) {
    finish_fd_ = ::open(finish_tmp_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (finish_fd_ < 0) {
      Log(LogLevel::kWarning, "Can't open the rewritten AOF %s: %s", finish_tmp_.c_str(), std::strerror(errno));
      ok = false;
    }
  }
  if (!ok) {
    FinishRewrite(false);
    return;
  }
  drained_ = 0;
  DrainRewrite();
}

// The effects committed while the child wrote go to the new file in slices
// of at most kDrainSlice per loop iteration, fsynced in the background as
// they go, so that the final step (the last few hundred KB, one fsync, the
// rename) pauses the loop for a few milliseconds at most however much was
// written meanwhile.
void Aof::DrainRewrite() {
  constexpr size_t kDrainSlice = 1 << 20;
  constexpr size_t kFinalTail = 256 << 10;
  // The worker is fsyncing the file up to final_mark_: keep collecting.
  if (final_sync_ == FinalSync::kRunning && final_sync_done_.load() == 0) return;
  if (final_sync_ == FinalSync::kRunning) {
    if (final_sync_done_.load() < 0) {
      Log(LogLevel::kWarning, "Error fsyncing the rewritten AOF");
      FinishRewrite(false);
      return;
    }
    FinishRewrite(true);
    return;
  }
  size_t left = rewrite_buf_.size() - drained_;
  bool bg_fsync_running = drain_fsyncs_.load() > 0;
  size_t n = left > kFinalTail || bg_fsync_running ? std::min(left, kDrainSlice) : left;
  size_t written = 0;
  int64_t diff_start_us = ServerState::NowUs();
  bool diff_ok = n == 0 || WriteAll(finish_fd_, rewrite_buf_.data() + drained_, n, &written);
  server_->AddLatencySampleIfNeeded("aof-rewrite-diff-write",
                                    (ServerState::NowUs() - diff_start_us) / 1000);
  if (!diff_ok) {
    Log(LogLevel::kWarning, "Error writing the rewritten AOF: %s", std::strerror(errno));
    FinishRewrite(false);
    return;
  }
  drained_ += n;
  // Compact now and then so the buffer does not keep what is on disk.
  if (drained_ > (16u << 20)) {
    rewrite_buf_.erase(0, drained_);
    drained_ = 0;
  }
  if (bg_fsync_running) return;
  int fd = finish_fd_;
  if (drained_ < rewrite_buf_.size()) {
    // Big: fsync what is there in the background while the rest drains.
    drain_fsyncs_.fetch_add(1);
    worker_.Submit([this, fd] {
      ::fdatasync(fd);  // errors surface in the final fdatasync
      drain_fsyncs_.fetch_sub(1);
    });
    return;
  }
  // All written: the final fdatasync runs on the worker too; what is
  // committed meanwhile is appended at the swap (FinishRewrite).
  final_sync_ = FinalSync::kRunning;
  final_sync_done_.store(0);
  uint64_t gen = ++final_sync_gen_;
  worker_.Submit([this, fd, gen] {
    int r = ::fdatasync(fd) == 0 ? 1 : -1;
    // A job of an abandoned rewrite must not answer for a later one.
    if (gen == final_sync_gen_.load()) final_sync_done_.store(r);
  });
}

void Aof::FinishRewrite(bool ok) {
  int64_t pause_start_us = ServerState::NowUs();
  int64_t elapsed_s = (ServerState::NowMs() - rewrite_start_ms_) / 1000;
  std::string path = Path();
  std::string tmp = finish_tmp_;
  int nfd = finish_fd_;
  finish_fd_ = -1;
  final_sync_ = FinalSync::kNone;
  size_t tail_bytes = rewrite_buf_.size() - drained_;
  // With `always`, acknowledged writes are on disk: the new file and its
  // name must be too before it replaces the old one. Otherwise the tail
  // (the writes of the last few milliseconds) is fsynced by the regular
  // everysec/no schedule, like any other write.
  bool always = server_->config().appendfsync == AppendFsync::kAlways && state_ == State::kOn;
  if (ok) {
    size_t written = 0;
    ok = WriteAll(nfd, rewrite_buf_.data() + drained_, tail_bytes, &written) &&
         (!always || tail_bytes == 0 || ::fdatasync(nfd) == 0) &&
         ::rename(tmp.c_str(), path.c_str()) == 0;
    if (!ok) Log(LogLevel::kWarning, "Error finishing the AOF rewrite: %s", std::strerror(errno));
  }
  std::string().swap(rewrite_buf_);
  drained_ = 0;
  if (!ok) {
    if (nfd >= 0) CloseLater(nfd);
    ::unlink(tmp.c_str());
    last_rewrite_ok_ = false;
    ++rewrite_failures_in_a_row_;
    // Turning the file on needs a rewrite: try again later.
    if (state_ == State::kWaitRewrite) rewrite_scheduled_ = true;
    UpdatePropagation();
    return;
  }
  if (always) {
    FsyncDirOf(path);
  } else {
    worker_.Submit([path] { FsyncDirOf(path); });
  }
  if (tail_bytes > 0 && !always) unsynced_ = true;
  struct stat st;
  int64_t size = ::fstat(nfd, &st) == 0 ? st.st_size : 0;
  if (state_ == State::kOff) {
    ::close(nfd);  // BGREWRITEAOF with the file off: just the snapshot
  } else {
    // Everything still buffered for the old file was committed after the
    // fork (it is in the tail just written) or before it (in the child's
    // snapshot): writing it again would apply it twice.
    aof_buf_.clear();
    int old = fd_;
    fd_ = nfd;
    if (old >= 0) {
      // Closing the last descriptor of the replaced (now unlinked) file may
      // free a lot of blocks: not on the loop thread.
      CloseLater(old);
    }
    current_size_ = size;
    if (state_ == State::kWaitRewrite) {
      state_ = State::kOn;
      Log(LogLevel::kNotice, "AOF rewrite completed: the append-only file is now on");
    }
    // A failed fsync is only forgotten with a fresh, fsynced file.
    fsync_failed_ = false;
    write_error_.clear();
  }
  base_size_ = size;
  last_rewrite_ok_ = true;
  rewrite_failures_in_a_row_ = 0;
  last_rewrite_time_s_ = elapsed_s;
  ++rewrites_;
  UpdatePropagation();
  Log(LogLevel::kNotice,
      "Background AOF rewrite finished successfully (last %zu bytes of the writes made meanwhile "
      "appended in a %.3f ms pause)",
      tail_bytes, static_cast<double>(ServerState::NowUs() - pause_start_us) / 1000.0);
}

bool Aof::Reload(std::string* err) {
  if (state_ == State::kOn && (!WriteBuffer() || (fd_ >= 0 && ::fdatasync(fd_) != 0))) {
    // The file lacks what memory holds: reloading it would lose that.
    *err = "ERR Error flushing the AOF before reloading it: " + write_error_;
    return false;
  }
  for (storage::Db& db : server_->dbs()) server_->FreeLater(db.TakeAll());
  // Replaying must not append what it replays.
  server_->propagator().set_enabled(false);
  std::string error;
  if (!Load(Path(), &error)) {
    // Like Redis: half a dataset must not be served.
    Log(LogLevel::kWarning, "%s", error.c_str());
    Log(LogLevel::kWarning, "DEBUG LOADAOF failed: exiting");
    std::exit(1);
  }
  UpdatePropagation();
  server_->dirty = 0;
  return true;
}

void Aof::Schedule() { rewrite_scheduled_ = true; }

void Aof::CloseLater(int fd) {
  // After any fsync already queued on it (the worker runs jobs in order);
  // closing the last descriptor of a replaced file may also free many blocks.
  worker_.Submit([fd] { ::close(fd); });
}

void Aof::AbortRewrite() {
  if (child_pid_ > 0) {
    ::kill(child_pid_, SIGUSR1);
    ::waitpid(child_pid_, nullptr, 0);
    ::unlink(TempRewriteName(child_pid_).c_str());
    child_pid_ = -1;
  }
  if (finish_fd_ >= 0) {
    CloseLater(finish_fd_);
    finish_fd_ = -1;
    final_sync_ = FinalSync::kNone;
    ++final_sync_gen_;
    ::unlink(finish_tmp_.c_str());
  }
  std::string().swap(rewrite_buf_);
  drained_ = 0;
}

bool Aof::WriteAofNow(std::string* err) {
  if (Rewriting()) {
    *err = "ERR Background save already in progress";
    return false;
  }
  std::string path = Path();
  std::string tmp = (server_->config().dir.empty() ? std::string(".") : server_->config().dir) +
                    "/temp-rewriteaof-" + std::to_string(::getpid()) + ".aof";
  if (state_ == State::kOn) WriteBuffer();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && WriteSnapshot(*server_, fd, ServerState::NowMs()) && ::fsync(fd) == 0 &&
            ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    int e = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    Log(LogLevel::kWarning, "Error saving the append-only file: %s", std::strerror(e));
    *err = "ERR";
    return false;
  }
  FsyncDirOf(path);
  struct stat st;
  int64_t size = ::fstat(fd, &st) == 0 ? st.st_size : 0;
  if (state_ == State::kOn) {
    aof_buf_.clear();  // whatever a failed write left is in the snapshot
    int old = fd_;
    ::close(fd);
    fd_ = -1;
    fd = -1;
    std::string e;
    if (!OpenForAppend(&e)) {
      Log(LogLevel::kWarning, "%s", e.c_str());
      write_error_ = "MISCONF Errors writing to the AOF file: " + e;
    }
    if (old >= 0) CloseLater(old);
    server_->propagator().ForgetSelectedDb();
    fsync_failed_ = false;
    if (fd_ >= 0) write_error_.clear();
  } else {
    ::close(fd);
  }
  current_size_ = base_size_ = size;
  Log(LogLevel::kNotice, "Append-only file %s written", path.c_str());
  return true;
}

bool Aof::Enable(std::string* err) {
  if (state_ != State::kOff) return true;
  state_ = State::kWaitRewrite;
  // A rewrite started with the file off (BGSAVE) did not collect the writes
  // made since its fork: start a fresh one, as Redis does.
  if (Rewriting()) AbortRewrite();
  std::string e;
  bool nested = server_->propagator().depth() > 1;
  if (StartRewrite(nested, &e) == RewriteStart::kFailed) {
    state_ = State::kOff;
    UpdatePropagation();
    *err = "Unable to turn on AOF. Check server logs.";
    return false;
  }
  return true;
}

void Aof::Disable() {
  if (state_ == State::kOff) return;
  if (state_ == State::kOn) {
    WriteBuffer();
    if (fd_ >= 0) {
      ::fsync(fd_);
      CloseLater(fd_);  // after any fsync job still queued on it
    }
    fd_ = -1;
  }
  AbortRewrite();
  rewrite_scheduled_ = false;
  state_ = State::kOff;
  writers_.clear();
  aof_buf_.clear();
  write_error_.clear();
  fsync_failed_ = false;
  UpdatePropagation();
  Log(LogLevel::kNotice, "Background append only file rewriting stopped: the append-only file is off");
}

void Aof::Shutdown() {
  if (Rewriting()) {
    Log(LogLevel::kWarning, "There is a child rewriting the AOF. Killing it!");
    AbortRewrite();
  }
  if (state_ == State::kWaitRewrite) {
    // The file was being turned on and its first full copy is not written
    // yet: write it now, or the next start would load a stale file.
    Log(LogLevel::kWarning, "Writing initial AOF before exiting.");
    std::string err;
    WriteAofNow(&err);
    snap_.Shutdown();
    return;
  }
  if (state_ == State::kOn) {
    Log(LogLevel::kNotice, "Calling fsync() on the AOF file.");
    WriteBuffer();
    if (fd_ >= 0) ::fsync(fd_);
  }
  snap_.Shutdown();
}

void Aof::AppendInfo(std::string* out) const {
  snap_.AppendInfo(out);
  char buf[1024];
  int64_t now = ServerState::NowMs();
  int n = std::snprintf(
      buf, sizeof(buf),
      "aof_enabled:%d\r\n"
      "aof_rewrite_in_progress:%d\r\n"
      "aof_rewrite_scheduled:%d\r\n"
      "aof_last_rewrite_time_sec:%" PRId64 "\r\n"
      "aof_current_rewrite_time_sec:%" PRId64 "\r\n"
      "aof_last_bgrewrite_status:%s\r\n"
      "aof_rewrites:%" PRIu64 "\r\n"
      "aof_rewrites_consecutive_failures:%" PRIu64 "\r\n"
      "aof_last_write_status:%s\r\n"
      "aof_last_cow_size:0\r\n"
      "module_fork_in_progress:0\r\n"
      "module_fork_last_cow_size:0\r\n",
      state_ != State::kOff ? 1 : 0, Rewriting() ? 1 : 0, rewrite_scheduled_ ? 1 : 0,
      last_rewrite_time_s_, Rewriting() ? (now - rewrite_start_ms_) / 1000 : int64_t{-1},
      last_rewrite_ok_ ? "ok" : "err", rewrites_, rewrite_failures_in_a_row_,
      write_error_.empty() ? "ok" : "err");
  out->append(buf, static_cast<size_t>(n));
  if (state_ == State::kOff) return;
  n = std::snprintf(buf, sizeof(buf),
                    "aof_current_size:%" PRId64 "\r\n"
                    "aof_base_size:%" PRId64 "\r\n"
                    "aof_pending_rewrite:%d\r\n"
                    "aof_buffer_length:%zu\r\n"
                    "aof_pending_bio_fsync:%d\r\n"
                    "aof_delayed_fsync:0\r\n",
                    current_size_, base_size_,
                    rewrite_scheduled_ ? 1 : 0, aof_buf_.size(), fsyncs_in_flight_.load());
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace grabkv::server
