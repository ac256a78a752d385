#include "central/work_pool.h"

#include <algorithm>

#include "common/thread.h"

namespace staffgate::central {

WorkPool::WorkPool(const char* name, std::size_t workers, std::size_t max_queue,
                   std::chrono::milliseconds max_wait, const common::LogFn& log)
    : max_queue_(max_queue), max_wait_(max_wait) {
  for (std::size_t i = 0; i < std::max<std::size_t>(workers, 1); ++i) {
    threads_.push_back(common::StartGuardedThread(name, log, [this] { Work(); }));
  }
}

WorkPool::~WorkPool() {
  std::deque<Waiting> refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    refused.swap(queue_);
    stats_.waiting = 0;
  }
  cv_.notify_all();
  for (Waiting& w : refused) w.job(false);
  for (std::thread& t : threads_) t.join();
}

int WorkPool::RetryAfterSeconds() const {
  return static_cast<int>(std::max<std::int64_t>(1, (max_wait_.count() + 999) / 1000));
}

void WorkPool::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && queue_.size() < max_queue_) {
      if (idle_ == 0) ++stats_.queued;
      queue_.push_back(Waiting{std::move(job), std::chrono::steady_clock::now()});
      ++stats_.waiting;
      cv_.notify_one();
      return;
    }
  }
  ++stats_.rejected;
  job(false);
}

void WorkPool::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // Stopping.
    Waiting next = std::move(queue_.front());
    queue_.pop_front();
    --stats_.waiting;
    lock.unlock();
    const bool in_time = std::chrono::steady_clock::now() - next.since <= max_wait_;
    if (!in_time) ++stats_.rejected;
    next.job(in_time);
    next.job = nullptr;  // Whatever it captured goes now, not at the next wait.
    lock.lock();
  }
}

}  // namespace staffgate::central
