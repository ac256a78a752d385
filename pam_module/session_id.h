// Session ids: 128 random bits from getrandom(2), as 32 lowercase hex
// characters. Fresh per open_session; the agent and the central use it to
// tie session_close and lease releases to the session that opened them.
#ifndef STAFFGATE_PAM_MODULE_SESSION_ID_H_
#define STAFFGATE_PAM_MODULE_SESSION_ID_H_

#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::pam {

inline constexpr std::size_t kSessionIdHexChars = 32;

// A fresh id. Errors: kInternal when the kernel gives no randomness
// (getrandom fails other than EINTR); never falls back to a weak source.
common::Result<std::string> NewSessionId();

// True for exactly 32 lowercase hex characters: the only form the module
// sends, so an id from the (less trusted) PAM environment is checked.
bool IsValidSessionId(std::string_view id);

}  // namespace staffgate::pam

#endif  // STAFFGATE_PAM_MODULE_SESSION_ID_H_
