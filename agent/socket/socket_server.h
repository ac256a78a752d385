// The agent's unix socket (docs/design.md §4): newline-delimited requests,
// several per connection, at most 64 KiB a line, idle connections closed.
//
// Design: a few event-loop threads (epoll), each accepting from the shared
// listening socket (EPOLLEXCLUSIVE) and answering its own connections
// inline; a decision is microseconds of CPU, so no worker hand-off is
// needed. The cost of that choice: an NSS lookup that blocks (a hung
// LDAP) stalls one loop; the module's deadline bounds what a login waits.
//
// Rules enforced here, not in the handler:
//  - a line longer than 64 KiB gets one bad_request answer, then the
//    connection is closed;
//  - "idle" means no complete request for idle_timeout_ms (a peer that
//    drips bytes without a newline is closed too);
//  - at most max_connections at once, of which root_reserve are kept for
//    uid 0 (sshd, login, gdm and su run the module as root) and each other
//    uid holds at most per_uid_connections (docs/design.md §13); a caller
//    over its share gets {"ok":false,"error":"busy"} and is closed;
//  - out of file descriptors (EMFILE/ENFILE), waiting callers are told
//    "busy" with a spare descriptor kept for that, or the loop stops
//    listening until its next tick: never a busy loop, and at most one
//    log line per 10 s;
//  - a peer that does not read its answers is not read from either;
//  - a line the handler answers with a deferred task is answered on a
//    worker thread (slow_worker.h: the admin worker for roster_install,
//    sync and reload; the bounded password pool for authenticate and
//    chauthtok, "busy" when full); that connection waits for it (answers
//    stay in order), every other connection keeps being answered.
#ifndef STAFFGATE_AGENT_SOCKET_SERVER_H_
#define STAFFGATE_AGENT_SOCKET_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/socket/connection_quota.h"
#include "agent/socket/peer.h"
#include "agent/socket/slow_worker.h"
#include "common/log.h"
#include "common/result.h"
#include "common/unique_fd.h"

namespace staffgate::agent {

class SocketLoop;

struct SocketServerOptions {
  std::string path;
  int threads = 2;
  std::size_t max_connections = 1024;
  std::size_t root_reserve = 256;
  std::size_t per_uid_connections = 32;
  int idle_timeout_ms = 5000;
  mode_t mode = 0666;
  // authenticate, chauthtok: each may hold argon2id's memory (~19 MiB).
  WorkerLimits password_pool{4, 64, 4};
};

// The handler's answer to one line: the answer line itself, or, for work
// that may block, a task that produces it, run on the slow worker so the
// event loop goes on answering other connections.
struct HandlerReply {
  HandlerReply(std::string answer) : line(std::move(answer)) {}  // NOLINT: the common case.
  HandlerReply(const char* answer) : line(answer) {}             // NOLINT
  // `password`: run on the bounded password pool, else the admin worker.
  explicit HandlerReply(std::function<std::string()> task, bool password = false)
      : deferred(std::move(task)), on_password_pool(password) {}

  std::string line;                       // Used when `deferred` is empty.
  std::function<std::string()> deferred;  // Must not throw (a backstop catches).
  bool on_password_pool = false;
};

class SocketServer {
 public:
  // Answers one line (no newline) from `peer`; called concurrently from
  // the loop threads, so it must be cheap: what may block goes into
  // HandlerReply::deferred.
  using Handler = std::function<HandlerReply(std::string_view line, const Peer& peer)>;

  SocketServer(SocketServerOptions options, Handler handler, common::LogFn log);
  ~SocketServer();  // Stop()s.
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  // Creates the parent directory (0755) when missing, removes a stale
  // socket file (refuses when another process answers on it, or when the
  // path is not a socket), binds, sets the mode, listens and starts the
  // threads. Errors: kIo, kInvalidInput (path too long), kUnavailable
  // (another agent is running).
  common::Result<void> Start();
  // Stops the threads, closes every connection and removes the socket
  // file if it is still ours. Idempotent.
  void Stop();

 private:
  SocketServerOptions options_;
  Handler handler_;
  common::LogFn log_;
  common::UniqueFd listen_fd_;
  ino_t socket_inode_ = 0;
  ConnectionQuota quota_;
  SlowWorker slow_;
  SlowWorker passwords_;
  std::vector<std::unique_ptr<SocketLoop>> loops_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SOCKET_SERVER_H_
