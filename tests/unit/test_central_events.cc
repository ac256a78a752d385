// Limits on what one workstation can do to the central's event store
// (docs/design.md §13), on a FakeClock: the per-workstation quota, the
// size cap that refuses events while employee changes still publish,
// future-dated events, retention, and leases only for permitted accounts.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "central/api/api.h"
#include "central/event_quota.h"
#include "central/service.h"
#include "central/tokens.h"
#include "common/terminal_text.h"

namespace {

using staffgate::central::Api;
using staffgate::central::ApiRequest;
using staffgate::central::EmployeeRecord;
using staffgate::central::EventBatchResult;
using staffgate::central::EventQuery;
using staffgate::central::EventQuota;
using staffgate::central::Metrics;
using staffgate::central::Service;
using staffgate::central::ServiceOptions;
using staffgate::central::WaitHub;
using staffgate::common::EmployeeStatus;
using staffgate::common::ErrorKind;
using staffgate::common::FakeClock;
using staffgate::common::Json;

constexpr std::int64_t kStart = 1'800'000'000;

struct EventWorld {
  std::string dir;
  std::string key_pem = staffgate::common::PrivateKey::Generate()->ToPem();
  FakeClock clock{kStart};
  std::unique_ptr<Service> service;

  explicit EventWorld(ServiceOptions options = {}) {
    char tmpl[] = "/tmp/sg-central-events-XXXXXX";
    dir = mkdtemp(tmpl);
    options.db_path = dir + "/central.db";
    auto opened = Service::Open(options, *staffgate::common::PrivateKey::FromPem(key_pem), clock);
    REQUIRE(opened);
    service = std::move(*opened);
  }
  EventWorld(const EventWorld&) = delete;
  EventWorld& operator=(const EventWorld&) = delete;
  ~EventWorld() {
    service.reset();
    std::filesystem::remove_all(dir);
  }
};

Json Batch(const std::string& prefix, int n, const std::string& time = "") {
  Json batch = Json::array();
  for (int i = 0; i < n; ++i) {
    Json e = {{"id", prefix + std::to_string(i)},
              {"type", "decision"},
              {"account", "asmith"},
              {"decision", "allow"},
              {"detail", std::string(200, 'x')}};
    if (!time.empty()) e["time"] = time;
    batch.push_back(e);
  }
  return batch;
}

EmployeeRecord Employee(std::string id, std::string account,
                        std::vector<std::string> groups = {"*"}) {
  EmployeeRecord e;
  e.id = std::move(id);
  e.accounts = {std::move(account)};
  e.groups = std::move(groups);
  return e;
}

}  // namespace

TEST_CASE("event quota: a bucket per workstation, one batch of debt, Retry-After",
          "[central][events]") {
  EventQuota quota(3600);  // One event a second.
  const std::int64_t t = 1'000'000;
  CHECK_FALSE(quota.RetryAfter("WS1", t));
  quota.Charge("WS1", 10000, t);  // One big batch goes through, into debt.
  auto wait = quota.RetryAfter("WS1", t);
  REQUIRE(wait);
  CHECK(*wait == 6401);                     // Back to one event: (10000 - 3600 + 1) s.
  CHECK_FALSE(quota.RetryAfter("WS2", t));  // Others are not affected.
  CHECK(quota.RetryAfter("WS1", t + 6400L * 1000));
  CHECK_FALSE(quota.RetryAfter("WS1", t + 6401L * 1000));
  CHECK_FALSE(EventQuota(0).RetryAfter("WS1", t));
}

TEST_CASE("events: a workstation over its quota gets 429 with Retry-After, nothing stored",
          "[central][events]") {
  ServiceOptions options;
  options.events_per_workstation_per_hour = 100;
  EventWorld w(options);
  Metrics metrics;
  WaitHub hub;
  Api api(*w.service, metrics, hub, 60);
  auto token = w.service->AddWorkstation("WS1", {});
  REQUIRE(token);
  auto post = [&](const Json& batch) {
    ApiRequest req;
    req.method = "POST";
    req.target = "/v1/events";
    req.authorization = "Bearer " + *token;
    req.body = batch.dump();
    return api.Handle(req).response;
  };
  CHECK(post(Batch("a", 150)).status == 202);  // Within the bucket: stored (debt 50).
  auto refused = post(Batch("b", 10));
  CHECK(refused.status == 429);
  INFO(refused.body);
  CHECK(refused.body.find("over_quota") != std::string::npos);
  REQUIRE(refused.headers.size() == 1);
  CHECK(refused.headers[0].first == "Retry-After");
  CHECK(refused.headers[0].second == "1836");  // 51 events at 100/h.
  CHECK(metrics.event_batches_over_quota == 1);
  EventQuery all;
  all.limit = 10000;
  CHECK(w.service->Events(all)->size() == 150);
  w.clock.Advance(1836);
  CHECK(post(Batch("b", 10)).status == 202);  // Redelivered from the outbox later.
  CHECK(w.service->Events(all)->size() == 160);
}

TEST_CASE("events: a full event store refuses events, employee changes still publish",
          "[central][events]") {
  ServiceOptions options;
  options.events_max_bytes = std::uint64_t{256} * 1024;
  options.events_per_workstation_per_hour = 0;
  EventWorld w(options);
  REQUIRE(w.service->AddEmployee(Employee("E1", "asmith")));
  EventBatchResult last;
  for (int i = 0; i < 100 && last.refusal == EventBatchResult::Refusal::kNone; ++i) {
    auto stored = w.service->StoreEvents("WS1", Batch("f" + std::to_string(i) + "-", 200));
    REQUIRE(stored);
    last = *stored;
  }
  REQUIRE(last.refusal == EventBatchResult::Refusal::kStoreFull);
  CHECK(last.retry_after_s > 0);
  CHECK(last.message.find("events_max_bytes") != std::string::npos);
  CHECK_FALSE(w.service->events().Health().accepting);
  const std::uint64_t before = w.service->Current()->serial;
  auto terminated = w.service->SetStatus("E1", EmployeeStatus::kTerminated);
  REQUIRE(terminated);
  CHECK(w.service->Current()->serial == before + 1);
  // The central's own lease events are counted when they cannot be stored.
  REQUIRE(w.service->AddEmployee(Employee("E2", "bjones")));
  REQUIRE(w.service->AcquireLease("bjones", "WS1"));
  CHECK_FALSE(w.service->FlushLeases());
  CHECK(w.service->events().Lost() == 1);
  CHECK(w.service->Leases()->size() == 1);  // The lease row itself was written.
}

TEST_CASE("events: future-dated events are stored at receipt, the view orders by receipt",
          "[central][events]") {
  EventWorld w;
  // 2030-01-01, years ahead of the clock: would sort after every real event.
  auto future = w.service->StoreEvents("WS1", Batch("future", 3, "2030-01-01T00:00:00Z"));
  REQUIRE(future);
  CHECK(future->clamped == 3);
  w.clock.Advance(10);
  auto real = w.service->StoreEvents("WS2", Batch("real", 1, "2027-01-15T08:00:10Z"));
  REQUIRE(real);
  CHECK(real->clamped == 0);
  EventQuery q;
  q.limit = 1;
  auto newest = w.service->Events(q);
  REQUIRE(newest);
  REQUIRE(newest->size() == 1);
  CHECK((*newest)[0]["id"] == "real0");
  CHECK((*newest)[0]["received"] == staffgate::common::FormatRfc3339Ms((kStart + 10) * 1000));
  // A few minutes ahead is ordinary clock skew: kept as sent.
  auto skewed = w.service->StoreEvents(
      "WS1", Batch("skew", 1, staffgate::common::FormatRfc3339(w.clock.Now() + 240)));
  CHECK(skewed->clamped == 0);
}

TEST_CASE("events: retention deletes events received before events_retention_days",
          "[central][events]") {
  ServiceOptions options;
  options.events_retention_days = 30;
  EventWorld w(options);
  REQUIRE(w.service->StoreEvents("WS1", Batch("old", 7)));
  w.clock.Advance(20L * 86400);
  REQUIRE(w.service->StoreEvents("WS1", Batch("new", 3)));
  w.clock.Advance(11L * 86400);  // "old" is 31 days old, "new" 11.
  auto first = w.service->events().Prune(5);
  REQUIRE(first);
  CHECK(*first == 5);  // In chunks.
  CHECK(*w.service->events().Prune(5) == 2);
  CHECK(*w.service->events().Prune(5) == 0);
  EventQuery all;
  auto left = w.service->Events(all);
  REQUIRE(left->size() == 3);
  CHECK((*left)[0]["id"] == "new0");
}

TEST_CASE("leases: only for active employees permitted on that workstation",
          "[central][sessions]") {
  EventWorld w;
  REQUIRE(w.service->AddWorkstation("SVC-01", {"service"}));
  REQUIRE(w.service->AddWorkstation("FD-01", {"frontdesk"}));
  REQUIRE(w.service->AddEmployee(Employee("E1", "asmith", {"service"})));
  REQUIRE(w.service->AddEmployee(Employee("E2", "bjones")));
  REQUIRE(w.service->AddShared("sales"));
  auto kind = [&](const std::string& account, const std::string& ws) {
    auto r = w.service->AcquireLease(account, ws);
    return r ? std::string("granted")
             : std::string(staffgate::common::ErrorKindName(r.error().kind));
  };
  CHECK(kind("asmith", "SVC-01") == "granted");
  CHECK(kind("asmith", "FD-01") == "forbidden");   // Not permitted there.
  CHECK(kind("nobody", "SVC-01") == "forbidden");  // Unknown account.
  CHECK(kind("sales", "SVC-01") == "forbidden");   // Shared account.
  REQUIRE(w.service->SetStatus("E2", EmployeeStatus::kTerminated));
  auto terminated = w.service->AcquireLease("bjones", "SVC-01");
  REQUIRE_FALSE(terminated);
  CHECK(terminated.error().message ==
        "the employee of account 'bjones' is terminated: no session lease");
  REQUIRE(w.service->SetStatus("E2", EmployeeStatus::kActive));
  CHECK(kind("bjones", "FD-01") == "granted");
}

TEST_CASE("terminal text: controls, C1 and bidi are escaped visibly", "[central][admin]") {
  using staffgate::common::EscapeForTerminal;
  CHECK(EscapeForTerminal("asmith") == "asmith");
  CHECK(EscapeForTerminal("J\xc3\xbcrgen M\xc3\xbcller") == "J\xc3\xbcrgen M\xc3\xbcller");
  CHECK(EscapeForTerminal("a\x1b[2Jb\x1b]0;t\x07") == "a\\x1b[2Jb\\x1b]0;t\\x07");
  CHECK(EscapeForTerminal("a\tb\rc\nd\x7f") == "a\\x09b\\x0dc\\x0ad\\x7f");
  CHECK(EscapeForTerminal("\xc2\x9b"
                          "31m") == "\\u009b31m");                           // C1 CSI.
  CHECK(EscapeForTerminal("x\xe2\x80\xaeyz") == "x\\u202eyz");               // RLO.
  CHECK(EscapeForTerminal("\xe2\x81\xa6\xe2\x80\x8f") == "\\u2066\\u200f");  // Isolate, RLM.
  CHECK(EscapeForTerminal("\xff\xc3") == "\\xff\\xc3");                      // Not UTF-8.
  CHECK(EscapeForTerminal("\xc0\x9b") == "\\xc0\\x9b");                      // Overlong.
  CHECK(EscapeForTerminal("a\\x1b") == "a\\\\x1b");                          // Cannot be faked.
}

TEST_CASE("a local password change at or after the reset clears it, older ones do not",
          "[central][passwords]") {
  using staffgate::central::ChangeEndsReset;
  CHECK_FALSE(ChangeEndsReset(std::nullopt, kStart));
  CHECK_FALSE(ChangeEndsReset(kStart, kStart - 1));
  CHECK(ChangeEndsReset(kStart, kStart));
  CHECK(ChangeEndsReset(kStart, kStart + 1));

  EventWorld w;
  REQUIRE(w.service->AddWorkstation("WS1", {"sales"}));
  REQUIRE(w.service->AddEmployee(Employee("E1", "asmith", {"sales"})));
  REQUIRE(w.service->AddEmployee(Employee("E2", "bjones", {"parts"})));
  REQUIRE(w.service->ResetCredentials("E1"));
  REQUIRE(w.service->ResetCredentials("E2"));
  auto reset_of = [&](const std::string& id) {
    for (const EmployeeRecord& e : w.service->Employees()) {
      if (e.id == id) return e.credentials_reset_after;
    }
    return std::optional<std::int64_t>();
  };
  auto changed = [](const std::string& id, const std::string& account, std::int64_t at) {
    return Json::array({Json{{"id", id},
                             {"type", "password_changed"},
                             {"account", account},
                             {"time", staffgate::common::FormatRfc3339Ms(at * 1000)}}});
  };
  const std::uint64_t before = w.service->Current()->serial;
  // Changed before the reset (an old event arriving late): the reset stays.
  REQUIRE(w.service->StoreEvents("WS1", changed("c1", "asmith", kStart - 5)));
  CHECK(reset_of("E1") == kStart);
  CHECK(w.service->Current()->serial == before);
  // bjones may not sign in at WS1: its report cannot end his reset.
  w.clock.Advance(30);
  REQUIRE(w.service->StoreEvents("WS1", changed("c2", "bjones", kStart + 10)));
  CHECK(reset_of("E2") == kStart);
  // The same second's change, later that day: cleared, one new serial.
  REQUIRE(w.service->StoreEvents("WS1", changed("c3", "asmith", kStart + 10)));
  CHECK_FALSE(reset_of("E1"));
  CHECK(w.service->Current()->serial == before + 1);
  // Sent again (the outbox retries): nothing more changes.
  REQUIRE(w.service->StoreEvents("WS1", changed("c3", "asmith", kStart + 10)));
  CHECK(w.service->Current()->serial == before + 1);
  // A new reset, then that batch once more: a change already counted does
  // not end it, even dated ahead (a clock running fast).
  w.clock.Advance(30);
  REQUIRE(w.service->ResetCredentials("E1"));
  REQUIRE(w.service->StoreEvents("WS1", changed("c3", "asmith", kStart + 3600)));
  CHECK(reset_of("E1") == kStart + 60);
}
