// Service: administrators' accounts (docs/design.md §11). Each change is
// one transaction with its journal entry, then swapped into admins_.
#include "central/auth/password_policy.h"
#include "central/database.h"
#include "central/journal/actor.h"
#include "central/service.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Json;
using common::Result;

namespace {

// One-time passwords: 20 random characters from an unambiguous alphabet
// (about 115 bits), from the OS CSPRNG (auth/password_policy.h).
constexpr std::size_t kAdminPasswordLength = 20;

tl::unexpected<common::Error> NoAdmin(const std::string& name) {
  return Fail(ErrorKind::kNotFound, "no administrator named '" + name.substr(0, 64) + "'");
}

struct NewPassword {
  std::string password, hash;
};

Result<NewPassword> MakeOneTimePassword(const Argon2Params& params) {
  auto password = PasswordPolicy(kAdminPasswordLength).Generate();
  if (!password) return tl::unexpected(password.error());
  auto hash = HashPassword(*password, params);
  if (!hash) return tl::unexpected(hash.error());
  return NewPassword{std::move(*password), std::move(*hash)};
}

Json Fields(const AdminRecord& a) {
  return Json{{"role", RoleName(a.role)}, {"must_change_password", a.must_change_password}};
}

}  // namespace

Result<void> Service::PutAdminLocked(const AdminRecord& admin) {
  if (auto ok = store_->UpdateAdminLockout(admin.name, admin.lockout); !ok) return ok;
  std::lock_guard<std::mutex> lock(admins_mu_);
  admins_[admin.name] = admin;
  return common::Ok();
}

Result<std::string> Service::AddAdmin(const std::string& name, Role role) {
  if (auto ok = CheckAdminName(name); !ok) return tl::unexpected(ok.error());
  if (FindAdmin(name)) {
    return Fail(ErrorKind::kInvalidInput, "administrator '" + name + "' already exists");
  }
  auto made = MakeOneTimePassword(options_.argon2);  // Outside mu_: tens of ms.
  if (!made) return tl::unexpected(made.error());
  AdminRecord admin;
  admin.name = name;
  admin.role = role;
  admin.password_hash = std::move(made->hash);
  admin.must_change_password = true;
  admin.created_at = admin.password_changed_at = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (FindAdmin(name)) {  // Added meanwhile.
    return Fail(ErrorKind::kInvalidInput, "administrator '" + name + "' already exists");
  }
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  Json after = Fields(admin);
  after["created_at"] = common::FormatRfc3339(admin.created_at);
  if (auto ok = JournalLocked({"admin.add", name}, Json{{"admins", {{name, nullptr}}}},
                              Json{{"admins", {{name, after}}}});
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = store_->PutAdmin(admin); !ok) return tl::unexpected(ok.error());
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  std::lock_guard<std::mutex> admins_lock(admins_mu_);
  admins_[name] = std::move(admin);
  return std::move(made->password);
}

Result<void> Service::RemoveAdmin(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto admin = FindAdmin(name);
  if (!admin) return NoAdmin(name);
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  if (auto ok = JournalLocked({"admin.remove", name}, Json{{"admins", {{name, Fields(*admin)}}}},
                              Json{{"admins", {{name, nullptr}}}});
      !ok) {
    return ok;
  }
  if (auto ok = store_->DeleteAdmin(name); !ok) return ok;
  if (auto ok = txn->Commit(); !ok) return ok;
  std::lock_guard<std::mutex> admins_lock(admins_mu_);
  admins_.erase(name);
  return common::Ok();
}

Result<std::string> Service::ResetAdminPassword(const std::string& name) {
  if (!FindAdmin(name)) return NoAdmin(name);
  auto made = MakeOneTimePassword(options_.argon2);
  if (!made) return tl::unexpected(made.error());
  std::lock_guard<std::mutex> lock(mu_);
  auto admin = FindAdmin(name);
  if (!admin) return NoAdmin(name);  // Removed meanwhile.
  AdminRecord next = *admin;
  next.password_hash = std::move(made->hash);
  next.must_change_password = true;
  next.password_changed_at = clock_.Now();
  next.lockout = {};  // A fresh password: the old failures no longer count.
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  Json before = {{"must_change_password", admin->must_change_password},
                 {"password_changed_at", common::FormatRfc3339(admin->password_changed_at)}};
  Json after = {{"must_change_password", true},
                {"password_changed_at", common::FormatRfc3339(next.password_changed_at)}};
  if (auto ok = JournalLocked({"admin.reset-password", name}, Json{{"admins", {{name, before}}}},
                              Json{{"admins", {{name, after}}}});
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = store_->UpdateAdminPassword(next); !ok) return tl::unexpected(ok.error());
  if (auto ok = txn->Commit(); !ok) return tl::unexpected(ok.error());
  std::lock_guard<std::mutex> admins_lock(admins_mu_);
  admins_[name] = std::move(next);
  return std::move(made->password);
}

Result<void> Service::SetAdminPassword(const std::string& name, std::string hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto admin = FindAdmin(name);
  if (!admin) return NoAdmin(name);
  AdminRecord next = *admin;
  next.password_hash = std::move(hash);
  next.must_change_password = false;
  next.password_changed_at = clock_.Now();
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  Json after = {{"must_change_password", false},
                {"password_changed_at", common::FormatRfc3339(next.password_changed_at)}};
  if (auto ok = JournalLocked(
          {"admin.change-password", name},
          Json{{"admins", {{name, {{"must_change_password", admin->must_change_password}}}}}},
          Json{{"admins", {{name, after}}}});
      !ok) {
    return ok;
  }
  if (auto ok = store_->UpdateAdminPassword(next); !ok) return ok;
  if (auto ok = txn->Commit(); !ok) return ok;
  std::lock_guard<std::mutex> admins_lock(admins_mu_);
  admins_[name] = std::move(next);
  return common::Ok();
}

Result<void> Service::SaveAdminLockout(const std::string& name, const LockoutState& lockout) {
  std::lock_guard<std::mutex> lock(mu_);
  auto admin = FindAdmin(name);
  if (!admin) return NoAdmin(name);
  if (admin->lockout == lockout) return common::Ok();
  AdminRecord next = *admin;
  next.lockout = lockout;
  return PutAdminLocked(next);
}

std::vector<AdminRecord> Service::Admins() const {
  std::lock_guard<std::mutex> lock(admins_mu_);
  std::vector<AdminRecord> out;
  out.reserve(admins_.size());
  for (const auto& [name, admin] : admins_) out.push_back(admin);
  return out;
}

std::optional<AdminRecord> Service::FindAdmin(const std::string& name) const {
  std::lock_guard<std::mutex> lock(admins_mu_);
  auto it = admins_.find(name);
  if (it == admins_.end()) return std::nullopt;
  return it->second;
}

}  // namespace staffgate::central
