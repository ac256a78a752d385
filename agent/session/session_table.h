// Sessions the agent has let in (session_open) and not yet seen closed,
// kept in memory for `staffgatectl sessions`. The lease gate hangs the central
// leases on this table (one lease per account on this workstation).
// Thread-safe; bounded so a caller cannot grow it without limit.
#ifndef STAFFGATE_AGENT_SESSION_TABLE_H_
#define STAFFGATE_AGENT_SESSION_TABLE_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
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

class SessionTable {
 public:
  static constexpr std::size_t kDefaultMaxSessions = 10000;
  explicit SessionTable(std::size_t max_sessions = kDefaultMaxSessions)
      : max_sessions_(max_sessions) {}

  // Remembers `info` (replacing a session with the same id). Returns false
  // when the table is full and `info` is new: the caller logs it; the
  // login itself is not refused for our bookkeeping.
  bool Open(const SessionInfo& info);
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
  const std::size_t max_sessions_;
  mutable std::mutex mu_;
  std::map<std::string, SessionInfo> sessions_;
  std::uint64_t version_ = 0;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SESSION_TABLE_H_
