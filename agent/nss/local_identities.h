// The names and ids already taken on this workstation, read from
// /etc/passwd and /etc/group as files (never through NSS: that would ask
// our own module). Local wins (docs/design.md §9): a roster identity whose
// name or id is taken here is left out of the NSS snapshot and audited.
#ifndef STAFFGATE_AGENT_NSS_LOCAL_IDENTITIES_H_
#define STAFFGATE_AGENT_NSS_LOCAL_IDENTITIES_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::agent {

struct LocalIdentities {
  std::set<std::string> user_names;
  std::set<std::uint32_t> uids;
  std::map<std::string, std::uint32_t> groups;  // name -> gid
  std::set<std::uint32_t> gids;

  bool NameTaken(const std::string& name) const {
    return user_names.contains(name) || groups.contains(name);
  }
  bool IdTaken(std::uint32_t id) const { return uids.contains(id) || gids.contains(id); }
};

// Parses passwd(5) and group(5) text. Malformed lines (too few fields, a
// non-numeric id) are skipped; NIS "+"/"-" lines are ignored.
LocalIdentities ParseLocalIdentities(std::string_view passwd, std::string_view group);

// Where the local files are. The agent reads /etc/passwd and /etc/group;
// STAFFGATE_ETC_PASSWD / STAFFGATE_ETC_GROUP override them (tests, which
// point nss_wrapper at the same files).
struct LocalFiles {
  std::string passwd = "/etc/passwd";
  std::string group = "/etc/group";
  static LocalFiles FromEnvironment();
};

// Reads both files (each capped at 64 MiB). Errors: kIo, kNotFound,
// kTooLarge naming the file; the caller then writes no snapshot (it could
// not tell clashes apart).
common::Result<LocalIdentities> LoadLocalIdentities(const LocalFiles& files);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_NSS_LOCAL_IDENTITIES_H_
