// Service: posix groups and the Unix ids' share of each change
// (docs/design.md §9).
#include <algorithm>

#include "central/service.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

Result<PosixGroup> Service::AddPosixGroup(const std::string& name, std::optional<std::uint32_t> gid,
                                          bool local, std::vector<std::string> roles) {
  PosixGroup group;
  group.name = name;
  for (std::string& role : roles) {
    if (std::find(group.roles.begin(), group.roles.end(), role) == group.roles.end()) {
      group.roles.push_back(std::move(role));
    }
  }
  auto changed = Change(
      [&](State& s) -> Result<void> {
        if (s.posix_groups.contains(name)) {
          return Fail(ErrorKind::kInvalidInput,
                      "posix group '" + name.substr(0, 64) + "' already exists");
        }
        // Checked first so a bad name is named before a full gid_range is.
        if (auto ok = CheckPosixGroup(group); !ok) return ok;
        if (auto ok = AssignGid(s, group, gid, local, options_.gid_range); !ok) return ok;
        s.posix_groups[name] = group;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"posix-group.add", name});
  if (!changed) return tl::unexpected(changed.error());
  return group;
}

Result<void> Service::RemovePosixGroup(const std::string& name) {
  auto changed = Change(
      [&](State& s) -> Result<void> {
        if (s.posix_groups.erase(name) == 0U) {
          return Fail(ErrorKind::kNotFound, "no posix group '" + name.substr(0, 64) + "'");
        }
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"posix-group.remove", name});
  if (!changed) return tl::unexpected(changed.error());
  return common::Ok();
}

std::vector<PosixGroup> Service::PosixGroups() const {
  std::vector<PosixGroup> out;
  for (const auto& [name, g] : CurrentSnapshot()->state.posix_groups) out.push_back(g);
  return out;
}

Result<void> Service::PersistPosixLocked(const State& next, common::UnixSeconds now) {
  for (const auto& [uid, grant] : next.ids.uids) {
    if (!state_.ids.uids.contains(uid)) {
      if (auto ok = store_->PutUidGrant(uid, grant, now); !ok) return ok;
    }
  }
  for (const auto& [gid, grant] : next.ids.gids) {
    if (!state_.ids.gids.contains(gid)) {
      if (auto ok = store_->PutGidGrant(gid, grant, now); !ok) return ok;
    }
  }
  for (const auto& [name, group] : state_.posix_groups) {
    if (!next.posix_groups.contains(name)) {
      if (auto ok = store_->RemovePosixGroup(name); !ok) return ok;
    }
  }
  for (const auto& [name, group] : next.posix_groups) {
    auto old = state_.posix_groups.find(name);
    if (old == state_.posix_groups.end() || !(old->second == group)) {
      if (auto ok = store_->PutPosixGroup(group); !ok) return ok;
    }
  }
  return common::Ok();
}

}  // namespace staffgate::central
