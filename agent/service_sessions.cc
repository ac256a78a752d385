// Service: session_open and session_close (docs/design.md §4, §13).
#include <syslog.h>

#include "agent/caller_rules.h"
#include "agent/service.h"
#include "agent/session/session_event.h"

namespace staffgate::agent {
namespace {

using common::Response;

bool Admitted(common::Decision decision) {
  return decision == common::Decision::kAllow || decision == common::Decision::kResetRequired;
}

}  // namespace

Response Service::SessionOpen(const common::SessionOpenRequest& req, const Peer& peer) {
  const common::LoginFields& login = req.login;
  if (peer.uid != 0) {
    if (!CallerMay(peer.uid, CallerOp::kCheck, deps_.users->UidOf(login.account))) {
      return common::ErrorResponse("forbidden", kForbiddenMessage);
    }
    // The module sends the pid of the process that connected (the login
    // itself). Any other pid would let a user pin sessions on a process
    // that never ends (pid 1), so they would never be reaped.
    if (peer.pid <= 0 || req.pid != peer.pid) {
      return common::ErrorResponse("forbidden", "a session's pid must be your own process");
    }
  }
  const SessionInfo info{req.session, login.account,      login.service, login.tty,
                         req.pid,     deps_.clock->Now(), peer.uid};
  // Checked before deciding, so no lease is taken for a login we could
  // not track; checked again when recording (another thread may win).
  if (auto can = deps_.sessions->CanOpen(info); can != SessionTable::OpenResult::kOpened) {
    return Untracked(info, can);
  }
  common::DecisionReply reply =
      DecideAndAudit(common::Phase::kSession, login, true, AuditType::kSessionOpen);
  if (!Admitted(reply.decision)) return reply;
  const SessionTable::OpenResult opened = deps_.sessions->Open(info);
  // Also when not recorded: the gate then releases the lease it took.
  if (deps_.session_gate != nullptr) deps_.session_gate->SessionOpened(login.account);
  if (opened != SessionTable::OpenResult::kOpened) return Untracked(info, opened);
  return reply;
}

Response Service::Untracked(const SessionInfo& info, SessionTable::OpenResult why) {
  const std::string text =
      std::string("session not tracked (") + OpenResultText(why) + "); login refused";
  AuditEvent event = SessionEvent(AuditType::kSessionOpen, info,
                                  text + "; opened by uid " + std::to_string(info.opener_uid));
  event.decision = "deny";
  RecordEvent(std::move(event));
  if (deps_.log) {
    std::lock_guard<std::mutex> lock(untracked_log_mu_);
    if (auto held = untracked_log_.Allow(std::chrono::steady_clock::now())) {
      deps_.log(LOG_WARNING,
                "refused a session of " + info.account + " (uid " +
                    std::to_string(info.opener_uid) + "): " + OpenResultText(why) +
                    (*held != 0U ? " (" + std::to_string(*held) + " more not logged)" : ""));
    }
  }
  const bool taken = why == SessionTable::OpenResult::kIdTaken;
  return common::ErrorResponse(taken ? "forbidden" : "busy", text);
}

Response Service::SessionClose(const common::SessionCloseRequest& req, uid_t peer_uid) {
  auto known = deps_.sessions->Find(req.session);
  if (known && peer_uid != 0 && known->opener_uid != peer_uid &&
      !CallerMay(peer_uid, CallerOp::kSessionClose, deps_.users->UidOf(known->account))) {
    return common::ErrorResponse("forbidden", kForbiddenMessage);
  }
  // An unknown id (agent restarted, or never admitted) is not an error for
  // the module; ids are random, so answering reveals nothing.
  auto closed = known ? deps_.sessions->Close(req.session) : std::nullopt;
  if (closed) {
    RecordEvent(SessionEvent(AuditType::kSessionClose, *closed));
    if (deps_.session_gate != nullptr) deps_.session_gate->SessionClosed(closed->account);
  }
  return common::SessionCloseReply{closed.has_value()};
}

}  // namespace staffgate::agent
