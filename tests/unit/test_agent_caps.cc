// The agent's shares for local callers (docs/design.md §13): connection
// quota per uid with a reserve for root, the session table's caps and id
// ownership, and reading a process's owner.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "agent/session/process_owner.h"
#include "agent/session/session_table.h"
#include "agent/socket/connection_quota.h"

namespace staffgate::agent {
namespace {

using Verdict = ConnectionQuota::Verdict;
using OpenResult = SessionTable::OpenResult;

TEST_CASE("connection quota: one uid gets its share, root keeps a reserve", "[agent]") {
  ConnectionQuota quota(ConnectionLimits{10, 4, 3});
  for (int i = 0; i < 3; ++i) CHECK(quota.Acquire(1000) == Verdict::kAdmitted);
  CHECK(quota.Acquire(1000) == Verdict::kUidFull);
  CHECK(quota.Acquire(1001) == Verdict::kAdmitted);
  CHECK(quota.Acquire(1001) == Verdict::kAdmitted);
  CHECK(quota.Acquire(1001) == Verdict::kAdmitted);
  // Six non-root places of ten: the other four are root's.
  CHECK(quota.Acquire(1002) == Verdict::kFull);
  for (int i = 0; i < 4; ++i) CHECK(quota.Acquire(0) == Verdict::kAdmitted);
  CHECK(quota.Acquire(0) == Verdict::kFull);
  CHECK(quota.Total() == 10);
  quota.Release(1000);
  CHECK(quota.Acquire(0) == Verdict::kAdmitted);  // Root may use any free place.
  quota.Release(0);
  CHECK(quota.Acquire(1000) == Verdict::kAdmitted);
  CHECK(quota.Acquire(1000) == Verdict::kFull);
}

TEST_CASE("connection quota: a small cap keeps at most half for root", "[agent]") {
  ConnectionQuota quota(ConnectionLimits{4, 256, 32});
  CHECK(quota.Acquire(1000) == Verdict::kAdmitted);
  CHECK(quota.Acquire(1000) == Verdict::kAdmitted);
  CHECK(quota.Acquire(1000) == Verdict::kFull);
  CHECK(quota.Acquire(0) == Verdict::kAdmitted);
}

TEST_CASE("connection quota: the cap fits the descriptor limit", "[agent]") {
  CHECK(ConnectionsWithinFdLimit(1024, 65536) == 1024);
  CHECK(ConnectionsWithinFdLimit(1024, 1024) == 1024 - kFdHeadroom);
  CHECK(ConnectionsWithinFdLimit(1024, 10) == 1);
}

SessionInfo Session(const std::string& id, uid_t opener, const std::string& account = "asmith") {
  SessionInfo s;
  s.id = id;
  s.account = account;
  s.pid = 100;
  s.opener_uid = opener;
  return s;
}

TEST_CASE("session table: per-uid share and a reserve for root openers", "[agent]") {
  SessionTable table(SessionLimits{8, 4, 2});
  CHECK(table.Open(Session("a1", 1000)) == OpenResult::kOpened);
  CHECK(table.Open(Session("a2", 1000)) == OpenResult::kOpened);
  CHECK(table.CanOpen(Session("a3", 1000)) == OpenResult::kUidFull);
  CHECK(table.Open(Session("a3", 1000)) == OpenResult::kUidFull);
  CHECK(table.Open(Session("b1", 1001)) == OpenResult::kOpened);
  CHECK(table.Open(Session("b2", 1001)) == OpenResult::kOpened);
  CHECK(table.Open(Session("c1", 1002)) == OpenResult::kFull);  // The rest is root's.
  for (int i = 0; i < 4; ++i) {
    CHECK(table.Open(Session("r" + std::to_string(i), 0)) == OpenResult::kOpened);
  }
  CHECK(table.Open(Session("r9", 0)) == OpenResult::kFull);
  CHECK(table.Size() == 8);
  REQUIRE(table.Close("a1"));
  CHECK(table.Open(Session("a3", 1000)) == OpenResult::kOpened);
}

TEST_CASE("session table: an id belongs to its opener and account", "[agent]") {
  SessionTable table;
  REQUIRE(table.Open(Session("s1", 0)) == OpenResult::kOpened);
  CHECK(table.Open(Session("s1", 1000)) == OpenResult::kIdTaken);
  CHECK(table.Open(Session("s1", 0, "bjones")) == OpenResult::kIdTaken);
  CHECK(table.Find("s1")->account == "asmith");
  CHECK(table.Find("s1")->opener_uid == 0);
  // The same opener repeating its own session_open replaces it.
  SessionInfo again = Session("s1", 0);
  again.tty = "tty2";
  CHECK(table.Open(again) == OpenResult::kOpened);
  CHECK(table.Find("s1")->tty == "tty2");
  CHECK(table.Size() == 1);
}

TEST_CASE("process owner: the effective uid of /proc/PID/status", "[agent]") {
  CHECK(EffectiveUidIn("Name:\tbash\nUid:\t1000\t1001\t1000\t1000\nGid:\t0\n") == 1001U);
  CHECK_FALSE(EffectiveUidIn("Name:\tbash\n").has_value());
  CHECK_FALSE(EffectiveUidIn("Uid:\tx\n").has_value());
  SessionInfo self = Session("s", 0);
  self.pid = getpid();
  CHECK(SessionProcessAlive(self));
  self.opener_uid = getuid() + 1;  // Our pid, but not that user's process.
  CHECK_FALSE(SessionProcessAlive(self));
  self.opener_uid = getuid() == 0 ? 0 : getuid();
  CHECK(SessionProcessAlive(self));
  self.pid = 0;
  CHECK_FALSE(SessionProcessAlive(self));
}

}  // namespace
}  // namespace staffgate::agent
