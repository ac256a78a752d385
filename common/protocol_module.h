// The wire form of the ops pam_staffgate.so sends (docs/design.md §4, §10):
// check, session_open, session_close, authenticate, chauthtok and
// password_changed, and their replies, on the types of common/protocol.h
// and without nlohmann::json (common/json_line.h says why). It is the one
// codec for these ops: SerializeRequest and ParseResponse hand them here,
// so the module, staffgatectl and the benches cannot disagree; the agent
// reads these lines with ParseRequest (nlohmann), and the unit tests hold
// the two side by side.
//
// Threads: pure functions, no state.
#ifndef STAFFGATE_COMMON_PROTOCOL_MODULE_H_
#define STAFFGATE_COMMON_PROTOCOL_MODULE_H_

#include <string>
#include <string_view>

#include "common/protocol.h"
#include "common/result.h"

namespace staffgate::common {

// The ops above: the ones the module sends.
bool IsModuleOp(Op op);

// The request line without its newline, as SerializeRequest documents it
// (keys in byte order, empty optional fields left out). For authenticate
// and chauthtok the line holds the passwords, written into one buffer
// reserved up front: wipe it once sent. Precondition:
// IsModuleOp(OpOf(request)); any other op gives "".
std::string EncodeModuleRequest(const Request& request);

// The answer to a request of `op`, as ParseResponse documents it: an
// ErrorReply for ok:false, else the op's reply. Errors: kTooLarge,
// kInvalidInput (naming the field); kInternal when !IsModuleOp(op).
Result<Response> DecodeModuleReply(Op op, std::string_view line);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_PROTOCOL_MODULE_H_
