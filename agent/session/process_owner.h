// Whether the process a session names still stands for it: the lease gate
// reaps sessions whose process is gone, and a restarted agent drops them
// (docs/design.md §13: the table must not come back full).
#ifndef STAFFGATE_AGENT_SESSION_PROCESS_OWNER_H_
#define STAFFGATE_AGENT_SESSION_PROCESS_OWNER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "agent/session/session_table.h"

namespace staffgate::agent {

// The effective uid on the "Uid:" line of `status_text` (the text of
// /proc/PID/status), or nullopt when there is none.
std::optional<uid_t> EffectiveUidIn(const std::string& status_text);

// True while `s.pid` runs and, for a session a non-root user opened, still
// belongs to that user: a pid reused by someone else does not keep the
// session. Reads /proc/PID/status.
bool SessionProcessAlive(const SessionInfo& s);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SESSION_PROCESS_OWNER_H_
