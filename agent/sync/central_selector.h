// Which of the configured centrals the agent talks to (docs/design.md §12,
// agent.conf `central_urls`). One selector is owned by the central link and
// shared by everything that calls a central: the roster long-poll, the
// event sender, session leases and password checks, so they all follow
// the same choice.
//
// The central in use is the first one in the configured order that is not
// known to be down. A call that finds its central down (no connection,
// TLS failure, a connect or answer deadline passed, a 5xx: see
// CentralDown in central_calls.h) reports it, and every later call goes to
// the next one. A central that is down but preferred over the one in use
// is retried by the sync loop alone (DueProbe), after a backoff of 2-30 s
// with jitter, so a dead first central never costs a login anything; when
// it answers again the agent moves back to it.
//
// Thread-safe. The clock is injected (milliseconds), so the logic is
// tested without sleeping.
#ifndef STAFFGATE_AGENT_SYNC_CENTRAL_SELECTOR_H_
#define STAFFGATE_AGENT_SYNC_CENTRAL_SELECTOR_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/sync/backoff.h"
#include "common/log.h"
#include "common/time_util.h"

namespace staffgate::agent {

// One central as the selector hands it out.
struct CentralChoice {
  std::size_t index = 0;  // In the configured order.
  std::string url;        // "https://host:port", without trailing slashes.
  bool down = false;      // Known down (every central is: nothing else left).
};

// One central as `staffgatectl status` shows it.
struct CentralState {
  std::string url;
  bool in_use = false;
  bool down = false;
  std::int64_t down_since_ms = 0;  // Unix ms of the first failure in a row; 0 when up.
  std::string last_error;          // The latest failure, plain words; empty when up.
};

class CentralSelector {
 public:
  using Ms = std::chrono::milliseconds;
  // Retries of a down central: uniform in 2 s .. min(30 s, 2 s * 2^n)
  // after n failures in a row (SSSD retries a primary server every 30 s).
  static constexpr Ms kRetryFloor{2000};
  static constexpr Ms kRetryCeiling{30000};

  // `urls` in order of preference, at least one. `clock` must outlive the
  // selector; `log` (may be empty) hears each change of the central in use.
  CentralSelector(std::vector<std::string> urls, const common::Clock& clock, common::LogFn log,
                  std::uint64_t seed);
  ~CentralSelector() = default;
  CentralSelector(const CentralSelector&) = delete;
  CentralSelector& operator=(const CentralSelector&) = delete;

  // The central to call now: the first one not known down; when all are
  // down, the first whose retry time has come, else the one due soonest.
  CentralChoice Active() const;
  // A call to `index` got an answer: it is up. When it comes before the
  // one in use, it is the one in use from now on.
  void Succeeded(std::size_t index);
  // A call to `index` found it down (`error`: plain words, no secret).
  // Returns true when the central in use changed to one not known down, so
  // the caller may try again at once.
  bool Failed(std::size_t index, const std::string& error);
  // A central preferred over the one in use whose retry time has come: the
  // sync loop asks it (briefly) and reports the outcome.
  std::optional<CentralChoice> DueProbe() const;
  // How long until DueProbe has something, when a preferred central is
  // down; nullopt when the one in use is the first up. The long-poll holds
  // no longer than this.
  std::optional<Ms> UntilProbe() const;

  std::size_t size() const { return entries_.size(); }
  std::vector<CentralState> States() const;

 private:
  struct Entry {
    std::string url;
    bool down = false;
    std::int64_t down_since_ms = 0;
    std::int64_t retry_at_ms = 0;
    std::string last_error;
    Backoff backoff;
  };
  std::size_t ActiveLocked(std::int64_t now_ms) const;
  // Logs when the central in use is no longer `before`.
  void NoteSwitch(std::size_t before, std::int64_t now_ms) const;

  const common::Clock& clock_;
  common::LogFn log_;
  mutable std::mutex mu_;  // Guards entries_.
  std::vector<Entry> entries_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_CENTRAL_SELECTOR_H_
