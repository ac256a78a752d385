// A scripted PAM handle for the module's unit tests: the items, users,
// conversation and data of one login, with what the module logged and
// showed.
#ifndef STAFFGATE_TESTS_UNIT_FAKE_PAM_H_
#define STAFFGATE_TESTS_UNIT_FAKE_PAM_H_

#include <security/_pam_types.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pam_module/pam_context.h"

namespace staffgate::pam::testing {

// A scripted PAM handle: the items, users and conversation of one login.
class FakePam : public staffgate::pam::PamContext {
 public:
  int get_user_rc = PAM_SUCCESS;
  std::string user = "asmith";
  std::map<int, std::string> items{
      {PAM_SERVICE, "sshd"}, {PAM_TTY, "pts/0"}, {PAM_RHOST, "10.1.2.3"}};
  std::map<std::string, uid_t> uids{{"asmith", 1001}, {"daemon", 1}, {"root", 0}, {"toor", 0}};
  std::vector<std::pair<int, std::string>> logs;
  std::vector<std::string> shown;
  std::string data_id;
  std::string env_id;

  int GetUser(std::string* out) override {
    if (get_user_rc == PAM_SUCCESS) *out = user;
    return get_user_rc;
  }
  std::string GetItem(int type) override { return items.count(type) ? items[type] : ""; }
  std::optional<uid_t> LookupUid(const std::string& name) override {
    auto it = uids.find(name);
    if (it == uids.end()) return std::nullopt;
    return it->second;
  }
  void Log(int priority, const std::string& message) override {
    logs.emplace_back(priority, message);
  }
  void ShowError(const std::string& message) override { shown.push_back(message); }
  int StoreSessionId(const std::string& id) override {
    data_id = id;
    env_id = id;
    return PAM_SUCCESS;
  }
  std::string LoadSessionId() override { return data_id.empty() ? env_id : data_id; }

  // Passwords: items set by earlier modules, and the person's answers to
  // the prompts, in order (none left: PAM_CONV_ERR).
  std::map<int, std::string> authtoks;
  std::vector<std::string> answers;
  std::vector<std::string> prompts;
  std::set<std::string> marks;

  std::optional<std::string> GetAuthtok(int type) override {
    auto it = authtoks.find(type);
    if (it == authtoks.end()) return std::nullopt;
    return it->second;
  }
  int SetAuthtok(int type, const std::string& value) override {
    authtoks[type] = value;
    return PAM_SUCCESS;
  }
  int PromptSecret(const std::string& prompt, std::string* answer) override {
    prompts.push_back(prompt);
    if (answers.empty()) return PAM_CONV_ERR;
    *answer = answers.front();
    answers.erase(answers.begin());
    return PAM_SUCCESS;
  }
  int SetMark(const char* key) override {
    marks.insert(key);
    return PAM_SUCCESS;
  }
  bool HasMark(const char* key) override { return marks.count(key) > 0; }

  bool Logged(int priority, const std::string& needle) const {
    for (const auto& [p, m] : logs) {
      if (p == priority && m.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace staffgate::pam::testing

#endif  // STAFFGATE_TESTS_UNIT_FAKE_PAM_H_
