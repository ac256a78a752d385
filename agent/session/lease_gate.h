// One person, one workstation (docs/design.md §3 row 9): the agent's
// side of session leases. At session_open the gate holds a lease at the
// central for (account, this workstation); every session of that account
// here shares it. A background thread renews leases (every ttl/3), ends
// the bookkeeping of sessions whose process is gone without a
// close_session, and releases a lease once its account has no session
// left here.
//
// Central unreachable at session_open: lease_unreachable = "allow" lets
// the session in, audited as lease_unverified; "deny" refuses it.
// Without a central (no central_url or central_urls) the gate admits
// everyone: there is nobody to ask.
//
// A lease an administrator ended (renewal answered 410, `staffgate-admin
// sessions end`): the gate forgets it, closes every session of its account
// here (so nothing acquires it again) and hands the account to `ended`,
// which ends the processes as a revocation does. The next login takes a
// new lease.
//
// Lease events the central answered (acquired, refused, released) are
// recorded by the central itself: the gate's copies stay in the local
// audit file (AuditEvent::central_records).
//
// Threads: Admit and SessionClosed from socket threads; Tick from the
// gate's thread (or tests). All state under one mutex, never held across
// a network call.
#ifndef STAFFGATE_AGENT_LEASE_GATE_H_
#define STAFFGATE_AGENT_LEASE_GATE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/audit/audit_log.h"
#include "agent/config/agent_config.h"
#include "agent/decision.h"
#include "agent/session/lease_client.h"
#include "agent/session/session_table.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/time_util.h"

namespace staffgate::agent {

class LeaseGate : public SessionGate {
 public:
  struct Deps {
    SessionTable* sessions = nullptr;
    const common::Clock* clock = nullptr;
    common::LogFn log;
    std::function<void(AuditEvent)> record;
    std::function<std::shared_ptr<const AgentConfig>()> config;
    // Whether the process of a session still stands for it
    // (SessionProcessAlive in production).
    std::function<bool(const SessionInfo& session)> alive;
    // Called after each upkeep round (the agent saves the session table).
    std::function<void()> after_tick;
    // An administrator ended the lease of `account` (its sessions here are
    // already closed in the table); `detail` in plain words. May be empty.
    std::function<void(const std::string& account, const std::string& detail)> ended;
  };
  explicit LeaseGate(Deps deps);
  ~LeaseGate() override;  // Stops.
  LeaseGate(const LeaseGate&) = delete;
  LeaseGate& operator=(const LeaseGate&) = delete;

  // The central's lease API, or null (no central). Thread-safe.
  void SetApi(std::shared_ptr<LeaseApi> api);

  GateAnswer Admit(const DecisionInput& input, const common::Roster& roster) override;
  void SessionOpened(const std::string& account) override;
  // The central's answer about `account`'s leases; "no_central" without
  // one, "unreachable" when it does not answer, "refused" when it will not
  // give this workstation a lease for the account.
  LeaseState LeaseOf(const std::string& account) override;
  // Releases the lease (on the gate's thread) when it was the last
  // session of `account` here. Returns at once.
  void SessionClosed(const std::string& account) override;

  // One round of upkeep: reap sessions whose process is gone, renew due
  // leases, release idle ones. Called every second by the thread.
  void Tick();
  // Renews every lease at the next round (the central said one of this
  // workstation's leases changed). Returns at once; thread-safe.
  void RenewNow();
  void Start();
  void Stop();

  // The leases held, for `staffgatectl sessions`: [{account, lease, expires_at}].
  std::vector<common::LeaseEntry> Leases() const;

 private:
  struct Lease {
    std::string id;
    int ttl_s = 0;
    common::UnixSeconds renewed_at = 0;  // Last grant from the central.
    common::UnixSeconds next_renew = 0;  // When to renew next.
    int pending = 0;                     // Admitted session_opens not yet in the session table.
  };
  std::shared_ptr<LeaseApi> api() const;
  void Audit(AuditType type, const std::string& account, const std::string& decision,
             const std::string& reason, const std::string& detail, bool central_records = false);
  // The central answered 410 for lease `id` of `account`.
  void EndedByAdmin(const std::string& account, const std::string& id, const std::string& why);
  void ReapDeadSessions();
  // Sessions without a lease (restored after an agent restart, or let in
  // unverified while the central was down) get one when the central answers.
  void AdoptOrphans(LeaseApi& api);
  void RenewDue(LeaseApi& api);
  void ReleaseIdle(LeaseApi& api);

  Deps deps_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<LeaseApi> api_;
  std::map<std::string, Lease> leases_;                     // By account.
  std::map<std::string, common::UnixSeconds> adopt_after_;  // Orphan accounts: next try.
  bool stop_ = false;
  bool poke_ = false;
  std::thread thread_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_LEASE_GATE_H_
