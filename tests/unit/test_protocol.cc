// The agent socket protocol (docs/design.md §4): request and response lines.
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

ErrorKind ResponseError(const std::string& line) {
  INFO(line.substr(0, 200));
  auto r = ParseResponse(line);
  REQUIRE_FALSE(r);
  return r.error().kind;
}

}  // namespace

TEST_CASE("the request lines of docs/design.md parse", "[protocol]") {
  auto check = ParseRequest(
      R"({"v":1,"op":"check","phase":"account","account":"asmith","service":"sshd","tty":"pts/0","rhost":"10.1.2.3"})");
  REQUIRE(check);
  CHECK(check->op == Op::kCheck);
  CHECK(check->phase == Phase::kAccount);
  CHECK(check->account == "asmith");
  CHECK(check->service == "sshd");
  CHECK(check->tty == "pts/0");
  CHECK(check->rhost == "10.1.2.3");

  auto open = ParseRequest(
      R"({"v":1,"op":"session_open","account":"asmith","session":"s-1","service":"login","tty":"tty1","pid":1234})");
  REQUIRE(open);
  CHECK(open->op == Op::kSessionOpen);
  CHECK(open->phase == Phase::kSession);
  CHECK(open->session == "s-1");
  CHECK(open->pid == 1234);

  auto close = ParseRequest(R"({"v":1,"op":"session_close","session":"s-1"})");
  REQUIRE(close);
  CHECK(close->op == Op::kSessionClose);
  CHECK(close->session == "s-1");
  CHECK(close->account.empty());

  auto status = ParseRequest(R"({"v":1,"op":"status"})");
  REQUIRE(status);
  CHECK(status->op == Op::kStatus);

  // The phase defaults to account; each phase name parses.
  auto no_phase = ParseRequest(R"({"v":1,"op":"check","account":"a"})");
  REQUIRE(no_phase);
  CHECK(no_phase->phase == Phase::kAccount);
  for (auto phase : {Phase::kAuth, Phase::kAccount, Phase::kSession}) {
    auto r = ParseRequest(std::string(R"({"v":1,"op":"check","account":"a","phase":")") +
                          std::string(PhaseName(phase)) + "\"}");
    REQUIRE(r);
    CHECK(r->phase == phase);
  }
  // Unknown fields are ignored; whitespace around the object is fine.
  CHECK(ParseRequest(R"(  {"v":1,"op":"check","account":"a","later":{"x":[1]}}  )"));
}

TEST_CASE("garbage, empty and non-object lines are bad requests", "[protocol]") {
  for (const std::string& line : std::vector<std::string>{"", " ", "hello", "{", "{}}", "\"check\"", "[]", "42", "null",
                                  "{\"v\":1,\"op\":\"status\"} trailing", "{\"v\":1,\"op\":\"status\"}\n{}",
                                  std::string("{\"v\":1,\"op\":\"status\"\0}", 22), std::string("{\"v\":1,\"op\":\"status\"}\0x", 23),
                                  "\xff\xfe"}) {
    CHECK(RequestError(line) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("an oversized line is refused as too large", "[protocol]") {
  std::string big = R"({"v":1,"op":"check","account":"a","service":")" +
                    std::string(kMaxLineBytes, 's') + R"("})";
  CHECK(RequestError(big) == ErrorKind::kTooLarge);
  CHECK(ResponseError(R"({"v":1,"ok":true,"message":")" + std::string(kMaxLineBytes, 'm') + "\"}") ==
        ErrorKind::kTooLarge);
  // Deep nesting is refused too.
  CHECK(RequestError(R"({"v":1,"op":"status","x":)" + std::string(100, '[') +
                     std::string(100, ']') + "}") == ErrorKind::kTooLarge);
}

TEST_CASE("wrong types, missing fields, unknown values", "[protocol]") {
  for (const char* line : {
           R"({"op":"status"})",                                   // v missing
           R"({"v":"1","op":"status"})",                           // v as string
           R"({"v":1.0,"op":"status"})",
           R"({"v":2,"op":"status"})",                             // wrong version
           R"({"v":0,"op":"status"})",
           R"({"v":-1,"op":"status"})",
           R"({"v":18446744073709551615,"op":"status"})",
           R"({"v":1})",                                           // op missing
           R"({"v":1,"op":7})",
           R"({"v":1,"op":null})",
           R"({"v":1,"op":"frobnicate"})",                         // unknown op
           R"({"v":1,"op":"CHECK","account":"a"})",
           R"({"v":1,"op":"check"})",                              // account missing
           R"({"v":1,"op":"check","account":5})",                  // account as number
           R"({"v":1,"op":"check","account":null})",
           R"({"v":1,"op":"check","account":""})",
           R"({"v":1,"op":"check","account":["a"]})",
           R"({"v":1,"op":"check","account":"a","phase":"login"})", // unknown phase
           R"({"v":1,"op":"check","account":"a","phase":1})",
           R"({"v":1,"op":"check","account":"a","service":2})",
           R"({"v":1,"op":"check","account":"a","tty":{}})",
           R"({"v":1,"op":"check","account":"a","rhost":false})",
           R"({"v":1,"op":"session_open","account":"a"})",         // session missing
           R"({"v":1,"op":"session_open","session":"s"})",         // account missing
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":"12"})",
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":1.5})",
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":-1})",
           R"({"v":1,"op":"session_open","account":"a","session":"s","pid":4294967296})",
           R"({"v":1,"op":"session_close"})",
           R"({"v":1,"op":"session_close","session":""})",
           R"({"v":1,"op":"session_close","session":3})",
       }) {
    CHECK(RequestError(line) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("NUL bytes and very long fields are refused", "[protocol]") {
  CHECK(RequestError(R"({"v":1,"op":"check","account":"as\u0000mith"})") == ErrorKind::kInvalidInput);
  CHECK(RequestError(R"({"v":1,"op":"check","account":"a","tty":"\u0000"})") == ErrorKind::kInvalidInput);
  CHECK(RequestError(R"({"v":1,"op":"session_close","session":"s\u0000"})") == ErrorKind::kInvalidInput);
  std::string at_limit(256, 'a');
  auto ok = ParseRequest(R"({"v":1,"op":"check","account":")" + at_limit + "\"}");
  REQUIRE(ok);
  CHECK(ok->account == at_limit);
  for (const char* field : {"account", "service", "tty", "rhost"}) {
    std::string line = R"({"v":1,"op":"check","account":"a",")" + std::string(field) + R"(":")" +
                       std::string(257, 'x') + "\"}";
    if (std::string(field) == "account") {
      line = R"({"v":1,"op":"check","account":")" + std::string(257, 'x') + "\"}";
    }
    CHECK(RequestError(line) == ErrorKind::kInvalidInput);
  }
  CHECK(RequestError(R"({"v":1,"op":"session_close","session":")" + std::string(10000, 's') + "\"}") ==
        ErrorKind::kInvalidInput);
}

TEST_CASE("requests survive serialise and parse", "[protocol]") {
  Request check;
  check.op = Op::kCheck;
  check.phase = Phase::kAuth;
  check.account = "asmith";
  check.service = "gdm-password";
  check.tty = ":0";
  check.rhost = "::1";
  Request open;
  open.op = Op::kSessionOpen;
  open.account = "b\xc3\xa9la";  // UTF-8 survives.
  open.session = "0123-abcd";
  open.service = "sshd";
  open.pid = 4242;
  Request close;
  close.op = Op::kSessionClose;
  close.session = "0123-abcd";
  Request status;
  status.op = Op::kStatus;
  for (const Request& req : {check, open, close, status}) {
    std::string line = SerializeRequest(req);
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    auto back = ParseRequest(line);
    REQUIRE(back);
    CHECK(back->op == req.op);
    if (req.op == Op::kCheck) CHECK(back->phase == req.phase);
    CHECK(back->account == req.account);
    CHECK(back->service == req.service);
    CHECK(back->tty == req.tty);
    CHECK(back->rhost == req.rhost);
    CHECK(back->session == req.session);
    CHECK(back->pid == req.pid);
  }
  // Quotes and newlines in fields stay inside the one line.
  check.account = "a\"b\nc";
  std::string line = SerializeRequest(check);
  CHECK(line.find('\n') == std::string::npos);
  REQUIRE(ParseRequest(line));
  CHECK(ParseRequest(line)->account == check.account);
}

TEST_CASE("responses survive serialise and parse, extra fields included", "[protocol]") {
  Response deny;
  deny.decision = Decision::kDeny;
  deny.reason = "terminated";
  deny.message = "This account has been deactivated. Please contact your manager.";
  deny.serial = 42;
  auto back = ParseResponse(SerializeResponse(deny));
  REQUIRE(back);
  CHECK(back->ok);
  CHECK(back->decision == Decision::kDeny);
  CHECK(back->reason == "terminated");
  CHECK(back->message == deny.message);
  CHECK(back->serial == 42);
  CHECK(back->extra == Json::object());

  for (auto d : {Decision::kAllow, Decision::kDeny, Decision::kIgnore, Decision::kResetRequired}) {
    Response r;
    r.decision = d;
    r.reason = "x";
    auto parsed = ParseResponse(SerializeResponse(r));
    REQUIRE(parsed);
    CHECK(parsed->decision == d);
    CHECK(ParseDecision(DecisionName(d)) == d);
  }

  Response error = ErrorResponse("forbidden", "you may only ask about yourself");
  auto err = ParseResponse(SerializeResponse(error));
  REQUIRE(err);
  CHECK_FALSE(err->ok);
  CHECK(err->error == "forbidden");
  CHECK(err->message == error.message);

  Response status;
  status.extra = {{"enrolled", true}, {"workstation", "SVC-03"}, {"sessions", Json::array({"a", "b"})},
                  {"ok", false}};  // An extra cannot override a known field.
  std::string line = SerializeResponse(status);
  auto st = ParseResponse(line);
  REQUIRE(st);
  CHECK(st->ok);
  CHECK(st->reason.empty());
  CHECK(st->extra["enrolled"] == true);
  CHECK(st->extra["workstation"] == "SVC-03");
  CHECK(st->extra["sessions"].size() == 2);
  CHECK_FALSE(st->extra.contains("ok"));
  CHECK_FALSE(st->extra.contains("v"));

  // The docs/design.md examples.
  auto example = ParseResponse(
      R"({"v":1,"ok":true,"decision":"deny","reason":"terminated","message":"This account has been deactivated. ...","serial":42})");
  REQUIRE(example);
  CHECK(example->decision == Decision::kDeny);
  auto bad = ParseResponse(R"({"v":1,"ok":false,"error":"bad_request","message":"unknown op 'foo'"})");
  REQUIRE(bad);
  CHECK(bad->error == "bad_request");
}

TEST_CASE("malformed responses are invalid input", "[protocol]") {
  for (const char* line : {"", "garbage", "[]", "{}", R"({"v":1})", R"({"v":1,"ok":"true"})",
                           R"({"v":1,"ok":1})", R"({"v":1,"ok":false})",
                           R"({"v":1,"ok":false,"error":3})",
                           R"({"v":1,"ok":true,"decision":"maybe","reason":"x"})",
                           R"({"v":1,"ok":true,"decision":7,"reason":"x"})",
                           R"({"v":1,"ok":true,"decision":"allow"})",
                           R"({"v":1,"ok":true,"decision":"allow","reason":null})",
                           R"({"v":1,"ok":true,"message":5})",
                           R"({"v":1,"ok":true,"ok":false,"error":"x"})"}) {
    CHECK(ResponseError(line) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("names of ops, phases and decisions", "[protocol]") {
  CHECK(OpName(Op::kCheck) == "check");
  CHECK(OpName(Op::kSessionOpen) == "session_open");
  CHECK(OpName(Op::kSessionClose) == "session_close");
  CHECK(OpName(Op::kStatus) == "status");
  CHECK(DecisionName(Decision::kResetRequired) == "reset_required");
  CHECK_FALSE(ParsePhase("Auth"));
  CHECK_FALSE(ParsePhase(""));
  CHECK_FALSE(ParseDecision("allowed"));
}
