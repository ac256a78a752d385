#include "agent/socket/socket_loop.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/protocol.h"
#include "common/thread.h"

namespace staffgate::agent {
namespace {

// Stop answering (and reading) a peer that has this much unread output.
constexpr std::size_t kMaxPendingOutput = 1024UL * 1024;
// Bytes read per wake-up, so one chatty peer cannot starve the others.
constexpr std::size_t kMaxReadPerWake = 256UL * 1024;
constexpr int kTickMs = 250;

std::string ErrorLine(const char* error, const std::string& message) {
  return common::SerializeResponse(common::ErrorResponse(error, message)) + "\n";
}

// Runs handler code: exceptions must not cross the thread boundary (that
// would end the agent). The handler is written not to throw; this is the
// backstop, answering "internal".
template <typename Fn>
auto Guarded(const common::LogFn& log, const Fn& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    log(LOG_CRIT, std::string("request handler failed: ") + e.what());
  } catch (...) {
    log(LOG_CRIT, "request handler failed");
  }
  return common::SerializeResponse(common::ErrorResponse("internal", "internal error"));
}

}  // namespace

SocketLoop::SocketLoop(int listen_fd, const SocketServerOptions& options,
                       const SocketServer::Handler& handler, const common::LogFn& log,
                       ConnectionQuota& quota, SlowWorker& slow, SlowWorker& passwords)
    : listen_fd_(listen_fd),
      options_(options),
      handler_(handler),
      log_(log),
      quota_(quota),
      slow_(slow),
      passwords_(passwords) {}

SocketLoop::~SocketLoop() { Stop(); }

common::Result<void> SocketLoop::Start() {
  spare_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
  epoll_fd_.Reset(epoll_create1(EPOLL_CLOEXEC));
  wake_fd_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  done_fd_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!epoll_fd_ || !wake_fd_ || !done_fd_) {
    return common::Fail(common::ErrorKind::kIo, std::string("epoll/eventfd: ") + strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_.get();
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev);
  ev.data.fd = done_fd_.get();
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, done_fd_.get(), &ev);
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.fd = listen_fd_;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
    return common::Fail(common::ErrorKind::kIo, std::string("epoll_ctl: ") + strerror(errno));
  }
  thread_ = common::StartGuardedThread("socket-loop", log_, [this] { Run(); });
  return common::Ok();
}

void SocketLoop::Stop() {
  if (thread_.joinable()) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_.get(), &one, sizeof(one));
    thread_.join();
  }
  std::vector<int> fds;
  for (const auto& [fd, conn] : conns_) fds.push_back(fd);
  for (int fd : fds) Close(fd);
  epoll_fd_.Reset();
  wake_fd_.Reset();
  done_fd_.Reset();
}

void SocketLoop::Run() {
  epoll_event events[64];
  auto next_sweep = std::chrono::steady_clock::now();
  for (;;) {
    int n = epoll_wait(epoll_fd_.get(), events, 64, kTickMs);
    if (n < 0 && errno != EINTR) {
      log_(LOG_CRIT, std::string("epoll_wait failed: ") + strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      const std::uint32_t what = events[i].events;
      if (fd == wake_fd_.get()) return;
      if (fd == done_fd_.get()) {
        std::uint64_t count = 0;
        [[maybe_unused]] ssize_t r = read(done_fd_.get(), &count, sizeof(count));
        DeliverCompletions();
        continue;
      }
      if (fd == listen_fd_) {
        Accept();
        continue;
      }
      auto it = conns_.find(fd);
      if (it == conns_.end()) continue;
      Conn& conn = *it->second;
      bool ok = true;
      if ((what & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0U) ok = OnReadable(conn);
      if (ok && ((what & EPOLLOUT) != 0U)) {
        ok = Flush(conn);
        // Lines held back while the peer was not reading.
        if (ok && conn.out.empty()) ok = ProcessLines(conn) && Flush(conn);
      }
      if (ok) {
        Rearm(conn);
      } else {
        Close(fd);
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_sweep) {
      SweepIdle(now);
      if (!listening_) ResumeListening();
      next_sweep = now + std::chrono::milliseconds(kTickMs);
    }
  }
}

bool SocketLoop::OnReadable(Conn& conn) {
  char buf[65536];
  std::size_t total = 0;
  bool eof = false;
  while (total < kMaxReadPerWake) {
    ssize_t n = read(conn.fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    conn.in.append(buf, static_cast<std::size_t>(n));
    total += static_cast<std::size_t>(n);
    // A short read drained the socket for now; epoll (level-triggered)
    // reports the rest. Saves a read that would only say EAGAIN.
    if (static_cast<std::size_t>(n) < sizeof(buf)) break;
    if (conn.in.size() > common::kMaxLineBytes && conn.in.find('\n') == std::string::npos) break;
  }
  if (eof) {
    // The peer has sent everything (shutdown(SHUT_WR)): answer, then close.
    // A last line without a newline is still a request.
    if (!conn.in.empty() && conn.in.back() != '\n') conn.in += '\n';
    conn.close_after_flush = true;
  }
  if (!ProcessLines(conn)) return false;
  return Flush(conn);
}

bool SocketLoop::ProcessLines(Conn& conn) {
  std::size_t start = 0;
  const auto idle = std::chrono::milliseconds(options_.idle_timeout_ms);
  while (!conn.waiting && conn.out.size() - conn.out_sent < kMaxPendingOutput) {
    std::size_t nl = conn.in.find('\n', start);
    if (nl == std::string::npos) break;
    if (nl - start > common::kMaxLineBytes) break;
    std::string_view line(conn.in.data() + start, nl - start);
    HandlerReply reply = Answer(line, conn.peer);
    if (reply.deferred) {
      // Answered by the worker; this connection waits (answers stay in
      // order), the loop goes on serving the others.
      conn.waiting = true;
      auto task = [this, fd = conn.fd.get(), id = conn.id, work = std::move(reply.deferred)] {
        Complete(fd, id, RunDeferred(work));
      };
      SlowWorker& worker = reply.on_password_pool ? passwords_ : slow_;
      auto posted = worker.Post(std::move(task), conn.peer.uid);
      if (posted != SlowWorker::PostResult::kQueued) {
        conn.waiting = false;
        conn.out += common::SerializeResponse(
            common::ErrorResponse("busy", posted == SlowWorker::PostResult::kFull
                                              ? "too many sign-ins at once; try again in a moment"
                                              : "shutting down"));
        conn.out += '\n';
      }
    } else {
      conn.out += reply.line;
      conn.out += '\n';
    }
    conn.deadline = std::chrono::steady_clock::now() + idle;
    start = nl + 1;
  }
  conn.in.erase(0, start);
  if (conn.waiting) return true;
  std::size_t nl = conn.in.find('\n');
  if ((nl == std::string::npos ? conn.in.size() : nl) > common::kMaxLineBytes) {
    conn.out += ErrorLine("bad_request", "request line longer than " +
                                             std::to_string(common::kMaxLineBytes) + " bytes");
    conn.in.clear();
    conn.close_after_flush = true;
  }
  return true;
}

HandlerReply SocketLoop::Answer(std::string_view line, const Peer& peer) {
  return Guarded(log_, [&] { return handler_(line, peer); });
}

std::string SocketLoop::RunDeferred(const std::function<std::string()>& work) {
  return Guarded(log_, work);
}

bool SocketLoop::Flush(Conn& conn) {
  while (conn.out_sent < conn.out.size()) {
    ssize_t n = send(conn.fd.get(), conn.out.data() + conn.out_sent,
                     conn.out.size() - conn.out_sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    conn.out_sent += static_cast<std::size_t>(n);
  }
  conn.out.clear();
  conn.out_sent = 0;
  return true;
}

void SocketLoop::Rearm(Conn& conn) {
  const bool pending = !conn.out.empty();
  if (!pending && !conn.waiting && conn.close_after_flush) {
    Close(conn.fd.get());
    return;
  }
  // While output is pending, only wait for writability: that is the
  // backpressure on a peer that does not read. While a slow answer is
  // being made, wait for nothing (out of the set, so a hang-up cannot
  // spin the loop); DeliverCompletions re-arms.
  const std::uint32_t want =
      conn.waiting ? 0U : static_cast<std::uint32_t>(pending ? EPOLLOUT : EPOLLIN);
  if (want == conn.armed) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = conn.fd.get();
  const int op = want == 0 ? EPOLL_CTL_DEL : conn.armed == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  epoll_ctl(epoll_fd_.get(), op, conn.fd.get(), &ev);
  conn.armed = want;
}

void SocketLoop::Complete(int fd, std::uint64_t id, std::string answer) {
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    done_.push_back(Completion{fd, id, std::move(answer)});
  }
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(done_fd_.get(), &one, sizeof(one));
}

void SocketLoop::DeliverCompletions() {
  std::vector<Completion> done;
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    done.swap(done_);
  }
  for (auto& c : done) {
    auto it = conns_.find(c.fd);
    if (it == conns_.end() || it->second->id != c.id) continue;  // Gone meanwhile.
    Conn& conn = *it->second;
    conn.waiting = false;
    conn.out += c.answer;
    conn.out += '\n';
    conn.deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.idle_timeout_ms);
    if (ProcessLines(conn) && Flush(conn)) {
      Rearm(conn);
    } else {
      Close(conn.fd.get());
    }
  }
}

void SocketLoop::Close(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  const uid_t uid = it->second->peer.uid;
  conns_.erase(it);  // Closes the fd.
  quota_.Release(uid);
}

void SocketLoop::SweepIdle(TimePoint now) {
  std::vector<int> idle;
  for (const auto& [fd, conn] : conns_) {
    if (!conn->waiting && conn->deadline <= now) idle.push_back(fd);
  }
  for (int fd : idle) Close(fd);
}

}  // namespace staffgate::agent
