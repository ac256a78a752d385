// Background threads that run posted tasks. The socket loops hand them
// requests that may take long, so no loop ever stops answering checks:
//  - the admin worker (one thread, unbounded, in order): roster_install
//    verifying a large roster, sync, reload;
//  - the password pool (a few threads, bounded): authenticate and
//    chauthtok, which wait on the central and on argon2id. Its bound caps
//    the memory argon2id may take and the sign-ins waiting; a non-root uid
//    may hold only a few places, so one local user cannot crowd out the
//    logins of sshd, login and gdm (root) (docs/design.md §13).
// Thread-safe.
#ifndef STAFFGATE_AGENT_SLOW_WORKER_H_
#define STAFFGATE_AGENT_SLOW_WORKER_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"

namespace staffgate::agent {

struct WorkerLimits {
  int threads = 1;
  // Tasks queued or running at once; past it Post answers kFull.
  std::size_t max_pending = std::numeric_limits<std::size_t>::max();
  // The same per non-root uid.
  std::size_t max_pending_per_uid = std::numeric_limits<std::size_t>::max();
};

class SlowWorker {
 public:
  enum class PostResult { kQueued, kFull, kStopped };

  SlowWorker() = default;
  ~SlowWorker();  // Stop()s.
  SlowWorker(const SlowWorker&) = delete;
  SlowWorker& operator=(const SlowWorker&) = delete;

  // Starts the threads; `log` hears of a task that threw (common/thread.h).
  void Start(const common::LogFn& log, WorkerLimits limits = {});
  // Queues `task` for `uid`'s request; kFull (dropped) past the limits,
  // kStopped (dropped) when stopped.
  PostResult Post(std::function<void()> task, uid_t uid = 0);
  // Finishes the tasks in progress, drops the rest, joins. Idempotent.
  void Stop();

 private:
  struct Task {
    std::function<void()> run;
    uid_t uid;
  };
  void Run();
  void Done(uid_t uid);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  WorkerLimits limits_;
  std::size_t pending_ = 0;               // Queued or running.
  std::map<uid_t, std::size_t> per_uid_;  // Pending, non-root uids.
  bool running_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SLOW_WORKER_H_
