// The central's one thread for scheduled changes (docs/design.md §11):
// sleeps until the earliest pending time (Service::NextScheduledChange,
// read in O(1); looked at again at least every second, so a change
// scheduled meanwhile or a clock step is noticed), then has the Service
// apply everything due in one roster serial. Pending changes live in the
// database, so a restarted central applies the ones it missed at once.
#ifndef STAFFGATE_CENTRAL_SCHEDULE_RUNNER_H_
#define STAFFGATE_CENTRAL_SCHEDULE_RUNNER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "central/service.h"
#include "common/log.h"
#include "common/time_util.h"

namespace staffgate::central {

class ScheduleRunner {
 public:
  // `service` and `clock` must outlive the runner.
  ScheduleRunner(Service& service, const common::Clock& clock, common::LogFn log);
  ~ScheduleRunner();  // Stops.
  ScheduleRunner(const ScheduleRunner&) = delete;
  ScheduleRunner& operator=(const ScheduleRunner&) = delete;

  void Start();
  // Finishes an apply in progress and joins. Idempotent.
  void Stop();
  // One look: applies what is due at the clock's now and logs it; returns
  // how long to sleep before the next look. Called by the thread; tests
  // call it with a fake clock.
  std::chrono::milliseconds RunOnce();

 private:
  void Run();

  Service& service_;
  const common::Clock& clock_;
  common::LogFn log_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // Guarded by mu_.
  std::thread thread_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SCHEDULE_RUNNER_H_
