// Ends the live sessions of people a new roster has just revoked
// (on_revoke = "terminate", docs/design.md §5), and of people who lost a
// Unix group here (docs/design.md §9). After each roster change the agent
// hands the previous and the new roster to Revoker, which on its own thread
// finds the accounts the old roster let in and the new one refuses (or whose
// groups here shrank), and ends every process of those that run here
// (SessionTerminator).
//
// An administrator's end of a session lease (docs/design.md §6) takes the
// same path: EndSessionsOf queues one account, whose processes are ended
// under the same rules (on_revoke, min_uid, exempt) and audited as
// sessions_terminated with the reason given.
//
// Only a change counts: an account refused by both rosters (a local
// non-employee, `nobody`) is never touched, and nothing happens on the
// first roster an agent ever sees. Exempt accounts, uids below min_uid,
// uid 0 and the agent's own uid are never touched.
#ifndef STAFFGATE_AGENT_REVOKER_H_
#define STAFFGATE_AGENT_REVOKER_H_

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/audit/audit_log.h"
#include "agent/config/agent_config.h"
#include "agent/revoke/session_terminator.h"
#include "agent/users/user_db.h"
#include "common/log.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::agent {

struct RevokedAccount {
  std::string account;
  uid_t uid = 0;
  std::string reason;  // The new roster's reason: "terminated", "suspended", ...
};

// Accounts that `before` admitted (allow or reset_required) and `after`
// refuses, with a local uid >= min_uid that is not `self_uid`. Pure.
std::vector<RevokedAccount> NewlyRevoked(const common::Roster& before, const common::Roster& after,
                                         const AgentConfig& config, const UserDb& users,
                                         common::UnixSeconds now, uid_t self_uid);

// Accounts the new roster still knows but whose posix groups here shrank
// (a lost role or workstation permission, docs/design.md §9): their open
// logins hold gids they should no longer have, so their sessions end too.
// Reason "groups_changed". Same uid filters as NewlyRevoked; the uid comes
// from `users`, else from the roster's posix map. Pure.
std::vector<RevokedAccount> LostGroups(const common::Roster& before, const common::Roster& after,
                                       const AgentConfig& config, const UserDb& users,
                                       uid_t self_uid);

class Revoker {
 public:
  struct Deps {
    ProcessControl* os = nullptr;
    const UserDb* users = nullptr;
    const common::Clock* clock = nullptr;
    common::LogFn log;
    std::function<void(AuditEvent)> record;  // Audits each termination.
    std::function<std::shared_ptr<const AgentConfig>()> config;
  };
  // All pointers must outlive the revoker.
  explicit Revoker(Deps deps);
  ~Revoker();  // Stops.
  Revoker(const Revoker&) = delete;
  Revoker& operator=(const Revoker&) = delete;

  void Start();
  // Finishes the termination in progress, drops the rest, joins.
  void Stop();
  // Queues one roster change; returns at once. Thread-safe.
  void RosterChanged(std::shared_ptr<const common::Roster> before,
                     std::shared_ptr<const common::Roster> after);
  // Queues ending every process of `account` here (reason e.g.
  // "lease_ended_by_admin"; `detail` in plain words). Returns at once.
  void EndSessionsOf(const std::string& account, const std::string& reason,
                     const std::string& detail);
  // Blocks until the queue is empty (tests).
  void WaitIdle();

 private:
  using Change =
      std::pair<std::shared_ptr<const common::Roster>, std::shared_ptr<const common::Roster>>;
  // One queued job: a roster change, or (account set) one account to end.
  struct Job {
    Change change;
    std::string account, reason, detail;
  };
  void Run();
  void Process(const Change& change);
  void ProcessAccount(const Job& job);
  // Ends the processes of `account` (if any run) and audits it.
  void Terminate(const AgentConfig& config, const RevokedAccount& account,
                 std::optional<std::uint64_t> serial, const std::string& why);

  Deps deps_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_REVOKER_H_
