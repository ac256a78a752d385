// The password ops of Service (docs/design.md §10): caller rules as check,
// the roster's verdict in the auth phase, then PasswordService. The audit
// event names the account, service, rhost, the outcome and how it was
// reached (online, offline, ...); never a password.
#include "agent/caller_rules.h"
#include "agent/service.h"

namespace staffgate::agent {
namespace {

common::Response NotConfigured() {
  return common::ErrorResponse("not_configured", "staffgate passwords are not set up here");
}

}  // namespace

Verdict Service::PasswordVerdict(const std::string& account, const std::string& service,
                                 const std::string& rhost,
                                 std::shared_ptr<const common::Roster>* roster) {
  auto config = this->config();
  *roster = deps_.store->Current();
  DecisionInput input{account, common::Phase::kAuth, service, "", rhost};
  DecisionContext ctx;
  ctx.config = config.get();
  ctx.roster = roster->get();
  ctx.users = deps_.users;
  ctx.now = deps_.clock->Now();
  ctx.roster_uids = &roster_uids_;
  ctx.local_changes = &local_changes_;
  return Decide(input, ctx);
}

void Service::AuditPassword(AuditType type, const std::string& account, const std::string& service,
                            const std::string& rhost, const PasswordAnswer& answer,
                            std::uint64_t serial) {
  if (deps_.audit == nullptr) return;
  AuditEvent event;
  event.type = type;
  event.account = account;
  event.phase = type == AuditType::kAuthenticate ? "auth" : "password";
  event.service = service;
  event.rhost = rhost;
  event.decision = answer.decision;
  event.reason = answer.reason;
  event.detail = answer.how;
  if (serial != 0) event.serial = serial;
  RecordEvent(std::move(event));
}

common::Response Service::Authenticate(const common::AuthenticateRequest& req, uid_t peer_uid) {
  if (peer_uid != 0 && !CallerMay(peer_uid, CallerOp::kCheck, deps_.users->UidOf(req.account))) {
    return common::ErrorResponse("forbidden", kForbiddenMessage);
  }
  if (deps_.passwords == nullptr) return NotConfigured();
  std::shared_ptr<const common::Roster> roster;
  Verdict verdict = PasswordVerdict(req.account, req.service, req.rhost, &roster);
  PasswordAnswer answer =
      deps_.passwords->Authenticate(req, verdict, roster.get(), config()->offline_credentials_days);
  AuditPassword(AuditType::kAuthenticate, req.account, req.service, req.rhost, answer,
                verdict.serial);
  return std::move(answer.response);
}

common::Response Service::Chauthtok(const common::ChauthtokRequest& req, uid_t peer_uid) {
  if (peer_uid != 0 && !CallerMay(peer_uid, CallerOp::kCheck, deps_.users->UidOf(req.account))) {
    return common::ErrorResponse("forbidden", kForbiddenMessage);
  }
  if (deps_.passwords == nullptr) return NotConfigured();
  std::shared_ptr<const common::Roster> roster;
  Verdict verdict = PasswordVerdict(req.account, "", "", &roster);
  PasswordAnswer answer = deps_.passwords->Chauthtok(req, verdict);
  AuditPassword(AuditType::kChauthtok, req.account, "", "", answer, verdict.serial);
  return std::move(answer.response);
}

common::Response Service::PasswordChanged(const common::PasswordChangedRequest& req) {
  const std::int64_t now_ms = deps_.clock->NowMs();
  local_changes_.Record(req.account, now_ms / 1000);
  AuditEvent event;
  event.time_ms = now_ms;  // The central compares it with the reset (ms kept).
  event.type = AuditType::kPasswordChanged;
  event.account = req.account;
  RecordEvent(std::move(event));
  return common::ChauthtokReply{};
}

}  // namespace staffgate::agent
