#include "agent/nss/group_grants.h"

#include <algorithm>

namespace staffgate::agent {

GroupGrant ExplainGrant(const common::Roster& roster, const common::Employee& employee,
                        const common::PosixGroup& group, const std::string& workstation) {
  GroupGrant grant;
  grant.active = employee.status == common::EmployeeStatus::kActive;
  for (const std::string& role : group.roles) {
    if (role != "*" &&
        std::find(employee.groups.begin(), employee.groups.end(), role) != employee.groups.end()) {
      grant.role = role;
      break;
    }
  }
  grant.permitted_here = common::GroupsPermit(employee.groups, roster.GroupsOf(workstation));
  return grant;
}

std::set<std::string> GrantedGroups(const common::Roster& roster, const common::Employee& employee,
                                    const std::string& workstation) {
  std::set<std::string> out;
  for (const auto& [name, group] : roster.posix_groups) {
    if (ExplainGrant(roster, employee, group, workstation).granted()) out.insert(name);
  }
  return out;
}

}  // namespace staffgate::agent
