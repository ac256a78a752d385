#include "central/auth/authenticator.h"

#include "central/auth/shared_lockouts.h"
#include "central/tokens.h"

namespace staffgate::central {

using common::ChangeRefusal;
using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;
using common::VerifyResult;

namespace {

constexpr char kLockedSentence[] =
    "Too many failed attempts: this password is locked for a while. Try again later or ask an "
    "administrator to unlock it.";

ChangeOutcome Refuse(std::string error, std::string message) {
  return ChangeOutcome{ChangeRefusal{std::move(error), std::move(message)}, 0};
}

}  // namespace

Authenticator::Authenticator(Service& service, Metrics& metrics, const common::Clock& clock,
                             const AuthOptions& options, const common::LogFn& log)
    : service_(service),
      metrics_(metrics),
      clock_(clock),
      options_(options),
      policy_(options.password_min_length),
      pool_(std::make_unique<WorkPool>("hash-worker", options.max_concurrent_hashes,
                                       options.max_hash_queue, options.max_hash_wait, log)) {
  retry_after_s_ = pool_->RetryAfterSeconds();
}

void Authenticator::Submit(WorkPool::Job job) {
  if (!pool_) return job(false);
  pool_->Submit(std::move(job));
}

Result<std::unique_ptr<Authenticator>> Authenticator::Create(Service& service, Metrics& metrics,
                                                             const common::Clock& clock,
                                                             const AuthOptions& options,
                                                             const common::LogFn& log) {
  std::unique_ptr<Authenticator> auth(new Authenticator(service, metrics, clock, options, log));
  if (options.shared_database.empty()) {
    auto rows = service.LoadLockouts();
    if (!rows) return tl::unexpected(rows.error());
    auth->lockouts_ = std::make_unique<MemoryLockouts>(options.lockout, *rows);
  } else {
    auto shared = SharedLockouts::Open(options.shared_database, options.lockout);
    if (!shared) return tl::unexpected(shared.error());
    auth->lockouts_ = std::move(*shared);
  }
  auto secret = NewToken();
  if (!secret) return tl::unexpected(secret.error());
  auto stand_in = HashPassword(*secret, options.argon2);
  if (!stand_in) return tl::unexpected(stand_in.error());
  auth->stand_in_hash_ = std::move(*stand_in);
  return auth;
}

void Authenticator::SpendHashTime(std::string_view password) {
  (void)VerifyPassword(stand_in_hash_, password);  // Never matches: a random secret.
}

void Authenticator::Count(VerifyResult result) {
  switch (result) {
    case VerifyResult::kOk:
      ++metrics_.auth_verify_ok;
      break;
    case VerifyResult::kBadCredentials:
      ++metrics_.auth_verify_bad_credentials;
      break;
    case VerifyResult::kLockedOut:
      ++metrics_.auth_verify_locked_out;
      break;
    case VerifyResult::kResetRequired:
      ++metrics_.auth_verify_reset_required;
      break;
    case VerifyResult::kNotManaged:
      ++metrics_.auth_verify_not_managed;
      break;
  }
}

void Authenticator::Audit(const std::string& type, const std::string& account,
                          const std::string& workstation, Json extra) {
  service_.QueueCentralEvent(type, account, workstation, std::move(extra));
}

Result<VerifyResult> Authenticator::Verify(const std::string& workstation,
                                           const common::VerifyRequest& request) {
  const CredentialLookup who = service_.LookupAccount(request.account, workstation);
  Json context = {{"service", request.service.substr(0, 64)},
                  {"rhost", request.rhost.substr(0, 256)}};
  VerifyResult result = VerifyResult::kNotManaged;
  if (who.kind != CredentialLookup::Kind::kManaged) {
    SpendHashTime(request.password);
    if (who.kind == CredentialLookup::Kind::kNotPermitted) {
      context["decision"] = "deny";
      context["result"] = "not_managed";
      context["reason"] = "not_permitted_here";
      Audit("password_verify", request.account, workstation, std::move(context));
    }
  } else {
    auto locked = lockouts_->LockedUntil(who.employee_id, clock_.Now());
    if (!locked) return tl::unexpected(locked.error());
    if (*locked) {
      // No hashing while locked: a flood against a locked account costs nothing.
      result = VerifyResult::kLockedOut;
      context["decision"] = "deny";
      context["result"] = context["reason"] = "locked_out";
      Audit("password_verify", request.account, workstation, std::move(context));
    } else {
      auto checked = CheckManaged(who, request.password, workstation, std::move(context));
      if (!checked) return checked;
      result = *checked;
    }
  }
  Count(result);
  return result;
}

Result<VerifyResult> Authenticator::CheckManaged(const CredentialLookup& who,
                                                 std::string_view password,
                                                 const std::string& workstation, Json context) {
  context["decision"] = "deny";
  context["result"] = "bad_credentials";
  if (!VerifyPassword(who.password.hash, password)) {
    auto locked = lockouts_->Fail(who.employee_id, clock_.Now());
    context["reason"] = "bad_credentials";
    if (!locked) {
      // Audited all the same: the wrong password was given, only its count
      // is missing (the caller answers 503, nothing else is decided).
      context["result"] = "unavailable";
      context["lockout_unrecorded"] = true;
      Audit("password_verify", who.account, workstation, std::move(context));
      return tl::unexpected(locked.error());
    }
    Audit("password_verify", who.account, workstation, context);
    if (*locked) {
      ++metrics_.auth_lockouts;
      auto until = lockouts_->LockedUntil(who.employee_id, clock_.Now());
      const common::UnixSeconds end = until && *until ? **until : clock_.Now();
      Audit("password_lockout", who.account, workstation,
            Json{{"employee", who.employee_id},
                 {"failures", options_.lockout.failures},
                 {"window_s", options_.lockout.window_s},
                 {"locked_until", common::FormatRfc3339(end)}});
    }
    return VerifyResult::kBadCredentials;
  }
  if (who.status != common::EmployeeStatus::kActive) {
    // The right password of someone who may not sign in: a plain refusal.
    context["reason"] = std::string(common::EmployeeStatusName(who.status));
    Audit("password_verify", who.account, workstation, std::move(context));
    return VerifyResult::kBadCredentials;
  }
  auto free = lockouts_->Succeed(who.employee_id, clock_.Now());
  if (!free) return tl::unexpected(free.error());
  if (!*free) {  // Locked through other centrals while this one hashed.
    context["result"] = context["reason"] = "locked_out";
    Audit("password_verify", who.account, workstation, std::move(context));
    return VerifyResult::kLockedOut;
  }
  return who.ResetRequired() ? VerifyResult::kResetRequired : VerifyResult::kOk;
}

Result<ChangeOutcome> Authenticator::Change(const std::string& workstation,
                                            const common::ChangeRequest& request) {
  const CredentialLookup who = service_.LookupAccount(request.account, workstation);
  auto refused = [&](const std::string& reason, ChangeOutcome outcome) {
    ++metrics_.auth_changes_refused;
    Audit("password_change_refused", request.account, workstation,
          Json{{"decision", "deny"}, {"reason", reason}});
    return outcome;
  };
  if (who.kind != CredentialLookup::Kind::kManaged) {
    SpendHashTime(request.old_password);
    return refused(
        who.kind == CredentialLookup::Kind::kNotPermitted ? "not_permitted_here" : "not_managed",
        Refuse("not_managed", "staffgate does not manage this account's password here."));
  }
  auto locked = lockouts_->LockedUntil(who.employee_id, clock_.Now());
  if (!locked) return tl::unexpected(locked.error());
  if (*locked) return refused("locked_out", Refuse("locked_out", kLockedSentence));
  if (!VerifyPassword(who.password.hash, request.old_password)) {
    auto failed = lockouts_->Fail(who.employee_id, clock_.Now());
    if (!failed) return tl::unexpected(failed.error());
    if (*failed) {
      ++metrics_.auth_lockouts;
      Audit("password_lockout", who.account, workstation,
            Json{{"employee", who.employee_id}, {"failures", options_.lockout.failures}});
    }
    return refused("bad_credentials",
                   Refuse("bad_credentials", "The current password is not correct."));
  }
  if (who.status != common::EmployeeStatus::kActive) {
    return refused(std::string(common::EmployeeStatusName(who.status)),
                   Refuse("bad_credentials", "The current password is not correct."));
  }
  auto free = lockouts_->Succeed(who.employee_id, clock_.Now());
  if (!free) return tl::unexpected(free.error());
  if (!*free) return refused("locked_out", Refuse("locked_out", kLockedSentence));
  if (auto weak = policy_.Refusal(request.new_password, request.old_password, request.account)) {
    return refused("weak_password", Refuse("weak_password", *weak));
  }
  auto hash = HashPassword(request.new_password, options_.argon2);
  if (!hash) return tl::unexpected(hash.error());
  auto serial = service_.StorePassword(who.employee_id, std::move(*hash), false, who.password.hash);
  if (!serial) return tl::unexpected(serial.error());
  ++metrics_.auth_changes;
  Audit("password_changed", request.account, workstation,
        Json{{"employee", who.employee_id}, {"serial", *serial}});
  return ChangeOutcome{std::nullopt, *serial};
}

Result<SetPasswordOutcome> Authenticator::SetPassword(const std::string& id,
                                                      const std::optional<std::string>& password) {
  auto who = service_.LookupEmployee(id);
  if (!who) return tl::unexpected(who.error());
  SetPasswordOutcome out;
  if (password) {
    if (password->empty()) return Fail(ErrorKind::kInvalidInput, "the password is empty");
    if (auto weak = policy_.Refusal(*password, "", who->account)) {
      return Fail(ErrorKind::kInvalidInput, *weak);
    }
  } else {
    auto generated = policy_.Generate();
    if (!generated) return tl::unexpected(generated.error());
    out.generated = std::move(*generated);
  }
  auto hash = HashPassword(password ? *password : out.generated, options_.argon2);
  if (!hash) return tl::unexpected(hash.error());
  auto serial = service_.StorePassword(id, std::move(*hash), !password, std::nullopt);
  if (!serial) return tl::unexpected(serial.error());
  out.serial = *serial;
  // Failures against the old password mean nothing for the new one.
  (void)lockouts_->Unlock(id);  // Shared and failing: the old counters lapse alone.
  ++metrics_.auth_passwords_set;
  Audit("password_set", who->account, "", Json{{"employee", id}, {"one_time", !password}});
  (void)service_.FlushLeases();  // Best effort: kept queued for the next flush.
  return out;
}

Result<bool> Authenticator::Unlock(const std::string& id) {
  auto who = service_.LookupEmployee(id);
  if (!who) return tl::unexpected(who.error());
  auto unlocked = lockouts_->Unlock(id);
  if (!unlocked) return tl::unexpected(unlocked.error());
  const bool any = *unlocked;
  ++metrics_.auth_unlocks;
  Audit("password_unlocked", who->account, "", Json{{"employee", id}, {"was_locked", any}});
  (void)service_.FlushLeases();  // Best effort: kept queued for the next flush.
  if (auto ok = FlushLockouts(Service::Flush::kWait); !ok) return tl::unexpected(ok.error());
  if (auto ok = service_.Journal({"employee.unlock-password", id},
                                 Json{{"password_lockout", {{id, {{"locked", any}}}}}},
                                 Json{{"password_lockout", {{id, {{"locked", false}}}}}});
      !ok) {
    return tl::unexpected(ok.error());
  }
  return any;
}

Result<void> Authenticator::FlushLockouts(Service::Flush mode) {
  std::vector<LockoutRow> rows = lockouts_->TakeDirty();
  if (rows.empty()) return common::Ok();
  auto saved = service_.SaveLockouts(rows, mode);
  if (!saved || !*saved) lockouts_->ReturnDirty(rows);
  if (!saved) return tl::unexpected(saved.error());
  return common::Ok();
}

}  // namespace staffgate::central
