// Sessions the agent has let in (session_open) and not yet seen closed,
// kept in memory for `staffgatectl sessions`. The lease gate hangs the central
// leases on this table (one lease per account on this workstation).
//
// Bounded so that one local user cannot fill it for everyone
// (docs/design.md §13): each non-root opener holds at most `per_uid`
// sessions, and `root_reserve` places are kept for root openers (the PAM
// module runs as root in sshd, login, gdm). A session id belongs to its
// opener: another opener cannot replace that record. A session that cannot
// be recorded is refused by the caller (fail closed), never let in
// untracked. Thread-safe.
#ifndef STAFFGATE_AGENT_SESSION_TABLE_H_
#define STAFFGATE_AGENT_SESSION_TABLE_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time_util.h"

namespace staffgate::agent {

struct SessionInfo {
  std::string id;
  std::string account;
  std::string service;
  std::string tty;
  std::int64_t pid = 0;
  common::UnixSeconds opened_at = 0;
  uid_t opener_uid = 0;  // The peer that opened it (SO_PEERCRED).
};

struct SessionLimits {
  std::size_t max_sessions = 10000;  // Everyone together.
  std::size_t root_reserve = 2000;   // Kept for root openers (at most half).
  std::size_t per_uid = 64;          // One non-root opener.
};

class SessionTable {
 public:
  enum class OpenResult {
    kOpened,   // Recorded (or the same opener's record replaced).
    kIdTaken,  // The id is another opener's or another account's.
    kUidFull,  // This non-root opener has its share.
    kFull,     // No place left for this opener.
  };

  explicit SessionTable(SessionLimits limits = {}) : limits_(limits) {}
  // Tests: a table of `max_sessions`, no reserve, no per-uid share.
  explicit SessionTable(std::size_t max_sessions) : limits_{max_sessions, 0, max_sessions} {}

  // Whether Open(info) would record it now (checked before a decision, so
  // no lease is taken for a login that cannot be tracked).
  OpenResult CanOpen(const SessionInfo& info) const;
  // Records `info` unless that is refused (see OpenResult).
  OpenResult Open(const SessionInfo& info);
  // Forgets the session; returns what it was, or nullopt if unknown.
  std::optional<SessionInfo> Close(const std::string& id);
  std::optional<SessionInfo> Find(const std::string& id) const;
  // All sessions, oldest first.
  std::vector<SessionInfo> List() const;
  std::size_t Size() const;
  // Open sessions of `account`.
  std::size_t CountFor(const std::string& account) const;
  // Changes with every Open and Close (to save the table only when needed).
  std::uint64_t Version() const;

 private:
  OpenResult CheckLocked(const SessionInfo& info) const;

  const SessionLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, SessionInfo> sessions_;
  std::unordered_map<uid_t, std::size_t> by_opener_;  // Non-root openers only.
  std::size_t non_root_ = 0;
  std::uint64_t version_ = 0;
};

// For log lines and error messages: "table full", ...
const char* OpenResultText(SessionTable::OpenResult result);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SESSION_TABLE_H_
