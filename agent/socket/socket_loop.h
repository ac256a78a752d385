// One event-loop thread of SocketServer (internal to socket_server.cc):
// its own epoll set, the shared listening socket, its own connections.
// Accepting (caps, out of descriptors) is in socket_accept.cc.
#ifndef STAFFGATE_AGENT_SOCKET_LOOP_H_
#define STAFFGATE_AGENT_SOCKET_LOOP_H_

#include <sys/epoll.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "agent/socket/connection_quota.h"
#include "agent/socket/peer.h"
#include "agent/socket/slow_worker.h"
#include "agent/socket/socket_server.h"
#include "common/log.h"
#include "common/log_limiter.h"
#include "common/unique_fd.h"

namespace staffgate::agent {

class SocketLoop {
 public:
  // References must outlive the loop. Errors from Start: kIo.
  SocketLoop(int listen_fd, const SocketServerOptions& options,
             const SocketServer::Handler& handler, const common::LogFn& log, ConnectionQuota& quota,
             SlowWorker& slow, SlowWorker& passwords);
  SocketLoop(const SocketLoop&) = delete;
  SocketLoop& operator=(const SocketLoop&) = delete;
  ~SocketLoop();

  common::Result<void> Start();
  // Wakes the thread, joins it and closes its connections.
  void Stop();
  // Called by the slow worker: the answer for connection (fd, id).
  // Thread-safe; dropped if that connection is gone.
  void Complete(int fd, std::uint64_t id, std::string answer);

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Conn {
    common::UniqueFd fd;  // Closed when the Conn is erased.
    Peer peer;
    std::string in;
    std::string out;
    std::size_t out_sent = 0;
    TimePoint deadline;
    std::uint64_t id = 0;  // Tells a reused fd from the old connection.
    bool close_after_flush = false;
    bool waiting = false;           // A slow request is being answered.
    std::uint32_t armed = EPOLLIN;  // The events registered with epoll.
  };
  struct Completion {
    int fd;
    std::uint64_t id;
    std::string answer;
  };

  void Run();
  // Takes waiting connections (socket_accept.cc).
  void Accept();
  // Keeps `accepted` when its peer's quota allows; otherwise answers busy.
  void Admit(common::UniqueFd accepted);
  // accept4 failed with EMFILE/ENFILE: turn one waiting peer away with
  // the spare descriptor, or stop listening until the next tick.
  void OnOutOfDescriptors(int err);
  // Listening again after a pause; the spare descriptor back.
  void ResumeListening();
  // Reads what is there and answers complete lines. Returns false when the
  // connection must be closed now.
  bool OnReadable(Conn& conn);
  bool ProcessLines(Conn& conn);
  // The handler's answer, or an "internal" error if it threw.
  HandlerReply Answer(std::string_view line, const Peer& peer);
  // Runs a deferred answer on the slow worker, with the same backstop.
  std::string RunDeferred(const std::function<std::string()>& work);
  // Writes pending output. Returns false on a broken connection.
  static bool Flush(Conn& conn);
  // Re-arms epoll for reading or writing; closes when done.
  void Rearm(Conn& conn);
  void Close(int fd);
  void SweepIdle(TimePoint now);
  void DeliverCompletions();

  const int listen_fd_;
  const SocketServerOptions& options_;
  const SocketServer::Handler& handler_;
  const common::LogFn& log_;
  ConnectionQuota& quota_;
  SlowWorker& slow_;
  SlowWorker& passwords_;
  // Open on /dev/null; given up to accept (and refuse) one peer when the
  // process is out of descriptors, so the backlog drains without spinning.
  common::UniqueFd spare_fd_;
  bool listening_ = true;  // False while paused for want of descriptors.
  common::LogLimiter accept_log_{std::chrono::seconds(10)};
  common::UniqueFd epoll_fd_;
  common::UniqueFd wake_fd_;  // Stop.
  common::UniqueFd done_fd_;  // Completions are waiting.
  std::uint64_t next_id_ = 1;
  std::mutex done_mu_;
  std::vector<Completion> done_;  // Guarded by done_mu_.
  std::thread thread_;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SOCKET_LOOP_H_
