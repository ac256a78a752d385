// An administrator's account at the central (docs/design.md §11): a name,
// a role, an argon2id hash of the password (never the password), whether
// the password is a one-time one that must be changed at the next sign-in,
// and the sign-in lockout counters (auth/lockout.h decides with them).
#ifndef STAFFGATE_CENTRAL_ADMINS_ADMIN_RECORD_H_
#define STAFFGATE_CENTRAL_ADMINS_ADMIN_RECORD_H_

#include <string>
#include <string_view>

#include "central/admins/role.h"
#include "central/model.h"
#include "common/json_util.h"
#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

struct AdminRecord {
  std::string name;
  Role role = Role::kAuditor;
  std::string password_hash;  // argon2id encoding.
  bool must_change_password = true;
  common::UnixSeconds created_at = 0;
  common::UnixSeconds password_changed_at = 0;
  LockoutState lockout;  // Failed sign-ins and the lock, if any.

  bool operator==(const AdminRecord&) const = default;
};

inline constexpr std::size_t kMaxAdminNameLength = 64;

// 1 to 64 of [A-Za-z0-9._@-], starting with a letter or digit. Errors:
// kInvalidInput, one sentence naming the value.
common::Result<void> CheckAdminName(std::string_view name);

// What may be shown of an account (list, journal): never the hash.
common::Json AdminJson(const AdminRecord& admin);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ADMINS_ADMIN_RECORD_H_
