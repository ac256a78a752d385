#include "central/admins/admin_record.h"

#include <cctype>

namespace staffgate::central {

common::Result<void> CheckAdminName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxAdminNameLength &&
            std::isalnum(static_cast<unsigned char>(name.front())) != 0;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) == 0 && ch != '.' && ch != '_' && ch != '-' && ch != '@') ok = false;
    if (c >= 0x80) ok = false;  // isalnum is locale-dependent; ASCII only.
  }
  if (ok) return common::Ok();
  std::string shown;
  for (char ch : name.substr(0, kMaxAdminNameLength)) {
    const auto c = static_cast<unsigned char>(ch);
    shown += c >= 0x20 && c < 0x7f ? ch : '?';
  }
  return common::Fail(common::ErrorKind::kInvalidInput,
                      "administrator name '" + shown +
                          "' must be 1 to 64 letters, digits, '.', '_', '-' or '@', "
                          "starting with a letter or digit");
}

common::Json AdminJson(const AdminRecord& admin) {
  common::Json out = {{"name", admin.name},
                      {"role", RoleName(admin.role)},
                      {"must_change_password", admin.must_change_password},
                      {"created_at", common::FormatRfc3339(admin.created_at)},
                      {"password_changed_at", common::FormatRfc3339(admin.password_changed_at)},
                      {"failed_sign_ins", admin.lockout.failures.size()}};
  out["locked_until"] = admin.lockout.locked_until
                            ? common::Json(common::FormatRfc3339(*admin.lockout.locked_until))
                            : common::Json(nullptr);
  return out;
}

}  // namespace staffgate::central
