// The NSS snapshot the agent writes for libnss_staffgate.so.2
// (docs/design.md §9; file format in nss_module/snapshot_format.h).
// BuildNssModel turns the roster into passwd and group entries for this
// workstation; EncodeNssSnapshot lays them out for the module. Both pure.
#ifndef STAFFGATE_AGENT_NSS_NSS_SNAPSHOT_H_
#define STAFFGATE_AGENT_NSS_NSS_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "agent/nss/local_identities.h"
#include "common/roster.h"

namespace staffgate::agent {

inline constexpr char kLoginShell[] = "/bin/bash";
inline constexpr char kNoLoginShell[] = "/usr/sbin/nologin";

struct NssUser {
  std::string name;
  std::uint32_t uid = 0;  // Also the gid of the user's private group.
  std::string gecos;
  std::string home;
  std::string shell;
  std::vector<std::uint32_t> gids;  // Granted posix groups, ascending.
};

struct NssGroup {
  std::string name;
  std::uint32_t gid = 0;
  bool local = false;  // A local group: staffgate only adds members.
  std::vector<std::string> members;
};

// A roster identity left out, for the audit trail.
struct NssSkip {
  std::string name;    // Account or group name.
  std::string detail;  // Why, in plain words.
};

struct NssModel {
  std::vector<NssUser> users;    // By uid.
  std::vector<NssGroup> groups;  // By gid.
  std::vector<NssSkip> skipped;
};

struct NssOptions {
  std::string workstation;
  std::uint32_t min_uid = 1000;
  bool enumerate = false;
};

// Every account with a posix uid becomes a user unless its uid is below
// min_uid or its name or uid is taken locally (then skipped). Terminated
// and suspended employees keep their entry with the nologin shell and no
// groups. Posix groups with a gid are served unless their name or gid is
// taken locally; those without are resolved in /etc/group (skipped when
// missing). Members: the users granted the group here (group_grants.h).
NssModel BuildNssModel(const common::Roster& roster, const LocalIdentities& local,
                       const NssOptions& options);

// The file bytes (header, sorted tables, checksum).
std::string EncodeNssSnapshot(const NssModel& model, std::uint64_t serial,
                              const NssOptions& options);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_NSS_NSS_SNAPSHOT_H_
