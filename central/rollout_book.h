// Rollout confirmation (docs/design.md §11): which roster serial each
// workstation has installed, learned from its long-poll's If-None-Match
// (the serial of the roster it uses) and from its roster_installed,
// roster_rejected and roster_not_saved audit events. Pure logic: time
// comes in as an argument, nothing is persisted here; the Service feeds
// it, writes the records that changed (TakeDirty) with its batched contact
// records, and guards it with its contacts mutex. Not thread-safe.
//
// Times: installed_at is the central's clock (when it first saw the
// serial); the event times are the workstation's own clock, used only to
// order one workstation's events against each other (events can arrive
// late, from the agent's outbox).
#ifndef STAFFGATE_CENTRAL_ROLLOUT_BOOK_H_
#define STAFFGATE_CENTRAL_ROLLOUT_BOOK_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json_util.h"
#include "common/time_util.h"

namespace staffgate::central {

// Longest last_error kept, in bytes.
inline constexpr std::size_t kMaxRolloutErrorBytes = 300;

struct RolloutRecord {
  std::optional<std::uint64_t> installed_serial;
  std::optional<common::UnixSeconds> installed_at;
  std::optional<std::int64_t> install_event_ms;  // Latest roster_installed event.
  std::string last_error;                        // Latest rejection or failed save.
  std::optional<std::int64_t> last_error_ms;
  // The workstation refuses the central's rosters: its latest event is a
  // rejection of a roster from the central, and it is behind the central.
  bool rejecting = false;

  bool operator==(const RolloutRecord&) const = default;
};

class RolloutBook {
 public:
  // Replaces the contents (records loaded from the database); none dirty.
  void Load(std::unordered_map<std::string, RolloutRecord> records);
  // `workstation` asked for the roster naming `known` in If-None-Match
  // while `current` is published: it uses roster `known`.
  void OnPoll(const std::string& workstation, std::uint64_t known, std::uint64_t current,
              common::UnixSeconds now);
  // One audit event from `workstation`; other types than the three roster
  // events are ignored, as are malformed fields.
  void OnEvent(const std::string& workstation, const common::Json& event, std::uint64_t current,
               common::UnixSeconds now);
  // A removed workstation: its name may be registered again afresh.
  void Forget(const std::string& workstation);

  const RolloutRecord* Find(const std::string& workstation) const;
  const std::unordered_map<std::string, RolloutRecord>& records() const { return records_; }
  // The records changed since the last call (by name), no longer dirty.
  std::vector<std::pair<std::string, RolloutRecord>> TakeDirty();
  // Marks `names` dirty again (their write failed).
  void Redirty(const std::vector<std::string>& names);

  // The highest serial any workstation reported installed (0: none), and
  // the first workstation that reported it.
  std::uint64_t HighestInstalled() const { return highest_; }
  const std::string& HighestInstalledBy() const { return highest_by_; }

 private:
  void NoteInstalled(const std::string& workstation, RolloutRecord& record, std::uint64_t serial,
                     common::UnixSeconds now);
  std::unordered_map<std::string, RolloutRecord> records_;
  std::set<std::string> dirty_;
  std::uint64_t highest_ = 0;
  std::string highest_by_;
};

// The central follows an offline roster's serial (Service::FollowInstalledSerials)
// at most this far above its own, and at most once per interval: a
// workstation token must not push the serial to its end or make the whole
// fleet download a roster every few seconds.
inline constexpr std::uint64_t kMaxOfflineSerialLead = 1000000;
inline constexpr common::UnixSeconds kFollowIntervalS = 60;
// Serial ranges kept in State::unpublished_serials, the oldest dropped.
inline constexpr std::size_t kMaxUnpublishedRanges = 1000;

// What FollowInstalledSerials did.
struct FollowOutcome {
  bool published = false;
  std::uint64_t serial = 0;     // Published (when `published`).
  std::uint64_t installed = 0;  // The offline serial it followed or refused.
  std::string workstation;      // Who reported it first.
  std::string warning;          // Not followed: one sentence for the log.
};

// Whether a roster_rejected detail is about a roster from the central (not
// a cached one or a file installed by hand). The agent starts the detail
// with "from <source>: " or "cached: "; older agents said neither, and
// only the central sent them rosters unasked.
bool RejectionFromCentral(std::string_view detail);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_ROLLOUT_BOOK_H_
