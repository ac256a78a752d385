// The slice of libpam the module's logic needs, behind an interface so the
// flow (module_core) is unit-tested with a scripted fake instead of a PAM
// stack. LibPamContext is the real thing over a pam_handle_t; it owns
// nothing and lives only for one pam_sm_* call.
#ifndef STAFFGATE_PAM_MODULE_PAM_CONTEXT_H_
#define STAFFGATE_PAM_MODULE_PAM_CONTEXT_H_

#include <security/pam_modules.h>
#include <sys/types.h>

#include <optional>
#include <string>

namespace staffgate::pam {

// The PAM environment variable carrying the session id to the session.
inline constexpr char kSessionEnvName[] = "STAFFGATE_SESSION";

class PamContext {
 public:
  virtual ~PamContext() = default;

  // pam_get_user: PAM_SUCCESS and the name, or the PAM error code.
  virtual int GetUser(std::string* user) = 0;
  // PAM_SERVICE, PAM_TTY, PAM_RHOST...; empty when unset.
  virtual std::string GetItem(int item_type) = 0;
  // The uid of a local account (getpwnam_r); nullopt when there is no
  // passwd entry or the lookup failed.
  virtual std::optional<uid_t> LookupUid(const std::string& user) = 0;
  // pam_syslog at `priority` (LOG_ERR, LOG_NOTICE, LOG_DEBUG...).
  virtual void Log(int priority, const std::string& message) = 0;
  // One PAM_ERROR_MSG line through the application's conversation.
  virtual void ShowError(const std::string& message) = 0;
  // Keeps the session id for close_session (pam_set_data) and exports it to
  // the session as STAFFGATE_SESSION. Returns a PAM code.
  virtual int StoreSessionId(const std::string& id) = 0;
  // The id stored by StoreSessionId in this handle, else STAFFGATE_SESSION
  // from the PAM environment; empty when neither exists.
  virtual std::string LoadSessionId() = 0;

  // Staffgate passwords (docs/design.md §10). Every string these hand out
  // holds a password: the caller wipes it (common::WipeString).
  // PAM_AUTHTOK or PAM_OLDAUTHTOK when an earlier module set it.
  virtual std::optional<std::string> GetAuthtok(int item_type) = 0;
  // Sets PAM_AUTHTOK or PAM_OLDAUTHTOK for the modules after us. A PAM code.
  virtual int SetAuthtok(int item_type, const std::string& value) = 0;
  // Asks through the conversation with echo off. PAM_SUCCESS and the
  // answer, or the PAM error code (PAM_CONV_ERR...).
  virtual int PromptSecret(const std::string& prompt, std::string* answer) = 0;
  // A mark kept in the handle between stages (pam_set_data), e.g. "the
  // password must be changed" from auth to account.
  virtual int SetMark(const char* key) = 0;
  virtual bool HasMark(const char* key) = 0;
};

class LibPamContext final : public PamContext {
 public:
  explicit LibPamContext(pam_handle_t* pamh) : pamh_(pamh) {}

  int GetUser(std::string* user) override;
  std::string GetItem(int item_type) override;
  std::optional<uid_t> LookupUid(const std::string& user) override;
  void Log(int priority, const std::string& message) override;
  void ShowError(const std::string& message) override;
  int StoreSessionId(const std::string& id) override;
  std::string LoadSessionId() override;
  std::optional<std::string> GetAuthtok(int item_type) override;
  int SetAuthtok(int item_type, const std::string& value) override;
  int PromptSecret(const std::string& prompt, std::string* answer) override;
  int SetMark(const char* key) override;
  bool HasMark(const char* key) override;

 private:
  pam_handle_t* pamh_;
};

}  // namespace staffgate::pam

#endif  // STAFFGATE_PAM_MODULE_PAM_CONTEXT_H_
