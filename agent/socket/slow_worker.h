// One background thread that runs posted tasks in order. The socket loops
// hand it requests that may take long (roster_install verifying a large
// roster), so no loop ever stops answering checks. Thread-safe.
#ifndef STAFFGATE_AGENT_SLOW_WORKER_H_
#define STAFFGATE_AGENT_SLOW_WORKER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "common/log.h"

namespace staffgate::agent {

class SlowWorker {
 public:
  SlowWorker() = default;
  ~SlowWorker();  // Stop()s.
  SlowWorker(const SlowWorker&) = delete;
  SlowWorker& operator=(const SlowWorker&) = delete;

  // Starts the thread; `log` hears of a task that threw (common/thread.h).
  void Start(common::LogFn log);
  // Queues `task`; returns false (task dropped) when stopped.
  bool Post(std::function<void()> task);
  // Finishes the task in progress, drops the rest, joins. Idempotent.
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SLOW_WORKER_H_
