#include "central/validation.h"

#include <algorithm>
#include <map>

#include "common/str_cat.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

bool IsAlnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

std::string Shown(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, 64)) out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? '?' : ch;
  return out;
}

}  // namespace

bool IsValidAccountName(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  if (!(IsAlnum(name[0]) || name[0] == '_') || (name[0] >= '0' && name[0] <= '9')) return false;
  for (std::size_t i = 1; i < name.size(); ++i) {
    char ch = name[i];
    if (ch == '$' && i == name.size() - 1) continue;
    if (!(IsAlnum(ch) || ch == '_' || ch == '.' || ch == '-')) return false;
  }
  return true;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64 || !IsAlnum(id[0])) return false;
  return std::ranges::all_of(
      id, [](char ch) { return IsAlnum(ch) || ch == '_' || ch == '.' || ch == '-'; });
}

bool IsValidGroup(std::string_view group) { return group == "*" || IsValidId(group); }

Result<void> CheckAccountName(std::string_view name) {
  if (IsValidAccountName(name)) return common::Ok();
  return Fail(ErrorKind::kInvalidInput,
              "invalid account name '" + Shown(name) +
                  "': use 1-32 letters, digits, '_', '.', '-', starting with a letter or '_'");
}

Result<void> CheckEmployeeId(std::string_view id) {
  if (IsValidId(id)) return common::Ok();
  return Fail(ErrorKind::kInvalidInput,
              "invalid employee id '" + Shown(id) +
                  "': use 1-64 letters, digits, '_', '.', '-', starting with a letter or digit");
}

Result<void> CheckWorkstationName(std::string_view name) {
  if (IsValidId(name)) return common::Ok();
  return Fail(ErrorKind::kInvalidInput,
              "invalid workstation name '" + Shown(name) +
                  "': use 1-64 letters, digits, '_', '.', '-', starting with a letter or digit");
}

Result<void> CheckGroups(const std::vector<std::string>& groups) {
  for (const std::string& g : groups) {
    if (!IsValidGroup(g)) {
      return Fail(ErrorKind::kInvalidInput, "invalid group '" + Shown(g) +
                                                "': use \"*\" or 1-64 letters, digits, '_', '.', '-'");
    }
  }
  return common::Ok();
}

Result<void> CheckPersonName(std::string_view name) {
  if (name.size() > 200) return Fail(ErrorKind::kInvalidInput, "name is longer than 200 bytes");
  for (char ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return Fail(ErrorKind::kInvalidInput, "name contains control characters");
    }
  }
  return common::Ok();
}

Result<void> CheckPosixGroup(const PosixGroup& group) {
  if (!IsValidAccountName(group.name)) {
    return Fail(ErrorKind::kInvalidInput,
                "invalid posix group name '" + Shown(group.name) +
                    "': use 1-32 letters, digits, '_', '.', '-', starting with a letter or '_'");
  }
  if (group.roles.empty()) {
    return Fail(ErrorKind::kInvalidInput,
                "posix group '" + group.name + "' needs at least one role (--roles)");
  }
  for (const std::string& role : group.roles) {
    if (!IsValidId(role)) {
      return Fail(ErrorKind::kInvalidInput,
                  "posix group '" + group.name + "': invalid role '" + Shown(role) +
                      "': use a group name (1-64 letters, digits, '_', '.', '-'); "
                      "\"*\" is not a role");
    }
  }
  return common::Ok();
}

namespace {

// The employee that held `account` before the change, if any: the clash
// messages name the owner, not the newcomer (docs/design.md §5).
std::string PreviousOwner(const State* before, const std::string& account) {
  if (before == nullptr) return "";
  for (const auto& [id, e] : before->employees) {
    for (const std::string& a : e.accounts) {
      if (a == account) return id;
    }
  }
  return "";
}

}  // namespace

Result<void> CheckState(const State& state, const State* before) {
  std::map<std::string, std::string> owner;
  for (const std::string& shared : state.shared_accounts) {
    if (auto ok = CheckAccountName(shared); !ok) return ok;
  }
  for (const auto& [id, e] : state.employees) {
    if (auto ok = CheckEmployeeId(id); !ok) return ok;
    if (auto ok = CheckPersonName(e.name); !ok) return Fail(ErrorKind::kInvalidInput, "employee " + id + ": " + ok.error().message);
    if (auto ok = CheckGroups(e.groups); !ok) return Fail(ErrorKind::kInvalidInput, "employee " + id + ": " + ok.error().message);
    for (const std::string& account : e.accounts) {
      if (auto ok = CheckAccountName(account); !ok) return Fail(ErrorKind::kInvalidInput, "employee " + id + ": " + ok.error().message);
      if (state.shared_accounts.contains(account)) {
        if (PreviousOwner(before, account) == id && !before->shared_accounts.contains(account)) {
          return Fail(ErrorKind::kInvalidInput,
                      common::StrCat({"account '", account, "' belongs to employee ", id,
                                      "; it cannot also be a shared account"}));
        }
        return Fail(ErrorKind::kInvalidInput,
                    common::StrCat({"account '", account,
                                    "' is a shared account and cannot belong to employee ", id}));
      }
      auto [it, inserted] = owner.emplace(account, id);
      if (!inserted && it->second != id) {
        std::string held = it->second;
        std::string wanted = id;
        if (PreviousOwner(before, account) == id) std::swap(held, wanted);
        return Fail(ErrorKind::kInvalidInput,
                    common::StrCat({"account '", account, "' already belongs to employee ", held,
                                    "; it cannot also belong to ", wanted}));
      }
    }
  }
  for (const auto& [name, group] : state.posix_groups) {
    if (auto ok = CheckPosixGroup(group); !ok) return ok;
    if (auto it = owner.find(name); it != owner.end()) {
      return Fail(ErrorKind::kInvalidInput,
                  common::StrCat({"posix group '", name, "' has the name of account '", name,
                                  "' of employee ", it->second,
                                  " (every account has a private group of its name)"}));
    }
    if (state.shared_accounts.contains(name)) {
      return Fail(ErrorKind::kInvalidInput,
                  "posix group '" + name + "' has the name of a shared account");
    }
  }
  for (const auto& [name, ws] : state.workstations) {
    if (auto ok = CheckWorkstationName(name); !ok) return ok;
    if (auto ok = CheckGroups(ws.groups); !ok) return Fail(ErrorKind::kInvalidInput, "workstation " + name + ": " + ok.error().message);
  }
  return common::Ok();
}

std::vector<std::string> SplitList(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace staffgate::central
