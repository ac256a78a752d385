#include "agent/nss/nss_snapshot.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <unordered_map>

#include "agent/nss/group_grants.h"
#include "nss_module/snapshot_format.h"

namespace staffgate::agent {
namespace {

// A passwd line cannot hold ':' or control characters.
std::string Gecos(const common::Employee& employee) {
  const std::string& text = employee.display_name ? *employee.display_name : employee.id;
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == ':' || u < 0x20 || u == 0x7f) return "";
  }
  return text;
}

// Resolves the posix groups served here: name -> gid, skipping clashes.
std::map<std::string, NssGroup> ServedGroups(const common::Roster& roster,
                                             const LocalIdentities& local,
                                             std::vector<NssSkip>& skipped) {
  std::map<std::string, NssGroup> out;
  for (const auto& [name, group] : roster.posix_groups) {
    NssGroup served;
    served.name = name;
    if (group.gid) {
      if (local.groups.contains(name)) {
        skipped.push_back({name, "group '" + name + "' exists in /etc/group; the local one wins"});
        continue;
      }
      if (local.gids.contains(*group.gid)) {
        skipped.push_back({name, "gid " + std::to_string(*group.gid) + " of group '" + name +
                                     "' is taken in /etc/group"});
        continue;
      }
      served.gid = *group.gid;
    } else {
      auto it = local.groups.find(name);
      if (it == local.groups.end() || it->second == 0) {
        skipped.push_back({name, "local group '" + name + "' is not in /etc/group"});
        continue;
      }
      served.gid = it->second;
      served.local = true;
    }
    out.emplace(name, std::move(served));
  }
  return out;
}

std::string SkipReason(const std::string& account, std::uint32_t uid, const LocalIdentities& local,
                       const NssOptions& options) {
  if (uid < options.min_uid) return "uid " + std::to_string(uid) + " is below min_uid";
  if (local.user_names.contains(account))
    return "'" + account + "' exists in /etc/passwd; the local one wins";
  if (local.groups.contains(account))
    return "'" + account + "' is a group in /etc/group; the local one wins";
  if (local.uids.contains(uid))
    return "uid " + std::to_string(uid) + " of '" + account + "' is taken in /etc/passwd";
  if (local.gids.contains(uid))
    return "gid " + std::to_string(uid) + " of '" + account + "' is taken in /etc/group";
  return "";
}

}  // namespace

NssModel BuildNssModel(const common::Roster& roster, const LocalIdentities& local,
                       const NssOptions& options) {
  NssModel model;
  std::map<std::string, NssGroup> groups = ServedGroups(roster, local, model.skipped);
  for (const common::Employee& employee : roster.employees) {
    if (employee.posix_uids.empty()) continue;
    const bool active = employee.status == common::EmployeeStatus::kActive;
    std::set<std::string> granted;
    if (active) granted = GrantedGroups(roster, employee, options.workstation);
    for (const auto& [account, uid] : employee.posix_uids) {
      if (std::string why = SkipReason(account, uid, local, options); !why.empty()) {
        model.skipped.push_back({account, why});
        continue;
      }
      NssUser user{
          account, uid, Gecos(employee), "/home/" + account, active ? kLoginShell : kNoLoginShell,
          {}};
      for (const std::string& name : granted) {
        auto it = groups.find(name);
        if (it == groups.end()) continue;
        user.gids.push_back(it->second.gid);
        it->second.members.push_back(account);
      }
      std::sort(user.gids.begin(), user.gids.end());
      model.users.push_back(std::move(user));
    }
  }
  std::sort(model.users.begin(), model.users.end(),
            [](const NssUser& a, const NssUser& b) { return a.uid < b.uid; });
  for (auto& [name, group] : groups) {
    std::sort(group.members.begin(), group.members.end());
    model.groups.push_back(std::move(group));
  }
  std::sort(model.groups.begin(), model.groups.end(),
            [](const NssGroup& a, const NssGroup& b) { return a.gid < b.gid; });
  return model;
}

namespace {

class StringPool {
 public:
  std::uint32_t Add(const std::string& s) {
    auto [it, inserted] = index_.emplace(s, static_cast<std::uint32_t>(bytes_.size()));
    if (inserted) bytes_.append(s.c_str(), s.size() + 1);
    return it->second;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::unordered_map<std::string, std::uint32_t> index_;
  std::string bytes_;
};

template <typename T>
void Append(std::string& out, const T* items, std::size_t count) {
  out.append(reinterpret_cast<const char*>(items), count * sizeof(T));
}

// Indices of `items` ordered by name (strcmp order: the reader's).
template <typename T>
std::vector<std::uint32_t> ByName(const std::vector<T>& items) {
  std::vector<std::uint32_t> order(items.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::strcmp(items[a].name.c_str(), items[b].name.c_str()) < 0;
  });
  return order;
}

}  // namespace

std::string EncodeNssSnapshot(const NssModel& model, std::uint64_t serial,
                              const NssOptions& options) {
  StringPool strings;
  strings.Add("");
  std::vector<std::uint32_t> words;
  std::vector<sg_nss_user> users;
  users.reserve(model.users.size());
  for (const NssUser& u : model.users) {
    sg_nss_user rec{};
    rec.uid = u.uid;
    rec.gid = u.uid;
    rec.name = strings.Add(u.name);
    rec.gecos = strings.Add(u.gecos);
    rec.home = strings.Add(u.home);
    rec.shell = strings.Add(u.shell);
    rec.gids_at = static_cast<std::uint32_t>(words.size());
    rec.gids_count = static_cast<std::uint32_t>(u.gids.size());
    words.insert(words.end(), u.gids.begin(), u.gids.end());
    users.push_back(rec);
  }
  std::vector<sg_nss_group> groups;
  for (const NssGroup& g : model.groups) {
    sg_nss_group rec{};
    rec.gid = g.gid;
    rec.name = strings.Add(g.name);
    rec.members_at = static_cast<std::uint32_t>(words.size());
    rec.members_count = static_cast<std::uint32_t>(g.members.size());
    rec.flags = g.local ? SG_NSS_GROUP_LOCAL : 0;
    for (const std::string& m : g.members) words.push_back(strings.Add(m));
    groups.push_back(rec);
  }
  const std::vector<std::uint32_t> user_by_name = ByName(model.users);
  const std::vector<std::uint32_t> group_by_name = ByName(model.groups);

  sg_nss_header header{};
  std::memcpy(header.magic, SG_NSS_MAGIC, sizeof(header.magic));
  header.version = SG_NSS_VERSION;
  header.header_size = sizeof(header);
  header.serial = serial;
  header.flags = options.enumerate ? SG_NSS_FLAG_ENUMERATE : 0;
  header.min_uid = options.min_uid;
  header.user_count = static_cast<std::uint32_t>(users.size());
  header.group_count = static_cast<std::uint32_t>(groups.size());
  header.word_count = static_cast<std::uint32_t>(words.size());
  header.string_bytes = static_cast<std::uint32_t>(strings.bytes().size());

  std::string out(sizeof(header), '\0');
  Append(out, users.data(), users.size());
  Append(out, user_by_name.data(), user_by_name.size());
  Append(out, groups.data(), groups.size());
  Append(out, group_by_name.data(), group_by_name.size());
  Append(out, words.data(), words.size());
  out += strings.bytes();
  header.file_size = out.size();
  std::memcpy(out.data(), &header, sizeof(header));
  header.checksum =
      sg_nss_checksum(reinterpret_cast<const unsigned char*>(out.data()) + SG_NSS_CHECKSUM_FROM,
                      out.size() - SG_NSS_CHECKSUM_FROM);
  std::memcpy(out.data(), &header, sizeof(header));
  return out;
}

}  // namespace staffgate::agent
