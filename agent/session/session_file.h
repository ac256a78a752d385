// The session table across agent restarts: <state_dir>/sessions.json, so a
// restarted agent (package upgrade, crash) still knows who is signed in,
// keeps renewing their leases and still reaps them when they end.
// Sessions do not survive a reboot, so the file records the kernel's boot
// id and is ignored after a reboot; for the same reason it is not fsynced.
#ifndef STAFFGATE_AGENT_SESSION_FILE_H_
#define STAFFGATE_AGENT_SESSION_FILE_H_

#include <string>
#include <vector>

#include "agent/session/session_table.h"

namespace staffgate::agent {

// /proc/sys/kernel/random/boot_id, or "" when unreadable.
std::string CurrentBootId();

std::string SerializeSessions(const std::vector<SessionInfo>& sessions, const std::string& boot_id);
// The sessions in `text`; empty when it is malformed, from another boot,
// or `boot_id` is empty. Entries with a bad field are skipped.
std::vector<SessionInfo> ParseSessions(const std::string& text, const std::string& boot_id);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SESSION_FILE_H_
