// The module's staffgate password stages (docs/design.md §10) against a
// scripted PAM handle and a scripted agent: which requests go out, the PAM
// codes of §10, and that no password reaches a log line.
#include <syslog.h>

#include <catch2/catch.hpp>
#include <deque>
#include <string>
#include <vector>

#include "fake_pam.h"
#include "pam_module/module_core.h"
#include "pam_module/module_password.h"

using namespace staffgate::common;  // NOLINT: test brevity
using staffgate::pam::CoreDeps;
using staffgate::pam::RunStage;
using staffgate::pam::Stage;
using staffgate::pam::testing::FakePam;

namespace {

constexpr char kSecret[] = "c0rrect-h0rse-battery";

struct ScriptedAgent {
  std::deque<Result<Response>> replies;
  std::vector<Request> requests;
};

CoreDeps Deps(ScriptedAgent& agent) {
  return CoreDeps{
      [&agent](const ClientOptions&, const Request& r) -> Result<Response> {
        agent.requests.push_back(r);
        if (agent.replies.empty()) return Fail(ErrorKind::kUnavailable, "no agent");
        auto reply = agent.replies.front();
        agent.replies.pop_front();
        return reply;
      },
      []() -> Result<std::string> { return std::string(32, 'a'); },
      []() -> uid_t { return 1000; },
  };
}

int Run(FakePam& pam, ScriptedAgent& agent, Stage stage, int flags, std::vector<const char*> argv) {
  return RunStage(pam, Deps(agent), stage, flags, static_cast<int>(argv.size()), argv.data());
}

Response Decided(Decision d, Reason r) { return DecisionReply{d, r, "", 7}; }

void CheckNoSecretLogged(const FakePam& pam, const std::string& secret) {
  for (const auto& [priority, line] : pam.logs) {
    INFO(line);
    CHECK(line.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("module password: auth asks once, sends authenticate, maps every answer",
          "[module][password]") {
  struct Row {
    Result<Response> reply;
    int code;
  };
  std::vector<Row> rows = {
      {Decided(Decision::kAllow, Reason::kAllowed), PAM_SUCCESS},
      {Decided(Decision::kDeny, Reason::kBadCredentials), PAM_AUTH_ERR},
      {Decided(Decision::kDeny, Reason::kLockedOut), PAM_MAXTRIES},
      {Decided(Decision::kIgnore, Reason::kNotManaged), PAM_USER_UNKNOWN},
      {Decided(Decision::kDeny, Reason::kTerminated), PAM_PERM_DENIED},
      {Decided(Decision::kResetRequired, Reason::kCredentialsResetRequired), PAM_SUCCESS},
      {ErrorResponse("unavailable", "central unreachable, no offline sign-in"),
       PAM_AUTHINFO_UNAVAIL},
      {ErrorResponse("forbidden", "no"), PAM_SERVICE_ERR},
      {Fail(ErrorKind::kUnavailable, "no socket"), PAM_AUTHINFO_UNAVAIL},
      {Fail(ErrorKind::kTimeout, "late"), PAM_AUTHINFO_UNAVAIL},
      {Fail(ErrorKind::kInvalidInput, "garbage"), PAM_SERVICE_ERR},
  };
  for (auto& row : rows) {
    FakePam pam;
    pam.answers = {kSecret};
    ScriptedAgent agent;
    agent.replies = {row.reply};
    CHECK(Run(pam, agent, Stage::kAuth, 0, {"authenticate", "debug"}) == row.code);
    REQUIRE(agent.requests.size() == 1);
    const auto& sent = std::get<AuthenticateRequest>(agent.requests[0]);
    CHECK(sent.account == "asmith");
    CHECK(sent.password == kSecret);
    CHECK(sent.service == "sshd");
    CHECK(sent.rhost == "10.1.2.3");
    CHECK(pam.prompts == std::vector<std::string>{"Password: "});
    CHECK(pam.authtoks[PAM_AUTHTOK] == kSecret);  // For pam_unix try_first_pass.
    CHECK(pam.shown.empty());                     // The auth stage never says why.
    CheckNoSecretLogged(pam, kSecret);
  }
}

TEST_CASE("module password: PAM_AUTHTOK from an earlier module is used without a prompt",
          "[module][password]") {
  FakePam pam;
  pam.authtoks[PAM_AUTHTOK] = kSecret;
  ScriptedAgent agent;
  agent.replies = {Decided(Decision::kAllow, Reason::kAllowed)};
  CHECK(Run(pam, agent, Stage::kAuth, 0, {"authenticate"}) == PAM_SUCCESS);
  CHECK(pam.prompts.empty());
  CHECK(std::get<AuthenticateRequest>(agent.requests[0]).password == kSecret);
}

TEST_CASE("module password: no conversation answer is a failure without asking the agent",
          "[module][password]") {
  FakePam pam;  // No answers: PAM_CONV_ERR.
  ScriptedAgent agent;
  CHECK(Run(pam, agent, Stage::kAuth, 0, {"authenticate"}) == PAM_AUTH_ERR);
  CHECK(agent.requests.empty());
}

TEST_CASE("module password: without the argument the auth stage is today's check",
          "[module][password]") {
  FakePam pam;
  ScriptedAgent agent;
  agent.replies = {Decided(Decision::kAllow, Reason::kAllowed)};
  CHECK(Run(pam, agent, Stage::kAuth, 0, {}) == PAM_IGNORE);
  REQUIRE(agent.requests.size() == 1);
  CHECK(std::holds_alternative<CheckRequest>(agent.requests[0]));
  CHECK(pam.prompts.empty());
}

TEST_CASE("module password: reset_required at auth makes the account stage demand a change",
          "[module][password]") {
  FakePam pam;
  pam.answers = {kSecret};
  ScriptedAgent agent;
  agent.replies = {Decided(Decision::kResetRequired, Reason::kCredentialsResetRequired),
                   Decided(Decision::kAllow, Reason::kAllowed)};
  CHECK(Run(pam, agent, Stage::kAuth, 0, {"authenticate"}) == PAM_SUCCESS);
  CHECK(Run(pam, agent, Stage::kAccount, 0, {}) == PAM_NEW_AUTHTOK_REQD);
  // A deny in the account stage still wins over the mark.
  agent.replies = {Decided(Decision::kDeny, Reason::kTerminated)};
  CHECK(Run(pam, agent, Stage::kAccount, 0, {}) == PAM_ACCT_EXPIRED);
}

TEST_CASE("module password: root and system accounts are never asked for a password",
          "[module][password]") {
  for (const char* name : {"root", "daemon"}) {
    FakePam pam;
    pam.user = name;
    ScriptedAgent agent;
    CHECK(Run(pam, agent, Stage::kAuth, 0, {"authenticate"}) == PAM_IGNORE);
    CHECK(Run(pam, agent, Stage::kPassword, PAM_PRELIM_CHECK, {}) == PAM_IGNORE);
    CHECK(agent.requests.empty());
    CHECK(pam.prompts.empty());
  }
}

TEST_CASE("module password: chauthtok checks the old password, then sends old and new",
          "[module][password]") {
  FakePam pam;
  pam.answers = {"old-pass", "N3w-passw0rd-long", "N3w-passw0rd-long"};
  ScriptedAgent agent;
  agent.replies = {Decided(Decision::kAllow, Reason::kAllowed),
                   Decided(Decision::kAllow, Reason::kAllowed), Response{ChauthtokReply{}}};
  CHECK(Run(pam, agent, Stage::kPassword, PAM_PRELIM_CHECK, {"debug"}) == PAM_SUCCESS);
  REQUIRE(agent.requests.size() == 2);
  CHECK(std::holds_alternative<CheckRequest>(agent.requests[0]));
  CHECK(std::get<AuthenticateRequest>(agent.requests[1]).password == "old-pass");
  CHECK(pam.authtoks[PAM_OLDAUTHTOK] == "old-pass");
  CHECK(Run(pam, agent, Stage::kPassword, PAM_UPDATE_AUTHTOK, {"debug"}) == PAM_SUCCESS);
  REQUIRE(agent.requests.size() == 3);
  const auto& change = std::get<ChauthtokRequest>(agent.requests[2]);
  CHECK(change.account == "asmith");
  CHECK(change.old_password == "old-pass");
  CHECK(change.new_password == "N3w-passw0rd-long");
  CHECK(pam.prompts ==
        std::vector<std::string>{"Current password: ", "New password: ", "Retype new password: "});
  CHECK(pam.authtoks[PAM_AUTHTOK] == "N3w-passw0rd-long");
  CheckNoSecretLogged(pam, "old-pass");
  CheckNoSecretLogged(pam, "N3w-passw0rd-long");
}

TEST_CASE("module password: a mismatched retype is refused before the agent is asked",
          "[module][password]") {
  FakePam pam;
  pam.authtoks[PAM_OLDAUTHTOK] = "old-pass";
  pam.answers = {"N3w-passw0rd-long", "N3w-passw0rd-lonG"};
  ScriptedAgent agent;
  CHECK(Run(pam, agent, Stage::kPassword, PAM_UPDATE_AUTHTOK, {}) == PAM_AUTHTOK_ERR);
  CHECK(agent.requests.empty());
  CHECK(pam.shown == std::vector<std::string>{"Sorry, passwords do not match."});
}

TEST_CASE("module password: a weak password shows the central's sentence", "[module][password]") {
  FakePam pam;
  pam.authtoks[PAM_OLDAUTHTOK] = "old-pass";
  pam.answers = {"short", "short"};
  ScriptedAgent agent;
  agent.replies = {ErrorResponse("weak_password", "The password is shorter than 12 characters")};
  CHECK(Run(pam, agent, Stage::kPassword, PAM_UPDATE_AUTHTOK, {}) == PAM_AUTHTOK_ERR);
  CHECK(pam.shown == std::vector<std::string>{"The password is shorter than 12 characters"});
  pam.shown.clear();
  pam.answers = {"short", "short"};
  agent.replies = {ErrorResponse("weak_password", "too short")};
  CHECK(Run(pam, agent, Stage::kPassword, PAM_UPDATE_AUTHTOK | PAM_SILENT, {}) == PAM_AUTHTOK_ERR);
  CHECK(pam.shown.empty());
}

TEST_CASE("module password: an account staffgate does not manage is left to pam_unix",
          "[module][password]") {
  SECTION("the roster does not name it: no prompt at all") {
    FakePam pam;
    ScriptedAgent agent;
    agent.replies = {Decided(Decision::kDeny, Reason::kUnknownAccount)};
    CHECK(Run(pam, agent, Stage::kPassword, PAM_PRELIM_CHECK, {}) == PAM_USER_UNKNOWN);
    CHECK(pam.prompts.empty());
    CHECK(Run(pam, agent, Stage::kPassword, PAM_UPDATE_AUTHTOK, {}) == PAM_USER_UNKNOWN);
    CHECK(agent.requests.size() == 1);
  }
  SECTION("the central keeps no password for it") {
    FakePam pam;
    pam.answers = {"local-pass"};
    ScriptedAgent agent;
    agent.replies = {Decided(Decision::kAllow, Reason::kAllowed),
                     Decided(Decision::kIgnore, Reason::kNotManaged)};
    CHECK(Run(pam, agent, Stage::kPassword, PAM_PRELIM_CHECK, {}) == PAM_USER_UNKNOWN);
    CHECK(pam.authtoks[PAM_OLDAUTHTOK] == "local-pass");
    CHECK(Run(pam, agent, Stage::kPassword, PAM_UPDATE_AUTHTOK, {}) == PAM_USER_UNKNOWN);
    CHECK(agent.requests.size() == 2);
  }
}

TEST_CASE("module password: a wrong old password fails the preliminary check",
          "[module][password]") {
  FakePam pam;
  pam.answers = {"wrong"};
  ScriptedAgent agent;
  agent.replies = {Decided(Decision::kAllow, Reason::kAllowed),
                   Decided(Decision::kDeny, Reason::kBadCredentials)};
  CHECK(Run(pam, agent, Stage::kPassword, PAM_PRELIM_CHECK, {}) == PAM_AUTH_ERR);
  CHECK(pam.authtoks.count(PAM_OLDAUTHTOK) == 0);
}
