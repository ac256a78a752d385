#include "agent/socket/slow_worker.h"

#include <string>

#include "common/thread.h"

namespace staffgate::agent {

SlowWorker::~SlowWorker() { Stop(); }

void SlowWorker::Start(const common::LogFn& log, WorkerLimits limits) {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) return;
  running_ = true;
  limits_ = limits;
  const int threads = limits.threads < 1 ? 1 : limits.threads;
  for (int i = 0; i < threads; ++i) {
    threads_.push_back(
        common::StartGuardedThread("slow-worker-" + std::to_string(i), log, [this] { Run(); }));
  }
}

SlowWorker::PostResult SlowWorker::Post(std::function<void()> task, uid_t uid) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return PostResult::kStopped;
    if (pending_ >= limits_.max_pending) return PostResult::kFull;
    if (uid != 0) {
      std::size_t& mine = per_uid_[uid];
      if (mine >= limits_.max_pending_per_uid) {
        if (mine == 0) per_uid_.erase(uid);
        return PostResult::kFull;
      }
      ++mine;
    }
    ++pending_;
    tasks_.push_back(Task{std::move(task), uid});
  }
  cv_.notify_one();
  return PostResult::kQueued;
}

void SlowWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    tasks_.clear();
  }
  cv_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = 0;
  per_uid_.clear();
}

void SlowWorker::Done(uid_t uid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_ > 0) --pending_;
  if (uid == 0) return;
  auto it = per_uid_.find(uid);
  if (it != per_uid_.end() && --it->second == 0) per_uid_.erase(it);
}

void SlowWorker::Run() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !running_ || !tasks_.empty(); });
      if (!running_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task.run();
    Done(task.uid);
  }
}

}  // namespace staffgate::agent
