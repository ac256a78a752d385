// The helpers of common/protocol.h that need no JSON, apart from
// protocol.cc so that pam_staffgate.so links them without nlohmann
// (common/protocol_module.h).
#include "common/protocol.h"
#include "common/secret.h"

namespace staffgate::common {

Op OpOf(const Request& request) { return static_cast<Op>(request.index()); }

const LoginFields* LoginOf(const Request& request) {
  if (const auto* check = std::get_if<CheckRequest>(&request)) return &check->login;
  if (const auto* open = std::get_if<SessionOpenRequest>(&request)) return &open->login;
  return nullptr;
}

const std::string* AccountOf(const Request& request) {
  if (const auto* login = LoginOf(request)) return &login->account;
  if (const auto* auth = std::get_if<AuthenticateRequest>(&request)) return &auth->account;
  if (const auto* change = std::get_if<ChauthtokRequest>(&request)) return &change->account;
  if (const auto* done = std::get_if<PasswordChangedRequest>(&request)) return &done->account;
  return nullptr;
}

void WipeSecrets(Request& request) {
  if (auto* auth = std::get_if<AuthenticateRequest>(&request)) WipeString(auth->password);
  if (auto* change = std::get_if<ChauthtokRequest>(&request)) {
    WipeString(change->old_password);
    WipeString(change->new_password);
  }
}

}  // namespace staffgate::common
