#include "central/posix_ids.h"

#include <optional>

#include "common/str_cat.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

// The highest id in `range` handed out from the serial sequence (adopted
// ids do not move it), or nullopt when none was.
template <typename Grant>
std::optional<std::uint32_t> HighWater(const std::map<std::uint32_t, Grant>& grants,
                                       const IdRange& range) {
  auto it = grants.upper_bound(range.last);
  while (it != grants.begin()) {
    --it;
    if (it->first < range.first) break;
    if (!it->second.adopted) return it->first;
  }
  return std::nullopt;
}

// The next free id at or after `from` in `range`, or nullopt when full.
std::optional<std::uint32_t> NextFree(const PosixIds& ids, std::uint32_t from,
                                      const IdRange& range) {
  for (std::uint32_t id = std::max(from, range.first); id <= range.last; ++id) {
    if (IsAssignableId(id) && !ids.Used(id)) return id;
  }
  return std::nullopt;
}

std::string Describe(const UidGrant& g) {
  return "account '" + g.account + "' (employee " + g.employee_id + ")";
}

// Why `id` cannot be adopted by someone new, or empty when it can.
std::string WhyNotAdoptable(const PosixIds& ids, std::uint32_t id, const char* what) {
  const std::string n = std::string(what) + " " + std::to_string(id);
  if (auto u = ids.uids.find(id); u != ids.uids.end())
    return n + " is already the uid of " + Describe(u->second);
  if (auto g = ids.gids.find(id); g != ids.gids.end()) {
    return n + " is already the gid of posix group '" + g->second.group + "'";
  }
  if (!IsAssignableId(id)) {
    return n + " cannot be used: give one from " + std::to_string(kMinPosixId) + " to " +
           std::to_string(kMaxPosixId) + ", not 65534 or 65535";
  }
  return {};
}

}  // namespace

bool IsAssignableId(std::uint32_t id) {
  return id >= kMinPosixId && id <= kMaxPosixId && id != 65534 && id != 65535;
}

std::string FormatRange(const IdRange& range) {
  return "[" + std::to_string(range.first) + ", " + std::to_string(range.last) + "]";
}

Result<void> AssignUids(State& state, const IdRange& range) {
  PosixIds& ids = state.ids;
  std::optional<std::uint32_t> cursor;  // Next serial candidate, found on first use.
  for (auto& [id, e] : state.employees) {
    std::map<std::string, std::uint32_t> uids;
    for (const std::string& account : e.accounts) {
      auto had = ids.uid_of.find({id, account});
      auto requested = e.uids.find(account);
      if (requested != e.uids.end() && had == ids.uid_of.end()) {
        const std::uint32_t uid = requested->second;
        if (std::string why = WhyNotAdoptable(ids, uid, "uid"); !why.empty()) {
          return Fail(ErrorKind::kInvalidInput,
                      common::StrCat({why, "; account '", account, "' cannot adopt it"}));
        }
        ids.uids[uid] = UidGrant{id, account, true};
        ids.uid_of[{id, account}] = uid;
        uids[account] = uid;
        continue;
      }
      if (had != ids.uid_of.end()) {
        if (requested != e.uids.end() && requested->second != had->second) {
          return Fail(
              ErrorKind::kInvalidInput,
              common::StrCat({"account '", account, "' of employee ", id, " already has uid ",
                              std::to_string(had->second), ", and a uid never changes"}));
        }
        uids[account] = had->second;
        continue;
      }
      if (!cursor) {
        auto top = HighWater(ids.uids, range);
        cursor = top ? *top + 1 : range.first;
      }
      auto uid = NextFree(ids, *cursor, range);
      if (!uid) {
        return Fail(
            ErrorKind::kInvalidInput,
            common::StrCat({"uid_range ", FormatRange(range), " is full: no uid left for account '",
                            account, "' of employee ", id, "; widen uid_range in central.conf"}));
      }
      ids.uids[*uid] = UidGrant{id, account, false};
      ids.uid_of[{id, account}] = *uid;
      uids[account] = *uid;
      cursor = *uid + 1;
    }
    e.uids = std::move(uids);
  }
  return common::Ok();
}

Result<void> AssignGid(State& state, PosixGroup& group, std::optional<std::uint32_t> requested,
                       bool local, const IdRange& range) {
  PosixIds& ids = state.ids;
  if (local) {
    if (requested) {
      return Fail(ErrorKind::kInvalidInput,
                  "posix group '" + group.name +
                      "' is a local group: the workstation's own gid is used, give no gid");
    }
    group.gid.reset();
    return common::Ok();
  }
  if (requested) {
    auto same = ids.gids.find(*requested);
    if (same == ids.gids.end() || same->second.group != group.name) {
      if (std::string why = WhyNotAdoptable(ids, *requested, "gid"); !why.empty()) {
        return Fail(ErrorKind::kInvalidInput,
                    why + "; posix group '" + group.name + "' cannot adopt it");
      }
      ids.gids[*requested] = GidGrant{group.name, true};
    }
    group.gid = *requested;
    return common::Ok();
  }
  auto top = HighWater(ids.gids, range);
  auto gid = NextFree(ids, top ? *top + 1 : range.first, range);
  if (!gid) {
    return Fail(ErrorKind::kInvalidInput, "gid_range " + FormatRange(range) +
                                              " is full: no gid left for posix group '" +
                                              group.name + "'; widen gid_range in central.conf");
  }
  ids.gids[*gid] = GidGrant{group.name, false};
  group.gid = *gid;
  return common::Ok();
}

}  // namespace staffgate::central
