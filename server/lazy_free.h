// LazyFree: a helper thread that destroys large values off the loop thread
// (UNLINK, FLUSHALL ASYNC). It never touches the keyspace: it only receives
// objects already detached from it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace grabkv::server {

class LazyFree {
 public:
  LazyFree();
  ~LazyFree();  // drains the queue, then joins
  LazyFree(const LazyFree&) = delete;
  LazyFree& operator=(const LazyFree&) = delete;

  // Runs `job` (which frees something) on the helper thread.
  void Submit(std::function<void()> job);
  // Jobs submitted but not yet finished (INFO lazyfree_pending_objects).
  size_t pending() const;
  size_t freed() const;

 private:
  void Run();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  size_t running_ = 0;
  size_t freed_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace grabkv::server
