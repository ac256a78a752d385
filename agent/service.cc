#include "agent/service.h"

#include <unistd.h>

#include "agent/caller_rules.h"
#include "agent/messages.h"

namespace staffgate::agent {
namespace {

using common::Response;

Response Forbidden() { return common::ErrorResponse("forbidden", kForbiddenMessage); }

}  // namespace

Service::Service(std::shared_ptr<const AgentConfig> config, ServiceDeps deps)
    : deps_(std::move(deps)), config_(std::move(config)) {}

void Service::SetConfig(std::shared_ptr<const AgentConfig> config) {
  std::lock_guard<std::mutex> lock(config_mu_);
  config_ = std::move(config);
}

std::shared_ptr<const AgentConfig> Service::config() const {
  std::lock_guard<std::mutex> lock(config_mu_);
  return config_;
}

void Service::RecordEvent(AuditEvent event) const {
  if (deps_.audit == nullptr) return;
  if (event.time_ms == 0) event.time_ms = deps_.clock->NowMs();
  if (event.workstation.empty()) event.workstation = config()->workstation;
  deps_.audit->Record(event);
}

HandlerReply Service::Handle(std::string_view line, const Peer& peer) {
  auto req = common::ParseRequest(line);
  if (!req) {
    return common::SerializeResponse(common::ErrorResponse("bad_request", req.error().message));
  }
  if (auto refused = RefuseAdmin(*req, peer.uid)) {
    common::WipeSecrets(*req);
    return common::SerializeResponse(*refused);
  }
  const common::Op op = common::OpOf(*req);
  if (!common::IsSlowOp(op)) return common::SerializeResponse(Answer(*req, peer));
  return HandlerReply(
      [this, request = std::move(*req), peer]() mutable {
        std::string answer = common::SerializeResponse(Answer(request, peer));
        common::WipeSecrets(request);
        return answer;
      },
      common::IsPasswordOp(op));
}

std::string Service::HandleNow(std::string_view line, const Peer& peer) {
  HandlerReply reply = Handle(line, peer);
  return reply.deferred ? reply.deferred() : std::move(reply.line);
}

Response Service::Answer(const common::Request& req, const Peer& peer) {
  switch (common::OpOf(req)) {
    case common::Op::kCheck:
      return Check(std::get<common::CheckRequest>(req), peer.uid);
    case common::Op::kSessionOpen:
      return SessionOpen(std::get<common::SessionOpenRequest>(req), peer);
    case common::Op::kSessionClose:
      return SessionClose(std::get<common::SessionCloseRequest>(req), peer.uid);
    case common::Op::kStatus:
      return Status();
    case common::Op::kSessions:
      return Sessions();
    case common::Op::kSync:
      return deps_.sync();
    case common::Op::kReload:
      return deps_.reload();
    case common::Op::kRosterInstall:
      return RosterInstall(std::get<common::RosterInstallRequest>(req));
    case common::Op::kAuthenticate:
      return Authenticate(std::get<common::AuthenticateRequest>(req), peer.uid);
    case common::Op::kChauthtok:
      return Chauthtok(std::get<common::ChauthtokRequest>(req), peer.uid);
    case common::Op::kPasswordChanged:
      return PasswordChanged(std::get<common::PasswordChangedRequest>(req));
  }
  return common::ErrorResponse("internal", "unhandled op");
}

common::DecisionReply Service::DecideAndAudit(common::Phase phase, const common::LoginFields& login,
                                              bool session_open, AuditType type) {
  auto config = this->config();
  auto roster = deps_.store->Current();
  DecisionInput input{login.account, phase, login.service, login.tty, login.rhost};
  DecisionContext ctx;
  ctx.config = config.get();
  ctx.roster = roster.get();
  ctx.users = deps_.users;
  ctx.now = deps_.clock->Now();
  ctx.session_gate = session_open ? deps_.session_gate : nullptr;
  ctx.roster_uids = &roster_uids_;
  ctx.local_changes = &local_changes_;
  Verdict verdict = Decide(input, ctx);

  common::DecisionReply reply{verdict.decision, verdict.reason, MessageFor(verdict, login.account),
                              verdict.serial};
  if (deps_.audit != nullptr) {
    AuditEvent event;
    event.time_ms = deps_.clock->NowMs();
    event.workstation = config->workstation;
    event.type = type;
    event.account = login.account;
    event.phase = std::string(common::PhaseName(phase));
    event.service = login.service;
    event.tty = login.tty;
    event.rhost = login.rhost;
    event.decision = std::string(common::DecisionName(verdict.decision));
    event.reason = std::string(common::ReasonName(verdict.reason));
    if (verdict.serial != 0) event.serial = verdict.serial;
    deps_.audit->Record(event);
  }
  return reply;
}

Response Service::Check(const common::CheckRequest& req, uid_t peer_uid) {
  if (peer_uid != 0 &&
      !CallerMay(peer_uid, CallerOp::kCheck, deps_.users->UidOf(req.login.account))) {
    return Forbidden();
  }
  common::DecisionReply reply = DecideAndAudit(req.phase, req.login, false, AuditType::kDecision);
  // staffgatectl check --phase session: what the central says about the
  // account's lease (row 9 is only decided by a real session_open).
  if (req.phase == common::Phase::kSession && deps_.session_gate != nullptr &&
      reply.decision != common::Decision::kIgnore) {
    LeaseState lease = deps_.session_gate->LeaseOf(req.login.account);
    reply.lease = lease.state;
    reply.lease_workstation = lease.workstation;
  }
  return reply;
}

}  // namespace staffgate::agent
