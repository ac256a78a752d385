// Agent's constructor, one part at a time: each Wire* builds one part and
// hands it the callbacks into the others. Callbacks reach service_ and
// revoker_ only once the agent runs, after the constructor built them all.
#include <memory>
#include <string>
#include <utility>

#include "agent/agent.h"
#include "agent/session/process_owner.h"

namespace staffgate::agent {

void Agent::WireRosterStore(const std::string& state_dir) {
  // The store reports roster events through the service, which stamps them
  // with the workstation.
  store_ = std::make_unique<RosterStore>(
      state_dir, clock_, log_,
      RosterEvents{[this](std::uint64_t serial, const std::string& source) {
                     AuditEvent event;
                     event.type = AuditType::kRosterInstalled;
                     event.serial = serial;
                     event.detail = "from " + source;
                     service_->RecordEvent(std::move(event));
                     OnRosterInstalled();
                   },
                   [this](const std::string& detail) {
                     AuditEvent event;
                     event.type = AuditType::kRosterRejected;
                     event.detail = detail;
                     service_->RecordEvent(std::move(event));
                   },
                   [this](std::uint64_t serial, const std::string& detail) {
                     AuditEvent event;
                     event.type = AuditType::kRosterNotSaved;
                     event.serial = serial;
                     event.detail = "enforced but not saved to disk: " + detail;
                     service_->RecordEvent(std::move(event));
                   }});
}

void Agent::WireLeaseGate() {
  LeaseGate::Deps gate;
  gate.sessions = &sessions_;
  gate.clock = &clock_;
  gate.log = log_;
  gate.record = [this](AuditEvent event) { service_->RecordEvent(std::move(event)); };
  gate.config = [this] { return service_->config(); };
  gate.alive = SessionProcessAlive;
  gate.after_tick = [this] {
    SaveSessions();
    fanout_->Flush(clock_.NowMs());  // Counted decisions whose window ended.
  };
  // An administrator ended a lease: its processes end as on a revocation
  // (revoker_ is built below, before any thread starts).
  gate.ended = [this](const std::string& account, const std::string& detail) {
    revoker_->EndSessionsOf(account, "lease_ended_by_admin", detail);
  };
  gate_ = std::make_unique<LeaseGate>(std::move(gate));
}

void Agent::WirePasswords(const std::string& state_dir) {
  limiter_ = std::make_unique<FailureLimiter>(clock_);
  verifiers_ = std::make_unique<OfflineVerifiers>(state_dir + "/credentials", clock_, log_);
  PasswordDeps password_deps;
  password_deps.clock = &clock_;
  password_deps.verifiers = verifiers_.get();
  password_deps.limiter = limiter_.get();
  password_deps.central = [this] {
    std::lock_guard<std::mutex> lock(link_mu_);
    return central_auth_;
  };
  password_deps.log = log_;
  passwords_ = std::make_unique<PasswordService>(std::move(password_deps));
}

void Agent::WireService(std::shared_ptr<const AgentConfig> config) {
  ServiceDeps deps;
  deps.passwords = passwords_.get();
  deps.store = store_.get();
  deps.session_gate = gate_.get();
  deps.leases = [this] { return gate_->Leases(); };
  deps.users = users_.get();
  deps.clock = &clock_;
  deps.audit = fanout_.get();
  deps.sessions = &sessions_;
  deps.log = log_;
  deps.status_extra = [this](common::StatusReply& status) {
    AuditLosses losses = fanout_->Losses();
    status.audit_lost = losses.lost;
    status.audit_not_in_local_log = losses.not_in_local_log;
    status.audit_not_queued = losses.not_queued;
    if (auto link = this->link()) link->FillStatus(status);
  };
  deps.sync = [this] { return SyncOp(); };
  deps.reload = [this] { return ReloadOp(); };
  service_ = std::make_unique<Service>(std::move(config), std::move(deps));
}

void Agent::WireRevocation(ProcessControl* os) {
  Revoker::Deps revoke;
  revoke.os = os != nullptr ? os : &system_os_;
  revoke.users = users_.get();
  revoke.clock = &clock_;
  revoke.log = log_;
  revoke.record = [this](AuditEvent event) { service_->RecordEvent(std::move(event)); };
  revoke.config = [this] { return service_->config(); };
  revoker_ = std::make_unique<Revoker>(std::move(revoke));

  // Scheduled leavers (docs/design.md §11): their sessions end at
  // valid_until through the same Revoker path, central or not.
  ExpiryWatch::Deps expiry;
  expiry.clock = &clock_;
  expiry.users = users_.get();
  expiry.log = log_;
  expiry.config = [this] { return service_->config(); };
  expiry.end = [this](const std::string& account, const std::string& detail) {
    EndExpiredSessions(account, detail);
  };
  expiry_ = std::make_unique<ExpiryWatch>(std::move(expiry));
}

void Agent::WireNssWriter() {
  NssWriter::Deps nss;
  nss.files = LocalFiles::FromEnvironment();
  nss.log = log_;
  nss.record = [this](AuditEvent event) { service_->RecordEvent(std::move(event)); };
  nss_ = std::make_unique<NssWriter>(std::move(nss));
}

}  // namespace staffgate::agent
