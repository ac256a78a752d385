// Who may ask what over the socket (docs/design.md §4, SO_PEERCRED): uid 0 may
// do everything; any other uid may ask `status`, and `check` /
// `session_*` only about the account whose uid is its own. Everything else
// is answered with the same bare "forbidden", so a refused caller learns
// nothing (not even whether the account exists).
#ifndef STAFFGATE_AGENT_CALLER_RULES_H_
#define STAFFGATE_AGENT_CALLER_RULES_H_

#include <sys/types.h>

#include <optional>

namespace staffgate::agent {

enum class CallerOp {
  kStatus,
  kCheck,         // check and session_open: about an account.
  kSessionClose,  // about the account of a known session.
  kAdmin,         // roster_install, sessions: root only.
};

// `subject_uid` is the uid of the account asked about (getpwnam), nullopt
// when it has no passwd entry or no account is involved.
bool CallerMay(uid_t peer_uid, CallerOp op, std::optional<uid_t> subject_uid);

// The message sent with every "forbidden" answer: fixed, reveals nothing.
inline constexpr char kForbiddenMessage[] = "you may only ask about your own account";

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_CALLER_RULES_H_
