// Which posix groups an employee gets on this workstation (docs/design.md
// §9): a group is granted when the employee is active, holds one of the
// group's roles (a role is one of the employee's `groups`; "*" there only
// means "any workstation", never "every role"), and is permitted on this
// workstation by the §3 group rule. Used by the NSS snapshot, by the
// revoker (a lost group ends the sessions) and by `staffgatectl id`.
#ifndef STAFFGATE_AGENT_NSS_GROUP_GRANTS_H_
#define STAFFGATE_AGENT_NSS_GROUP_GRANTS_H_

#include <set>
#include <string>

#include "common/roster.h"

namespace staffgate::agent {

struct GroupGrant {
  bool active = false;          // Employee status is active.
  std::string role;             // The first of the group's roles held; empty: none.
  bool permitted_here = false;  // §3 group rule for this workstation.
  bool granted() const { return active && !role.empty() && permitted_here; }
};

GroupGrant ExplainGrant(const common::Roster& roster, const common::Employee& employee,
                        const common::PosixGroup& group, const std::string& workstation);

// Names of the posix groups granted to `employee` here.
std::set<std::string> GrantedGroups(const common::Roster& roster, const common::Employee& employee,
                                    const std::string& workstation);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_NSS_GROUP_GRANTS_H_
