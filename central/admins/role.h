// Administrator roles and what each may do (docs/design.md §11): one pure,
// table-driven check shared by /v1/admin and the console.
//
//   hr       changes employees (add, edit, status, import, credentials)
//   it       workstations, shared accounts, policy, posix groups, sessions
//   auditor  reads events, reports, rollout and the action journal
//   owner    everything, and manages administrators
//
// Every role reads employees, workstations, sessions, rollout and status
// (a confirmation page needs them); only owner and auditor read the
// journal; hr and it read events too (who tried to log in where).
// The bearer admin token of staffgate-admin acts as owner.
#ifndef STAFFGATE_CENTRAL_ADMINS_ROLE_H_
#define STAFFGATE_CENTRAL_ADMINS_ROLE_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::central {

enum class Role { kOwner, kHr, kIt, kAuditor };

enum class Permission {
  kReadFleet,           // Employees, workstations, sessions, rollout, status.
  kChangeEmployees,     // Add, status, credentials, passwords, import.
  kManageWorkstations,  // Add, groups, tokens, remove; posix groups.
  kManageShared,        // Shared accounts.
  kManagePolicy,        // Fleet policy.
  kManageSessions,      // End sessions.
  kReadEvents,          // Audit events.
  kReadReports,         // Leaver reports.
  kReadJournal,         // The action journal.
  kManageAdmins,        // Administrator accounts.
};

// Whether `role` may do `permission`. Total: every pair has an answer.
bool Allowed(Role role, Permission permission);

std::string_view RoleName(Role role);
std::string_view PermissionName(Permission permission);
// "owner", "hr", "it", "auditor" (exactly). Errors: kInvalidInput, one
// sentence naming the value (a blank role is an error, never a default).
common::Result<Role> ParseRole(std::string_view text);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ADMINS_ROLE_H_
