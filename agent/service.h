// The agent's request handling, independent of sockets: one request line
// and the caller (SO_PEERCRED uid and pid) in, one response line out. Owns nothing but the
// current config pointer; the roster store, user db, clock, audit sink
// and session table are injected and must outlive it.
//
// Ops (common/protocol.h, parsed once there): check, session_open,
// session_close and status of docs/design.md §4 exactly as specified, and
// the root-only ops of staffgatectl: roster_install (the agent reads the
// file), sessions, and sync / reload (via ServiceDeps); authenticate and
// chauthtok of §10 (service_passwords.cc, via ServiceDeps::passwords),
// whose passwords are wiped once answered and never logged or audited.
// Threads: Handle may be called from many threads at once.
#ifndef STAFFGATE_AGENT_SERVICE_H_
#define STAFFGATE_AGENT_SERVICE_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/audit/audit_log.h"
#include "agent/auth/password_service.h"
#include "agent/config/agent_config.h"
#include "agent/decision.h"
#include "agent/roster/roster_store.h"
#include "agent/session/session_table.h"
#include "agent/socket/socket_server.h"
#include "agent/users/user_db.h"
#include "common/log.h"
#include "common/log_limiter.h"
#include "common/protocol.h"
#include "common/time_util.h"

namespace staffgate::agent {

struct ServiceDeps {
  RosterStore* store = nullptr;
  const UserDb* users = nullptr;
  const common::Clock* clock = nullptr;
  AuditSink* audit = nullptr;  // May be null (no audit).
  SessionTable* sessions = nullptr;
  SessionGate* session_gate = nullptr;  // Row 9; null: skipped.
  // The leases held, for the sessions op. May be empty.
  std::function<std::vector<common::LeaseEntry>()> leases;
  common::LogFn log;
  // Fills the central link's part of the status answer (last sync, central
  // reachable, outbox depth). May be empty.
  std::function<void(common::StatusReply&)> status_extra;
  // The agent's sync and reload ops, run off the event loops. Empty: the
  // op is unknown (bad_request). Must not throw.
  std::function<common::Response()> sync;
  std::function<common::Response()> reload;
  // authenticate and chauthtok (docs/design.md §10). Null: answered
  // "not_configured".
  PasswordService* passwords = nullptr;
};

class Service {
 public:
  Service(std::shared_ptr<const AgentConfig> config, ServiceDeps deps);

  // Answers one request line (no newline in or out). Never throws. The
  // answer to a slow op (common::IsSlowOp: roster_install, sync, reload)
  // comes back deferred, for the socket server's worker; routing goes by
  // the parsed op only, so no account or service name can move a check
  // off the fast path.
  HandlerReply Handle(std::string_view line, const Peer& peer);
  // Handle, running a deferred answer here (tests, tools).
  std::string HandleNow(std::string_view line, const Peer& peer);

  // Swaps the config (SIGHUP). Requests in flight finish with the old one.
  void SetConfig(std::shared_ptr<const AgentConfig> config);
  std::shared_ptr<const AgentConfig> config() const;

  // Records an agent-level event (agent_start, roster_*, ...) with this
  // workstation's name and the current time.
  void RecordEvent(AuditEvent event) const;

 private:
  common::Response Answer(const common::Request& req, const Peer& peer);
  common::Response Check(const common::CheckRequest& req, uid_t peer_uid);
  // service_sessions.cc: a non-root caller's session is its own process,
  // and a login that cannot be tracked is refused (docs/design.md §13).
  common::Response SessionOpen(const common::SessionOpenRequest& req, const Peer& peer);
  common::Response SessionClose(const common::SessionCloseRequest& req, uid_t peer_uid);
  // The refusal of a session_open the table would not take (audited).
  common::Response Untracked(const SessionInfo& info, SessionTable::OpenResult why);
  common::Response Status();
  // The root-only ops: nullopt when the caller may run `req`.
  std::optional<common::Response> RefuseAdmin(const common::Request& req, uid_t peer_uid) const;
  common::Response RosterInstall(const common::RosterInstallRequest& req);
  // service_passwords.cc.
  common::Response Authenticate(const common::AuthenticateRequest& req, uid_t peer_uid);
  common::Response Chauthtok(const common::ChauthtokRequest& req, uid_t peer_uid);
  // A local password changed now (caller rules: RefuseAdmin): recorded for
  // row 10 and sent to the central as a password_changed event.
  common::Response PasswordChanged(const common::PasswordChangedRequest& req);
  // The roster's verdict for a password op (auth phase), and the roster.
  Verdict PasswordVerdict(const std::string& account, const std::string& service,
                          const std::string& rhost, std::shared_ptr<const common::Roster>* roster);
  void AuditPassword(AuditType type, const std::string& account, const std::string& service,
                     const std::string& rhost, const PasswordAnswer& answer, std::uint64_t serial);
  common::Response Sessions();
  // Decides and audits one request.
  common::DecisionReply DecideAndAudit(common::Phase phase, const common::LoginFields& login,
                                       bool session_open, AuditType type);

  ServiceDeps deps_;
  std::mutex untracked_log_mu_;
  common::LogLimiter untracked_log_{std::chrono::seconds(10)};  // Guarded by untracked_log_mu_.
  RosterUidIndex roster_uids_;
  LocalPasswordChanges local_changes_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const AgentConfig> config_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SERVICE_H_
