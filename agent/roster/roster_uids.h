// The roster's accounts by local uid, so a decision can go by uid as well
// as by name: with `unknown_accounts = "ignore"`, a second passwd name for
// a terminated person's uid must not be let in as an unknown account
// (docs/design.md §3, row 5).
//
// Built lazily, once per roster, with one uid lookup per roster account
// (through the agent's 5-second uid cache); only the row 5 "ignore" path
// asks, so the decisions of known accounts never pay for it.
// Thread-safe.
#ifndef STAFFGATE_AGENT_ROSTER_ROSTER_UIDS_H_
#define STAFFGATE_AGENT_ROSTER_ROSTER_UIDS_H_

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "agent/users/user_db.h"
#include "common/roster.h"

namespace staffgate::agent {

class RosterUidIndex {
 public:
  // The roster account (an employee's or a shared one) that has the same
  // uid as `account`, other than `account` itself; nullopt when none, or
  // when `account` has no passwd entry.
  std::optional<std::string> RosterAccountOf(const std::string& account,
                                             const common::Roster& roster, const UserDb& users);

 private:
  std::mutex mu_;
  const common::Roster* built_for_ = nullptr;  // Compared, never dereferenced.
  std::uint64_t built_serial_ = 0;
  std::unordered_map<uid_t, std::string> by_uid_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_ROSTER_ROSTER_UIDS_H_
