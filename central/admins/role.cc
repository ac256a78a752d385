#include "central/admins/role.h"

#include <array>

namespace staffgate::central {

namespace {

struct Row {
  Permission permission;
  bool owner, hr, it, auditor;
};

// The whole matrix; tests/unit/test_central_roles.cc checks every cell.
// clang-format off
constexpr std::array kMatrix = {
    //  permission                     owner  hr     it     auditor
    Row{Permission::kReadFleet,         true, true,  true,  true},
    Row{Permission::kChangeEmployees,   true, true,  false, false},
    Row{Permission::kManageWorkstations,true, false, true,  false},
    Row{Permission::kManageShared,      true, false, true,  false},
    Row{Permission::kManagePolicy,      true, false, true,  false},
    Row{Permission::kManageSessions,    true, false, true,  false},
    Row{Permission::kReadEvents,        true, true,  true,  true},
    Row{Permission::kReadReports,       true, true,  false, true},
    Row{Permission::kReadJournal,       true, false, false, true},
    Row{Permission::kManageAdmins,      true, false, false, false},
};
// clang-format on

}  // namespace

bool Allowed(Role role, Permission permission) {
  for (const Row& row : kMatrix) {
    if (row.permission != permission) continue;
    switch (role) {
      case Role::kOwner:
        return row.owner;
      case Role::kHr:
        return row.hr;
      case Role::kIt:
        return row.it;
      case Role::kAuditor:
        return row.auditor;
    }
  }
  return false;  // Fail closed on a permission missing from the table.
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kHr:
      return "hr";
    case Role::kIt:
      return "it";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kReadFleet:
      return "read the fleet";
    case Permission::kChangeEmployees:
      return "change employees";
    case Permission::kManageWorkstations:
      return "manage workstations";
    case Permission::kManageShared:
      return "manage shared accounts";
    case Permission::kManagePolicy:
      return "change the policy";
    case Permission::kManageSessions:
      return "end sessions";
    case Permission::kReadEvents:
      return "read events";
    case Permission::kReadReports:
      return "read reports";
    case Permission::kReadJournal:
      return "read the action journal";
    case Permission::kManageAdmins:
      return "manage administrators";
  }
  return "unknown";
}

common::Result<Role> ParseRole(std::string_view text) {
  for (Role role : {Role::kOwner, Role::kHr, Role::kIt, Role::kAuditor}) {
    if (text == RoleName(role)) return role;
  }
  if (text.empty()) {
    return common::Fail(common::ErrorKind::kInvalidInput,
                        "a role is required: owner, hr, it or auditor");
  }
  return common::Fail(
      common::ErrorKind::kInvalidInput,
      "unknown role '" + std::string(text.substr(0, 32)) + "' (use owner, hr, it or auditor)");
}

}  // namespace staffgate::central
