// The role -> permission matrix (docs/design.md §11), every cell, and the
// names that reach it.
#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "central/admins/admin_record.h"
#include "central/admins/role.h"

namespace {

using staffgate::central::Allowed;
using staffgate::central::CheckAdminName;
using staffgate::central::ParseRole;
using staffgate::central::Permission;
using staffgate::central::Role;

const std::vector<Role> kRoles = {Role::kOwner, Role::kHr, Role::kIt, Role::kAuditor};

// What each role may do, written out again here on purpose: a change to the
// table in role.cc must change this too.
const std::map<Permission, std::vector<Role>> kExpected = {
    {Permission::kReadFleet, {Role::kOwner, Role::kHr, Role::kIt, Role::kAuditor}},
    {Permission::kChangeEmployees, {Role::kOwner, Role::kHr}},
    {Permission::kManageWorkstations, {Role::kOwner, Role::kIt}},
    {Permission::kManageShared, {Role::kOwner, Role::kIt}},
    {Permission::kManagePolicy, {Role::kOwner, Role::kIt}},
    {Permission::kManageSessions, {Role::kOwner, Role::kIt}},
    {Permission::kReadEvents, {Role::kOwner, Role::kHr, Role::kIt, Role::kAuditor}},
    {Permission::kReadReports, {Role::kOwner, Role::kHr, Role::kAuditor}},
    {Permission::kReadJournal, {Role::kOwner, Role::kAuditor}},
    {Permission::kManageAdmins, {Role::kOwner}},
};

}  // namespace

TEST_CASE("roles: every cell of the permission matrix", "[central][admins]") {
  REQUIRE(kExpected.size() == 10);
  for (const auto& [permission, allowed] : kExpected) {
    for (Role role : kRoles) {
      const bool expected = std::find(allowed.begin(), allowed.end(), role) != allowed.end();
      INFO(staffgate::central::RoleName(role)
           << " may " << staffgate::central::PermissionName(permission));
      CHECK(Allowed(role, permission) == expected);
    }
  }
}

TEST_CASE("roles: the owner may do everything, the auditor changes nothing", "[central][admins]") {
  for (const auto& [permission, allowed] : kExpected) {
    CHECK(Allowed(Role::kOwner, permission));
    const bool reads =
        permission == Permission::kReadFleet || permission == Permission::kReadEvents ||
        permission == Permission::kReadReports || permission == Permission::kReadJournal;
    CHECK(Allowed(Role::kAuditor, permission) == reads);
  }
}

TEST_CASE("roles: parsed exactly, blank and unknown refused naming the value",
          "[central][admins]") {
  CHECK(*ParseRole("owner") == Role::kOwner);
  CHECK(*ParseRole("hr") == Role::kHr);
  CHECK(*ParseRole("it") == Role::kIt);
  CHECK(*ParseRole("auditor") == Role::kAuditor);
  auto blank = ParseRole("");
  REQUIRE_FALSE(blank);
  CHECK(blank.error().message == "a role is required: owner, hr, it or auditor");
  auto unknown = ParseRole("Owner");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "unknown role 'Owner' (use owner, hr, it or auditor)");
}

TEST_CASE("admin names: checked, the refusal names the value", "[central][admins]") {
  CHECK(CheckAdminName("alice"));
  CHECK(CheckAdminName("a.smith-2@dealer"));
  CHECK(CheckAdminName(std::string(64, 'a')));
  CHECK_FALSE(CheckAdminName(std::string(65, 'a')));
  CHECK_FALSE(CheckAdminName(""));
  CHECK_FALSE(CheckAdminName("-alice"));
  CHECK_FALSE(CheckAdminName("al ice"));
  CHECK_FALSE(CheckAdminName("al\xc3\xa9"));
  auto bad = CheckAdminName("bad/name");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("'bad/name'") != std::string::npos);
  CHECK(CheckAdminName("a\nb").error().message.find("'a?b'") != std::string::npos);
}
