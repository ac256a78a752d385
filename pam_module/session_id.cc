#include "pam_module/session_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace staffgate::pam {

common::Result<std::string> NewSessionId() {
  unsigned char bytes[kSessionIdHexChars / 2];
  std::size_t got = 0;
  // getrandom without GRND_NONBLOCK blocks only before the pool is
  // initialised at boot; a login after that never waits.
  while (got < sizeof(bytes)) {
    ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return common::Fail(common::ErrorKind::kInternal,
                          std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kSessionIdHexChars);
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xf]);
  }
  return id;
}

bool IsValidSessionId(std::string_view id) {
  if (id.size() != kSessionIdHexChars) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace staffgate::pam
