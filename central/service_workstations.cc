// Service: registering, re-grouping, re-keying and removing workstations
// (docs/design.md §5). Each goes through Change(), so the token map and the
// roster's `workstations` follow in the same step: a rotated or removed
// token is refused from the next request on.
#include "central/service.h"
#include "central/tokens.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

tl::unexpected<common::Error> NoWorkstation(const std::string& name) {
  return Fail(ErrorKind::kNotFound, "no workstation named '" + name.substr(0, 64) +
                                        "' (staffgate-admin workstation list shows them)");
}

}  // namespace

Result<std::string> Service::AddWorkstation(const std::string& name,
                                            std::vector<std::string> groups) {
  if (auto ok = CheckWorkstationName(name); !ok) return tl::unexpected(ok.error());
  auto token = NewToken();
  if (!token) return tl::unexpected(token.error());
  const std::string hash = TokenHash(*token);
  const common::UnixSeconds now = clock_.Now();
  auto changed = Change(
      [&](State& s) -> Result<void> {
        if (s.workstations.contains(name)) {
          return Fail(ErrorKind::kInvalidInput,
                      "workstation " + name +
                          " already exists; its agent keeps its token (for a new one: "
                          "staffgate-admin workstation rotate-token " +
                          name + ")");
        }
        WorkstationRecord& w = s.workstations[name];
        w.name = name;
        w.created_at = now;
        w.groups = std::move(groups);
        w.token_hash = hash;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"workstation.add", name});
  if (!changed) return tl::unexpected(changed.error());
  ForgetContacts(name);  // A name registered again starts afresh.
  return *token;
}

Result<void> Service::SetWorkstationGroups(const std::string& name,
                                           std::vector<std::string> groups) {
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.workstations.find(name);
        if (it == s.workstations.end()) return NoWorkstation(name);
        it->second.groups = std::move(groups);
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"workstation.set-groups", name});
  if (!changed) return tl::unexpected(changed.error());
  return common::Ok();
}

Result<std::string> Service::RotateWorkstationToken(const std::string& name) {
  auto token = NewToken();
  if (!token) return tl::unexpected(token.error());
  const std::string hash = TokenHash(*token);
  auto changed = Change(
      [&](State& s) -> Result<void> {
        auto it = s.workstations.find(name);
        if (it == s.workstations.end()) return NoWorkstation(name);
        it->second.token_hash = hash;
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"workstation.rotate-token", name});
  if (!changed) return tl::unexpected(changed.error());
  return *token;
}

Result<void> Service::RemoveWorkstation(const std::string& name) {
  auto changed = Change(
      [&](State& s) -> Result<void> {
        if (s.workstations.erase(name) == 0) return NoWorkstation(name);
        return common::Ok();
      },
      ChangeMode::kIfChanged, {"workstation.remove", name});
  if (!changed) return tl::unexpected(changed.error());
  ForgetContacts(name);
  return common::Ok();
}

}  // namespace staffgate::central
