// The audit event about one session (opened, refused, closed, reaped):
// its account, service and tty, phase "session".
#ifndef STAFFGATE_AGENT_SESSION_SESSION_EVENT_H_
#define STAFFGATE_AGENT_SESSION_SESSION_EVENT_H_

#include <string>
#include <utility>

#include "agent/audit/audit_log.h"
#include "agent/session/session_table.h"

namespace staffgate::agent {

inline AuditEvent SessionEvent(AuditType type, const SessionInfo& s, std::string detail = "") {
  AuditEvent event;
  event.type = type;
  event.account = s.account;
  event.phase = "session";
  event.service = s.service;
  event.tty = s.tty;
  event.detail = std::move(detail);
  return event;
}

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SESSION_SESSION_EVENT_H_
