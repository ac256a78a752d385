#include "common/roster_posix.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/str_cat.h"

namespace staffgate::common {
namespace {

// Longer display names are not a name any more; 256 bytes fits every
// login screen and keeps the NSS snapshot small.
constexpr std::size_t kMaxDisplayName = 256;

Result<std::uint64_t> IdField(JsonObject entry, const std::string& where, const char* key) {
  auto value = FindMember(entry, key);
  auto number = value ? AsUint(*value) : std::nullopt;
  if (!number) {
    return Fail(ErrorKind::kInvalidInput, where + ": \"" + key + "\" must be an unsigned integer");
  }
  return *number;
}

// Text that can stand in a passwd line and on a terminal: no ':' (the
// field separator), no control characters.
bool SafeGecos(std::string_view text) {
  if (text.size() > kMaxDisplayName) return false;
  return std::none_of(text.begin(), text.end(), [](char ch) {
    auto u = static_cast<unsigned char>(ch);
    return ch == ':' || u < 0x20 || u == 0x7f;
  });
}

void PruneAccounts(Roster& r) {
  std::map<std::uint32_t, std::vector<std::string>> holders;
  for (Employee& emp : r.employees) {
    for (auto it = emp.posix_uids.begin(); it != emp.posix_uids.end();) {
      const std::string& account = it->first;
      std::string why;
      if (std::find(emp.accounts.begin(), emp.accounts.end(), account) == emp.accounts.end()) {
        why = "is not one of employee " + emp.id + "'s accounts";
      } else if (!IsValidPosixName(account)) {
        why = "is not a valid user name";
      } else if (!IsValidPosixId(it->second)) {
        why = "has an invalid uid " + std::to_string(it->second);
      } else if (r.FindEmployee(account) != &emp) {
        why = "is refused as shared";
      }
      if (!why.empty()) {
        r.warnings.push_back(
            StrCat({"posix account '", account, "' ", why, "; it gets no identity"}));
        it = emp.posix_uids.erase(it);
        continue;
      }
      holders[it->second].push_back(account);
      ++it;
    }
    if (emp.display_name && !SafeGecos(*emp.display_name)) {
      r.warnings.push_back("employee " + emp.id +
                           ": display_name has ':' or control characters or is too long; "
                           "the employee id is shown instead");
      emp.display_name.reset();
    }
  }
  for (const auto& [uid, accounts] : holders) {
    if (accounts.size() < 2) continue;
    for (const std::string& account : accounts) {
      r.employees[r.account_index.at(account)].posix_uids.erase(account);
    }
    r.warnings.push_back("uid " + std::to_string(uid) + " is given to " +
                         std::to_string(accounts.size()) + " accounts; none of them gets it");
  }
}

void PruneGroups(Roster& r) {
  std::set<std::uint32_t> uids;
  std::set<std::string> names;
  for (const Employee& emp : r.employees) {
    for (const auto& [account, uid] : emp.posix_uids) {
      uids.insert(uid);
      names.insert(account);
    }
  }
  std::map<std::uint32_t, int> gid_uses;
  for (const auto& [name, group] : r.posix_groups) {
    if (group.gid) ++gid_uses[*group.gid];
  }
  for (auto it = r.posix_groups.begin(); it != r.posix_groups.end();) {
    const auto& [name, group] = *it;
    std::string why;
    if (!IsValidPosixName(name)) {
      why = "is not a valid group name";
    } else if (names.contains(name)) {
      why = "has the name of an account's own group";
    } else if (group.gid && !IsValidPosixId(*group.gid)) {
      why = "has an invalid gid " + std::to_string(*group.gid);
    } else if (group.gid && uids.contains(*group.gid)) {
      why = "has gid " + std::to_string(*group.gid) + ", an account's own group";
    } else if (group.gid && gid_uses[*group.gid] > 1) {
      why = "shares gid " + std::to_string(*group.gid) + " with another group";
    }
    if (why.empty()) {
      ++it;
      continue;
    }
    r.warnings.push_back(StrCat({"posix group '", name, "' ", why, "; it is not granted"}));
    it = r.posix_groups.erase(it);
  }
}

}  // namespace

bool IsValidPosixName(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] == '-' || name[0] == '.') return false;
  bool all_digits = true;
  for (char ch : name) {
    const bool digit = ch >= '0' && ch <= '9';
    all_digits = all_digits && digit;
    if (!(digit || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-' ||
          ch == '.')) {
      return false;
    }
  }
  return !all_digits;
}

bool IsValidPosixId(std::uint64_t id) {
  return id >= 1 && id <= 0x7fffffffU && id != 65534 && id != 65535;
}

Result<void> ParseEmployeePosix(JsonObject e, Employee& emp) {
  const std::string where = "employee " + emp.id;
  auto posix = OptionalObjectMember(e, "posix");
  if (!posix) return Fail(ErrorKind::kInvalidInput, where + ": " + posix.error().message);
  if (*posix) {
    for (auto [key, value] : **posix) {
      const std::string account(key);
      JsonObject entry;
      if (value.get(entry) != simdjson::SUCCESS) {
        return Fail(ErrorKind::kInvalidInput,
                    StrCat({where, ": posix '", account, "' must be an object"}));
      }
      auto uid = IdField(entry, StrCat({where, ": posix '", account, "'"}), "uid");
      if (!uid) return tl::unexpected(uid.error());
      // Out-of-range values are pruned later, per account; keep them
      // recognisable without wrapping around.
      emp.posix_uids[account] =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(*uid, 0xffffffffU));
    }
  }
  auto name = OptionalStringMember(e, "display_name");
  if (!name) return Fail(ErrorKind::kInvalidInput, where + ": " + name.error().message);
  if (*name) emp.display_name = std::string(**name);
  return Ok();
}

Result<void> ParsePosixGroups(JsonObject doc, Roster& r) {
  auto groups = OptionalObjectMember(doc, "posix_groups");
  if (!groups) return tl::unexpected(groups.error());
  if (!*groups) return Ok();
  for (auto [key, value] : **groups) {
    const std::string name(key);
    const std::string where = "posix group '" + name + "'";
    JsonObject entry;
    if (value.get(entry) != simdjson::SUCCESS)
      return Fail(ErrorKind::kInvalidInput, where + " must be an object");
    PosixGroup group;
    if (auto gid = FindMember(entry, "gid"); !IsAbsentOrNull(gid)) {
      auto number = IdField(entry, where, "gid");
      if (!number) return tl::unexpected(number.error());
      group.gid = static_cast<std::uint32_t>(std::min<std::uint64_t>(*number, 0xffffffffU));
    }
    auto roles = StringListMember(entry, "roles", {});
    if (!roles) return Fail(ErrorKind::kInvalidInput, where + ": " + roles.error().message);
    group.roles = std::move(*roles);
    r.posix_groups.emplace(name, std::move(group));
  }
  return Ok();
}

void PrunePosix(Roster& r) {
  PruneAccounts(r);
  PruneGroups(r);
}

}  // namespace staffgate::common
