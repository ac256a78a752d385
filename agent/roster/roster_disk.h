// The roster's files in <state_dir> (docs/design.md §2, §7), written so that a
// roster the agent has enforced is never forgotten by a restart, even on a
// full disk:
//
//  - roster.serial: the highest serial accepted, 21 bytes rewritten in
//    place and fdatasync'd. Rewriting allocates nothing on ext4, xfs or
//    tmpfs, so it still works when the disk is full. (On a copy-on-write
//    filesystem it can fail; that failure is reported like any other.)
//  - roster.reserve: space allocated in advance (twice the last roster,
//    at least 1 MiB). The next roster is written into it and renamed over
//    roster.dsse, so saving it needs no new space; a new reserve is then
//    allocated, which may fail without harm to the saved roster.
//  - roster.dsse: the last good envelope, as before.
//
// Files are opened O_NOFOLLOW: a symlink planted in state_dir is refused.
// Thread-compatible: RosterStore serialises calls under its install lock.
#ifndef STAFFGATE_AGENT_ROSTER_ROSTER_DISK_H_
#define STAFFGATE_AGENT_ROSTER_ROSTER_DISK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::agent {

class RosterDisk {
 public:
  // Asked before anything that takes new space on the disk, with the
  // bytes wanted: 0 to go ahead, or an errno (ENOSPC) to fail as the disk
  // would. Tests inject a full disk with it; empty: always go ahead.
  using AllocateHook = std::function<int(std::size_t bytes)>;

  explicit RosterDisk(std::string state_dir, AllocateHook allocate = {})
      : dir_(std::move(state_dir)), allocate_(std::move(allocate)) {}

  std::string RosterPath() const { return dir_ + "/roster.dsse"; }
  std::string FloorPath() const { return dir_ + "/roster.serial"; }
  std::string ReservePath() const { return dir_ + "/roster.reserve"; }

  // The recorded highest serial; nullopt when none was recorded yet.
  // Errors: kInvalidInput (not a serial), kIo.
  common::Result<std::optional<std::uint64_t>> ReadFloor() const;
  // Records `serial` durably. Errors: kIo, naming the file.
  common::Result<void> RecordFloor(std::uint64_t serial);
  // Saves `envelope` as roster.dsse durably, through the reserve when it
  // is large enough. Errors: kIo (roster.dsse is unchanged).
  common::Result<void> SaveRoster(std::string_view envelope);
  // Allocates roster.reserve for a roster of `roster_bytes`, unless one
  // large enough exists. Errors: kIo (no reserve; the next save needs
  // free space).
  common::Result<void> Reserve(std::size_t roster_bytes);

 private:
  common::Result<void> Allocate(std::size_t bytes, const std::string& what) const;
  common::Result<bool> SaveThroughReserve(std::string_view envelope);
  void SyncDir() const;

  const std::string dir_;
  AllocateHook allocate_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_ROSTER_ROSTER_DISK_H_
