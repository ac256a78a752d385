#include "pam_module/pam_context.h"

#include <pwd.h>
#include <security/pam_ext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace staffgate::pam {
namespace {

// The pam_set_data key; module-specific so other modules cannot collide.
constexpr char kSessionDataKey[] = "staffgate_session_id";

void FreeSessionId(pam_handle_t* /*pamh*/, void* data, int /*error_status*/) { std::free(data); }

}  // namespace

int LibPamContext::GetUser(std::string* user) {
  const char* name = nullptr;
  int rc = pam_get_user(pamh_, &name, nullptr);
  if (rc != PAM_SUCCESS) return rc;
  if (name == nullptr || *name == '\0') return PAM_USER_UNKNOWN;
  *user = name;
  return PAM_SUCCESS;
}

std::string LibPamContext::GetItem(int item_type) {
  const void* value = nullptr;
  if (pam_get_item(pamh_, item_type, &value) != PAM_SUCCESS || value == nullptr) return {};
  return static_cast<const char*>(value);
}

std::optional<uid_t> LibPamContext::LookupUid(const std::string& user) {
  long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
  for (int tries = 0; tries < 8; ++tries) {
    passwd pw{};
    passwd* result = nullptr;
    int rc = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &result);
    if (rc == ERANGE) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || result == nullptr) return std::nullopt;
    return pw.pw_uid;
  }
  return std::nullopt;
}

void LibPamContext::Log(int priority, const std::string& message) {
  pam_syslog(pamh_, priority, "%s", message.c_str());
}

void LibPamContext::ShowError(const std::string& message) {
  pam_error(pamh_, "%s", message.c_str());
}

int LibPamContext::StoreSessionId(const std::string& id) {
  char* copy = strdup(id.c_str());
  if (copy == nullptr) return PAM_BUF_ERR;
  int rc = pam_set_data(pamh_, kSessionDataKey, copy, FreeSessionId);
  if (rc != PAM_SUCCESS) {
    std::free(copy);
    return rc;
  }
  std::string assignment = std::string(kSessionEnvName) + "=" + id;
  return pam_putenv(pamh_, assignment.c_str());
}

std::string LibPamContext::LoadSessionId() {
  const void* data = nullptr;
  if (pam_get_data(pamh_, kSessionDataKey, &data) == PAM_SUCCESS && data != nullptr) {
    return static_cast<const char*>(data);
  }
  const char* env = pam_getenv(pamh_, kSessionEnvName);
  return env != nullptr ? env : "";
}

}  // namespace staffgate::pam
