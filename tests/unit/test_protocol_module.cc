// common/protocol_module.h, the module's codec, against the agent's side
// of the protocol (nlohmann): every request the module writes is read back
// unchanged by ParseRequest, in the very bytes nlohmann wrote before, and
// every reply the agent writes (SerializeResponse) is read back unchanged.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "common/protocol.h"
#include "common/protocol_module.h"
#include "common/secret.h"

namespace {

using namespace staffgate::common;

// Text no field should be afraid of: quotes, controls, non-ASCII and an
// ill-formed UTF-8 byte (which both writers turn into U+FFFD).
const std::string kAwkward = std::string("a\"b\\c\n\x01\x7f caf\xC3\xA9 \xFF end");

std::vector<Request> ModuleRequests() {
  const LoginFields full{"asmith", "sshd", "pts/0", "10.1.2.3"};
  const LoginFields bare{"bob", "", "", ""};
  return {
      CheckRequest{Phase::kAuth, full},
      CheckRequest{Phase::kAccount, bare},
      CheckRequest{Phase::kSession, LoginFields{"x", kAwkward, kAwkward, kAwkward}},
      SessionOpenRequest{full, "0123456789abcdef0123456789abcdef", 4242},
      SessionOpenRequest{bare, "s-1", 0},
      SessionCloseRequest{"0123456789abcdef0123456789abcdef"},
      AuthenticateRequest{"asmith", "pa\"ss\\word \xC3\xA9", "login", "10.0.0.1"},
      AuthenticateRequest{"bob", "", "", ""},
      ChauthtokRequest{"asmith", "old secret", "new \"secret\""},
      PasswordChangedRequest{"asmith"},
  };
}

// What nlohmann wrote for a module request before the codec: the same
// object through DumpJson (sorted keys), the passwords appended raw.
std::string NlohmannLine(const Request& request) {
  Json obj = {{"v", kProtocolVersion}, {"op", OpName(OpOf(request))}};
  auto put_login = [&obj](const LoginFields& l) {
    obj["account"] = l.account;
    if (!l.service.empty()) obj["service"] = l.service;
    if (!l.tty.empty()) obj["tty"] = l.tty;
    if (!l.rhost.empty()) obj["rhost"] = l.rhost;
  };
  std::string secrets;
  auto secret = [&secrets](const char* key, const std::string& value) {
    secrets += ",\"";
    secrets += key;
    secrets += "\":";
    AppendJsonString(secrets, value);
  };
  if (const auto* check = std::get_if<CheckRequest>(&request)) {
    obj["phase"] = PhaseName(check->phase);
    put_login(check->login);
  } else if (const auto* opening = std::get_if<SessionOpenRequest>(&request)) {
    put_login(opening->login);
    obj["session"] = opening->session;
    if (opening->pid > 0) obj["pid"] = opening->pid;
  } else if (const auto* closing = std::get_if<SessionCloseRequest>(&request)) {
    obj["session"] = closing->session;
  } else if (const auto* auth = std::get_if<AuthenticateRequest>(&request)) {
    obj["account"] = auth->account;
    if (!auth->service.empty()) obj["service"] = auth->service;
    if (!auth->rhost.empty()) obj["rhost"] = auth->rhost;
    secret("password", auth->password);
  } else if (const auto* change = std::get_if<ChauthtokRequest>(&request)) {
    obj["account"] = change->account;
    secret("old", change->old_password);
    secret("new", change->new_password);
  } else if (const auto* done = std::get_if<PasswordChangedRequest>(&request)) {
    obj["account"] = done->account;
  }
  std::string line = DumpJson(obj);
  line.insert(line.size() - 1, secrets);
  return line;
}

}  // namespace

TEST_CASE("module requests are nlohmann's bytes and the agent reads them back", "[protocol]") {
  for (const Request& request : ModuleRequests()) {
    REQUIRE(IsModuleOp(OpOf(request)));
    const std::string line = EncodeModuleRequest(request);
    INFO(line);
    CHECK(line == NlohmannLine(request));
    CHECK(SerializeRequest(request) == line);
    auto read = ParseRequest(line);
    REQUIRE(read);
    if (line.find('\xFF') == std::string::npos && line.find("\xEF\xBF\xBD") == std::string::npos) {
      CHECK(*read == request);
    }
  }
}

TEST_CASE("ill-formed UTF-8 in a login field reaches the agent as U+FFFD", "[protocol]") {
  const std::string line =
      EncodeModuleRequest(CheckRequest{Phase::kAccount, LoginFields{"as\xFFmith", "", "", ""}});
  auto read = ParseRequest(line);
  REQUIRE(read);
  CHECK(std::get<CheckRequest>(*read).login.account == "as\xEF\xBF\xBDmith");
}

TEST_CASE("agent replies to module ops read back unchanged", "[protocol]") {
  const std::vector<std::pair<Op, Response>> replies = {
      {Op::kCheck, DecisionReply{Decision::kAllow, Reason::kAllowed, "", 42, "", ""}},
      {Op::kCheck, DecisionReply{Decision::kDeny, Reason::kTerminated, kAwkward, 0, "", ""}},
      {Op::kSessionOpen,
       DecisionReply{Decision::kDeny, Reason::kInUseElsewhere, "You are signed in on SVC-02.", 7,
                     "held_elsewhere", "SVC-02"}},
      {Op::kCheck, DecisionReply{Decision::kResetRequired, Reason::kCredentialsResetRequired,
                                 "change it", UINT64_MAX, "none", ""}},
      {Op::kAuthenticate, DecisionReply{Decision::kDeny, Reason::kLockedOut, "wait", 1, "", ""}},
      {Op::kSessionClose, SessionCloseReply{true}},
      {Op::kSessionClose, SessionCloseReply{false}},
      {Op::kChauthtok, ChauthtokReply{}},
      {Op::kPasswordChanged, ChauthtokReply{}},
      {Op::kCheck, ErrorResponse("forbidden", "not yours")},
      {Op::kChauthtok, ErrorReply{"weak_password", "Too short.", ""}},
      {Op::kSessionClose, ErrorReply{"rejected", "no", "invalid_input"}},
  };
  for (const auto& [op, reply] : replies) {
    const std::string line = SerializeResponse(reply);
    INFO(line);
    auto read = DecodeModuleReply(op, line);
    REQUIRE(read);
    if (line.find("\xEF\xBF\xBD") == std::string::npos) {
      CHECK(*read == reply);
    }
    auto through_parse_response = ParseResponse(op, line);
    REQUIRE(through_parse_response);
    CHECK(*through_parse_response == *read);
  }
}

TEST_CASE("malformed replies to module ops name the field", "[protocol]") {
  struct Case {
    Op op;
    std::string line;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {Op::kCheck, R"({"v":1})", "response lacks \"ok\""},
           {Op::kCheck, R"({"v":1,"ok":"yes"})", "response lacks \"ok\""},
           {Op::kCheck, R"({"ok":true,"message":5})", "\"message\" must be a string"},
           {Op::kCheck, R"({"ok":true,"reason":"allowed"})", "missing \"decision\""},
           {Op::kCheck, R"({"ok":true,"decision":"maybe","reason":"x"})", "unknown decision"},
           {Op::kCheck, R"({"ok":true,"decision":"allow"})", "missing \"reason\""},
           {Op::kCheck, R"({"ok":true,"decision":"allow","reason":null})",
            "\"reason\" must be a string"},
           {Op::kCheck, R"({"ok":true,"decision":"allow","reason":"allowed","serial":-1})",
            "\"serial\" must be a non-negative integer"},
           {Op::kCheck, R"({"ok":true,"decision":"allow","reason":"allowed","serial":1.0})",
            "\"serial\" must be a non-negative integer"},
           {Op::kSessionOpen,
            R"({"ok":true,"decision":"allow","reason":"allowed","lease":")" +
                std::string(257, 'x') + "\"}",
            "\"lease\" is too long"},
           {Op::kSessionClose, R"({"ok":true,"closed":null})", "\"closed\" must be true or false"},
           {Op::kCheck, R"({"ok":false})", "missing \"error\""},
           {Op::kCheck, R"({"ok":false,"error":"x","kind":1})", "\"kind\" must be a string"},
           {Op::kCheck, R"({"ok":true,"ok":false})", "duplicate key \"ok\""},
       }) {
    INFO(c.line);
    auto read = DecodeModuleReply(c.op, c.line);
    REQUIRE_FALSE(read);
    CHECK(read.error().kind == ErrorKind::kInvalidInput);
    CHECK(read.error().message == c.message);
  }
  auto status = DecodeModuleReply(Op::kStatus, R"({"v":1,"ok":true})");
  REQUIRE_FALSE(status);
  CHECK(status.error().kind == ErrorKind::kInternal);
  CHECK(EncodeModuleRequest(StatusRequest{}).empty());
}

TEST_CASE("a reply with an unknown reason or extra fields still decides", "[protocol]") {
  auto read = DecodeModuleReply(
      Op::kCheck,
      R"({"v":1,"ok":true,"decision":"deny","reason":"from_the_future","serial":null,"extra":{"n":[1,2.5,"x"]}})");
  REQUIRE(read);
  const auto& decided = std::get<DecisionReply>(*read);
  CHECK(decided.decision == Decision::kDeny);
  CHECK(decided.reason == Reason::kUnrecognized);
  CHECK(decided.serial == 0);
}
