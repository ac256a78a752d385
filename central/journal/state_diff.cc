#include "central/journal/state_diff.h"

#include <functional>
#include <map>
#include <set>

namespace staffgate::central {

using common::Json;

namespace {

Json EmployeeFields(const EmployeeRecord& e) {
  Json uids = Json::object();
  for (const auto& [account, uid] : e.uids) uids[account] = uid;
  return Json{
      {"name", e.name},
      {"status", common::EmployeeStatusName(e.status)},
      {"accounts", e.accounts},
      {"groups", e.groups},
      {"credentials_reset_after", e.credentials_reset_after
                                      ? Json(common::FormatRfc3339(*e.credentials_reset_after))
                                      : Json(nullptr)},
      {"uids", std::move(uids)},
      {"valid_from", e.valid_from ? Json(common::FormatRfc3339(*e.valid_from)) : Json(nullptr)},
      {"pending", e.pending ? Json{{"status", common::EmployeeStatusName(e.pending->status)},
                                   {"at", common::FormatRfc3339(e.pending->at)}}
                            : Json(nullptr)}};
}

// The token as the journal may show it: which one, never its hash.
Json WorkstationFields(const WorkstationRecord& w, const char* token) {
  return Json{{"groups", w.groups}, {"token", token}};
}

Json PasswordFields(const PasswordRecord& p) {
  return Json{{"one_time", p.one_time}, {"changed_at", common::FormatRfc3339(p.changed_at)}};
}

Json PosixGroupFields(const PosixGroup& g) {
  return Json{{"gid", g.gid ? Json(*g.gid) : Json(nullptr)}, {"roles", g.roles}};
}

// Records in `diff` under `kind` what differs between two keyed
// collections; `fields(key, side)` is the object's field set (side 0:
// before, 1: after), or null when it does not exist on that side.
void DiffKeyed(StateDiff& diff, const char* kind, const std::set<std::string>& keys,
               const std::function<Json(const std::string&, int)>& fields) {
  for (const std::string& key : keys) {
    Json b = fields(key, 0), a = fields(key, 1);
    if (b == a) continue;
    if (b.is_null() || a.is_null()) {
      diff.before[kind][key] = std::move(b);
      diff.after[kind][key] = std::move(a);
      continue;
    }
    Json bd = Json::object(), ad = Json::object();
    for (const auto& [field, value] : a.items()) {
      if (b[field] == value) continue;
      bd[field] = b[field];
      ad[field] = value;
    }
    diff.before[kind][key] = std::move(bd);
    diff.after[kind][key] = std::move(ad);
  }
}

template <typename Map>
std::set<std::string> Keys(const Map& a, const Map& b) {
  std::set<std::string> out;
  for (const auto& [key, value] : a) out.insert(key);
  for (const auto& [key, value] : b) out.insert(key);
  return out;
}

template <typename Map, typename Fields>
Json Side(const Map& map, const std::string& key, Fields fields) {
  auto it = map.find(key);
  return it == map.end() ? Json(nullptr) : fields(it->second);
}

}  // namespace

StateDiff DiffState(const State& before, const State& after) {
  StateDiff diff;
  const State* sides[2] = {&before, &after};
  DiffKeyed(diff, "employees", Keys(before.employees, after.employees),
            [&](const std::string& key, int side) {
              return Side(sides[side]->employees, key, EmployeeFields);
            });
  DiffKeyed(diff, "passwords", Keys(before.passwords, after.passwords),
            [&](const std::string& key, int side) {
              return Side(sides[side]->passwords, key, PasswordFields);
            });
  DiffKeyed(diff, "workstations", Keys(before.workstations, after.workstations),
            [&](const std::string& key, int side) {
              auto it = sides[side]->workstations.find(key);
              if (it == sides[side]->workstations.end()) return Json(nullptr);
              auto other = sides[1 - side]->workstations.find(key);
              const bool same = other != sides[1 - side]->workstations.end() &&
                                other->second.token_hash == it->second.token_hash;
              return WorkstationFields(it->second, same ? "unchanged" : side == 0 ? "old" : "new");
            });
  DiffKeyed(diff, "posix_groups", Keys(before.posix_groups, after.posix_groups),
            [&](const std::string& key, int side) {
              return Side(sides[side]->posix_groups, key, PosixGroupFields);
            });
  std::set<std::string> shared = before.shared_accounts;
  shared.insert(after.shared_accounts.begin(), after.shared_accounts.end());
  DiffKeyed(diff, "shared_accounts", shared, [&](const std::string& key, int side) {
    return sides[side]->shared_accounts.contains(key) ? Json::object() : Json(nullptr);
  });
  if (before.max_workstations_per_account != after.max_workstations_per_account) {
    diff.before["policy"] = {{"max_workstations_per_account", before.max_workstations_per_account}};
    diff.after["policy"] = {{"max_workstations_per_account", after.max_workstations_per_account}};
  }
  return diff;
}

void FlattenSingle(Json& before, Json& after, const std::string& target) {
  auto single = [&](const Json& side) {
    return side.is_object() && side.size() == 1 && side.begin().value().is_object() &&
           side.begin().value().size() == 1 && side.begin().value().begin().key() == target;
  };
  if (target.empty() || !single(before) || !single(after) ||
      before.begin().key() != after.begin().key()) {
    return;
  }
  Json b = before.begin().value().begin().value();
  Json a = after.begin().value().begin().value();
  before = std::move(b);
  after = std::move(a);
}

JournalLabel DerivedLabel(const StateDiff& diff) {
  static const std::map<std::string, std::string> kSingular = {
      {"employees", "employee"},
      {"passwords", "password"},
      {"workstations", "workstation"},
      {"posix_groups", "posix-group"},
      {"shared_accounts", "shared-account"},
      {"policy", "policy"}};
  if (diff.after.size() != 1) return {"change", ""};
  auto first = diff.after.begin();
  const std::string kind = first.key();
  const Json& objects = first.value();
  auto singular = kSingular.find(kind);
  const std::string name = singular == kSingular.end() ? kind : singular->second;
  if (kind == "policy") return {"policy.set", ""};
  if (objects.size() != 1) return {name + ".change", ""};
  return {name + ".change", objects.begin().key()};
}

}  // namespace staffgate::central
