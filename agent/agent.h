// staffgated's parts wired together: config, trusted keys, roster store,
// audit log, session table, request service and socket server. main.cc
// owns one Agent and feeds it signals; tests can run one in-process.
//
// With centrals configured (`central_urls`, or `central_url` for one), a
// CentralLink follows the central's roster and delivers the audit outbox;
// a Revoker ends the sessions of people a new roster revokes. Both run on
// their own threads, off the decision path. After every roster change (and
// at start) an NssWriter refreshes the snapshot libnss_staffgate.so.2
// answers from (docs/design.md §9).
#ifndef STAFFGATE_AGENT_AGENT_H_
#define STAFFGATE_AGENT_AGENT_H_

#include <memory>
#include <string>
#include <vector>

#include "agent/audit/audit_fanout.h"
#include "agent/audit/audit_log.h"
#include "agent/auth/central_auth.h"
#include "agent/auth/failure_limiter.h"
#include "agent/auth/offline_verifiers.h"
#include "agent/auth/password_service.h"
#include "agent/config/agent_config.h"
#include "agent/nss/nss_writer.h"
#include "agent/revoke/expiry_watch.h"
#include "agent/revoke/revoker.h"
#include "agent/revoke/session_terminator.h"
#include "agent/roster/roster_store.h"
#include "agent/service.h"
#include "agent/session/lease_gate.h"
#include "agent/session/session_table.h"
#include "agent/socket/socket_server.h"
#include "agent/sync/central_link.h"
#include "agent/sync/workstation_identity.h"
#include "agent/users/user_db.h"
#include "agent/users/user_db_cache.h"
#include "common/ed25519.h"
#include "common/log.h"
#include "common/time_util.h"

namespace staffgate::agent {

// Reads every trusted key file. Errors: kConfig naming the file.
common::Result<std::vector<common::PublicKey>> LoadTrustedKeys(const AgentConfig& config);

class Agent {
 public:
  // `clock`, `users` and `os` must outlive the agent (`os` null: the real
  // /proc and kill(2)). Uid lookups go through a CachingUserDb (see
  // user_db_cache.h), cleared on Reload.
  Agent(AgentConfig config, common::LogFn log, const common::Clock& clock, const UserDb& users,
        ProcessControl* os = nullptr);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Loads the keys (errors: kConfig), opens the audit log (failure only
  // logged), verifies the cached roster (failure only logged: decisions say
  // no_roster), and starts serving. Errors from the socket: see
  // SocketServer::Start.
  common::Result<void> Start();
  // Re-reads the config file (SIGHUP, `staffgatectl enroll`). A config
  // that does not load, or whose keys do not load, is logged and the old
  // one kept (returns the error). `socket` and `state_dir` changes need a
  // restart (logged, old values kept). Changed central settings replace
  // the central link. Thread-safe.
  common::Result<void> Reload(const std::string& path);
  // Records agent_stop, stops serving and removes the socket.
  void Stop();

  RosterStore& store() { return *store_; }
  // The link to the central, or null when none is configured.
  std::shared_ptr<CentralLink> link() const;
  Service& service() { return *service_; }
  std::shared_ptr<const AgentConfig> config() const { return service_->config(); }

 private:
  // The constructor's parts, in the order it calls them (agent_wiring.cc).
  void WireRosterStore(const std::string& state_dir);
  void WireLeaseGate();
  void WirePasswords(const std::string& state_dir);
  void WireService(std::shared_ptr<const AgentConfig> config);
  void WireRevocation(ProcessControl* os);
  void WireNssWriter();
  // Starts, replaces or drops the central link to match `config`.
  void ReconcileLink(const AgentConfig& config);
  void OnRosterInstalled();
  // The central named this workstation's token `name` over the link with
  // `link_key`: enforce that name (agent_identity.cc). Errors: kConfig when
  // the configured name is another (CheckConfiguredWorkstation).
  common::Result<void> AdoptWorkstation(const std::string& link_key, const std::string& name);
  // Serves `config` as loaded, with the token's name when the central has
  // said it over the link this config keeps.
  void ApplyConfig(AgentConfig config);
  // Writes the NSS snapshot of the current roster; failures are logged.
  void WriteNssSnapshot();
  // <state_dir>/sessions.json (session_file.h, agent_sessions.cc):
  // restored at Start, saved by the lease gate's thread when the table
  // changed, and at Stop.
  void RestoreSessions();
  void SaveSessions();
  // A scheduled leaver's valid_until passed (ExpiryWatch): their sessions
  // leave the table (session_close, reason "expired"; the lease is then
  // released) and their processes end through the Revoker.
  void EndExpiredSessions(const std::string& account, const std::string& detail);
  common::Response SyncOp();
  common::Response ReloadOp();

  common::LogFn log_;
  const common::Clock& clock_;
  std::unique_ptr<CachingUserDb> users_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<RosterStore> store_;
  SessionTable sessions_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<SocketServer> server_;
  std::unique_ptr<AuditFanout> fanout_;
  SystemProcessControl system_os_;
  std::unique_ptr<Revoker> revoker_;
  std::unique_ptr<ExpiryWatch> expiry_;
  std::unique_ptr<LeaseGate> gate_;
  std::unique_ptr<NssWriter> nss_;
  // Staffgate passwords (docs/design.md §10).
  std::unique_ptr<FailureLimiter> limiter_;
  std::unique_ptr<OfflineVerifiers> verifiers_;
  std::unique_ptr<PasswordService> passwords_;

  std::mutex reload_mu_;        // Serialises Start, Reload and Stop.
  mutable std::mutex link_mu_;  // Guards link_, central_auth_ and last_roster_.
  std::shared_ptr<CentralLink> link_;
  std::shared_ptr<CentralAuth> central_auth_;
  std::shared_ptr<const common::Roster> last_roster_;  // What the revoker last saw.
  std::string boot_id_;
  WorkstationIdentity identity_;
  std::mutex config_mu_;                // Serialises SetConfig between reloads and the sync thread.
  std::string configured_workstation_;  // As the configuration says; guarded by config_mu_.
  std::mutex save_mu_;
  std::uint64_t saved_version_ = 0;
  bool started_ = false;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AGENT_H_
