// The agent's roster: the last good one in memory and at
// <state_dir>/roster.dsse, and the highest serial ever accepted (the
// rollback floor). docs/design.md §2.
//
// Threads: Current() may be called from any thread at any time and never
// waits for verification: a new envelope is verified and written outside
// the lock that guards the pointer, then swapped in. Install and
// Load/Reconfigure are serialised among themselves.
#ifndef STAFFGATE_AGENT_ROSTER_ROSTER_STORE_H_
#define STAFFGATE_AGENT_ROSTER_ROSTER_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/roster/roster_disk.h"
#include "common/ed25519.h"
#include "common/log.h"
#include "common/result.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::agent {

struct InstallOutcome {
  bool installed = false;  // A newer roster is now in use.
  bool no_change = false;  // Same serial as the one in use.
  std::uint64_t serial = 0;
  std::string warning;  // Set when installed in memory but not saved to disk.
};

// What the store tells its owner (the audit trail, the revoker). Either
// may be empty. Called on the thread that called Install or Load, while
// that call holds the store's install lock: they may read Current() but
// must not call Install or Load.
struct RosterEvents {
  // A newer roster is in use: Current() returns it. `source` as given to
  // Install.
  std::function<void(std::uint64_t serial, const std::string& source)> installed;
  // An envelope was refused ("from <source>: <kind>: <why>"), or the
  // cached one failed verification ("cached: <why>").
  std::function<void(const std::string& detail)> rejected;
  // A roster now enforced could not be saved to disk: why, in plain words.
  std::function<void(std::uint64_t serial, const std::string& detail)> not_saved;
};

class RosterStore {
 public:
  // `clock` must outlive the store. `allocate`: see RosterDisk (tests).
  RosterStore(std::string state_dir, const common::Clock& clock, common::LogFn log,
              RosterEvents events = {}, RosterDisk::AllocateHook allocate = {});

  // Sets the trusted keys and (re)loads <state_dir>/roster.dsse: removes
  // temp files a crash left behind, verifies the signature, learns the
  // serial floor even from an expired roster (which stays "current" so
  // decisions say roster_expired, never serve from it). A missing file is
  // not an error (Ok, no roster). A file that fails verification leaves
  // no roster and returns its error (already logged). The serial floor
  // never goes down.
  //
  // The floor is also read from roster.serial (roster_disk.h): a cached
  // roster older than a serial this agent enforced before (one that could
  // not be saved) is not used at all, so decisions say no_roster until the
  // central sends that serial again (fail closed); Problem() says why.
  common::Result<void> Load(std::vector<common::PublicKey> trusted);

  // Verifies `envelope` by docs/design.md §2 and, when newer, writes it
  // atomically to roster.dsse and swaps it in. `source` ("central",
  // "file /path") appears in log lines. Errors (the old roster stays, the
  // rejection is logged and reported through events.rejected): kTooLarge,
  // kInvalidInput, kBadSignature, kExpired, kRollback.
  //
  // The serial is recorded in roster.serial before the envelope is saved.
  // A save that fails still installs (a termination must not wait for a
  // disk) and is loud: a log line, events.not_saved, Problem(). An envelope
  // with the floor's own serial is installed when no roster of that serial
  // is in use (after a fail-closed start).
  common::Result<InstallOutcome> Install(std::string_view envelope, const std::string& source);

  // Why the roster in use cannot be relied on across a restart, or why no
  // roster is used although one is cached, in one sentence; empty when
  // all is well. For `staffgatectl status`.
  std::string Problem() const;

  // The roster in use (possibly expired), or null.
  std::shared_ptr<const common::Roster> Current() const;
  // The highest serial accepted so far, if any.
  std::optional<std::uint64_t> HighestSerial() const;

  std::string RosterPath() const { return disk_.RosterPath(); }

 private:
  void RemoveStaleTempFiles();
  void Swap(std::shared_ptr<const common::Roster> roster);
  void SetProblem(std::string problem);
  // Reads roster.serial into the floor; returns it.
  std::optional<std::uint64_t> LoadFloor();
  // Makes sure roster.serial and the reserve exist for `roster` (bytes).
  void Prepare(std::uint64_t serial, std::size_t bytes);
  // Records the serial and saves the envelope: the problem, or empty.
  std::string Save(std::uint64_t serial, std::string_view envelope);

  const std::string state_dir_;
  const common::Clock& clock_;
  common::LogFn log_;
  RosterEvents events_;

  std::mutex install_mu_;  // Serialises Load and Install; guards trusted_, disk_.
  std::vector<common::PublicKey> trusted_;
  RosterDisk disk_;

  mutable std::mutex mu_;  // Guards current_ and highest_; held only briefly.
  std::shared_ptr<const common::Roster> current_;
  std::optional<std::uint64_t> highest_;
  std::string problem_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_ROSTER_ROSTER_STORE_H_
