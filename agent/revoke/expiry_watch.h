// Ends open sessions when a scheduled leaver's `valid_until` passes
// (docs/design.md §11, §3 row 7b), on the agent's own clock, with or
// without the central. The installed roster's valid_until times are
// sorted once per roster; the thread sleeps until the next one (waking at
// least every kMaxSleep to follow a step of the wall clock), then asks the
// decision table about that employee's accounts and hands every account it
// now refuses as `expired` to the Revoker (EndSessionsOf, reason
// "expired"), which ends its processes under the usual rules (on_revoke,
// min_uid, exempt) and audits sessions_terminated.
//
// A valid_until already past when the agent starts is handled at once (an
// agent restarted after the time must not leave the session running); one
// that a new roster brings already past is the Revoker's roster-change path
// (the old roster admitted, the new one refuses).
//
// Thread-safe: RosterChanged and Tick may be called from any thread.
#ifndef STAFFGATE_AGENT_REVOKE_EXPIRY_WATCH_H_
#define STAFFGATE_AGENT_REVOKE_EXPIRY_WATCH_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/config/agent_config.h"
#include "agent/users/user_db.h"
#include "common/log.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::agent {

// (valid_until, employee index) of the employees with a valid_until later
// than `after`, earliest first. Pure.
std::vector<std::pair<common::UnixSeconds, std::size_t>> ExpiryDeadlines(
    const common::Roster& roster, common::UnixSeconds after);

class ExpiryWatch {
 public:
  static constexpr std::chrono::seconds kMaxSleep{30};

  struct Deps {
    const common::Clock* clock = nullptr;
    const UserDb* users = nullptr;
    common::LogFn log;
    std::function<std::shared_ptr<const AgentConfig>()> config;
    // Ends the sessions of `account`; `detail` in plain words. Must not block long.
    std::function<void(const std::string& account, const std::string& detail)> end;
  };
  // All pointers must outlive the watch.
  explicit ExpiryWatch(Deps deps);
  ~ExpiryWatch();  // Stops.
  ExpiryWatch(const ExpiryWatch&) = delete;
  ExpiryWatch& operator=(const ExpiryWatch&) = delete;

  void Start();
  void Stop();  // Joins. Idempotent.
  // The roster now in force (null: none). Plans its deadlines after the
  // last time handled and wakes the thread.
  void RosterChanged(std::shared_ptr<const common::Roster> roster);
  // Handles every deadline up to the clock's now; returns the next one.
  // The thread calls it; tests call it with a fake clock.
  std::optional<common::UnixSeconds> Tick();

 private:
  void Run();

  Deps deps_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool changed_ = false;  // A roster came since the thread last ticked (mu_).
  std::shared_ptr<const common::Roster> roster_;
  std::vector<std::pair<common::UnixSeconds, std::size_t>> deadlines_;
  std::size_t next_ = 0;  // Into deadlines_.
  common::UnixSeconds handled_upto_ = std::numeric_limits<common::UnixSeconds>::min();
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_REVOKE_EXPIRY_WATCH_H_
