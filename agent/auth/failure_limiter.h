// The agent's own limit on wrong passwords per account (docs/design.md
// §10), in front of the central's fleet-wide lockout: after
// `max_failures` failures within `window_s` the account is refused
// locked_out here, without asking the central or the offline verifier,
// until the oldest of those failures leaves the window. A success clears
// the account. Works the same online and offline, so a stolen workstation
// cannot guess faster than the central would allow.
//
// In memory: a restart forgets (only root can restart the agent). The
// number of accounts tracked is capped; past the cap the oldest entry is
// dropped. Thread-safe; the clock is injected.
#ifndef STAFFGATE_AGENT_AUTH_FAILURE_LIMITER_H_
#define STAFFGATE_AGENT_AUTH_FAILURE_LIMITER_H_

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "common/time_util.h"

namespace staffgate::agent {

struct FailureLimits {
  std::size_t max_failures = 10;  // The central's lockout_failures default.
  common::UnixSeconds window_s = 300;
  std::size_t max_accounts = 4096;
};

class FailureLimiter {
 public:
  FailureLimiter(const common::Clock& clock, FailureLimits limits = {});

  // True when `account` may try now.
  bool MayTry(const std::string& account);
  void RecordFailure(const std::string& account);
  void RecordSuccess(const std::string& account);

 private:
  void Expire(std::deque<common::UnixSeconds>& times, common::UnixSeconds now) const;

  const common::Clock& clock_;
  FailureLimits limits_;
  std::mutex mu_;
  std::map<std::string, std::deque<common::UnixSeconds>> failures_;  // Guarded by mu_.
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AUTH_FAILURE_LIMITER_H_
