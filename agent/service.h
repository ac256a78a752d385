// The agent's request handling, independent of sockets: one request line
// and the caller's uid in, one response line out. Owns nothing but the
// current config pointer; the roster store, user db, clock, audit sink
// and session table are injected and must outlive it.
//
// Ops: the docs/design.md §4 ops (check, session_open, session_close, status)
// exactly as specified, plus root-only ops for staffgatectl:
//   {"v":1,"op":"roster_install","path":"/abs/file"}  the agent reads the file
//   {"v":1,"op":"sessions"}                          open sessions
//   {"v":1,"op":"sync"} / {"v":1,"op":"reload"}       via ServiceDeps::admin_ops
// Threads: Handle may be called from many threads at once.
#ifndef STAFFGATE_AGENT_SERVICE_H_
#define STAFFGATE_AGENT_SERVICE_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "agent/audit/audit_log.h"
#include "agent/config/agent_config.h"
#include "agent/decision.h"
#include "agent/roster_store.h"
#include "agent/session/session_table.h"
#include "agent/user_db.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/time_util.h"

namespace staffgate::agent {

struct ServiceDeps {
  RosterStore* store = nullptr;
  const UserDb* users = nullptr;
  const common::Clock* clock = nullptr;
  AuditSink* audit = nullptr;      // May be null (no audit).
  SessionTable* sessions = nullptr;
  SessionGate* session_gate = nullptr;  // Row 9 (session leases); null: skipped.
  // The leases held, for the sessions op (a JSON array). May be empty.
  std::function<common::Json()> leases;
  common::LogFn log;
  // Adds fields to the status answer (central sync: last sync, central
  // reachable, outbox depth). May be empty.
  std::function<void(common::Json&)> status_extra;
  // More root-only ops, by name (the agent's "sync" and "reload"). Run off
  // the event loops (IsSlowRequest). Handlers must not throw.
  std::map<std::string, std::function<common::Response(const common::Json& request)>> admin_ops;
};

class Service {
 public:
  Service(std::shared_ptr<const AgentConfig> config, ServiceDeps deps);

  // Answers one request line (no newline in or out). Never throws.
  std::string Handle(std::string_view line, uid_t peer_uid);

  // True for lines that may take long (roster_install of a large roster),
  // which the socket server answers off its event loops. A cheap text
  // test: a false positive only moves a request to the worker.
  static bool IsSlowRequest(std::string_view line) {
    return line.find("\"roster_install\"") != std::string_view::npos ||
           line.find("\"sync\"") != std::string_view::npos ||
           line.find("\"reload\"") != std::string_view::npos;
  }

  // Swaps the config (SIGHUP). Requests in flight finish with the old one.
  void SetConfig(std::shared_ptr<const AgentConfig> config);
  std::shared_ptr<const AgentConfig> config() const;

  // Records an agent-level event (agent_start, roster_*, ...) with this
  // workstation's name and the current time.
  void RecordEvent(AuditEvent event);

 private:
  common::Response Check(const common::Request& req, uid_t peer_uid);
  common::Response SessionOpen(const common::Request& req, uid_t peer_uid);
  common::Response SessionClose(const common::Request& req, uid_t peer_uid);
  common::Response Status();
  common::Response Extension(std::string_view line, uid_t peer_uid,
                             const common::Error& parse_error);
  common::Response RosterInstall(const common::Json& request);
  common::Response Sessions();
  // Decides and audits one request; fills the response fields.
  common::Response DecideAndAudit(const common::Request& req, const std::string& type);

  ServiceDeps deps_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const AgentConfig> config_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SERVICE_H_
