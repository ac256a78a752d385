// staffgated's parts wired together: config, trusted keys, roster store,
// audit log, session table, request service and socket server. main.cc
// owns one Agent and feeds it signals; tests can run one in-process.
//
// Issue 4 (sync) plugs in here: a SyncLoop installing through store(),
// an outbox AuditSink, and status fields via ServiceDeps::status_extra.
#ifndef STAFFGATE_AGENT_AGENT_H_
#define STAFFGATE_AGENT_AGENT_H_

#include <memory>
#include <string>
#include <vector>

#include "agent/audit_log.h"
#include "agent/log.h"
#include "agent/roster_store.h"
#include "agent/service.h"
#include "agent/session_table.h"
#include "agent/socket_server.h"
#include "agent/user_db.h"
#include "agent/user_db_cache.h"
#include "common/config.h"
#include "common/ed25519.h"
#include "common/time_util.h"

namespace staffgate::agent {

// Reads every trusted key file. Errors: kConfig naming the file.
common::Result<std::vector<common::PublicKey>> LoadTrustedKeys(const common::AgentConfig& config);

class Agent {
 public:
  // `clock` and `users` must outlive the agent. Uid lookups go through a
  // CachingUserDb (see user_db_cache.h), cleared on Reload.
  Agent(common::AgentConfig config, LogFn log, const common::Clock& clock, const UserDb& users);
  ~Agent();

  // Loads the keys (errors: kConfig), opens the audit log (failure only
  // logged), verifies the cached roster (failure only logged: decisions say
  // no_roster), and starts serving. Errors from the socket: see
  // SocketServer::Start.
  common::Result<void> Start();
  // Re-reads the config file (SIGHUP). A config that does not load, or
  // whose keys do not load, is logged and the old one kept. `socket` and
  // `state_dir` changes need a restart (logged, old values kept).
  void Reload(const std::string& path);
  // Records agent_stop, stops serving and removes the socket.
  void Stop();

  RosterStore& store() { return *store_; }
  Service& service() { return *service_; }
  std::shared_ptr<const common::AgentConfig> config() const { return service_->config(); }

 private:
  LogFn log_;
  const common::Clock& clock_;
  std::unique_ptr<CachingUserDb> users_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<RosterStore> store_;
  SessionTable sessions_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<SocketServer> server_;
  bool started_ = false;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_AGENT_H_
