// Agent: the session table across restarts (<state_dir>/sessions.json,
// session_file.h), and the end of a scheduled leaver's sessions.
#include "agent/agent.h"
#include "agent/session/process_owner.h"
#include "agent/session/session_event.h"
#include "agent/session/session_file.h"
#include "common/file_util.h"

namespace staffgate::agent {

void Agent::RestoreSessions() {
  boot_id_ = CurrentBootId();
  const std::string path = service_->config()->state_dir + "/sessions.json";
  auto text = common::ReadRegularFile(path, 16U << 20, /*no_follow=*/true);
  if (!text) return;  // None saved (first start) or unreadable: start empty.
  auto restored = ParseSessions(*text, boot_id_);
  // Only sessions whose process still stands for them, within the table's
  // shares: a table filled before the restart must not come back full.
  std::size_t kept = 0;
  for (const auto& session : restored) {
    if (!SessionProcessAlive(session)) continue;
    if (sessions_.Open(session) == SessionTable::OpenResult::kOpened) ++kept;
  }
  // Dropped any: differ from the version, so the next save rewrites the file.
  saved_version_ = sessions_.Version() - (kept == restored.size() ? 0 : 1);
  if (!restored.empty()) {
    log_(LOG_INFO, "restored " + std::to_string(kept) + " open session(s) from before the restart" +
                       (kept == restored.size() ? ""
                                                : " (" + std::to_string(restored.size() - kept) +
                                                      " dropped: process gone or over the caps)"));
  }
}

void Agent::SaveSessions() {
  std::lock_guard<std::mutex> lock(save_mu_);
  const std::uint64_t version = sessions_.Version();
  if (version == saved_version_) return;
  const std::string path = service_->config()->state_dir + "/sessions.json";
  auto wrote = common::WriteFileAtomic(path, SerializeSessions(sessions_.List(), boot_id_), 0600);
  if (!wrote) {
    log_(LOG_WARNING, "cannot save the session table: " + wrote.error().message);
    return;
  }
  saved_version_ = version;
}

void Agent::EndExpiredSessions(const std::string& account, const std::string& detail) {
  log_(LOG_NOTICE, "ending the sessions of " + account + " here: " + detail);
  bool closed = false;
  for (const SessionInfo& s : sessions_.List()) {
    if (s.account != account || !sessions_.Close(s.id)) continue;
    AuditEvent event = SessionEvent(AuditType::kSessionClose, s, detail);
    event.reason = "expired";
    service_->RecordEvent(std::move(event));
    closed = true;
  }
  if (closed) gate_->SessionClosed(account);  // Its lease is released on the gate's thread.
  revoker_->EndSessionsOf(account, "expired", detail);
}

}  // namespace staffgate::agent
