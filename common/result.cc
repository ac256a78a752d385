#include "common/result.h"

namespace staffgate::common {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput: return "invalid_input";
    case ErrorKind::kTooLarge: return "too_large";
    case ErrorKind::kBadSignature: return "bad_signature";
    case ErrorKind::kExpired: return "expired";
    case ErrorKind::kRollback: return "rollback";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kForbidden: return "forbidden";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kPermission: return "permission";
    case ErrorKind::kIo: return "io";
    case ErrorKind::kConfig: return "config";
    case ErrorKind::kInternal: return "internal";
  }
  return "unknown";
}

std::string Error::ToString() const {
  return std::string(ErrorKindName(kind)) + ": " + message;
}

}  // namespace staffgate::common
