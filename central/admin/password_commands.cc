// `staffgate-admin employee set-password | unlock` (docs/design.md §10).
// A chosen password is read from stdin (never from the command line, where
// ps would show it); a one-time password is printed once, alone on stdout.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "central/admin/commands.h"
#include "central/admin/output.h"
#include "common/auth_api.h"

namespace staffgate::central::admin {

using common::ErrorKind;
using common::Fail;
using common::Json;

namespace {

// Turns terminal echo off while alive (stdin a terminal only).
class NoEcho {
 public:
  NoEcho() {
    if ((isatty(STDIN_FILENO) == 0) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (!active_) return;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    (void)std::fputc('\n', stderr);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// The first line of stdin without its line end, capped.
common::Result<std::string> ReadPassword() {
  if (isatty(STDIN_FILENO) != 0) (void)std::fputs("New password: ", stderr);
  NoEcho no_echo;
  std::string line;
  for (int ch = 0; (ch = std::fgetc(stdin)) != EOF && ch != '\n';) {
    if (line.size() > common::kMaxPasswordBytes) {
      return Fail(ErrorKind::kInvalidInput, "the password on stdin is longer than " +
                                                std::to_string(common::kMaxPasswordBytes) +
                                                " bytes");
    }
    line += static_cast<char>(ch);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return Fail(ErrorKind::kInvalidInput, "no password on stdin (an empty password is refused)");
  }
  return line;
}

}  // namespace

int EmployeeSetPassword(AdminClient& client, const std::string& id, bool one_time) {
  Json body;
  if (one_time) {
    body = {{"one_time", true}};
  } else {
    auto password = ReadPassword();
    if (!password) return Failed(password.error());
    body = {{"password", *password}};
  }
  auto answer = client.Call("POST", "/v1/admin/employees/" + UrlEncode(id) + "/set-password",
                            common::DumpJson(body));
  if (!answer) return Failed(answer.error());
  if (one_time) {
    // Alone on stdout, once: the central keeps only its hash.
    std::printf("%s\n", Str(*answer, "password").c_str());
    (void)std::fprintf(stderr, "one-time password set for employee %s (roster serial %s)\n",
                       Safe(id).c_str(), Safe(Str(*answer, "serial")).c_str());
  } else {
    std::printf("password set for employee %s (roster serial %s)\n", Safe(id).c_str(),
                Safe(Str(*answer, "serial")).c_str());
  }
  return 0;
}

int EmployeeUnlock(AdminClient& client, const std::string& id) {
  auto answer = client.Call("POST", "/v1/admin/employees/" + UrlEncode(id) + "/unlock", "{}");
  if (!answer) return Failed(answer.error());
  const bool was_locked = answer->value("was_locked", false);
  std::printf("%s employee %s\n", was_locked ? "unlocked" : "nothing to unlock for",
              Safe(id).c_str());
  return 0;
}

}  // namespace staffgate::central::admin
