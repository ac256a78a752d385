// Who may hold how many connections to the agent socket (docs/design.md
// §13): one unprivileged local user must not block everyone's logins.
// Root callers (sshd, login, gdm, su run the PAM module as root) always
// have `root_reserve` places that no other uid can take; each other uid
// holds at most `per_uid`. Shared by the socket's loop threads;
// thread-safe.
#ifndef STAFFGATE_AGENT_SOCKET_CONNECTION_QUOTA_H_
#define STAFFGATE_AGENT_SOCKET_CONNECTION_QUOTA_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace staffgate::agent {

struct ConnectionLimits {
  std::size_t max_connections = 1024;  // Everyone together.
  std::size_t root_reserve = 256;      // Kept for uid 0 (at most half).
  std::size_t per_uid = 32;            // One non-root uid.
};

// Descriptors the agent keeps for everything but connections: files, the
// central, NSS lookups, the spare descriptor of each loop.
inline constexpr std::uint64_t kFdHeadroom = 64;

// `wanted` lowered to what a process limit of `fd_limit` descriptors
// (RLIMIT_NOFILE) can hold besides kFdHeadroom; at least 1.
std::size_t ConnectionsWithinFdLimit(std::size_t wanted, std::uint64_t fd_limit);

class ConnectionQuota {
 public:
  enum class Verdict { kAdmitted, kUidFull, kFull };

  explicit ConnectionQuota(ConnectionLimits limits) : limits_(limits) {}

  // kAdmitted takes one place for `uid` (give it back with Release);
  // kUidFull: this uid has its share; kFull: no place for this caller.
  Verdict Acquire(uid_t uid);
  void Release(uid_t uid);
  std::size_t Total() const;

 private:
  const ConnectionLimits limits_;
  mutable std::mutex mu_;
  std::size_t total_ = 0;
  std::size_t non_root_ = 0;
  std::unordered_map<uid_t, std::size_t> per_uid_;  // Non-root uids only.
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SOCKET_CONNECTION_QUOTA_H_
