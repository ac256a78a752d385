#include "agent/service.h"

#include "agent/caller_rules.h"
#include "agent/messages.h"

namespace staffgate::agent {
namespace {

using common::Json;
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

void Service::RecordEvent(AuditEvent event) {
  if (deps_.audit == nullptr) return;
  if (event.time_ms == 0) event.time_ms = deps_.clock->NowMs();
  if (event.workstation.empty()) event.workstation = config()->workstation;
  deps_.audit->Record(event);
}

std::string Service::Handle(std::string_view line, uid_t peer_uid) {
  Response resp;
  auto req = common::ParseRequest(line);
  if (!req) {
    resp = Extension(line, peer_uid, req.error());
  } else {
    switch (req->op) {
      case common::Op::kCheck: resp = Check(*req, peer_uid); break;
      case common::Op::kSessionOpen: resp = SessionOpen(*req, peer_uid); break;
      case common::Op::kSessionClose: resp = SessionClose(*req, peer_uid); break;
      case common::Op::kStatus: resp = Status(); break;
    }
  }
  return common::SerializeResponse(resp);
}

Response Service::DecideAndAudit(const common::Request& req, const std::string& type) {
  auto config = this->config();
  auto roster = deps_.store->Current();
  DecisionInput input{req.account, req.phase, req.service, req.tty, req.rhost};
  DecisionContext ctx;
  ctx.config = config.get();
  ctx.roster = roster.get();
  ctx.users = deps_.users;
  ctx.now = deps_.clock->Now();
  ctx.session_gate = req.op == common::Op::kSessionOpen ? deps_.session_gate : nullptr;
  Verdict verdict = Decide(input, ctx);

  Response resp;
  resp.decision = verdict.decision;
  resp.reason = std::string(ReasonName(verdict.reason));
  resp.message = MessageFor(verdict, req.account);
  resp.serial = verdict.serial;

  if (deps_.audit != nullptr) {
    AuditEvent event;
    event.time_ms = deps_.clock->NowMs();
    event.workstation = config->workstation;
    event.type = type;
    event.account = req.account;
    event.phase = std::string(common::PhaseName(req.phase));
    event.service = req.service;
    event.tty = req.tty;
    event.rhost = req.rhost;
    event.decision = std::string(common::DecisionName(verdict.decision));
    event.reason = resp.reason;
    if (verdict.serial != 0) event.serial = verdict.serial;
    deps_.audit->Record(event);
  }
  return resp;
}

Response Service::Check(const common::Request& req, uid_t peer_uid) {
  if (peer_uid != 0 && !CallerMay(peer_uid, CallerOp::kCheck, deps_.users->UidOf(req.account))) {
    return Forbidden();
  }
  return DecideAndAudit(req, "decision");
}

Response Service::SessionOpen(const common::Request& req, uid_t peer_uid) {
  if (peer_uid != 0 && !CallerMay(peer_uid, CallerOp::kCheck, deps_.users->UidOf(req.account))) {
    return Forbidden();
  }
  Response resp = DecideAndAudit(req, "session_open");
  if (resp.decision == common::Decision::kAllow ||
      resp.decision == common::Decision::kResetRequired) {
    SessionInfo info{req.session, req.account, req.service, req.tty, req.pid,
                     deps_.clock->Now(), peer_uid};
    if (!deps_.sessions->Open(info) && deps_.log) {
      deps_.log(LOG_WARNING, "session table full; not tracking a session of " + req.account);
    }
    if (deps_.session_gate != nullptr) deps_.session_gate->SessionOpened(req.account);
  }
  return resp;
}

Response Service::SessionClose(const common::Request& req, uid_t peer_uid) {
  auto known = deps_.sessions->Find(req.session);
  if (known && peer_uid != 0 && known->opener_uid != peer_uid &&
      !CallerMay(peer_uid, CallerOp::kSessionClose, deps_.users->UidOf(known->account))) {
    return Forbidden();
  }
  Response resp;
  // An unknown id (agent restarted, or never admitted) is not an error for
  // the module; ids are random, so answering reveals nothing.
  auto closed = known ? deps_.sessions->Close(req.session) : std::nullopt;
  resp.extra = Json{{"closed", closed.has_value()}};
  if (closed) {
    AuditEvent event;
    event.type = "session_close";
    event.account = closed->account;
    event.phase = "session";
    event.service = closed->service;
    event.tty = closed->tty;
    RecordEvent(std::move(event));
    if (deps_.session_gate != nullptr) deps_.session_gate->SessionClosed(closed->account);
  }
  return resp;
}

}  // namespace staffgate::agent
