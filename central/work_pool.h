// A bounded pool of worker threads, for work kept off the HTTP network
// threads: password hashing (at most `workers` argon2id computations at
// once, so memory stays under workers x argon2 memory), and requests that
// ask the database (a hung database holds a worker, never the threads that
// serve rosters and long-polls). At most `max_queue` jobs wait, and none
// waits longer than `max_wait`. A job that cannot run in time is told so
// (the server answers 503 with Retry-After): no queue grows without bound.
//
// Thread-safe. The destructor refuses what still waits and joins the workers.
#ifndef STAFFGATE_CENTRAL_WORK_POOL_H_
#define STAFFGATE_CENTRAL_WORK_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"

namespace staffgate::central {

struct WorkPoolStats {
  std::atomic<std::uint64_t> queued{0};    // Jobs that had to wait for a worker.
  std::atomic<std::uint64_t> rejected{0};  // Refused: queue full or waited too long.
  std::atomic<std::int64_t> waiting{0};    // Jobs waiting now.
};

class WorkPool {
 public:
  // `job(true)` runs on a worker; `job(false)` when refused (on the
  // caller's thread if the queue is full, else on a worker once it waited
  // past max_wait, or at destruction). Jobs must not throw.
  using Job = std::function<void(bool admitted)>;

  // `name` names the worker threads in logs (static storage).
  WorkPool(const char* name, std::size_t workers, std::size_t max_queue,
           std::chrono::milliseconds max_wait, const common::LogFn& log);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void Submit(Job job);
  const WorkPoolStats& stats() const { return stats_; }
  // Seconds a refused caller should wait before trying again.
  int RetryAfterSeconds() const;

 private:
  struct Waiting {
    Job job;
    std::chrono::steady_clock::time_point since;
  };
  void Work();

  const std::size_t max_queue_;
  const std::chrono::milliseconds max_wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Waiting> queue_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
  WorkPoolStats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_WORK_POOL_H_
