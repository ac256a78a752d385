#include "central/admins/sign_in.h"

#include "central/auth/password_policy.h"
#include "central/tokens.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Result;

namespace {

// Bounds the in-memory counters (addresses, unknown names): when full,
// those without a lock are forgotten first.
constexpr std::size_t kMaxTracked = 10000;

void Bound(std::map<std::string, LockoutState>& map, common::UnixSeconds now) {
  if (map.size() < kMaxTracked) return;
  std::erase_if(map, [now](const auto& item) { return !IsLocked(item.second, now); });
  if (map.size() >= kMaxTracked) map.clear();
}

}  // namespace

Result<std::unique_ptr<SignIn>> SignIn::Create(Service& service, const common::Clock& clock,
                                               SignInPolicy policy, Argon2Params params) {
  auto random = NewToken();
  if (!random) return tl::unexpected(random.error());
  auto dummy = HashPassword(*random, params);
  if (!dummy) return tl::unexpected(dummy.error());
  return std::unique_ptr<SignIn>(new SignIn(service, clock, policy, params, std::move(*dummy)));
}

SignIn::SignIn(Service& service, const common::Clock& clock, SignInPolicy policy,
               Argon2Params params, std::string dummy_hash)
    : service_(service),
      clock_(clock),
      policy_(policy),
      params_(params),
      dummy_hash_(std::move(dummy_hash)) {}

std::optional<common::UnixSeconds> SignIn::LockedUntil(const LockoutState& state,
                                                       common::UnixSeconds now,
                                                       const LockoutPolicy& policy) {
  LockoutState current = state;
  ExpireLockout(current, now, policy);
  if (!IsLocked(current, now)) return std::nullopt;
  return current.locked_until;
}

Result<SignInResult> SignIn::Attempt(const std::string& name, const std::string& password,
                                     const std::string& address) {
  const common::UnixSeconds now = clock_.Now();
  SignInResult out;
  out.name = name;
  std::optional<AdminRecord> admin = service_.FindAdmin(name);
  std::optional<common::UnixSeconds> locked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = addresses_.find(address); it != addresses_.end()) {
      locked = LockedUntil(it->second, now, policy_.address);
    }
    if (!locked && !admin) {
      if (auto it = unknown_names_.find(name); it != unknown_names_.end()) {
        locked = LockedUntil(it->second, now, policy_.account);
      }
    }
  }
  if (!locked && admin) locked = LockedUntil(admin->lockout, now, policy_.account);
  // Always one hash, known name or not, locked or not: the time says nothing.
  const bool right =
      VerifyPassword(admin ? admin->password_hash : dummy_hash_, password) && admin.has_value();
  if (locked) {
    out.outcome = SignInResult::Outcome::kLocked;
    out.retry_at = locked;
    return out;
  }
  if (!right) {
    if (auto ok = Fail(admin, name, address, now); !ok) return tl::unexpected(ok.error());
    return out;  // kRefused.
  }
  if (admin->lockout != LockoutState{}) {  // Earlier failures no longer count.
    if (auto ok = service_.SaveAdminLockout(name, {}); !ok) return tl::unexpected(ok.error());
  }
  out.role = admin->role;
  out.outcome = admin->must_change_password ? SignInResult::Outcome::kMustChangePassword
                                            : SignInResult::Outcome::kSignedIn;
  return out;
}

Result<void> SignIn::Fail(const std::optional<AdminRecord>& admin, const std::string& name,
                          const std::string& address, common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);  // Serialises the read-modify-write of counters.
  Bound(addresses_, now);
  LockoutState& by_address = addresses_[address];
  ExpireLockout(by_address, now, policy_.address);
  RecordFailure(by_address, now, policy_.address);
  if (!admin) {
    Bound(unknown_names_, now);
    LockoutState& by_name = unknown_names_[name];
    ExpireLockout(by_name, now, policy_.account);
    RecordFailure(by_name, now, policy_.account);
    return common::Ok();
  }
  auto fresh = service_.FindAdmin(name);  // Another attempt may have counted meanwhile.
  if (!fresh) return common::Ok();
  LockoutState state = fresh->lockout;
  ExpireLockout(state, now, policy_.account);
  RecordFailure(state, now, policy_.account);
  return service_.SaveAdminLockout(name, state);
}

Result<void> SignIn::ChangePassword(const std::string& name, const std::string& current,
                                    const std::string& next, const std::string& address) {
  auto attempt = Attempt(name, current, address);
  if (!attempt) return tl::unexpected(attempt.error());
  if (attempt->outcome == SignInResult::Outcome::kLocked) {
    return common::Fail(ErrorKind::kForbidden,
                        "too many failed sign-ins; try again after " +
                            common::FormatRfc3339(attempt->retry_at.value_or(0)));
  }
  if (attempt->outcome == SignInResult::Outcome::kRefused) {
    return common::Fail(ErrorKind::kForbidden, "the name or the current password is wrong");
  }
  if (next == current) {
    return common::Fail(ErrorKind::kInvalidInput,
                        "the new password must differ from the current one");
  }
  if (auto refusal = PasswordPolicy(policy_.min_password_length).Refusal(next, current, name)) {
    return common::Fail(ErrorKind::kInvalidInput, *refusal);
  }
  auto hash = HashPassword(next, params_);
  if (!hash) return tl::unexpected(hash.error());
  return service_.SetAdminPassword(name, std::move(*hash));
}

}  // namespace staffgate::central
