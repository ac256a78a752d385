// Keeps the agent's roster in step with the central: a long-poll loop on
// its own thread, so a slow or hostile central can never delay an answer
// to the PAM module. Failures back off with jitter (1 s to 60 s).
//
// With several centrals (docs/design.md §12) the loop long-polls the one
// the CentralSelector has in use; a round that finds it down moves the
// selector on and the next round asks the next central at once. While a
// preferred central is down the hold is cut short at its retry time, and
// the loop asks it briefly (a probe) before holding again: when it
// answers, the selector, and so every call, moves back to it.
#ifndef STAFFGATE_AGENT_SYNC_SYNC_LOOP_H_
#define STAFFGATE_AGENT_SYNC_SYNC_LOOP_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/sync/backoff.h"
#include "agent/sync/central_selector.h"
#include "agent/sync/roster_fetcher.h"
#include "common/log.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::agent {

// What the loop installs into (the agent's roster store).
class SyncTarget {
 public:
  virtual ~SyncTarget() = default;
  // The serial of the roster in use, if any.
  virtual std::optional<std::uint64_t> CurrentSerial() const = 0;
  // Verifies and installs an envelope from the central. Returns true when a
  // newer roster was installed, false for "no change"; an error when the
  // roster was rejected (the old one stays).
  virtual common::Result<bool> InstallFromCentral(const std::string& envelope) = 0;
};

struct SyncStatus {
  bool configured = false;
  std::optional<common::UnixSeconds> last_attempt;
  std::optional<common::UnixSeconds> last_success;
  bool answered = false;  // At least one round has finished.
  bool central_reachable = false;
  std::string last_result;  // Plain words: "up to date", "installed serial 7", the error.
  std::string central_url;  // The central the last round asked.
};

// What the thread does after a round: how long to wait, and whether the
// next round asks without long-polling. Pure, so it is tested without time.
struct NextRound {
  std::chrono::milliseconds delay{0};
  bool quick = false;
};

// A central that cannot be reached at all (kUnavailable: refused, reset,
// no route) costs nothing to ask, so it is probed every 1-3 s and `status`
// sees it back within seconds; one that answers with an error (overloaded,
// timing out, a rejected roster) gets the whole 1-60 s backoff. After any
// failure the next round is quick: reachability is known when it answers,
// not after a whole long-poll. A failure that moved the selector to
// another central (`failed_over`) is asked again at once, there.
inline constexpr std::chrono::milliseconds kUnreachableProbe{3000};
NextRound PlanNextRound(const common::Result<std::string>& outcome, bool was_quick,
                        std::chrono::milliseconds spent, Backoff& backoff,
                        bool failed_over = false);

// How long a long-poll may hold: `wait_s`, but no longer than until the
// selector retries a preferred central (`until_probe`), and at least 1 s.
int HoldSeconds(int wait_s, std::optional<std::chrono::milliseconds> until_probe);

class SyncLoop {
 public:
  // All references must outlive the loop.
  SyncLoop(RosterSource& source, SyncTarget& target, CentralSelector& selector,
           const common::Clock& clock, common::LogFn log, int wait_s = 55);
  ~SyncLoop();  // Stops the thread.
  SyncLoop(const SyncLoop&) = delete;
  SyncLoop& operator=(const SyncLoop&) = delete;

  void Start();
  // Stops and joins; aborts a transfer in progress via the stop flag that
  // HttpsOptions::stop should point at (stop_flag()).
  void Stop();
  // Cuts a backoff wait short: sync now.
  void Wake();
  // Called (on the loop's thread) when an answer says an administrator
  // ended one of this workstation's leases. Set before Start.
  void OnLeaseEnded(std::function<void()> hook) { lease_ended_ = std::move(hook); }
  // Called (on the calling thread of RunOnce) with the central's name for
  // this workstation's token whenever an answer says it. An error (the
  // configured name is another workstation's) fails the round with its
  // message; the roster is still installed, so revocations keep arriving.
  // Set before Start.
  using IdentityHook = std::function<common::Result<void>(const std::string&)>;
  void OnIdentity(IdentityHook hook) { identity_ = std::move(hook); }
  // One round (fetch, install) with the central in use. Returns the
  // outcome in plain words or the error. Used by the thread, `staffgatectl
  // sync` (wait_s 0, concurrently with the thread's long-poll: the target
  // serialises installs) and tests.
  common::Result<std::string> RunOnce(int wait_s);
  // Asks `central` (a preferred one believed down) briefly whether it
  // answers, and tells the selector. True when it does. Installs nothing:
  // the next round, on it, does.
  bool Probe(const CentralChoice& central);

  SyncStatus Status() const;
  const std::atomic<bool>* stop_flag() const { return &stop_; }

 private:
  struct Round {
    common::Result<std::string> outcome;
    bool failed_over = false;  // The selector moved to a central not known down.
  };
  Round RunRound(int wait_s);
  void Run();

  RosterSource& source_;
  SyncTarget& target_;
  CentralSelector& selector_;
  const common::Clock& clock_;
  common::LogFn log_;
  int wait_s_;
  std::function<void()> lease_ended_;
  IdentityHook identity_;
  Backoff backoff_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;  // Guards status_, wake_.
  std::condition_variable cv_;
  bool wake_ = false;
  SyncStatus status_;
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_SYNC_LOOP_H_
