// Staffgate passwords at the central (docs/design.md §10): the lockout
// rules, and the Authenticator on a real Service (SQLite in a temp dir)
// with a FakeClock, so windows and locks pass without sleeping. argon2id
// runs with tiny parameters here: speed is measured in bench/.
#include <catch2/catch.hpp>
#include <filesystem>

#include "central/api/api.h"
#include "central/auth/authenticator.h"
#include "central/auth/lockout.h"
#include "central/auth/password_policy.h"
#include "central/tokens.h"
#include "common/envelope.h"
#include "common/json_util.h"
#include "common/roster.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::central::Api;
using staffgate::central::ApiRequest;
using staffgate::central::Authenticator;
using staffgate::central::AuthOptions;
using staffgate::central::EmployeeRecord;
using staffgate::central::EventQuery;
using staffgate::central::LockoutPolicy;
using staffgate::central::LockoutState;
using staffgate::central::Metrics;
using staffgate::central::Service;
using staffgate::central::WaitHub;
using staffgate::common::ChangeRequest;
using staffgate::common::FakeClock;
using staffgate::common::Json;
using staffgate::common::VerifyRequest;
using staffgate::common::VerifyResult;
using staffgate::testutil::TempDir;

constexpr std::int64_t kStart = 1'800'000'000;
constexpr char kGood[] = "Tangerine-Lantern-47-Orbit";
constexpr char kBetter[] = "Walrus-Quarry-93-Velvet-Pine";

struct AuthWorld {
  TempDir dir{"central-auth"};  // First: removed after the service closes.
  std::string key_pem = staffgate::common::PrivateKey::Generate()->ToPem();
  FakeClock clock{kStart};
  std::unique_ptr<Service> service;
  Metrics metrics;
  WaitHub hub;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Api> api;
  std::string svc_token, sales_token;

  AuthWorld() {
    Open();
    svc_token = *service->AddWorkstation("SVC-01", {"service"});
    sales_token = *service->AddWorkstation("SALES-01", {"sales"});
    EmployeeRecord a;
    EmployeeRecord b;
    a.id = "E1";
    a.accounts = {"asmith"};
    a.groups = {"service"};
    b.id = "E2";
    b.accounts = {"bjones"};
    REQUIRE(service->AddEmployee(a));
    REQUIRE(service->AddEmployee(b));
  }
  AuthWorld(const AuthWorld&) = delete;
  AuthWorld& operator=(const AuthWorld&) = delete;
  AuthWorld(AuthWorld&&) = delete;
  AuthWorld& operator=(AuthWorld&&) = delete;
  ~AuthWorld() {
    api.reset();
    auth.reset();
    service.reset();
  }
  void Open() {
    api.reset();
    auth.reset();
    service.reset();
    staffgate::central::ServiceOptions options;
    options.db_path = dir / "central.db";
    auto opened = Service::Open(options, *staffgate::common::PrivateKey::FromPem(key_pem), clock);
    REQUIRE(opened);
    service = std::move(*opened);
    AuthOptions auth_options;
    auth_options.argon2 = {64, 1, 1};
    auth_options.lockout = LockoutPolicy{3, 300, 900};
    auto created = Authenticator::Create(*service, metrics, clock, auth_options,
                                         [](int, const std::string&) {});
    REQUIRE(created);
    auth = std::move(*created);
    api = std::make_unique<Api>(*service, metrics, hub, 60);
    api->SetAuthenticator(auth.get());
  }
  VerifyResult Verify(const std::string& account, const std::string& password,
                      const std::string& ws = "SVC-01") {
    auto verified = auth->Verify(ws, VerifyRequest{account, password, "login", ""});
    REQUIRE(verified);
    return *verified;
  }
  // The roster's entry for employee `id`.
  Json RosterEntry(const std::string& id) {
    auto verified = staffgate::common::VerifyEnvelope(
        service->Current()->envelope, staffgate::common::kRosterPayloadType,
        {staffgate::common::PrivateKey::FromPem(key_pem)->Public()});
    REQUIRE(verified);
    auto payload = staffgate::common::ParseJson(verified->payload, {});
    REQUIRE(payload);
    for (const Json& e : (*payload)["employees"]) {
      if (e["id"] == id) return e;
    }
    FAIL("no roster entry for " << id);
    return {};
  }
};

}  // namespace

TEST_CASE("lockout: failures within the window lock, older ones do not count", "[central][auth]") {
  const LockoutPolicy policy{3, 300, 900};
  LockoutState s;
  CHECK_FALSE(staffgate::central::RecordFailure(s, kStart, policy));
  CHECK_FALSE(staffgate::central::RecordFailure(s, kStart + 100, policy));
  // The first failure leaves the window: two in it after this one.
  CHECK_FALSE(staffgate::central::RecordFailure(s, kStart + 300, policy));
  CHECK_FALSE(staffgate::central::IsLocked(s, kStart + 300));
  CHECK(staffgate::central::RecordFailure(s, kStart + 301, policy));
  CHECK(staffgate::central::IsLocked(s, kStart + 301));
  CHECK(staffgate::central::IsLocked(s, kStart + 301 + 899));
  CHECK_FALSE(staffgate::central::IsLocked(s, kStart + 301 + 900));
  staffgate::central::ExpireLockout(s, kStart + 301 + 900, policy);
  CHECK(s == LockoutState{});
}

TEST_CASE("auth: a set password verifies, wrong ones lock it fleet-wide until it expires",
          "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kOk);
  CHECK(w.Verify("asmith", "wrong-1") == VerifyResult::kBadCredentials);
  CHECK(w.Verify("asmith", "wrong-2") == VerifyResult::kBadCredentials);
  CHECK(w.Verify("asmith", "wrong-3") == VerifyResult::kBadCredentials);  // Locks.
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kLockedOut);
  CHECK(w.metrics.auth_lockouts == 1);
  w.clock.Advance(899);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kLockedOut);
  w.clock.Advance(1);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kOk);
}

TEST_CASE("auth: a success clears earlier failures, unlock clears a lock", "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  CHECK(w.Verify("asmith", "wrong") == VerifyResult::kBadCredentials);
  CHECK(w.Verify("asmith", "wrong") == VerifyResult::kBadCredentials);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kOk);
  CHECK(w.Verify("asmith", "wrong") == VerifyResult::kBadCredentials);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kOk);  // Not locked: the count restarted.
  for (int i = 0; i < 3; ++i) CHECK(w.Verify("asmith", "wrong") == VerifyResult::kBadCredentials);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kLockedOut);
  auto unlocked = w.auth->Unlock("E1");
  REQUIRE(unlocked);
  CHECK(*unlocked);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kOk);
  CHECK_FALSE(*w.auth->Unlock("E1"));
  CHECK_FALSE(w.auth->Unlock("E404"));
}

TEST_CASE("auth: a lock survives a restart of the central", "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  for (int i = 0; i < 3; ++i) CHECK(w.Verify("asmith", "wrong") == VerifyResult::kBadCredentials);
  REQUIRE(w.auth->FlushLockouts(Service::Flush::kWait));
  w.Open();
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kLockedOut);
}

TEST_CASE("auth: unknown, passwordless, shared and not-permitted accounts are not managed",
          "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  CHECK(w.Verify("nobody", kGood) == VerifyResult::kNotManaged);
  CHECK(w.Verify("bjones", kGood) == VerifyResult::kNotManaged);  // No staffgate password.
  // E1 is in "service" only: SALES-01 may not verify asmith, and its
  // failures count for nothing.
  for (int i = 0; i < 5; ++i) {
    CHECK(w.Verify("asmith", "wrong", "SALES-01") == VerifyResult::kNotManaged);
  }
  CHECK(w.Verify("asmith", kGood, "SALES-01") == VerifyResult::kNotManaged);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kOk);
}

TEST_CASE("auth: an employee who is not active never gets ok", "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  REQUIRE(w.service->SetStatus("E1", staffgate::common::EmployeeStatus::kSuspended));
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kBadCredentials);
  REQUIRE(w.service->SetStatus("E1", staffgate::common::EmployeeStatus::kTerminated));
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kBadCredentials);
  auto change = w.auth->Change("SVC-01", ChangeRequest{"asmith", kGood, kBetter});
  REQUIRE(change);
  REQUIRE(change->refusal);
  CHECK(change->refusal->error == "bad_credentials");
}

TEST_CASE("auth: a one-time password must be changed, the change publishes credentials_changed_at",
          "[central][auth]") {
  AuthWorld w;
  auto set = w.auth->SetPassword("E1", std::nullopt);
  REQUIRE(set);
  REQUIRE(set->generated.size() >= 20);
  CHECK(w.Verify("asmith", set->generated) == VerifyResult::kResetRequired);
  Json entry = w.RosterEntry("E1");
  REQUIRE(entry.contains("credentials_changed_at"));
  // Agents see the reset too (docs/design.md §3 row 10).
  CHECK(entry["credentials_reset_after"].get<std::string>() >
        entry["credentials_changed_at"].get<std::string>());
  CHECK_FALSE(w.RosterEntry("E2").contains("credentials_changed_at"));
  const std::uint64_t serial = w.service->Current()->serial;
  w.clock.Advance(60);
  auto changed = w.auth->Change("SVC-01", ChangeRequest{"asmith", set->generated, kBetter});
  REQUIRE(changed);
  CHECK_FALSE(changed->refusal);
  CHECK(changed->serial > serial);
  CHECK(w.Verify("asmith", kBetter) == VerifyResult::kOk);
  CHECK(w.Verify("asmith", set->generated) == VerifyResult::kBadCredentials);
  Json after = w.RosterEntry("E1");
  CHECK(after["credentials_changed_at"] == staffgate::common::FormatRfc3339(kStart + 60));
}

TEST_CASE(
    "auth: reset-credentials makes the password useless until changed, even in the same second",
    "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  REQUIRE(w.service->ResetCredentials("E1"));  // Same second as the set.
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kResetRequired);
  auto changed = w.auth->Change("SVC-01", ChangeRequest{"asmith", kGood, kBetter});  // Same second.
  REQUIRE(changed);
  CHECK_FALSE(changed->refusal);
  CHECK(w.Verify("asmith", kBetter) == VerifyResult::kOk);
  Json entry = w.RosterEntry("E1");
  CHECK(entry["credentials_changed_at"].get<std::string>() >=
        entry["credentials_reset_after"].get<std::string>());
}

TEST_CASE("auth: the policy refuses weak passwords with libpwquality's sentence",
          "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  for (const char* weak : {"short1", "Dictionary12", "abcdefghijkl", "asmith-asmith-1", kGood}) {
    auto changed = w.auth->Change("SVC-01", ChangeRequest{"asmith", kGood, weak});
    REQUIRE(changed);
    REQUIRE(changed->refusal);
    CHECK(changed->refusal->error == "weak_password");
    INFO(changed->refusal->message);
    CHECK(changed->refusal->message.size() > 10);
    CHECK(changed->refusal->message.find(weak) == std::string::npos);
  }
  auto wrong = w.auth->Change("SVC-01", ChangeRequest{"asmith", "not-it", kBetter});
  REQUIRE(wrong);
  REQUIRE(wrong->refusal);
  CHECK(wrong->refusal->error == "bad_credentials");
  auto empty = w.auth->SetPassword("E1", std::string());
  REQUIRE_FALSE(empty);
  auto weak = w.auth->SetPassword("E1", std::string("Dictionary12"));
  REQUIRE_FALSE(weak);
  CHECK(weak.error().message.find("dictionary") != std::string::npos);
  CHECK(weak.error().message.find("Dictionary12") == std::string::npos);
  staffgate::central::PasswordPolicy policy(12);
  auto refusal = policy.Refusal("abc", "", "");
  REQUIRE(refusal);
  CHECK(refusal->find("shorter than") != std::string::npos);
}

TEST_CASE("auth: events say what happened and never hold a password", "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  for (int i = 0; i < 3; ++i) CHECK(w.Verify("asmith", "Secret-Guess-1") != VerifyResult::kOk);
  CHECK(w.Verify("asmith", kGood) == VerifyResult::kLockedOut);
  REQUIRE(w.auth->Unlock("E1"));
  REQUIRE(w.auth->Change("SVC-01", ChangeRequest{"asmith", kGood, kBetter}));
  REQUIRE(w.service->ResetCredentials("E1"));
  REQUIRE(w.service->FlushLeases());
  auto events = w.service->Events(EventQuery{});
  REQUIRE(events);
  std::set<std::string> types;
  for (const Json& e : *events) {
    const std::string text = e.dump();
    CHECK(text.find(kGood) == std::string::npos);
    CHECK(text.find(kBetter) == std::string::npos);
    CHECK(text.find("Secret-Guess-1") == std::string::npos);
    types.insert(e.value("type", ""));
  }
  for (const char* type : {"password_set", "password_verify", "password_lockout",
                           "password_unlocked", "password_changed", "credentials_reset"}) {
    CHECK(types.count(type) == 1);
  }
}

TEST_CASE("auth api: workstation token, deferred hashing, answers on the wire", "[central][auth]") {
  AuthWorld w;
  REQUIRE(w.auth->SetPassword("E1", std::string(kGood)));
  auto call = [&](const std::string& path, const std::string& token, const std::string& body) {
    ApiRequest req;
    req.method = "POST";
    req.target = path;
    req.authorization = token.empty() ? "" : "Bearer " + token;
    req.body = body;
    auto outcome = w.api->Handle(req);
    if (outcome.deferred) return outcome.deferred();
    return outcome.response;
  };
  const std::string verify = R"({"account":"asmith","password":")" + std::string(kGood) + R"("})";
  CHECK(call("/v1/auth/verify", "", verify).status == 401);
  auto ok = call("/v1/auth/verify", w.svc_token, verify);
  CHECK(ok.status == 200);
  CHECK(ok.body == "{\"result\":\"ok\"}\n");
  CHECK(call("/v1/auth/verify", w.sales_token, verify).body == "{\"result\":\"not_managed\"}\n");
  auto bad = call("/v1/auth/verify", w.svc_token, R"({"account":"asmith"})");
  CHECK(bad.status == 400);
  auto weak = call("/v1/auth/change", w.svc_token,
                   R"({"account":"asmith","old":")" + std::string(kGood) + R"(","new":"abc"})");
  CHECK(weak.status == 422);
  CHECK(weak.body.find("weak_password") != std::string::npos);
  auto elsewhere = call("/v1/auth/change", w.sales_token,
                        R"({"account":"asmith","old":"x","new":"Walrus-Quarry-93-Velvet-Pine"})");
  CHECK(elsewhere.status == 404);
  CHECK(elsewhere.body.find("not_managed") != std::string::npos);
  auto admin_set = call("/v1/admin/employees/E2/set-password", "", R"({"one_time":true})");
  CHECK(admin_set.status == 401);
  REQUIRE(w.service->SetAdminTokenHash(staffgate::central::TokenHash("admintoken")));
  auto generated =
      call("/v1/admin/employees/E2/set-password", "admintoken", R"({"one_time":true})");
  REQUIRE(generated.status == 200);
  auto body = staffgate::common::ParseJson(generated.body, {});
  REQUIRE(body);
  CHECK(w.Verify("bjones", (*body)["password"].get<std::string>()) == VerifyResult::kResetRequired);
  CHECK(call("/v1/admin/employees/E2/set-password", "admintoken", R"({"password":""})").status ==
        400);
  CHECK(call("/v1/admin/employees/E2/unlock", "admintoken", "{}").status == 200);
  CHECK(call("/v1/admin/employees/E404/unlock", "admintoken", "{}").status == 404);
}
