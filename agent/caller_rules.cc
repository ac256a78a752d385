#include "agent/caller_rules.h"

namespace staffgate::agent {

bool CallerMay(uid_t peer_uid, CallerOp op, std::optional<uid_t> subject_uid) {
  if (peer_uid == 0) return true;
  switch (op) {
    case CallerOp::kStatus:
      return true;
    case CallerOp::kCheck:
    case CallerOp::kSessionClose:
      return subject_uid.has_value() && *subject_uid == peer_uid;
    case CallerOp::kAdmin:
      return false;
  }
  return false;
}

}  // namespace staffgate::agent
