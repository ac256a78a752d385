#include "pam_module/pam_context.h"

#include <pwd.h>
#include <security/pam_ext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/secret.h"

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

std::optional<std::string> LibPamContext::GetAuthtok(int item_type) {
  const void* value = nullptr;
  if (pam_get_item(pamh_, item_type, &value) != PAM_SUCCESS || value == nullptr) {
    return std::nullopt;
  }
  return std::string(static_cast<const char*>(value));
}

int LibPamContext::SetAuthtok(int item_type, const std::string& value) {
  // libpam copies the item (and wipes its copy when replaced or ended).
  return pam_set_item(pamh_, item_type, value.c_str());
}

int LibPamContext::PromptSecret(const std::string& prompt, std::string* answer) {
  char* response = nullptr;
  int rc = pam_prompt(pamh_, PAM_PROMPT_ECHO_OFF, &response, "%s", prompt.c_str());
  if (rc != PAM_SUCCESS) {
    if (response != nullptr) {
      explicit_bzero(response, std::strlen(response));
      std::free(response);
    }
    return rc;
  }
  if (response == nullptr) return PAM_CONV_ERR;
  const std::size_t length = std::strlen(response);
  answer->reserve(length);
  answer->assign(response, length);
  explicit_bzero(response, length);
  std::free(response);
  return PAM_SUCCESS;
}

int LibPamContext::SetMark(const char* key) {
  // The data is the key itself (static), so there is nothing to free.
  return pam_set_data(pamh_, key, const_cast<char*>(key), nullptr);
}

bool LibPamContext::HasMark(const char* key) {
  const void* data = nullptr;
  return pam_get_data(pamh_, key, &data) == PAM_SUCCESS && data != nullptr;
}

}  // namespace staffgate::pam
