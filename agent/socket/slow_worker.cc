#include "agent/socket/slow_worker.h"

#include "common/thread.h"

namespace staffgate::agent {

SlowWorker::~SlowWorker() { Stop(); }

void SlowWorker::Start(common::LogFn log) {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) return;
  running_ = true;
  thread_ = common::StartGuardedThread("slow-worker", std::move(log), [this] { Run(); });
}

bool SlowWorker::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void SlowWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    tasks_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SlowWorker::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !running_ || !tasks_.empty(); });
      if (!running_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace staffgate::agent
