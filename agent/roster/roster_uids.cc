#include "agent/roster/roster_uids.h"

namespace staffgate::agent {

std::optional<std::string> RosterUidIndex::RosterAccountOf(const std::string& account,
                                                           const common::Roster& roster,
                                                           const UserDb& users) {
  auto uid = users.UidOf(account);
  if (!uid) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  if (built_for_ != &roster || built_serial_ != roster.serial) {
    by_uid_.clear();
    auto add = [&](const std::string& name) {
      if (auto found = users.UidOf(name)) by_uid_.emplace(*found, name);
    };
    for (const auto& employee : roster.employees) {
      for (const auto& name : employee.accounts) add(name);
    }
    for (const auto& name : roster.shared_accounts) add(name);
    built_for_ = &roster;
    built_serial_ = roster.serial;
  }
  auto it = by_uid_.find(*uid);
  if (it == by_uid_.end() || it->second == account) return std::nullopt;
  return it->second;
}

}  // namespace staffgate::agent
