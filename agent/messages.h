// The one sentence shown to the person for a refusal (docs/design.md §3,
// "Messages shown to the person"). It says what happened and what to do,
// and never names anyone else, their status or their account: the only
// variable parts are the person's own account name and, for row 9, the
// workstation where that same account is signed in.
#ifndef STAFFGATE_AGENT_MESSAGES_H_
#define STAFFGATE_AGENT_MESSAGES_H_

#include <string>

#include "agent/decision.h"

namespace staffgate::agent {

// The message for `verdict` about `account`; empty for allow and ignore
// (the module has nothing to show then).
std::string MessageFor(const Verdict& verdict, const std::string& account);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_MESSAGES_H_
