// One event-loop thread of SocketServer (internal to socket_server.cc):
// its own epoll set, the shared listening socket, its own connections.
#ifndef STAFFGATE_AGENT_SOCKET_LOOP_H_
#define STAFFGATE_AGENT_SOCKET_LOOP_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "agent/socket_server.h"

namespace staffgate::agent {

class SocketLoop {
 public:
  // References must outlive the loop. Errors from Start: kIo.
  SocketLoop(int listen_fd, const SocketServerOptions& options,
             const SocketServer::Handler& handler, const LogFn& log,
             std::atomic<std::size_t>& connections);
  ~SocketLoop();

  common::Result<void> Start();
  // Wakes the thread, joins it and closes its connections.
  void Stop();

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Conn {
    int fd = -1;
    uid_t uid = 0;
    std::string in;
    std::string out;
    std::size_t out_sent = 0;
    TimePoint deadline;
    bool close_after_flush = false;
    bool want_write = false;
  };

  void Run();
  void Accept();
  // Reads what is there and answers complete lines. Returns false when the
  // connection must be closed now.
  bool OnReadable(Conn& conn);
  bool ProcessLines(Conn& conn);
  // The handler's answer, or an "internal" error if it threw.
  std::string Answer(std::string_view line, uid_t uid);
  // Writes pending output. Returns false on a broken connection.
  bool Flush(Conn& conn);
  // Re-arms epoll for reading or writing; closes when done.
  void Rearm(Conn& conn);
  void Close(int fd);
  void SweepIdle(TimePoint now);

  const int listen_fd_;
  const SocketServerOptions& options_;
  const SocketServer::Handler& handler_;
  const LogFn& log_;
  std::atomic<std::size_t>& connections_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SOCKET_LOOP_H_
