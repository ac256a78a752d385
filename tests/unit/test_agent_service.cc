// Service: the socket protocol without the socket. Caller rules
// (SO_PEERCRED uid), malformed requests, sessions and audit events.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "agent/caller_rules.h"
#include "agent/service.h"
#include "common/file_util.h"
#include "common/json_util.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Json;
using testutil::Employee;
using testutil::kNow;

struct CaptureSink : AuditSink {
  std::mutex mu;
  std::vector<AuditEvent> events;
  void Record(const AuditEvent& e) override {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
  }
};

struct ServiceFixture {
  testutil::TempDir dir;
  common::FakeClock clock{kNow};
  common::PrivateKey key = *common::PrivateKey::Generate();
  StaticUserDb users;
  CaptureSink audit;
  SessionTable sessions{3};
  std::unique_ptr<RosterStore> store;
  std::unique_ptr<Service> service;

  ServiceFixture() {
    users.Add("root", 0);
    users.Add("asmith", 1001);
    users.Add("bjones", 1002);
    users.Add("sales", 1003);
    store = std::make_unique<RosterStore>(dir / "state", clock, [](int, const std::string&) {});
    REQUIRE(store->Load({key.Public()}));
    Json employees = Json::array(
        {Employee("E1001", "active", {"asmith"}), Employee("E1002", "terminated", {"bjones"})});
    REQUIRE(store->Install(testutil::Sign(testutil::RosterPayload(42, employees, {"sales"}), key),
                           "test"));
    agent::AgentConfig config;
    config.workstation = "SVC-03";
    config.trusted_keys = {"k.pub"};
    ServiceDeps deps;
    deps.store = store.get();
    deps.users = &users;
    deps.clock = &clock;
    deps.audit = &audit;
    deps.sessions = &sessions;
    deps.log = [](int, const std::string&) {};
    service = std::make_unique<Service>(std::make_shared<const agent::AgentConfig>(config),
                                        std::move(deps));
  }

  Json Ask(const std::string& line, uid_t uid, pid_t pid = 0) const {
    std::string answer = service->HandleNow(line, Peer{uid, pid});
    REQUIRE(answer.find('\n') == std::string::npos);
    return Json::parse(answer);
  }
  Json Check(const std::string& account, uid_t uid) {
    return Ask(common::DumpJson(Json{{"v", 1},
                                     {"op", "check"},
                                     {"phase", "account"},
                                     {"account", account},
                                     {"service", "sshd"}}),
               uid);
  }
};

const Json kForbidden = {
    {"v", 1}, {"ok", false}, {"error", "forbidden"}, {"message", kForbiddenMessage}};

TEST_CASE("caller rules: the pure rule", "[agent]") {
  CHECK(CallerMay(0, CallerOp::kAdmin, std::nullopt));
  CHECK(CallerMay(0, CallerOp::kCheck, std::nullopt));
  CHECK(CallerMay(1001, CallerOp::kStatus, std::nullopt));
  CHECK(CallerMay(1001, CallerOp::kCheck, 1001U));
  CHECK_FALSE(CallerMay(1001, CallerOp::kCheck, 1002U));
  CHECK_FALSE(CallerMay(1001, CallerOp::kCheck, std::nullopt));
  CHECK_FALSE(CallerMay(1001, CallerOp::kCheck, 0U));
  CHECK(CallerMay(1001, CallerOp::kSessionClose, 1001U));
  CHECK_FALSE(CallerMay(1001, CallerOp::kAdmin, 1001U));
}

TEST_CASE("caller rules: a non-root caller learns nothing about other accounts", "[agent]") {
  ServiceFixture f;
  // Root may ask about anyone.
  CHECK(f.Check("bjones", 0)["reason"] == "terminated");
  f.audit.events.clear();
  // asmith about herself: the full answer.
  Json own = f.Check("asmith", 1001);
  CHECK(own["ok"] == true);
  CHECK(own["decision"] == "allow");
  CHECK(own["serial"] == 42);
  // About someone else, a shared account, an unknown one, or root: the same
  // bare forbidden, whatever that account's status.
  for (const char* other : {"bjones", "sales", "nosuchuser", "root"}) {
    INFO(other);
    CHECK(f.Check(other, 1001) == kForbidden);
  }
  // Status is for everyone.
  Json status = f.Ask(R"({"v":1,"op":"status"})", 1001);
  CHECK(status["ok"] == true);
  CHECK(status["serial"] == 42);
  // Root-only ops.
  CHECK(f.Ask(R"({"v":1,"op":"sessions"})", 1001) == kForbidden);
  CHECK(f.Ask(R"({"v":1,"op":"roster_install","path":"/etc/passwd"})", 1001) == kForbidden);
  // Forbidden questions are not audited as decisions.
  for (const auto& e : f.audit.events) CHECK(e.account != "bjones");
}

TEST_CASE("service: malformed requests get bad_request", "[agent]") {
  ServiceFixture f;
  for (const char* line :
       {"garbage", "", "[]", "{}", R"({"v":1})", R"({"v":2,"op":"status"})",
        R"({"v":1,"op":"foo"})", R"({"v":1,"op":"check"})", R"({"v":1,"op":"check","account":7})",
        R"({"v":1,"op":"check","account":"a","phase":"lunch"})",
        R"({"v":1,"op":"session_open","account":"asmith"})", R"({"v":1,"op":"session_close"})",
        R"({"v":1,"op":"check","account":"a","account":"b"})", R"({"v":"1","op":"status"})",
        R"({"v":1,"op":"roster_install"})"}) {
    INFO(line);
    Json answer = f.Ask(line, 0);
    CHECK(answer["ok"] == false);
    CHECK(answer["error"] == "bad_request");
    CHECK(!answer["message"].get<std::string>().empty());
  }
  CHECK(f.Ask(R"({"v":1,"op":"foo"})", 0)["message"] == "unknown op 'foo'");
  CHECK(f.audit.events.empty());
}

TEST_CASE("service: slow requests are routed by the parsed op, not by names in the line",
          "[agent]") {
  ServiceFixture f;
  auto deferred = [&f](const Json& request, uid_t uid = 0) {
    return static_cast<bool>(f.service->Handle(common::DumpJson(request), Peer{uid, 0}).deferred);
  };
  // An account, service, tty or host named like a slow op is still a check
  // (or session_open), answered on the event loop.
  for (const char* name : {"sync", "reload", "roster_install", "\"sync\""}) {
    INFO(name);
    CHECK_FALSE(deferred({{"v", 1}, {"op", "check"}, {"account", name}}));
    CHECK_FALSE(deferred({{"v", 1}, {"op", "check"}, {"account", "asmith"}, {"service", name}}));
    CHECK_FALSE(deferred(
        {{"v", 1}, {"op", "check"}, {"account", "asmith"}, {"tty", name}, {"rhost", name}}));
    CHECK_FALSE(deferred({{"v", 1}, {"op", "session_open"}, {"account", name}, {"session", name}}));
    CHECK_FALSE(deferred({{"v", 1}, {"op", "status"}, {"later", name}}));
  }
  // The slow ops go to the worker.
  CHECK(deferred({{"v", 1}, {"op", "roster_install"}, {"path", "/nonexistent"}}));
  // Refusals and bad requests are answered at once, whatever the op.
  CHECK_FALSE(deferred({{"v", 1}, {"op", "roster_install"}, {"path", "/x"}}, 1001));
  CHECK_FALSE(deferred({{"v", 1}, {"op", "sync"}}));  // No sync in this fixture: unknown.
  CHECK(f.Ask(R"({"v":1,"op":"sync"})", 0)["message"] == "unknown op 'sync'");
}

TEST_CASE("service: check is audited with the decision and the serial", "[agent]") {
  ServiceFixture f;
  f.Ask(
      R"({"v":1,"op":"check","phase":"auth","account":"bjones","service":"gdm","tty":":0","rhost":"h"})",
      0);
  REQUIRE(f.audit.events.size() == 1);
  const AuditEvent& e = f.audit.events[0];
  CHECK(e.type == AuditType::kDecision);
  CHECK(e.account == "bjones");
  CHECK(e.phase == "auth");
  CHECK(e.service == "gdm");
  CHECK(e.tty == ":0");
  CHECK(e.rhost == "h");
  CHECK(e.decision == "deny");
  CHECK(e.reason == "terminated");
  CHECK(e.serial == 42U);
  CHECK(e.workstation == "SVC-03");
  Json line = e.ToJson();
  for (const char* key : {"id", "time", "workstation", "type", "account", "phase", "service", "tty",
                          "rhost", "decision", "reason", "serial"}) {
    CHECK(line.contains(key));
  }
}

TEST_CASE("service: sessions are remembered on allow and forgotten on close", "[agent]") {
  ServiceFixture f;
  Json opened = f.Ask(
      R"({"v":1,"op":"session_open","account":"asmith","session":"s1","service":"login","tty":"tty1","pid":77})",
      0);
  CHECK(opened["decision"] == "allow");
  Json denied = f.Ask(R"({"v":1,"op":"session_open","account":"bjones","session":"s2"})", 0);
  CHECK(denied["reason"] == "terminated");
  Json list = f.Ask(R"({"v":1,"op":"sessions"})", 0);
  REQUIRE(list["sessions"].size() == 1);
  CHECK(list["sessions"][0]["account"] == "asmith");
  CHECK(list["sessions"][0]["pid"] == 77);
  CHECK(list["sessions"][0]["tty"] == "tty1");
  // Another non-root uid may not close asmith's session.
  CHECK(f.Ask(R"({"v":1,"op":"session_close","session":"s1"})", 1002) == kForbidden);
  Json closed = f.Ask(R"({"v":1,"op":"session_close","session":"s1"})", 1001);
  CHECK(closed["closed"] == true);
  CHECK(f.Ask(R"({"v":1,"op":"session_close","session":"s1"})", 0)["closed"] == false);
  CHECK(f.Ask(R"({"v":1,"op":"sessions"})", 0)["sessions"].empty());
  // Non-root session_open is held to the same rule as check.
  CHECK(f.Ask(R"({"v":1,"op":"session_open","account":"bjones","session":"s3"})", 1001) ==
        kForbidden);
}

std::string OpenLine(const std::string& account, const std::string& id, int pid) {
  return common::DumpJson(Json{{"v", 1},
                               {"op", "session_open"},
                               {"account", account},
                               {"session", id},
                               {"service", "login"},
                               {"pid", pid}});
}

TEST_CASE("service: a non-root caller's session is its own process", "[agent]") {
  ServiceFixture f;
  // pid 1 never ends: the session would never be reaped.
  Json pinned = f.Ask(OpenLine("asmith", "s1", 1), 1001, 4242);
  CHECK(pinned["error"] == "forbidden");
  CHECK(f.Ask(OpenLine("asmith", "s1", 4242), 1001, 0)["error"] == "forbidden");
  CHECK(f.sessions.Size() == 0);
  CHECK(f.Ask(OpenLine("asmith", "s1", 4242), 1001, 4242)["decision"] == "allow");
  CHECK(f.sessions.Find("s1")->opener_uid == 1001U);
  // Root (sshd, login) may name any process.
  CHECK(f.Ask(OpenLine("asmith", "s2", 1), 0, 777)["decision"] == "allow");
}

TEST_CASE("service: a login that cannot be tracked is refused, not let in", "[agent]") {
  ServiceFixture f;  // A table of three.
  for (int i = 0; i < 3; ++i) {
    CHECK(f.Ask(OpenLine("asmith", "s" + std::to_string(i), 50), 0)["decision"] == "allow");
  }
  Json full = f.Ask(OpenLine("asmith", "s3", 50), 0);
  CHECK(full["ok"] == false);
  CHECK(full["error"] == "busy");
  CHECK(f.sessions.Size() == 3);
  const AuditEvent& last = f.audit.events.back();
  CHECK(last.type == AuditType::kSessionOpen);
  CHECK(last.decision == "deny");
  CHECK(last.detail.find("session table is full") != std::string::npos);
}

TEST_CASE("service: another user's session id is not overwritten", "[agent]") {
  ServiceFixture f;
  REQUIRE(f.Ask(OpenLine("asmith", "victim", 50), 0)["decision"] == "allow");
  CHECK(f.Ask(OpenLine("asmith", "victim", 4242), 1001, 4242)["error"] == "forbidden");
  CHECK(f.Ask(OpenLine("bjones", "victim", 50), 0)["ok"] == false);
  CHECK(f.sessions.Find("victim")->opener_uid == 0U);
  CHECK(f.sessions.Find("victim")->pid == 50);
}

TEST_CASE("service: roster_install reads the file and reports rejections", "[agent]") {
  ServiceFixture f;
  const std::string path = f.dir / "new.dsse";
  Json employees = Json::array({Employee("E1001", "suspended", {"asmith"})});
  REQUIRE(common::WriteFileAtomic(
      path, testutil::Sign(testutil::RosterPayload(43, employees), f.key), 0644));
  Json request = {{"v", 1}, {"op", "roster_install"}, {"path", path}};
  Json installed = f.Ask(common::DumpJson(request), 0);
  CHECK(installed["ok"] == true);
  CHECK(installed["installed"] == true);
  CHECK(installed["serial"] == 43);
  CHECK(f.Check("asmith", 0)["reason"] == "suspended");
  Json again = f.Ask(common::DumpJson(request), 0);
  CHECK(again["no_change"] == true);
  REQUIRE(common::WriteFileAtomic(
      path, testutil::Sign(testutil::RosterPayload(41, employees), f.key), 0644));
  Json rollback = f.Ask(common::DumpJson(request), 0);
  CHECK(rollback["ok"] == false);
  CHECK(rollback["error"] == "rejected");
  CHECK(rollback["kind"] == "rollback");
  request["path"] = "relative.dsse";
  CHECK(f.Ask(common::DumpJson(request), 0)["error"] == "bad_request");
}

TEST_CASE("service: status reports the roster and enrollment", "[agent]") {
  ServiceFixture f;
  Json status = f.Ask(R"({"v":1,"op":"status"})", 0);
  CHECK(status["enrolled"] == true);
  CHECK(status["workstation"] == "SVC-03");
  CHECK(status["roster"]["serial"] == 42);
  CHECK(status["roster"]["state"] == "valid");
  f.clock.Advance(30L * 86400);
  CHECK(f.Ask(R"({"v":1,"op":"status"})", 0)["roster"]["state"] == "expired");
  CHECK(f.Check("asmith", 0)["reason"] == "roster_expired");
}

}  // namespace
}  // namespace staffgate::agent

namespace staffgate::agent {
namespace {

TEST_CASE("service: with unknown_accounts = ignore, a second name for a terminated uid is refused",
          "[agent]") {
  ServiceFixture f;
  f.users.Add("bjones2", 1002);  // Same uid as the terminated bjones.
  f.users.Add("newhire", 1500);  // Truly unknown: still ignored.
  agent::AgentConfig config = *f.service->config();
  config.unknown_accounts = UnknownAccounts::kIgnore;
  f.service->SetConfig(std::make_shared<const agent::AgentConfig>(config));
  Json alias = f.Check("bjones2", 0);
  CHECK(alias["decision"] == "deny");
  CHECK(alias["reason"] == "terminated");
  CHECK(f.Check("newhire", 0)["decision"] == "ignore");
  CHECK(f.Check("asmith", 0)["decision"] == "allow");
  // The uid of a shared account under another name is a shared account.
  f.users.Add("sales-alias", 1003);
  CHECK(f.Check("sales-alias", 0)["reason"] == "shared_account");
}

TEST_CASE("service: roster_install of a FIFO is refused at once, never blocks", "[agent]") {
  ServiceFixture f;
  const std::string fifo = f.dir / "roster.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  Json request = {{"v", 1}, {"op", "roster_install"}, {"path", fifo}};
  auto answer = std::async(std::launch::async, [&] {
    return f.service->HandleNow(common::DumpJson(request), Peer{0, 0});
  });
  if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // Unblock the reader so the test ends, then fail.
    int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) close(fd);
    answer.wait();
    FAIL("roster_install blocked on a FIFO");
  }
  Json reply = Json::parse(answer.get());
  CHECK(reply["error"] == "rejected");
  CHECK(reply["message"].get<std::string>().find("not a regular file") != std::string::npos);
}

TEST_CASE(
    "service: password_changed from a password program makes a change on the reset's day count; "
    "the person cannot claim one",
    "[agent]") {
  ServiceFixture f;
  f.clock.Advance(3600);  // kNow is midnight: the reset at 00:30, the change at 01:00.
  Json e = Employee("E1001", "active", {"asmith"});
  e["credentials_reset_after"] = common::FormatRfc3339(kNow + 1800);
  REQUIRE(f.store->Install(testutil::Sign(testutil::RosterPayload(43, Json::array({e}), {}), f.key),
                           "test"));
  f.users.Add("asmith", 1001, kNow / 86400);  // Shadow: changed today.
  CHECK(f.Check("asmith", 0)["reason"] == "credentials_reset_required");
  const std::string told =
      common::DumpJson(Json{{"v", 1}, {"op", "password_changed"}, {"account", "asmith"}});
  CHECK(f.Ask(told, 1001)["error"] == "forbidden");
  CHECK(f.Check("asmith", 0)["reason"] == "credentials_reset_required");
  f.audit.events.clear();
  CHECK(f.Ask(told, 0)["ok"] == true);
  REQUIRE(f.audit.events.size() == 1);
  CHECK(f.audit.events[0].type == AuditType::kPasswordChanged);
  CHECK(f.audit.events[0].account == "asmith");
  CHECK(f.audit.events[0].time_ms == (kNow + 3600) * 1000);
  CHECK(f.Check("asmith", 0)["reason"] == "allowed");
}

}  // namespace
}  // namespace staffgate::agent
