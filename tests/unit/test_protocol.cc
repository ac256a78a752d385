// The agent socket protocol (docs/design.md §4): the request and reply of every op.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/protocol.h"

namespace {

using namespace staffgate::common;

ErrorKind RequestError(const std::string& line) {
  INFO(line.substr(0, 200));
  auto r = ParseRequest(line);
  REQUIRE_FALSE(r);
  return r.error().kind;
}

ErrorKind ResponseError(const std::string& line, Op op = Op::kCheck) {
  INFO(line.substr(0, 200));
  auto r = ParseResponse(op, line);
  REQUIRE_FALSE(r);
  return r.error().kind;
}

template <typename T>
T Get(const Result<Request>& r) {
  REQUIRE(r);
  REQUIRE(std::holds_alternative<T>(*r));
  return std::get<T>(*r);
}

template <typename T>
T Reply(Op op, const std::string& line) {
  INFO(line);
  auto r = ParseResponse(op, line);
  REQUIRE(r);
  REQUIRE(std::holds_alternative<T>(*r));
  return std::get<T>(*r);
}

}  // namespace

TEST_CASE("the request lines of the design parse", "[protocol]") {
  auto check = Get<CheckRequest>(ParseRequest(
      R"({"v":1,"op":"check","phase":"account","account":"asmith","service":"sshd","tty":"pts/0","rhost":"10.1.2.3"})"));
  CHECK(check.phase == Phase::kAccount);
  CHECK(check.login == LoginFields{"asmith", "sshd", "pts/0", "10.1.2.3"});

  auto open = Get<SessionOpenRequest>(ParseRequest(
      R"({"v":1,"op":"session_open","account":"asmith","session":"s-1","service":"login","tty":"tty1","pid":1234})"));
  CHECK(open.login == LoginFields{"asmith", "login", "tty1", ""});
  CHECK(open.session == "s-1");
  CHECK(open.pid == 1234);

  auto close =
      Get<SessionCloseRequest>(ParseRequest(R"({"v":1,"op":"session_close","session":"s-1"})"));
  CHECK(close.session == "s-1");

  Get<StatusRequest>(ParseRequest(R"({"v":1,"op":"status"})"));
  // staffgatectl's ops.
  Get<SessionsRequest>(ParseRequest(R"({"v":1,"op":"sessions"})"));
  Get<SyncRequest>(ParseRequest(R"({"v":1,"op":"sync"})"));
  Get<ReloadRequest>(ParseRequest(R"({"v":1,"op":"reload"})"));
  CHECK(Get<RosterInstallRequest>(
            ParseRequest(R"({"v":1,"op":"roster_install","path":"/tmp/r.dsse"})"))
            .path == "/tmp/r.dsse");

  // The phase defaults to account; each phase name parses.
  CHECK(Get<CheckRequest>(ParseRequest(R"({"v":1,"op":"check","account":"a"})")).phase ==
        Phase::kAccount);
  for (auto phase : {Phase::kAuth, Phase::kAccount, Phase::kSession}) {
    auto r = ParseRequest(std::string(R"({"v":1,"op":"check","account":"a","phase":")") +
                          std::string(PhaseName(phase)) + "\"}");
    CHECK(Get<CheckRequest>(r).phase == phase);
  }
  // Unknown fields are ignored, in every op; whitespace around the object is fine.
  CHECK(ParseRequest(R"(  {"v":1,"op":"check","account":"a","later":{"x":[1]}}  )"));
  for (const char* op : {"status", "sessions", "sync", "reload"}) {
    auto r = ParseRequest(std::string(R"({"v":1,"later":"x","op":")") + op + "\"}");
    REQUIRE(r);
    CHECK(OpName(OpOf(*r)) == op);
  }
  CHECK(ParseRequest(R"({"v":1,"op":"session_close","session":"s","account":7,"pid":"x"})"));
}

TEST_CASE("an account or service named like an op is still a check", "[protocol]") {
  for (const char* name : {"sync", "reload", "roster_install", "sessions"}) {
    auto by_account =
        ParseRequest(std::string(R"({"v":1,"op":"check","account":")") + name + "\"}");
    REQUIRE(by_account);
    CHECK(OpOf(*by_account) == Op::kCheck);
    CHECK_FALSE(IsSlowOp(OpOf(*by_account)));
    auto by_service = ParseRequest(
        std::string(R"({"v":1,"op":"check","account":"asmith","service":")") + name + "\"}");
    REQUIRE(by_service);
    CHECK_FALSE(IsSlowOp(OpOf(*by_service)));
  }
  // Which ops are slow.
  for (Op op : {Op::kCheck, Op::kSessionOpen, Op::kSessionClose, Op::kStatus, Op::kSessions}) {
    CHECK_FALSE(IsSlowOp(op));
  }
  for (Op op : {Op::kSync, Op::kReload, Op::kRosterInstall}) CHECK(IsSlowOp(op));
}

TEST_CASE("garbage, empty and non-object lines are bad requests", "[protocol]") {
  for (const std::string& line : std::vector<std::string>{
           "", " ", "hello", "{", "{}}", "\"check\"", "[]", "42", "null",
           R"({"v":1,"op":"status"} trailing)", "{\"v\":1,\"op\":\"status\"}\n{}",
           std::string("{\"v\":1,\"op\":\"status\"\0}", 22),
           std::string("{\"v\":1,\"op\":\"status\"}\0x", 23), "\xff\xfe"}) {
    CHECK(RequestError(line) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("an oversized line is refused as too large", "[protocol]") {
  std::string big = R"({"v":1,"op":"check","account":"a","service":")" +
                    std::string(kMaxLineBytes, 's') + R"("})";
  CHECK(RequestError(big) == ErrorKind::kTooLarge);
  CHECK(ResponseError(R"({"v":1,"ok":true,"message":")" + std::string(kMaxLineBytes, 'm') +
                      "\"}") == ErrorKind::kTooLarge);
  // Deep nesting is refused too.
  CHECK(RequestError(R"({"v":1,"op":"status","x":)" + std::string(100, '[') +
                     std::string(100, ']') + "}") == ErrorKind::kTooLarge);
}

TEST_CASE("wrong types, missing fields, unknown values", "[protocol]") {
  for (const char* line : {
           R"({"op":"status"})",          // v missing
           R"({"v":"1","op":"status"})",  // v as string
           R"({"v":1.0,"op":"status"})",
           R"({"v":2,"op":"status"})",  // wrong version
           R"({"v":0,"op":"status"})",
           R"({"v":-1,"op":"status"})",
           R"({"v":18446744073709551615,"op":"status"})",
           R"({"v":1})",  // op missing
           R"({"v":1,"op":7})",
           R"({"v":1,"op":null})",
           R"({"v":1,"op":"frobnicate"})",  // unknown op
           R"({"v":1,"op":"CHECK","account":"a"})",
           R"({"v":1,"op":"check"})",              // account missing
           R"({"v":1,"op":"check","account":5})",  // account as number
           R"({"v":1,"op":"check","account":null})",
           R"({"v":1,"op":"check","account":""})",
           R"({"v":1,"op":"check","account":["a"]})",
           R"({"v":1,"op":"check","account":"a","phase":"login"})",  // unknown phase
           R"({"v":1,"op":"check","account":"a","phase":1})",
           R"({"v":1,"op":"check","account":"a","service":2})",
           R"({"v":1,"op":"check","account":"a","tty":{}})",
           R"({"v":1,"op":"check","account":"a","rhost":false})",
           R"({"v":1,"op":"session_open","account":"a"})",  // session missing
           R"({"v":1,"op":"session_open","session":"s"})",  // account missing
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":"12"})",
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":1.5})",
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":-1})",
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":4294967296})",
           R"({"v":1,"op":"session_close"})",
           R"({"v":1,"op":"session_close","session":""})",
           R"({"v":1,"op":"session_close","session":3})",
           R"({"v":1,"op":"roster_install"})",  // path missing
           R"({"v":1,"op":"roster_install","path":1})",
           R"({"v":1,"op":"Sync"})",
       }) {
    CHECK(RequestError(line) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("NUL bytes and very long fields are refused", "[protocol]") {
  CHECK(RequestError(R"({"v":1,"op":"check","account":"as\u0000mith"})") ==
        ErrorKind::kInvalidInput);
  CHECK(RequestError(R"({"v":1,"op":"check","account":"a","tty":"\u0000"})") ==
        ErrorKind::kInvalidInput);
  CHECK(RequestError(R"({"v":1,"op":"session_close","session":"s\u0000"})") ==
        ErrorKind::kInvalidInput);
  std::string at_limit(256, 'a');
  auto ok = ParseRequest(R"({"v":1,"op":"check","account":")" + at_limit + "\"}");
  CHECK(Get<CheckRequest>(ok).login.account == at_limit);
  for (const char* field : {"account", "service", "tty", "rhost"}) {
    std::string line = R"({"v":1,"op":"check","account":"a",")" + std::string(field) + R"(":")" +
                       std::string(257, 'x') + "\"}";
    if (std::string(field) == "account") {
      line = R"({"v":1,"op":"check","account":")" + std::string(257, 'x') + "\"}";
    }
    CHECK(RequestError(line) == ErrorKind::kInvalidInput);
  }
  CHECK(RequestError(R"({"v":1,"op":"session_close","session":")" + std::string(10000, 's') +
                     "\"}") == ErrorKind::kInvalidInput);
}

TEST_CASE("requests of every op survive serialise and parse", "[protocol]") {
  const std::vector<Request> requests = {
      CheckRequest{Phase::kAuth, {"asmith", "gdm-password", ":0", "::1"}},
      CheckRequest{Phase::kSession, {"b\xc3\xa9la", "", "", ""}},  // UTF-8 survives.
      SessionOpenRequest{{"b\xc3\xa9la", "sshd", "", "10.0.0.1"}, "0123-abcd", 4242},
      SessionOpenRequest{{"asmith", "", "", ""}, "0123-abcd", 0},
      SessionCloseRequest{"0123-abcd"},
      StatusRequest{},
      SessionsRequest{},
      SyncRequest{},
      ReloadRequest{},
      RosterInstallRequest{"/var/tmp/roster \"new\".dsse"},
      // Quotes and newlines in fields stay inside the one line.
      CheckRequest{Phase::kAccount, {"a\"b\nc", "", "", ""}},
  };
  for (const Request& req : requests) {
    std::string line = SerializeRequest(req);
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    auto back = ParseRequest(line);
    REQUIRE(back);
    CHECK(*back == req);
  }
  // The wire form is the design's: empty optional fields are left out.
  CHECK(SerializeRequest(CheckRequest{Phase::kAccount, {"asmith", "sshd", "", ""}}) ==
        R"({"account":"asmith","op":"check","phase":"account","service":"sshd","v":1})");
  CHECK(SerializeRequest(SessionCloseRequest{"s"}) ==
        R"({"op":"session_close","session":"s","v":1})");
  CHECK(SerializeRequest(SyncRequest{}) == R"({"op":"sync","v":1})");
}

TEST_CASE("replies of every op survive serialise and parse", "[protocol]") {
  StatusReply full_status{
      true,
      "SVC-03",
      "1.2.3",
      true,
      2,
      RosterSummary{42, "2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z", 17, "valid"},
      42,
      "2024-01-01T00:00:05Z",
      "2024-01-01T00:00:05Z",
      "no change",
      true,
      "https://central:8443",
      3,
      "roster serial 43 is enforced but not saved to disk: no space",
      1,
      2,
      3,
      4,
      5};
  const std::vector<std::pair<Op, Response>> replies = {
      {Op::kCheck, DecisionReply{Decision::kDeny, Reason::kTerminated,
                                 "This account has been deactivated.", 42}},
      {Op::kSessionOpen, DecisionReply{Decision::kAllow, Reason::kAllowed, "", 0}},
      {Op::kCheck, ErrorResponse("forbidden", "you may only ask about yourself")},
      {Op::kRosterInstall, ErrorReply{"rejected", "older than serial 9", "rollback"}},
      {Op::kSessionClose, SessionCloseReply{true}},
      {Op::kStatus, StatusReply{}},
      {Op::kStatus, full_status},
      {Op::kSessions,
       SessionsReply{{SessionEntry{"s1", "asmith", "login", "tty1", 77, "2024-01-01T00:00:00Z",
                                   "L1", "2024-01-01T00:05:00Z"},
                      SessionEntry{"s2", "bjones", "", "", 0, "", "", ""}},
                     true,
                     {LeaseEntry{"asmith", "L1", "2024-01-01T00:05:00Z"}}}},
      {Op::kSync, SyncReply{"installed roster serial 43"}},
      {Op::kReload, ReloadReply{"/etc/staffgate/agent.conf"}},
      {Op::kRosterInstall, RosterInstallReply{true, false, 43, "not saved: disk full"}},
  };
  for (const auto& [op, reply] : replies) {
    std::string line = SerializeResponse(reply);
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    auto back = ParseResponse(op, line);
    REQUIRE(back);
    CHECK(*back == reply);
  }
  // Every decision and reason by name, both ways.
  for (auto d : {Decision::kAllow, Decision::kDeny, Decision::kIgnore, Decision::kResetRequired}) {
    CHECK(ParseDecision(DecisionName(d)) == d);
  }
  for (int i = 0; i <= static_cast<int>(Reason::kUnrecognized); ++i) {
    auto reason = static_cast<Reason>(i);
    INFO(ReasonName(reason));
    CHECK(ParseReason(ReasonName(reason)) == reason);
    auto back = Reply<DecisionReply>(
        Op::kCheck, SerializeResponse(DecisionReply{Decision::kDeny, reason, "", 1}));
    CHECK(back.reason == reason);
  }
}

TEST_CASE("replies on the wire are the design's lines", "[protocol]") {
  auto deny = Reply<DecisionReply>(
      Op::kCheck,
      R"({"v":1,"ok":true,"decision":"deny","reason":"terminated","message":"This account has been deactivated. ...","serial":42})");
  CHECK(deny == DecisionReply{Decision::kDeny, Reason::kTerminated,
                              "This account has been deactivated. ...", 42});
  CHECK(
      SerializeResponse(deny) ==
      R"({"decision":"deny","message":"This account has been deactivated. ...","ok":true,"reason":"terminated","serial":42,"v":1})");
  auto bad = Reply<ErrorReply>(
      Op::kStatus, R"({"v":1,"ok":false,"error":"bad_request","message":"unknown op 'foo'"})");
  CHECK(bad.error == "bad_request");
  CHECK(SerializeResponse(bad) ==
        R"({"error":"bad_request","message":"unknown op 'foo'","ok":false,"v":1})");
  // ok:false is an ErrorReply whatever the op.
  for (Op op : {Op::kCheck, Op::kSessionClose, Op::kSync, Op::kRosterInstall}) {
    Reply<ErrorReply>(op, R"({"v":1,"ok":false,"error":"forbidden"})");
  }
  CHECK(
      SerializeResponse(StatusReply{}) ==
      R"({"central_configured":false,"enrolled":false,"ok":true,"roster":null,"sessions":0,"v":1,"version":"","workstation":""})");
  CHECK(SerializeResponse(SessionCloseReply{false}) == R"({"closed":false,"ok":true,"v":1})");
}

TEST_CASE("replies tolerate unknown fields and reasons", "[protocol]") {
  auto later = Reply<DecisionReply>(
      Op::kCheck,
      R"({"v":1,"ok":true,"decision":"deny","reason":"on_holiday","message":"m","serial":1,"new":{"x":1}})");
  CHECK(later.reason == Reason::kUnrecognized);
  CHECK(later.decision == Decision::kDeny);
  auto status = Reply<StatusReply>(
      Op::kStatus, R"({"v":1,"ok":true,"enrolled":true,"central":"b","roster":null})");
  CHECK(status.enrolled);
  CHECK_FALSE(status.roster);
  auto closed = Reply<SessionCloseReply>(Op::kSessionClose, R"({"v":1,"ok":true})");
  CHECK_FALSE(closed.closed);
}

TEST_CASE("malformed responses are invalid input", "[protocol]") {
  for (const char* line :
       {"", "garbage", "[]", "{}", R"({"v":1})", R"({"v":1,"ok":"true"})", R"({"v":1,"ok":1})",
        R"({"v":1,"ok":false})", R"({"v":1,"ok":false,"error":3})",
        R"({"v":1,"ok":true,"decision":"maybe","reason":"x"})",
        R"({"v":1,"ok":true,"decision":7,"reason":"x"})", R"({"v":1,"ok":true,"decision":"allow"})",
        R"({"v":1,"ok":true,"decision":"allow","reason":null})", R"({"v":1,"ok":true,"message":5})",
        R"({"v":1,"ok":true,"ok":false,"error":"x"})",
        // A check answered without a decision.
        R"({"v":1,"ok":true})",
        R"({"v":1,"ok":true,"decision":"allow","reason":"allowed","serial":-1})"}) {
    CHECK(ResponseError(line) == ErrorKind::kInvalidInput);
  }
  // Wrong types in the other replies.
  CHECK(ResponseError(R"({"v":1,"ok":true,"closed":"yes"})", Op::kSessionClose) ==
        ErrorKind::kInvalidInput);
  CHECK(ResponseError(R"({"v":1,"ok":true,"roster":[]})", Op::kStatus) == ErrorKind::kInvalidInput);
  CHECK(ResponseError(R"({"v":1,"ok":true,"sessions":{}})", Op::kSessions) ==
        ErrorKind::kInvalidInput);
  CHECK(ResponseError(R"({"v":1,"ok":true,"sessions":[1]})", Op::kSessions) ==
        ErrorKind::kInvalidInput);
  CHECK(ResponseError(R"({"v":1,"ok":true,"serial":"43"})", Op::kRosterInstall) ==
        ErrorKind::kInvalidInput);
  CHECK(ResponseError(R"({"v":1,"ok":true,"result":5})", Op::kSync) == ErrorKind::kInvalidInput);
}

TEST_CASE("names of ops, phases, decisions and reasons", "[protocol]") {
  CHECK(OpName(Op::kCheck) == "check");
  CHECK(OpName(Op::kSessionOpen) == "session_open");
  CHECK(OpName(Op::kSessionClose) == "session_close");
  CHECK(OpName(Op::kStatus) == "status");
  CHECK(OpName(Op::kSessions) == "sessions");
  CHECK(OpName(Op::kSync) == "sync");
  CHECK(OpName(Op::kReload) == "reload");
  CHECK(OpName(Op::kRosterInstall) == "roster_install");
  for (int i = 0; i <= static_cast<int>(Op::kRosterInstall); ++i) {
    CHECK(ParseOp(OpName(static_cast<Op>(i))) == static_cast<Op>(i));
  }
  // The reasons of the decision table and of staffgate passwords.
  for (const char* name :
       {"exempt", "not_enrolled", "no_roster", "roster_expired", "shared_account",
        "unknown_account", "terminated", "suspended", "not_started", "expired",
        "not_permitted_here", "in_use_elsewhere", "lease_unverified", "credentials_reset_required",
        "allowed", "bad_credentials", "locked_out", "not_managed"}) {
    INFO(name);
    CHECK(ParseReason(name) != Reason::kUnrecognized);
    CHECK(ReasonName(ParseReason(name)) == name);
  }
  CHECK(ParseReason("Terminated") == Reason::kUnrecognized);
  CHECK(ParseReason("") == Reason::kUnrecognized);
  CHECK_FALSE(ParseOp("Check"));
  CHECK(DecisionName(Decision::kResetRequired) == "reset_required");
  CHECK_FALSE(ParsePhase("Auth"));
  CHECK_FALSE(ParsePhase(""));
  CHECK_FALSE(ParseDecision("allowed"));
}
