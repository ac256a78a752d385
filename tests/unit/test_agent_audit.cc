// The local audit file: one JSON object per line, unique random ids.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "agent/audit/audit_log.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

TEST_CASE("audit: event ids are unique UUID-v4 strings", "[agent]") {
  std::set<std::string> ids;
  for (int i = 0; i < 5000; ++i) {
    std::string id = NewEventId();
    REQUIRE(id.size() == 36);
    CHECK(id[14] == '4');
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);
    ids.insert(id);
  }
  CHECK(ids.size() == 5000);
}

TEST_CASE("audit: one JSON line per event, parent directory created", "[agent]") {
  testutil::TempDir dir;
  const std::string path = dir / "log/audit.jsonl";
  std::vector<std::string> complaints;
  AuditLog log(path, [&](int, const std::string& line) { complaints.push_back(line); });
  REQUIRE(log.Open());
  AuditEvent e;
  e.time_ms = testutil::kNow * 1000 + 5;
  e.workstation = "SVC-03";
  e.type = AuditType::kDecision;
  e.account = "asmith";
  e.phase = "account";
  e.decision = "allow";
  e.reason = "allowed";
  e.serial = 42;
  log.Record(e);
  e.account = "quote\"and\nnewline";
  log.Record(e);
  std::ifstream in(path);
  std::string line;
  std::vector<common::Json> events;
  while (std::getline(in, line)) events.push_back(common::Json::parse(line));
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "decision");
  CHECK(events[0]["account"] == "asmith");
  CHECK(events[0]["serial"] == 42);
  CHECK(events[0]["time"] == "2026-11-29T00:00:00.005Z");
  CHECK(events[0]["id"] != events[1]["id"]);
  CHECK(events[1]["account"] == "quote\"and\nnewline");
  CHECK_FALSE(events[0].contains("rhost"));  // empty fields are left out
  CHECK(complaints.empty());
}

TEST_CASE("audit: every event type has its own wire name", "[agent]") {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(AuditType::kLeaseReleased); ++i) {
    names.emplace(AuditTypeName(static_cast<AuditType>(i)));
  }
  CHECK(names.size() == static_cast<std::size_t>(AuditType::kLeaseReleased) + 1);
  // The names the central and the tests read.
  for (const char* name :
       {"decision", "session_open", "session_close", "sessions_terminated", "roster_installed",
        "roster_rejected", "agent_start", "agent_stop", "config_reloaded", "lease_acquired",
        "lease_refused", "lease_unverified", "lease_lost", "lease_released"}) {
    CHECK(names.count(name) == 1);
  }
}

TEST_CASE("audit: an unwritable file drops events with a log line, never throws", "[agent]") {
  std::vector<std::string> complaints;
  AuditLog log("/proc/staffgate-no/audit.jsonl",
               [&](int, const std::string& line) { complaints.push_back(line); });
  CHECK_FALSE(log.Open());
  AuditEvent e;
  e.type = AuditType::kDecision;
  log.Record(e);
  log.Record(e);
  CHECK(complaints.size() == 1);  // rate-limited
}

}  // namespace
}  // namespace staffgate::agent
