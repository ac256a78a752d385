// Unix ids for roster identities (docs/design.md §9): a uid per employee
// account and a gid per posix group, handed out serially from the ranges
// in central.conf and never handed out twice. Pure functions over State,
// run by the Service inside each change, so a change that cannot get its
// ids (a full range, a taken id) is refused whole.
#ifndef STAFFGATE_CENTRAL_POSIX_IDS_H_
#define STAFFGATE_CENTRAL_POSIX_IDS_H_

#include <cstdint>
#include <string>

#include "central/model.h"
#include "common/result.h"

namespace staffgate::central {

struct IdRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;

  bool Contains(std::uint32_t id) const { return id >= first && id <= last; }
  bool operator==(const IdRange&) const = default;
};

inline constexpr IdRange kDefaultUidRange{20000, 59999};
inline constexpr IdRange kDefaultGidRange{30000, 39999};
// Ids below are system accounts; above, the kernel and tools misbehave
// (negative when read as int32). 65534/65535 (nobody, -1 as uint16) are
// never handed out either.
inline constexpr std::uint32_t kMinPosixId = 1000;
inline constexpr std::uint32_t kMaxPosixId = 2147483646;

// Whether `id` may be handed out at all (range and reserved values).
bool IsAssignableId(std::uint32_t id);

// Gives every account of every employee its uid: the one it was given
// before (same employee and account, even after the account was removed
// and put back), a requested one (EmployeeRecord::uids set by the caller,
// adopted when no one ever had it), or the next serial uid from `range`.
// Uids of accounts no longer held are dropped from the employee but stay
// granted. Errors (kInvalidInput, nothing in `state` is usable): a
// requested uid that is not assignable or was given to another account or
// is a posix group's gid; `range` exhausted.
common::Result<void> AssignUids(State& state, const IdRange& range);

// Gives `group` its gid when it is served by staffgate: `requested` (adopt;
// allowed when no one ever had it, or it was given to a group of the same
// name) or the next serial gid from `range`. `local` groups get none.
// Errors: kInvalidInput as for AssignUids.
common::Result<void> AssignGid(State& state, PosixGroup& group,
                               std::optional<std::uint32_t> requested, bool local,
                               const IdRange& range);

// "[20000, 59999]".
std::string FormatRange(const IdRange& range);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_POSIX_IDS_H_
