// `staffgatectl id ACCOUNT` (docs/design.md §9): what libnss_staffgate
// answers for an account here (from the snapshot, as the module reads it)
// and, from the verified roster, why each posix group is or is not granted
// on this workstation. Reads files only: works while the agent is down.
#include <cstring>
#include <iostream>
#include <vector>

#include "agent/agent.h"
#include "agent/ctl/commands.h"
#include "agent/nss/group_grants.h"
#include "agent/nss/nss_snapshot.h"
#include "agent/nss/nss_writer.h"
#include "common/file_util.h"
#include "nss_module/snapshot_reader.h"

namespace staffgate::agent {
namespace {

// The snapshot bytes in 8-byte aligned storage, with a view on them.
struct LoadedSnapshot {
  std::vector<std::uint64_t> words;
  sg_nss_view view{};
};

common::Result<void> LoadSnapshot(const std::string& path, LoadedSnapshot& out) {
  auto bytes = common::ReadFileCapped(path, 1U << 30);
  if (!bytes) return tl::unexpected(bytes.error());
  out.words.assign(bytes->size() / 8 + 1, 0);
  std::memcpy(out.words.data(), bytes->data(), bytes->size());
  if (sg_nss_view_open(out.words.data(), bytes->size(), &out.view) != 0) {
    return common::Fail(common::ErrorKind::kInvalidInput, path + " is truncated or damaged");
  }
  return common::Ok();
}

std::string GroupLabel(const sg_nss_view& v, std::uint32_t gid) {
  const sg_nss_group* g = sg_nss_group_by_gid(&v, gid);
  return std::to_string(gid) + "(" + (g != nullptr ? sg_nss_str(&v, g->name) : "?") + ")";
}

void PrintSnapshotEntry(const sg_nss_view& v, const sg_nss_user& u) {
  const std::string name = sg_nss_str(&v, u.name);
  std::cout << "uid=" << u.uid << "(" << name << ") gid=" << u.gid << "(" << name
            << ") groups=" << u.gid << "(" << name << ")";
  for (std::uint32_t i = 0; i < u.gids_count; ++i)
    std::cout << "," << GroupLabel(v, v.words[u.gids_at + i]);
  std::cout << "\nshell: " << sg_nss_str(&v, u.shell) << "\nhome: " << sg_nss_str(&v, u.home)
            << "\ngecos: " << sg_nss_str(&v, u.gecos) << "\n";
}

std::string Why(const common::Roster& roster, const common::Employee& employee,
                const common::PosixGroup& group, const std::string& workstation) {
  GroupGrant grant = ExplainGrant(roster, employee, group, workstation);
  std::string roles;
  for (const auto& r : group.roles) roles += (roles.empty() ? "" : ", ") + r;
  if (grant.granted()) return "granted: role " + grant.role + ", permitted on " + workstation;
  std::string out = "not granted:";
  if (!grant.active)
    out += " employee is " + std::string(common::EmployeeStatusName(employee.status)) + ";";
  if (grant.role.empty())
    out += " holds none of its roles (" + (roles.empty() ? "none" : roles) + ");";
  if (!grant.permitted_here) out += " not permitted on " + workstation + ";";
  out.pop_back();
  return out;
}

void PrintGrants(const common::Roster& roster, const common::Employee& employee,
                 const NssModel& model, const std::string& workstation) {
  std::cout << "posix groups on " << workstation << ":\n";
  if (roster.posix_groups.empty()) std::cout << "  (the roster defines none)\n";
  for (const auto& [name, group] : roster.posix_groups) {
    std::cout << "  " << name
              << (group.gid ? " (gid " + std::to_string(*group.gid) + ")" : " (local group)")
              << ": " << Why(roster, employee, group, workstation);
    for (const NssSkip& skip : model.skipped) {
      if (skip.name == name) std::cout << " [not served here: " << skip.detail << "]";
    }
    std::cout << "\n";
  }
}

}  // namespace

int CmdId(const CtlContext& ctx, const std::string& account) {
  if (!ctx.config) {
    std::cerr << "staffgatectl: id needs the agent config: " << ctx.config_error << "\n";
    return kExitFailed;
  }
  const AgentConfig& config = *ctx.config;
  const std::string path = NssSnapshotPath(config.state_dir);
  LoadedSnapshot snapshot;
  auto loaded = LoadSnapshot(path, snapshot);
  const sg_nss_user* user = nullptr;
  std::cout << account << ": ";
  if (!loaded) {
    std::cout << "no usable NSS snapshot (" << loaded.error().message << ")\n";
  } else if ((user = sg_nss_user_by_name(&snapshot.view, account.c_str())) != nullptr) {
    PrintSnapshotEntry(snapshot.view, *user);
    std::cout << "snapshot: roster serial " << snapshot.view.header->serial << ", " << path << "\n";
  } else {
    std::cout << "not served by staffgate here (snapshot serial " << snapshot.view.header->serial
              << ")\n";
  }

  auto keys = LoadTrustedKeys(config);
  common::SystemClock clock;
  RosterStore store(config.state_dir, clock, [](int, const std::string&) {});
  std::shared_ptr<const common::Roster> roster;
  if (keys && store.Load(std::move(*keys))) roster = store.Current();
  if (!roster) {
    std::cout << "roster: no verified roster in " << store.RosterPath() << "\n";
    return user != nullptr ? kExitOk : kExitFailed;
  }
  const common::Employee* employee = roster->FindEmployee(account);
  if (employee == nullptr) {
    std::cout << "roster serial " << roster->serial << ": '" << account << "' is "
              << (roster->IsShared(account) ? "a shared or conflicting account"
                                            : "no employee's account")
              << "\n";
    return user != nullptr ? kExitOk : kExitFailed;
  }
  std::cout << "employee " << employee->id << " (" << common::EmployeeStatusName(employee->status)
            << "), roles:";
  for (const auto& g : employee->groups) std::cout << " " << g;
  std::cout << "\n";
  NssModel model;
  if (auto local = LoadLocalIdentities(LocalFiles::FromEnvironment())) {
    model = BuildNssModel(
        *roster, *local,
        {config.workstation, static_cast<std::uint32_t>(config.min_uid), config.nss_enumerate});
  }
  if (!employee->posix_uids.contains(account)) {
    std::cout << "identity: the roster gives '" << account << "' no uid\n";
  }
  for (const NssSkip& skip : model.skipped) {
    if (skip.name == account) std::cout << "identity: not served here: " << skip.detail << "\n";
  }
  PrintGrants(*roster, *employee, model, config.workstation);
  return user != nullptr ? kExitOk : kExitFailed;
}

}  // namespace staffgate::agent
