// The agent ends the sessions of a scheduled leaver when valid_until
// passes (docs/design.md §11, §3 row 7b), on its own (injected) clock,
// through the Revoker, once per deadline.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/revoke/expiry_watch.h"
#include "agent/revoke/revoker.h"
#include "fake_process_control.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

using common::Json;
using testutil::Employee;
using testutil::kNow;

Json Leaver(const std::string& id, const std::string& account, common::UnixSeconds until,
            const std::string& status = "active") {
  Json e = Employee(id, status, {account});
  e["valid_until"] = common::FormatRfc3339(until);
  return e;
}

std::shared_ptr<const common::Roster> Roster(Json employees) {
  return std::make_shared<const common::Roster>(*common::ParseRoster(testutil::RosterPayload(
      7, std::move(employees), {}, Json::object(), kNow - 3600, 30 * 86400)));
}

struct World {
  common::FakeClock clock{kNow};
  StaticUserDb users;
  std::shared_ptr<const AgentConfig> config;
  std::mutex mu;
  std::vector<std::string> ended;  // "account|detail"
  ExpiryWatch watch;

  World() : watch(Deps()) {}
  ExpiryWatch::Deps Deps() {
    AgentConfig c;
    c.trusted_keys = {"k"};
    c.min_uid = 1000;
    config = std::make_shared<const AgentConfig>(c);
    ExpiryWatch::Deps deps;
    deps.clock = &clock;
    deps.users = &users;
    deps.log = [](int, const std::string&) {};
    deps.config = [this] { return config; };
    deps.end = [this](const std::string& account, const std::string& detail) {
      std::lock_guard<std::mutex> lock(mu);
      ended.push_back(account + "|" + detail);
    };
    return deps;
  }
  std::vector<std::string> Ended() {
    std::lock_guard<std::mutex> lock(mu);
    return ended;
  }
};

TEST_CASE("expiry: deadlines are the valid_until times after a point, earliest first", "[revoke]") {
  auto roster = Roster(Json::array({Leaver("E1", "a", kNow + 20), Employee("E2", "active", {"b"}),
                                    Leaver("E3", "c", kNow + 10), Leaver("E4", "d", kNow - 5)}));
  using Deadlines = std::vector<std::pair<common::UnixSeconds, std::size_t>>;
  CHECK(ExpiryDeadlines(*roster, kNow) == Deadlines{{kNow + 10, 2}, {kNow + 20, 0}});
  CHECK(ExpiryDeadlines(*roster, kNow - 10).size() == 3);
  CHECK(ExpiryDeadlines(*roster, kNow + 20).empty());
}

TEST_CASE("expiry: sessions end at valid_until exactly, once", "[revoke]") {
  World w;
  w.watch.RosterChanged(
      Roster(Json::array({Leaver("E1", "asmith", kNow + 60), Leaver("E2", "bjones", kNow + 120),
                          Leaver("E3", "gone", kNow + 60, "terminated")})));
  CHECK(w.watch.Tick() == kNow + 60);
  w.clock.Set(kNow + 59);
  CHECK(w.watch.Tick() == kNow + 60);
  CHECK(w.Ended().empty());
  w.clock.Set(kNow + 60);  // valid_until == now: refused (row 7b).
  CHECK(w.watch.Tick() == kNow + 120);
  // The terminated one is not "expired" (row 6 wins): the roster change
  // that terminated it already ended its sessions.
  CHECK(w.Ended() == std::vector<std::string>{"asmith|valid_until " +
                                              common::FormatRfc3339(kNow + 60) + " passed"});
  CHECK(w.watch.Tick() == kNow + 120);
  CHECK(w.Ended().size() == 1);
  // A new roster (the central flipped the status) does not replay it.
  w.watch.RosterChanged(Roster(
      Json::array({Employee("E1", "terminated", {"asmith"}), Leaver("E2", "bjones", kNow + 120)})));
  w.clock.Set(kNow + 500);
  CHECK_FALSE(w.watch.Tick());
  CHECK(w.Ended().size() == 2);
  CHECK(w.Ended()[1].rfind("bjones|", 0) == 0);
}

TEST_CASE("expiry: a cancelled valid_until ends nothing, a past one at start does", "[revoke]") {
  World w;
  w.watch.RosterChanged(Roster(Json::array({Leaver("E1", "asmith", kNow + 60)})));
  CHECK(w.watch.Tick() == kNow + 60);
  w.watch.RosterChanged(Roster(Json::array({Employee("E1", "active", {"asmith"})})));
  w.clock.Set(kNow + 61);
  CHECK_FALSE(w.watch.Tick());
  CHECK(w.Ended().empty());

  World restarted;  // An agent started after the time: the session must not survive it.
  restarted.watch.RosterChanged(Roster(Json::array({Leaver("E1", "asmith", kNow - 30)})));
  CHECK_FALSE(restarted.watch.Tick());
  CHECK(restarted.Ended().size() == 1);
}

TEST_CASE("expiry: the thread wakes for a roster change", "[revoke]") {
  World w;
  w.watch.Start();
  w.watch.RosterChanged(Roster(Json::array({Leaver("E1", "asmith", kNow)})));
  for (int i = 0; i < 500 && w.Ended().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  w.watch.Stop();
  CHECK(w.Ended().size() == 1);
}

TEST_CASE("expiry: through the Revoker the processes end, audited as expired", "[revoke]") {
  AgentConfig c;
  c.trusted_keys = {"k"};
  c.min_uid = 1000;
  c.exempt_accounts = {"boss"};
  c.on_revoke = OnRevoke::kTerminate;
  auto config = std::make_shared<const AgentConfig>(c);
  StaticUserDb users;
  users.Add("asmith", 2001);
  users.Add("boss", 2002);
  testutil::FakeProcessControl os;
  os.procs = {{100, 2001}, {101, 2002}};
  common::FakeClock clock(kNow);
  std::vector<AuditEvent> events;  // Read only after WaitIdle.
  Revoker revoker({&os, &users, &clock, [](int, const std::string&) {},
                   [&](AuditEvent e) { events.push_back(std::move(e)); }, [&] { return config; }});
  revoker.Start();
  ExpiryWatch::Deps deps{&clock, &users, [](int, const std::string&) {}, [&] { return config; },
                         [&](const std::string& account, const std::string& detail) {
                           revoker.EndSessionsOf(account, "expired", detail);
                         }};
  ExpiryWatch watch(std::move(deps));
  watch.RosterChanged(
      Roster(Json::array({Leaver("E1", "asmith", kNow + 5), Leaver("E2", "boss", kNow + 5)})));
  watch.Tick();
  clock.Set(kNow + 5);
  watch.Tick();
  revoker.WaitIdle();
  CHECK(os.procs == std::map<pid_t, uid_t>{{101, 2002}});  // Exempt: untouched.
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == AuditType::kSessionsTerminated);
  CHECK(events[0].account == "asmith");
  CHECK(events[0].reason == "expired");
  CHECK(events[0].decision == "deny");
  CHECK(events[0].detail.find("valid_until") != std::string::npos);
  revoker.Stop();
}

}  // namespace
}  // namespace staffgate::agent
