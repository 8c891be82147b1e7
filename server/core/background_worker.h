// BackgroundWorker: a helper thread that runs jobs in submission order off
// the loop thread. The server has two: one destroys large values (UNLINK,
// FLUSHALL ASYNC; it only receives objects already detached from the
// keyspace), one fsyncs and closes append-only files. Jobs never touch the
// keyspace.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace grabkv::server {

class BackgroundWorker {
 public:
  BackgroundWorker();
  ~BackgroundWorker();  // drains the queue, then joins
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // Runs `job` on the helper thread after the jobs submitted before it.
  void Submit(std::function<void()> job);
  // Jobs submitted but not yet finished (INFO lazyfree_pending_objects).
  size_t pending() const;
  size_t completed() const;  // jobs finished

 private:
  void Run();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  size_t running_ = 0;
  size_t completed_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace grabkv::server
