#include <security/_pam_types.h>
#include <syslog.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "fake_pam.h"
#include "pam_module/module_core.h"
#include "pam_module/session_id.h"

using staffgate::common::CheckRequest;
using staffgate::common::ClientOptions;
using staffgate::common::Decision;
using staffgate::common::DecisionReply;
using staffgate::common::ErrorKind;
using staffgate::common::Phase;
using staffgate::common::Reason;
using staffgate::common::Request;
using staffgate::common::Response;
using staffgate::common::Result;
using staffgate::common::SessionCloseRequest;
using staffgate::common::SessionOpenRequest;
using staffgate::pam::CoreDeps;
using staffgate::pam::RunStage;
using staffgate::pam::Stage;
using staffgate::pam::testing::FakePam;

namespace {

// A scripted agent: records each request and replies with `reply`.
struct FakeAgent {
  Result<Response> reply = Response{staffgate::common::SessionCloseReply{}};
  std::vector<Request> requests;
  std::vector<ClientOptions> options;
};

Response Decide(Decision decision, Reason reason, std::string message = "") {
  return DecisionReply{decision, reason, std::move(message), 0};
}

CoreDeps Deps(FakeAgent& agent, int* min_uid_reads = nullptr) {
  return CoreDeps{
      [&agent](const ClientOptions& o, const Request& r) -> Result<Response> {
        agent.options.push_back(o);
        agent.requests.push_back(r);
        return agent.reply;
      },
      []() -> Result<std::string> { return std::string("0123456789abcdef0123456789abcdef"); },
      [min_uid_reads]() -> uid_t {
        if (min_uid_reads != nullptr) ++*min_uid_reads;
        return 1000;
      },
  };
}

int Run(FakePam& pam, FakeAgent& agent, Stage stage, int flags = 0,
        std::vector<const char*> argv = {}) {
  return RunStage(pam, Deps(agent), stage, flags, static_cast<int>(argv.size()), argv.data());
}

const char kDeactivated[] = "This account has been deactivated. Please contact your manager.";

}  // namespace

TEST_CASE("module core: the request carries the account, phase and PAM items", "[module]") {
  FakePam pam;
  FakeAgent agent;
  agent.reply = Decide(Decision::kAllow, Reason::kAllowed);
  const char* argv[] = {"socket=/tmp/sg/agent.sock", "timeout_ms=750", "agent_uid=77"};
  CHECK(RunStage(pam, Deps(agent), Stage::kAccount, 0, 3, argv) == PAM_SUCCESS);
  REQUIRE(agent.requests.size() == 1);
  REQUIRE(std::holds_alternative<CheckRequest>(agent.requests[0]));
  const CheckRequest r = std::get<CheckRequest>(agent.requests[0]);  // copy: more follow
  CHECK(r.phase == Phase::kAccount);
  CHECK(r.login.account == "asmith");
  CHECK(r.login.service == "sshd");
  CHECK(r.login.tty == "pts/0");
  CHECK(r.login.rhost == "10.1.2.3");
  CHECK(agent.options[0].socket_path == "/tmp/sg/agent.sock");
  CHECK(agent.options[0].timeout_ms == 750);
  REQUIRE(agent.options[0].agent_uid.has_value());
  CHECK(*agent.options[0].agent_uid == 77U);

  CHECK(Run(pam, agent, Stage::kAuth) == PAM_IGNORE);
  CHECK(std::get<CheckRequest>(agent.requests.back()).phase == Phase::kAuth);
  CHECK(*agent.options.back().agent_uid == 0U);  // default
}

TEST_CASE("module core: root and uids below min_uid never reach the agent", "[module]") {
  FakePam pam;
  FakeAgent agent;
  agent.reply = Decide(Decision::kDeny, Reason::kTerminated, kDeactivated);
  for (Stage stage : {Stage::kAuth, Stage::kAccount, Stage::kSessionOpen, Stage::kSessionClose}) {
    for (const char* name : {"root", "toor", "daemon"}) {
      INFO(name);
      pam.user = name;
      CHECK(Run(pam, agent, stage) == PAM_IGNORE);
    }
    pam.user = "asmith";  // uid 1001
    CHECK(Run(pam, agent, stage, 0, {"min_uid=5000"}) == PAM_IGNORE);
  }
  CHECK(agent.requests.empty());
  CHECK(pam.shown.empty());
  CHECK(pam.data_id.empty());

  // "root" is exempt by name even with min_uid=0.
  pam.user = "root";
  CHECK(Run(pam, agent, Stage::kAccount, 0, {"min_uid=0"}) == PAM_IGNORE);
  CHECK(agent.requests.empty());
  // toor (uid 0) with min_uid=0 is asked.
  pam.user = "toor";
  CHECK(Run(pam, agent, Stage::kAccount, 0, {"min_uid=0"}) == PAM_ACCT_EXPIRED);
  CHECK(agent.requests.size() == 1);
}

TEST_CASE("module core: min_uid defaults to login.defs only when not given", "[module]") {
  FakePam pam;
  FakeAgent agent;
  agent.reply = Decide(Decision::kAllow, Reason::kAllowed);
  int reads = 0;
  const char* argv[] = {"min_uid=10"};
  RunStage(pam, Deps(agent, &reads), Stage::kAccount, 0, 1, argv);
  CHECK(reads == 0);
  RunStage(pam, Deps(agent, &reads), Stage::kAccount, 0, 0, nullptr);
  CHECK(reads == 1);
  // root is answered before min_uid matters: login.defs is not read.
  pam.user = "root";
  CHECK(RunStage(pam, Deps(agent, &reads), Stage::kAccount, 0, 0, nullptr) == PAM_IGNORE);
  CHECK(reads == 1);
}

TEST_CASE("module core: an account without a passwd entry is still asked", "[module]") {
  FakePam pam;
  pam.user = "ghost";
  FakeAgent agent;
  agent.reply = Decide(Decision::kDeny, Reason::kUnknownAccount, "Unknown account.");
  CHECK(Run(pam, agent, Stage::kAccount) == PAM_PERM_DENIED);
  REQUIRE(agent.requests.size() == 1);
  CHECK(staffgate::common::LoginOf(agent.requests[0])->account == "ghost");
}

TEST_CASE("module core: deny messages per stage, PAM_SILENT and quiet", "[module]") {
  FakeAgent agent;
  agent.reply = Decide(Decision::kDeny, Reason::kTerminated, kDeactivated);
  {
    FakePam pam;
    CHECK(Run(pam, agent, Stage::kAccount) == PAM_ACCT_EXPIRED);
    REQUIRE(pam.shown.size() == 1);
    CHECK(pam.shown[0] == kDeactivated);
    CHECK(pam.Logged(LOG_NOTICE, "deny (terminated) -> PAM_ACCT_EXPIRED"));
  }
  {
    FakePam pam;
    CHECK(Run(pam, agent, Stage::kSessionOpen) == PAM_PERM_DENIED);
    CHECK(pam.shown.size() == 1);
  }
  {
    FakePam pam;  // the person may not be who they claim: no reason in auth
    CHECK(Run(pam, agent, Stage::kAuth) == PAM_PERM_DENIED);
    CHECK(pam.shown.empty());
    CHECK(pam.Logged(LOG_NOTICE, "deny (terminated)"));
  }
  {
    FakePam pam;
    CHECK(Run(pam, agent, Stage::kAccount, PAM_SILENT) == PAM_ACCT_EXPIRED);
    CHECK(Run(pam, agent, Stage::kSessionOpen, PAM_SILENT) == PAM_PERM_DENIED);
    CHECK(pam.shown.empty());
  }
  {
    FakePam pam;
    CHECK(Run(pam, agent, Stage::kAccount, 0, {"quiet"}) == PAM_ACCT_EXPIRED);
    CHECK(Run(pam, agent, Stage::kSessionOpen, 0, {"quiet"}) == PAM_PERM_DENIED);
    CHECK(pam.shown.empty());
  }
  {
    FakePam pam;  // allow shows nothing
    agent.reply = Decide(Decision::kAllow, Reason::kAllowed, "Welcome");
    CHECK(Run(pam, agent, Stage::kAccount) == PAM_SUCCESS);
    CHECK(pam.shown.empty());
  }
  {
    FakePam pam;  // control characters from the agent never reach the terminal
    agent.reply = Decide(Decision::kDeny, Reason::kSuspended, "line1\nline2\x1b[2J");
    CHECK(Run(pam, agent, Stage::kAccount) == PAM_PERM_DENIED);
    REQUIRE(pam.shown.size() == 1);
    CHECK(pam.shown[0] == "line1 line2 [2J");
  }
}

TEST_CASE("module core: agent failures and refusals", "[module]") {
  FakePam pam;
  FakeAgent agent;
  agent.reply = staffgate::common::Fail(ErrorKind::kUnavailable, "connection refused");
  for (Stage stage : {Stage::kAuth, Stage::kAccount, Stage::kSessionOpen}) {
    CHECK(Run(pam, agent, stage) == PAM_AUTHINFO_UNAVAIL);
    // One staffgate sentence in the account and session stages, none in auth.
    CHECK(pam.shown.size() == (stage == Stage::kAuth ? 0U : 1U));
    if (!pam.shown.empty()) CHECK_THAT(pam.shown[0], Catch::Contains("agent is not answering"));
    pam.shown.clear();
  }
  CHECK(pam.Logged(LOG_ERR, "no answer from the agent (unavailable"));
  agent.reply = staffgate::common::Fail(ErrorKind::kTimeout, "late");
  CHECK(Run(pam, agent, Stage::kAccount) == PAM_AUTHINFO_UNAVAIL);
  agent.reply = staffgate::common::Fail(ErrorKind::kPermission, "not owned by uid 0");
  CHECK(Run(pam, agent, Stage::kAccount) == PAM_AUTHINFO_UNAVAIL);
  CHECK(pam.shown.size() == 2);
  pam.shown.clear();
  agent.reply = staffgate::common::Fail(ErrorKind::kInvalidInput, "bad json");
  CHECK(Run(pam, agent, Stage::kAccount) == PAM_SERVICE_ERR);
  agent.reply = staffgate::common::ErrorResponse("forbidden", "not your account");
  CHECK(Run(pam, agent, Stage::kAccount) == PAM_SERVICE_ERR);
  CHECK(pam.Logged(LOG_ERR, "refused the request (forbidden"));
  agent.reply = Response{staffgate::common::SessionCloseReply{}};  // ok:true, no decision
  CHECK(Run(pam, agent, Stage::kAccount) == PAM_SERVICE_ERR);
  CHECK(pam.shown.empty());
}

TEST_CASE("module core: pam_get_user failure is passed through", "[module]") {
  FakePam pam;
  pam.get_user_rc = PAM_CONV_ERR;
  FakeAgent agent;
  CHECK(Run(pam, agent, Stage::kAuth) == PAM_CONV_ERR);
  CHECK(agent.requests.empty());
}

TEST_CASE("module core: open_session stores and exports a session id", "[module]") {
  FakePam pam;
  FakeAgent agent;
  agent.reply = Decide(Decision::kAllow, Reason::kAllowed);
  CHECK(Run(pam, agent, Stage::kSessionOpen) == PAM_SUCCESS);
  REQUIRE(agent.requests.size() == 1);
  REQUIRE(std::holds_alternative<SessionOpenRequest>(agent.requests[0]));
  const SessionOpenRequest open = std::get<SessionOpenRequest>(agent.requests[0]);
  CHECK(open.login.account == "asmith");
  CHECK(open.session == "0123456789abcdef0123456789abcdef");
  CHECK(open.pid > 0);
  CHECK(pam.data_id == open.session);
  CHECK(pam.env_id == open.session);

  CHECK(Run(pam, agent, Stage::kSessionClose) == PAM_SUCCESS);
  REQUIRE(agent.requests.size() == 2);
  REQUIRE(std::holds_alternative<SessionCloseRequest>(agent.requests[1]));
  CHECK(std::get<SessionCloseRequest>(agent.requests[1]).session == open.session);

  // Only the environment survived (another process closes the session).
  pam.data_id.clear();
  CHECK(Run(pam, agent, Stage::kSessionClose) == PAM_SUCCESS);
  CHECK(std::get<SessionCloseRequest>(agent.requests.back()).session == open.session);
}

TEST_CASE("module core: close_session without a valid id asks nothing", "[module]") {
  FakePam pam;
  FakeAgent agent;
  CHECK(Run(pam, agent, Stage::kSessionClose) == PAM_SUCCESS);
  pam.env_id = "../../etc/passwd";
  CHECK(Run(pam, agent, Stage::kSessionClose) == PAM_SUCCESS);
  CHECK(agent.requests.empty());
  // With an id, an unreachable agent is reported like everywhere else.
  pam.env_id = "0123456789abcdef0123456789abcdef";
  agent.reply = staffgate::common::Fail(ErrorKind::kTimeout, "late");
  CHECK(Run(pam, agent, Stage::kSessionClose) == PAM_AUTHINFO_UNAVAIL);
  // An agent that forgot the session refuses; the logout still succeeds.
  agent.reply = staffgate::common::ErrorResponse("forbidden", "unknown session");
  CHECK(Run(pam, agent, Stage::kSessionClose) == PAM_SUCCESS);
  CHECK(pam.Logged(LOG_ERR, "close_session for 'asmith': the agent refused the request"));
}

TEST_CASE("module core: unknown and bad arguments are logged at LOG_ERR", "[module]") {
  FakePam pam;
  FakeAgent agent;
  agent.reply = Decide(Decision::kAllow, Reason::kAllowed);
  CHECK(Run(pam, agent, Stage::kAccount, 0, {"bogus", "timeout_ms=never"}) == PAM_SUCCESS);
  CHECK(pam.Logged(LOG_ERR, "unknown argument 'bogus'"));
  CHECK(pam.Logged(LOG_ERR, "bad value in argument 'timeout_ms=never'"));
  CHECK(agent.options[0].timeout_ms == 2000);
}

TEST_CASE("session ids are 128 random bits in hex", "[module]") {
  auto a = staffgate::pam::NewSessionId();
  auto b = staffgate::pam::NewSessionId();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->size() == 32);
  CHECK(staffgate::pam::IsValidSessionId(*a));
  CHECK(*a != *b);
  CHECK_FALSE(staffgate::pam::IsValidSessionId("0123456789ABCDEF0123456789ABCDEF"));
  CHECK_FALSE(staffgate::pam::IsValidSessionId("0123456789abcdef"));
  CHECK_FALSE(staffgate::pam::IsValidSessionId(""));
}
