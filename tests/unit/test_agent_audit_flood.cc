// Audit under pressure: identical decisions counted, not repeated
// (decision_coalescer.h); every event accounted for when the disk fails
// (audit_fanout.h); planted symlinks and shared directories refused.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <limits>

#include "agent/audit/audit_fanout.h"
#include "agent/audit/decision_coalescer.h"
#include "agent/config/private_dirs.h"
#include "agent/service.h"
#include "common/file_util.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Json;
using testutil::Employee;
using testutil::kNow;

std::vector<Json> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

struct QueueFake : EventQueue {
  bool fail = false;
  std::vector<std::string> lines;
  common::Result<void> Enqueue(const std::string& line) override {
    if (fail) return common::Fail(common::ErrorKind::kIo, "outbox append failed: No space left");
    lines.push_back(line);
    return common::Ok();
  }
};

struct FloodFixture {
  testutil::TempDir dir;
  common::FakeClock clock{kNow};
  common::PrivateKey key = *common::PrivateKey::Generate();
  StaticUserDb users;
  SessionTable sessions{8};
  std::unique_ptr<RosterStore> store;
  AuditLog log{dir / "audit.jsonl", {}};
  AuditFanout fanout{log, {}};
  std::shared_ptr<QueueFake> queue = std::make_shared<QueueFake>();
  std::unique_ptr<Service> service;

  FloodFixture() {
    users.Add("mallory", 1001);
    store = std::make_unique<RosterStore>(dir / "state", clock, [](int, const std::string&) {});
    REQUIRE(store->Load({key.Public()}));
    REQUIRE(store->Install(
        testutil::Sign(
            testutil::RosterPayload(42, Json::array({Employee("E1", "active", {"mallory"})})), key),
        "test"));
    REQUIRE(log.Open());
    fanout.SetLink(queue);
    AgentConfig config;
    config.workstation = "WS-1";
    config.trusted_keys = {"k.pub"};
    ServiceDeps deps;
    deps.store = store.get();
    deps.users = &users;
    deps.clock = &clock;
    deps.audit = &fanout;
    deps.sessions = &sessions;
    deps.log = [](int, const std::string&) {};
    service =
        std::make_unique<Service>(std::make_shared<const AgentConfig>(config), std::move(deps));
  }
  void Check(const std::string& service_name = "check") {
    service->HandleNow(
        common::DumpJson(
            Json{{"v", 1}, {"op", "check"}, {"account", "mallory"}, {"service", service_name}}),
        Peer{1001, 0});
  }
};

TEST_CASE("audit flood: 10,000 identical checks become a few events and counted summaries",
          "[agent][audit]") {
  FloodFixture f;
  for (int i = 0; i < 10000; ++i) {
    f.Check();
    if (i % 100 == 0) f.clock.Advance(1);  // 100 s in all: two windows.
  }
  f.fanout.Flush(std::numeric_limits<std::int64_t>::max());
  auto local = ReadLines(f.dir / "audit.jsonl");
  // Per 60 s window: the first 10 one by one, then one summary.
  REQUIRE(local.size() <= 22);
  std::uint64_t counted = 0;
  std::size_t summaries = 0;
  for (const auto& e : local) {
    counted += e.value("count", std::uint64_t{1});
    if (e.contains("count")) {
      ++summaries;
      CHECK(e["count"].get<std::uint64_t>() > 1000);
      CHECK(e["detail"].get<std::string>().find("counted, not repeated") != std::string::npos);
    }
  }
  CHECK(counted == 10000);
  CHECK(summaries == 2);
  // The central gets the same events, under the same ids.
  REQUIRE(f.queue->lines.size() == local.size());
  for (std::size_t i = 0; i < local.size(); ++i) {
    CHECK(Json::parse(f.queue->lines[i])["id"] == local[i]["id"]);
  }
}

TEST_CASE("audit flood: a few identical decisions are each recorded", "[agent][audit]") {
  FloodFixture f;
  for (int i = 0; i < 10; ++i) f.Check();
  f.fanout.Flush(std::numeric_limits<std::int64_t>::max());
  auto local = ReadLines(f.dir / "audit.jsonl");
  REQUIRE(local.size() == 10);
  for (const auto& e : local) CHECK_FALSE(e.contains("count"));
}

TEST_CASE("audit flood: different decisions are not merged, other types pass through",
          "[agent][audit]") {
  DecisionCoalescer c({60'000, 2, 1});
  AuditEvent e;
  e.type = AuditType::kDecision;
  e.account = "a";
  e.service = "sshd";
  e.decision = "allow";
  e.time_ms = 1000;
  CHECK(c.Admit(e).size() == 1);
  CHECK(c.Admit(e).empty());  // Counted.
  AuditEvent other = e;
  other.service = "login";
  CHECK(c.Admit(other).size() == 1);
  AuditEvent third = e;
  third.account = "b";
  CHECK(c.Admit(third).size() == 1);  // Table full: passes through uncounted.
  CHECK(c.Admit(third).size() == 1);
  AuditEvent session = e;
  session.type = AuditType::kSessionOpen;
  CHECK(c.Admit(session).size() == 1);
  CHECK(c.Admit(session).size() == 1);
  // The window ends: the next identical one closes it with its summary.
  e.time_ms = 61'000;
  auto out = c.Admit(e);
  REQUIRE(out.size() == 2);
  CHECK(out[0].count == 1U);
  CHECK_FALSE(out[1].count);
}

TEST_CASE(
    "audit flood: on a full disk every event is counted, and the loss is reported once "
    "the disk recovers",
    "[agent][audit]") {
  testutil::TempDir dir;
  std::vector<std::string> logged;
  AuditLog log(dir / "audit.jsonl", {});
  REQUIRE(log.Open());
  AuditFanout fanout(log, [&](int, const std::string& line) { logged.push_back(line); });
  auto queue = std::make_shared<QueueFake>();
  fanout.SetLink(queue);
  AuditEvent e;
  e.type = AuditType::kSessionOpen;
  e.workstation = "WS-1";
  // Outbox full, local file fine: not queued, but not lost.
  queue->fail = true;
  fanout.Record(e);
  CHECK(fanout.Losses().not_queued == 1);
  CHECK(fanout.Losses().lost == 0);
  REQUIRE(logged.size() == 1);
  CHECK(logged[0].find("only in the local audit log") != std::string::npos);
  // Both full: lost, and said so (never "kept in the local audit log").
  REQUIRE(log.Reopen("/proc/staffgate-no/audit.jsonl").has_value() == false);
  for (int i = 0; i < 5; ++i) fanout.Record(e);
  CHECK(fanout.Losses().lost == 5);
  CHECK(fanout.Losses().not_in_local_log == 5);
  for (const auto& line : logged)
    CHECK(line.find("kept in the local audit log") == std::string::npos);
  // Recovery: the next event is followed by one audit_lost event.
  REQUIRE(log.Reopen(dir / "audit.jsonl"));
  queue->fail = false;
  fanout.Record(e);
  auto local = ReadLines(dir / "audit.jsonl");
  REQUIRE(local.size() == 3);
  CHECK(local[2]["type"] == "audit_lost");
  CHECK(local[2]["count"] == 5);
  CHECK(local[2]["workstation"] == "WS-1");
  REQUIRE(queue->lines.size() == 2);
}

TEST_CASE("audit flood: a symlink planted as the audit file is refused, not written through",
          "[agent][audit]") {
  testutil::TempDir dir;
  const std::string target = dir / "shadow-copy";
  REQUIRE(common::WriteFileAtomic(target, "", 0600));
  REQUIRE(symlink(target.c_str(), (dir / "audit.jsonl").c_str()) == 0);
  AuditLog log(dir / "audit.jsonl", {});
  CHECK_FALSE(log.Open());
  AuditEvent e;
  log.Record(e);
  CHECK(common::ReadFileCapped(target, 1024).value().empty());
}

TEST_CASE("private dirs: group- or world-writable state and audit directories are refused",
          "[agent]") {
  testutil::TempDir dir;
  const std::string state = dir / "state";
  REQUIRE(mkdir(state.c_str(), 0700) == 0);
  CHECK(CheckPrivateDir(state, "state_dir"));
  CHECK(CheckPrivateDir(dir / "missing", "state_dir"));
  REQUIRE(chmod(state.c_str(), 0777) == 0);
  auto refused = CheckPrivateDir(state, "state_dir");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message ==
        "state_dir " + state +
            " is writable by its group or others (mode 0777); refusing to "
            "start (chmod go-w " +
            state + ")");
  REQUIRE(chmod(state.c_str(), 0770) == 0);
  CHECK_FALSE(CheckPrivateDir(state, "state_dir"));
  CHECK(ParentDir("/var/log/staffgate/audit.jsonl") == "/var/log/staffgate");
}

}  // namespace
}  // namespace staffgate::agent
