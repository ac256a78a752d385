// staffgate-admin commands: each calls the central's /v1/admin API and
// prints a table (or JSON with --json). Return the process exit code:
// 0 success, 1 error (one line on stderr already printed).
#ifndef STAFFGATE_CENTRAL_ADMIN_COMMANDS_H_
#define STAFFGATE_CENTRAL_ADMIN_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "central/admin/admin_client.h"
#include "common/result.h"

namespace staffgate::central::admin {

// `uids[i]` is adopted by `accounts[i]` (--uid, in --account order); the
// accounts after them get uids from uid_range.
// `start` (--start): the employee may sign in only from then on
// (docs/design.md §11).
int EmployeeAdd(AdminClient& client, const std::string& id,
                const std::vector<std::string>& accounts, const std::string& groups,
                const std::string& name, const std::vector<std::uint32_t>& uids,
                std::optional<std::int64_t> start = std::nullopt);
// `wait_s` set (--wait): then waits for the rollout confirmation of the
// change's serial (WaitForRollout) and returns its exit code. `at` set
// (terminate/suspend --at): schedules the change instead.
int EmployeeAction(AdminClient& client, const std::string& id, const std::string& action,
                   std::optional<int> wait_s = std::nullopt,
                   std::optional<std::int64_t> at = std::nullopt);
// Scheduled changes (schedule_commands.cc, docs/design.md §11).
// `employee cancel ID [--start]`: withdraws the pending terminate/suspend,
// or with `start` the pending start (the person may then sign in at once).
int EmployeeCancel(AdminClient& client, const std::string& id, bool start);
// The PENDING column of `employee list`: "terminate at TIME, start at TIME"
// or "-".
std::string PendingText(const common::Json& employee);
// An --at / --start value: RFC 3339 with Z or an offset (converted to
// UTC). Relative times ("2h") are refused: --since reads them as the past.
// Errors: kInvalidInput naming `flag`.
common::Result<std::int64_t> ParseScheduleTime(const std::string& flag, const std::string& text);
int EmployeeList(AdminClient& client, bool json);
// Staffgate passwords (password_commands.cc): the new password from the
// first line of stdin (echo off on a terminal; empty refused), or with
// `one_time` a generated one printed alone on stdout.
int EmployeeSetPassword(AdminClient& client, const std::string& id, bool one_time);
int EmployeeUnlock(AdminClient& client, const std::string& id);
int SharedAdd(AdminClient& client, const std::string& name);
int SharedRemove(AdminClient& client, const std::string& name);
int SharedList(AdminClient& client, bool json);
int WorkstationAdd(AdminClient& client, const std::string& name, const std::string& groups);
int WorkstationList(AdminClient& client, bool json);
// `groups` comma-separated; the central refuses an unknown name.
int WorkstationSetGroups(AdminClient& client, const std::string& name, const std::string& groups);
// Prints the new token alone on stdout; the old one stops working at once.
int WorkstationRotateToken(AdminClient& client, const std::string& name);
int WorkstationRemove(AdminClient& client, const std::string& name);
// Posix groups (docs/design.md §9). `gid` absent and not `local`: the
// central picks one from gid_range.
int PosixGroupAdd(AdminClient& client, const std::string& name, std::optional<std::uint32_t> gid,
                  bool local, const std::string& roles);
int PosixGroupRemove(AdminClient& client, const std::string& name);
int PosixGroupList(AdminClient& client, bool json);
// `import FILE` (import_command.cc, docs/design.md §5). `missing` is
// report, suspend or terminate (checked by the central).
struct ImportArgs {
  std::string file;
  std::string missing = "report";
  bool allow_reactivate = false;
  bool dry_run = false;
  bool json = false;
};
// Prints what the import did (or, with dry_run, would do). When the
// central does not answer in time the change may still be saved: the
// command then asks for a dry run of the same file, which the central
// answers after the import, and reports success if nothing is left to do.
int Import(AdminClient& client, const ImportArgs& args);
struct EventFilter {
  std::string since, workstation, account, decision;
  std::size_t limit = 1000;
};
int Events(AdminClient& client, const EventFilter& filter, bool json);
int PolicySet(AdminClient& client, const std::string& key, std::uint64_t value);
// Live session leases fleet-wide.
int Sessions(AdminClient& client, bool json);
// `sessions end [ID] [--account A] [--workstation W]`: ends every live
// lease matching all the selectors given (their workstations end the
// sessions). None given: exit 2. A blank or unmatched selector: exit 1
// with the central's sentence naming it, and nothing is ended.
struct SessionSelector {
  std::optional<std::string> id, account, workstation;
};
int SessionEnd(AdminClient& client, const SessionSelector& selector);

// Rollout confirmation (rollout_command.cc, docs/design.md §11): per
// workstation whether it has installed `serial` (default: the current one)
// and "confirmed on N of M workstations".
int Rollout(AdminClient& client, std::optional<std::uint64_t> serial, bool json);
// Asks every 0.5 s until every workstation in contact within the central's
// online_window_s has installed `serial`: 0 then, 1 after `wait_s` seconds
// (printing the workstations not yet confirmed and one line on stderr).
int WaitForRollout(AdminClient& client, std::uint64_t serial, int wait_s);
// Seconds `--wait` waits when given without a value.
inline constexpr int kDefaultWaitS = 60;

// "90s", "15m", "1h", "7d" -> seconds; an RFC 3339 time or Unix seconds
// are returned as Unix seconds relative to `now`. Errors: kInvalidInput.
common::Result<std::int64_t> ParseSince(const std::string& text, std::int64_t now);

}  // namespace staffgate::central::admin

#endif  // STAFFGATE_CENTRAL_ADMIN_COMMANDS_H_
