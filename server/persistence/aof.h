// Aof: the append-only file, Redis's single-file format and promises.
//
// Committed effects (server/propagate.h) are appended to a buffer; the IO
// layer calls BeforeReplies() once per loop iteration, before any reply of
// that iteration is sent, and the buffer is written with one write():
//   always   - and fsynced (fdatasync) right there: group commit, one write
//              and one fsync for everything the iteration executed. A client
//              whose write could not be made durable is closed unanswered.
//   everysec - a helper thread fsyncs about once a second; the loop never
//              waits for the disk.
//   no       - the kernel decides when to flush.
// A failed write or fsync is remembered: write commands are refused with
// -MISCONF until a later write succeeds (a failed fsync only clears with a
// successful rewrite, since the kernel may have dropped the dirty pages).
//
// Rewrite (BGREWRITEAOF, SAVE, BGSAVE, the automatic trigger, turning the
// file on at run time) forks; the child writes a compact file of the data as
// of the fork while the parent keeps the effects committed meanwhile; once
// the child is done, the parent appends those, fsyncs and renames the new
// file over the old one.
//
// Owned by the IO layer (main.cc); ServerState::aof points at it. Loop thread
// only, apart from the helper thread's fsync/close jobs.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/core/background_worker.h"
#include "server/core/memory.h"
#include "server/core/subsystems.h"
#include "server/persistence/snapshotter.h"

namespace grabkv::server {

class ServerState;

class Aof : public Persistence {
 public:
  explicit Aof(ServerState* server);
  ~Aof() override;
  Aof(const Aof&) = delete;
  Aof& operator=(const Aof&) = delete;

  // Before clients are accepted. With appendonly yes: replays the file
  // (aof-load-truncated decides about a cut-off tail) and opens it for
  // appending, creating it when missing. Without a file of ours, a Redis 7
  // AOF directory (appenddirname with its manifest; the base file an RDB
  // image or commands) is loaded instead and continued in our single file.
  // Returns false with *error when the server must not start (corruption,
  // unreadable file).
  bool Start(std::string* error);

  // --- event loop hooks ---
  // Writes (and with `always` fsyncs) what this iteration committed. Must run
  // before the iteration's replies are flushed.
  void BeforeReplies() override;
  // From the server timer: everysec fsync of idle periods, finishing a
  // rewrite whose child exited, scheduled and automatic rewrites.
  void Cron() override;
  // SHUTDOWN/SIGTERM: everything written and fsynced; a rewrite is abandoned.
  void Shutdown() override;

  // --- commands ---
  enum class RewriteStart { kStarted, kScheduled, kInProgress, kFailed };
  // BGREWRITEAOF/BGSAVE. `nested` (inside EXEC or a script): only schedule,
  // since effects of the same batch may precede the fork.
  RewriteStart StartRewrite(bool nested, std::string* err);
  // SAVE / SHUTDOWN SAVE: dump.rdb in the foreground.
  bool SaveNow(std::string* err) override { return snap_.SaveNow(err); }
  // Writes the append-only file of the current data in the foreground.
  bool WriteAofNow(std::string* err);
  // dump.rdb: BGSAVE, the save schedule, loading at start.
  Snapshotter& snapshots() { return snap_; }
  // CONFIG SET appendonly yes|no. Turning it on writes a full file first.
  bool Enable(std::string* err);
  void Disable();
  // DEBUG LOADAOF: writes and fsyncs what is pending, empties the data and
  // replays the file (exits, as Redis does, if it cannot).
  bool Reload(std::string* err) override;
  bool ReloadSnapshot(bool save, bool flush, bool merge, std::string* err) override {
    return snap_.Reload(save, flush, merge, err);
  }
  // BGSAVE SCHEDULE: a rewrite as soon as the running one ends.
  void Schedule();
  // Start and CONFIG SET appendfsync: re-read the fsync policy.
  void RefreshPolicy();
  // A client whose command's effects wait in this iteration's buffer.
  void NoteWriter(uint64_t client_id) override;
  // The -MISCONF reason when writes are refused, else empty.
  const std::string& write_error() const override {
    return write_error_.empty() ? snap_.write_error() : write_error_;
  }

  bool on() const override { return state_ != State::kOff; }
  bool rewrite_in_progress() const { return Rewriting(); }
  int64_t last_save_s() const override { return snap_.last_save_s(); }
  void AppendInfo(std::string* out) const override;
  // Heap bytes only: an empty buffer's inline capacity is no allocation
  // (INFO mem_aof_buffer is 0 with the AOF off, as in Redis).
  uint64_t buffer_bytes() const override { return HeapBytes(aof_buf_) + HeapBytes(rewrite_buf_); }
  // Counters for INFO and tests.
  uint64_t loaded_commands() const { return loaded_commands_; }

 private:
  enum class State { kOff, kOn, kWaitRewrite };

  // Receives committed batches from the Propagator.
  void Feed(std::string_view resp);
  void UpdatePropagation();
  // Replays `path`; false with *error on corruption (or a cut-off tail
  // without aof-load-truncated). Truncates a cut-off tail in the file.
  bool Load(const std::string& path, std::string* error);
  // Loads one part of a Redis 7 AOF directory: a base file that is an RDB
  // image (aof-use-rdb-preamble yes, Redis's default) into the empty
  // server, else a file of commands as Load().
  bool LoadRedisPart(const std::string& path, std::string* error);
  bool OpenForAppend(std::string* error);
  // The parts of a Redis 7 multi-part AOF (appenddirname/<appendfilename>
  // .manifest): base then incr files. Empty when there is no manifest.
  bool RedisManifestFiles(std::vector<std::string>* files, std::string* error);
  // Writes aof_buf_; false on failure (partial bytes are cut off again).
  bool WriteBuffer();
  void FailWriters();
  void SubmitFsync();
  void CheckChild();
  // A child finished: its file gets the effects committed meanwhile, a
  // slice per loop iteration, before FinishRewrite swaps it in.
  void DrainRewrite();
  void FinishRewrite(bool ok);
  void AbortRewrite();
  void CloseLater(int fd);
  void NoteWriteLatency(int64_t ms);
  bool Rewriting() const { return child_pid_ > 0 || finish_fd_ >= 0; }
  std::string TempRewriteName(pid_t pid) const;
  std::string Path() const;

  ServerState* server_;
  Snapshotter snap_;
  State state_ = State::kOff;
  int fd_ = -1;
  std::string aof_buf_;      // committed, not yet written
  std::string rewrite_buf_;  // committed since the rewrite child forked
  std::vector<uint64_t> writers_;
  bool always_ = false;  // appendfsync is "always" (RefreshPolicy)
  int64_t current_size_ = 0;
  int64_t base_size_ = 0;     // size after the last rewrite or load
  std::string write_error_;   // non-empty: writes refused (MISCONF)
  bool fsync_failed_ = false;
  int last_write_errno_ = 0;

  // everysec: the helper thread's fsync.
  std::atomic<int> fsyncs_in_flight_{0};
  std::atomic<int> fsync_errno_{0};
  int64_t last_fsync_ms_ = 0;
  bool unsynced_ = false;  // written since the last fsync was started

  // rewrite
  pid_t child_pid_ = -1;
  int finish_fd_ = -1;        // the child's file while it is being completed
  std::string finish_tmp_;
  size_t drained_ = 0;        // bytes of rewrite_buf_ already in finish_fd_
  std::atomic<int> drain_fsyncs_{0};
  enum class FinalSync { kNone, kRunning } final_sync_ = FinalSync::kNone;
  std::atomic<int> final_sync_done_{0};  // 0 running, 1 ok, -1 failed
  std::atomic<uint64_t> final_sync_gen_{0};
  uint64_t dirty_at_fork_ = 0;
  int64_t rewrite_start_ms_ = 0;
  bool rewrite_scheduled_ = false;
  bool last_rewrite_ok_ = true;
  int64_t last_rewrite_time_s_ = -1;
  uint64_t rewrites_ = 0;
  uint64_t rewrite_failures_in_a_row_ = 0;
  uint64_t loaded_commands_ = 0;
  int64_t last_ts_s_ = 0;  // aof-timestamp-enabled: second of the last annotation
  // fsync and close jobs. Declared last: joined first on destruction, while
  // the state its jobs touch still exists.
  BackgroundWorker worker_;
};

// Writes a compact command file of every live key of `server` (functions
// first, then per database SELECT and one command per 64 elements, TTLs as
// PEXPIREAT) to fd. Used by the rewrite child and SAVE. False on a write
// error (errno set).
bool WriteSnapshot(ServerState& server, int fd, int64_t now_ms);

}  // namespace grabkv::server
