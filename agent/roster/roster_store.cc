#include "agent/roster/roster_store.h"

#include <dirent.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "common/envelope.h"
#include "common/file_util.h"
#include "common/roster_acceptance.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;

void MakeDirs(const std::string& path) {
  for (std::size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    mkdir(path.substr(0, pos).c_str(), 0755);  // EEXIST is fine.
    if (pos == std::string::npos) break;
  }
}

}  // namespace

RosterStore::RosterStore(std::string state_dir, const common::Clock& clock, common::LogFn log,
                         RosterEvents events, RosterDisk::AllocateHook allocate)
    : state_dir_(std::move(state_dir)),
      clock_(clock),
      log_(std::move(log)),
      events_(std::move(events)),
      disk_(state_dir_, std::move(allocate)) {}

void RosterStore::SetProblem(std::string problem) {
  std::lock_guard<std::mutex> lock(mu_);
  problem_ = std::move(problem);
}

std::string RosterStore::Problem() const {
  std::lock_guard<std::mutex> lock(mu_);
  return problem_;
}

std::optional<std::uint64_t> RosterStore::LoadFloor() {
  auto floor = disk_.ReadFloor();
  if (!floor) {
    // Unreadable: the roster's own serial still sets the floor below.
    log_(LOG_ERR, "ignoring the recorded highest serial: " + floor.error().message);
    return std::nullopt;
  }
  if (*floor) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!highest_ || **floor > *highest_) highest_ = **floor;
  }
  return *floor;
}

void RosterStore::Prepare(std::uint64_t serial, std::size_t bytes) {
  // Done while the disk has room, so that a later save needs none.
  auto floor = disk_.ReadFloor();
  if (!floor || !*floor || **floor < serial) {
    if (auto ok = disk_.RecordFloor(serial); !ok) log_(LOG_ERR, ok.error().message);
  }
  if (auto ok = disk_.Reserve(bytes); !ok) {
    log_(LOG_WARNING, "no space reserved for the next roster: " + ok.error().message);
  }
}

std::string RosterStore::Save(std::uint64_t serial, std::string_view envelope) {
  std::string problem;
  // The serial first: should the envelope not fit, a restart still knows
  // that this serial was enforced and refuses to fall back.
  if (auto ok = disk_.RecordFloor(serial); !ok) problem = ok.error().message;
  if (auto ok = disk_.SaveRoster(envelope); !ok) {
    problem += (problem.empty() ? "" : "; ") + ok.error().message;
  } else if (auto reserved = disk_.Reserve(envelope.size()); !reserved) {
    log_(LOG_WARNING, "no space reserved for the next roster: " + reserved.error().message);
  }
  return problem;
}

void RosterStore::RemoveStaleTempFiles() {
  // WriteFileAtomic names its temp files "roster.dsse.tmp.<pid>.<n>"; one
  // left by a crash is never read, only removed.
  DIR* dir = opendir(state_dir_.c_str());
  if (dir == nullptr) return;
  const std::string prefix = "roster.dsse.tmp.";
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.rfind(prefix, 0) == 0) {
      unlinkat(dirfd(dir), name.c_str(), 0);
      log_(LOG_NOTICE, "removed an unfinished roster write: " + state_dir_ + "/" + name);
    }
  }
  closedir(dir);
}

void RosterStore::Swap(std::shared_ptr<const common::Roster> roster) {
  std::shared_ptr<const common::Roster> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (roster && (!highest_ || roster->serial > *highest_)) highest_ = roster->serial;
    old = std::exchange(current_, std::move(roster));
  }
  old.reset();  // Freed outside the lock (a large roster takes a while).
  // Parsing a large roster leaves tens of MB of freed JSON nodes in the
  // heap; hand them back so the agent's RSS reflects what it keeps.
  malloc_trim(0);
}

common::Result<void> RosterStore::Load(std::vector<common::PublicKey> trusted) {
  std::lock_guard<std::mutex> install_lock(install_mu_);
  trusted_ = std::move(trusted);
  MakeDirs(state_dir_);
  RemoveStaleTempFiles();
  const std::string path = RosterPath();
  SetProblem("");
  const std::optional<std::uint64_t> floor = LoadFloor();
  auto bytes = common::ReadRegularFile(path, common::kMaxEnvelopeBytes, /*no_follow=*/true);
  if (!bytes) {
    if (bytes.error().kind == ErrorKind::kNotFound) {
      log_(LOG_NOTICE, "no cached roster at " + path + " yet");
      if (floor && *floor > 0) {
        SetProblem("no cached roster, although this agent enforced serial " +
                   std::to_string(*floor) + "; logins are refused until the central sends it");
      }
      Swap(nullptr);
      return common::Ok();
    }
    log_(LOG_ERR, "cached roster refused: " + bytes.error().message);
    Swap(nullptr);
    return tl::unexpected(bytes.error());
  }
  if (trusted_.empty()) {
    // Not enrolled: nothing can be verified, and nothing is enforced.
    Swap(nullptr);
    return common::Ok();
  }
  // The floor is learned even from an expired roster; expiry is judged at
  // decision time.
  common::AcceptanceOptions options;
  options.ignore_expiry = true;
  auto accepted = common::AcceptRoster(*bytes, trusted_, clock_.Now(), std::nullopt, options);
  if (!accepted) {
    log_(LOG_ERR, "cached roster " + path + " refused: " + accepted.error().message);
    if (events_.rejected) events_.rejected("cached: " + accepted.error().message);
    Swap(nullptr);
    return tl::unexpected(accepted.error());
  }
  auto roster = accepted->roster;
  if (floor && roster->serial < *floor) {
    // The newer roster was enforced but never saved (full disk): the
    // cached one may still allow people it revoked. Fail closed.
    std::string problem = "the cached roster (serial " + std::to_string(roster->serial) +
                          ") is older than serial " + std::to_string(*floor) +
                          ", which this agent enforced before it restarted; logins are refused "
                          "until the central sends serial " +
                          std::to_string(*floor) + " or newer";
    log_(LOG_ERR, problem);
    if (events_.rejected) events_.rejected("cached: " + problem);
    SetProblem(std::move(problem));
    Swap(nullptr);
    return common::Fail(ErrorKind::kRollback, "cached roster older than the recorded serial");
  }
  Prepare(roster->serial, bytes->size());
  for (const auto& warning : roster->warnings) log_(LOG_WARNING, "roster: " + warning);
  if (roster->expires_at <= clock_.Now()) {
    log_(LOG_WARNING, "cached roster serial " + std::to_string(roster->serial) + " expired at " +
                          common::FormatRfc3339(roster->expires_at) +
                          "; refusing logins until a newer one arrives");
  } else {
    log_(LOG_INFO, "loaded roster serial " + std::to_string(roster->serial) + " from " + path);
  }
  Swap(std::move(roster));
  return common::Ok();
}

common::Result<InstallOutcome> RosterStore::Install(std::string_view envelope,
                                                    const std::string& source) {
  std::lock_guard<std::mutex> install_lock(install_mu_);
  auto accepted = common::AcceptRoster(envelope, trusted_, clock_.Now(), HighestSerial());
  if (!accepted) {
    const auto& err = accepted.error();
    log_(LOG_WARNING, "roster from " + source + " rejected (" +
                          std::string(common::ErrorKindName(err.kind)) + "): " + err.message);
    if (events_.rejected) {
      // The source first: the central flags a workstation that refuses
      // its rosters (rollout confirmation), not one refusing a file.
      events_.rejected("from " + source + ": " + std::string(common::ErrorKindName(err.kind)) +
                       ": " + err.message);
    }
    return tl::unexpected(err);
  }
  InstallOutcome outcome;
  outcome.serial = accepted->roster->serial;
  auto in_use = Current();
  if (accepted->no_change && in_use && in_use->serial == outcome.serial) {
    outcome.no_change = true;
    return outcome;
  }
  std::string problem = Save(outcome.serial, envelope);
  if (!problem.empty()) {
    // Enforce the newer roster anyway (a termination must not wait for a
    // disk); the recorded serial keeps a restart from falling back.
    outcome.warning = "installed but not saved: " + problem;
    log_(LOG_ERR, "roster serial " + std::to_string(outcome.serial) + " " + outcome.warning);
    if (events_.not_saved) events_.not_saved(outcome.serial, problem);
  }
  SetProblem(problem.empty() ? ""
                             : "roster serial " + std::to_string(outcome.serial) +
                                   " is enforced but not saved to disk: " + problem);
  for (const auto& warning : accepted->roster->warnings) log_(LOG_WARNING, "roster: " + warning);
  Swap(accepted->roster);
  outcome.installed = true;
  log_(LOG_INFO, "installed roster serial " + std::to_string(outcome.serial) + " from " + source);
  if (events_.installed) events_.installed(outcome.serial, source);
  return outcome;
}

std::shared_ptr<const common::Roster> RosterStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::optional<std::uint64_t> RosterStore::HighestSerial() const {
  std::lock_guard<std::mutex> lock(mu_);
  return highest_;
}

}  // namespace staffgate::agent
