// A password world for the agent's unit tests (docs/design.md §10): a
// roster with one employee, a scripted central, and a PasswordService over
// offline verifiers in a temp dir, with an injected clock. Header-only, for
// tests/unit only.
#ifndef STAFFGATE_TESTS_UNIT_PASSWORD_WORLD_H_
#define STAFFGATE_TESTS_UNIT_PASSWORD_WORLD_H_

#include <deque>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/auth/failure_limiter.h"
#include "agent/auth/offline_verifiers.h"
#include "agent/auth/password_service.h"
#include "common/roster.h"
#include "test_agent_util.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::testutil::passwords {

using namespace staffgate::agent;  // NOLINT: test brevity
using common::Decision;
using common::Reason;
using testutil::kNow;

constexpr std::int64_t kDay = 86400;

inline common::Roster MakeRoster(const std::string& status,
                                 std::optional<common::UnixSeconds> changed_at = std::nullopt,
                                 common::UnixSeconds expires_at = kNow + 7 * kDay) {
  common::Roster roster;
  roster.serial = 5;
  roster.issued_at = kNow - 3600;
  roster.expires_at = expires_at;
  common::Employee e;
  e.id = "E1";
  e.status = *common::ParseEmployeeStatus(status);
  e.accounts = {"asmith"};
  e.credentials_changed_at = changed_at;
  roster.employees.push_back(e);
  roster.account_index["asmith"] = 0;
  return roster;
}

class ScriptedCentral : public CentralAuth {
 public:
  std::deque<VerifyOutcome> verify;
  std::deque<ChangeOutcome> change;
  std::vector<common::VerifyRequest> verify_calls;
  std::vector<common::ChangeRequest> change_calls;

  std::vector<int> deadlines;

  VerifyOutcome Verify(const common::VerifyRequest& request, int deadline_ms) override {
    verify_calls.push_back(request);
    deadlines.push_back(deadline_ms);
    if (verify.empty()) return VerifyOutcome{};  // Unreachable.
    auto out = verify.front();
    verify.pop_front();
    return out;
  }
  ChangeOutcome Change(const common::ChangeRequest& request, int /*deadline_ms*/) override {
    change_calls.push_back(request);
    if (change.empty()) return ChangeOutcome{};
    auto out = change.front();
    change.pop_front();
    return out;
  }
};

inline VerifyOutcome Answered(common::VerifyResult result) {
  VerifyOutcome out;
  out.kind = VerifyOutcome::Kind::kAnswered;
  out.result = result;
  return out;
}

inline Verdict Allowed() {
  Verdict v;
  v.decision = Decision::kAllow;
  v.reason = Reason::kAllowed;
  v.serial = 5;
  return v;
}

struct World {
  testutil::TempDir dir{"passwords"};
  common::FakeClock clock{kNow};
  FailureLimiter limiter{clock};
  OfflineVerifiers verifiers{dir.path() + "/credentials", clock, [](int, const std::string&) {}};
  std::shared_ptr<ScriptedCentral> central = std::make_shared<ScriptedCentral>();
  bool have_central = true;
  PasswordService service{PasswordDeps{
      &clock, &verifiers, &limiter,
      [this]() -> std::shared_ptr<CentralAuth> { return have_central ? central : nullptr; },
      [](int, const std::string&) {}}};
  common::Roster roster = MakeRoster("active");

  PasswordAnswer Auth(const std::string& password, const Verdict& verdict = Allowed(),
                      int days = 3) {
    return service.Authenticate(common::AuthenticateRequest{"asmith", password, "login", ""},
                                verdict, &roster, days);
  }
};

inline Decision DecisionOf(const PasswordAnswer& a) {
  return std::get<common::DecisionReply>(a.response).decision;
}
inline Reason ReasonOf(const PasswordAnswer& a) {
  return std::get<common::DecisionReply>(a.response).reason;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace staffgate::testutil::passwords

#endif  // STAFFGATE_TESTS_UNIT_PASSWORD_WORLD_H_
