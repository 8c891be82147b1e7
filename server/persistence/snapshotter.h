// Snapshotter: dump.rdb as Redis 7.0 keeps it (SAVE, BGSAVE [SCHEDULE],
// the `save <seconds> <changes>` schedule, LASTSAVE, SHUTDOWN's save, INFO
// persistence's rdb_* fields, loading the file at start).
//
// A save writes `temp-<pid>.rdb` in `dir`, fsyncs it and renames it over
// `dbfilename`, so a crash or SIGKILL at any point leaves the previous file
// whole. BGSAVE forks; the child writes and exits, and Cron reaps it. A
// failed background save refuses writes with -MISCONF (under
// stop-writes-on-bgsave-error) until a save succeeds.
//
// Owned by the Aof (the server's one Persistence); only one child (a
// snapshot or an AOF rewrite) runs at a time, as in Redis. Loop thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace grabkv::server {

class ServerState;

class Snapshotter {
 public:
  explicit Snapshotter(ServerState* server);
  ~Snapshotter();
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  // Loads dbfilename when it exists. False with *error when the file is
  // corrupt or unreadable (the server must not start).
  bool Load(std::string* error, bool merge = false);
  // DEBUG RELOAD (see Persistence::ReloadSnapshot). *err is the reply.
  bool Reload(bool save, bool flush, bool merge, std::string* err);

  enum class BgStart { kStarted, kScheduled, kInProgress, kOtherChild, kFailed };
  // BGSAVE [SCHEDULE]. `other_child`: an AOF rewrite is running.
  BgStart StartBgsave(bool schedule, bool other_child, std::string* err);
  // SAVE: in the foreground. False with *err (the reply) on failure.
  bool SaveNow(std::string* err);
  // From the server timer: reaps the child, runs a scheduled BGSAVE or one
  // the `save` settings call for (only when `other_child` is false).
  void Cron(bool other_child);
  // SHUTDOWN/SIGTERM: stops a child; saves when `save` settings exist,
  // unless the shutdown said NOSAVE or already saved.
  void Shutdown();
  // Kills a running child (a rewrite is about to fork, CONFIG SET dir...).
  void KillChild();

  bool child_active() const { return child_pid_ > 0; }
  bool scheduled() const { return scheduled_; }
  // -MISCONF text while writes are refused, else empty.
  const std::string& write_error() const;
  int64_t last_save_s() const { return last_save_s_; }
  // INFO persistence from rdb_changes_since_last_save to
  // rdb_last_load_keys_loaded.
  void AppendInfo(std::string* out) const;
  std::string Path() const;

 private:
  void Reap(bool ok);
  void SaveSucceeded(int64_t elapsed_s);
  std::string TempName(pid_t pid) const;

  ServerState* server_;
  pid_t child_pid_ = -1;
  int64_t child_start_ms_ = 0;
  uint64_t dirty_at_fork_ = 0;
  bool scheduled_ = false;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_time_s_ = -1;
  int64_t last_try_s_ = 0;
  uint64_t saves_ = 0;
  int64_t last_save_s_ = 0;
  uint64_t keys_loaded_ = 0, keys_expired_ = 0;
};

}  // namespace grabkv::server
