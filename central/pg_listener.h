// Follows the notifications that centrals sharing one PostgreSQL database
// send each other (docs/design.md §12): a roster published, the
// administrators changed. One thread with its own connection LISTENs and
// calls `on_notice` with the channel of each notification; after it
// (re)connects it calls `on_notice("")`, since anything sent while it was
// away is lost: the handler then re-reads everything (no serial missed).
// A handler that returns false (the re-read failed) is called with "" again
// every second until it succeeds; after 2 s without a notice it is called
// with "" all the same (a silently dropped connection loses notices).
//
// Threads: `on_notice` and `log` run on the listener's thread, one call at
// a time. The destructor stops and joins it (within one poll tick).
#ifndef STAFFGATE_CENTRAL_PG_LISTENER_H_
#define STAFFGATE_CENTRAL_PG_LISTENER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "central/pg_conn.h"
#include "common/log.h"
#include "common/unique_fd.h"

namespace staffgate::central {

class PgListener {
 public:
  using Handler = std::function<bool(const std::string& channel)>;
  // Starts the thread; the first connection is made there (a database
  // that is away at start is retried every second). Errors: kIo (no pipe
  // or thread).
  static common::Result<std::unique_ptr<PgListener>> Start(std::string uri,
                                                           std::vector<std::string> channels,
                                                           Handler on_notice, common::LogFn log);
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;
  ~PgListener();

 private:
  PgListener(std::string uri, std::vector<std::string> channels, Handler on_notice,
             common::LogFn log);
  void Run();
  // Connects (or reconnects) and LISTENs; false when the database is away.
  bool Listen();
  // Waits up to `ms` for the stop pipe and, `on_socket`, the connection's
  // socket; true when the socket has something to read.
  bool Wait(int ms, bool on_socket);

  const std::string uri_;
  const std::vector<std::string> channels_;
  const Handler on_notice_;
  const common::LogFn log_;
  std::unique_ptr<PgConnection> conn_;  // The thread's own.
  common::UniqueFd stop_read_;
  common::UniqueFd stop_write_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_PG_LISTENER_H_
