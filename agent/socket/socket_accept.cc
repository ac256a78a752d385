// SocketLoop's accepting side: the per-uid quota (docs/design.md §13) and
// running out of file descriptors without spinning or flooding the log.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/socket/socket_loop.h"
#include "common/protocol.h"

namespace staffgate::agent {
namespace {

// Connections taken per wake-up, so a connect storm cannot starve the
// answers this loop owes its connections.
constexpr int kAcceptsPerWake = 32;

void SendBusy(int fd, const char* why) {
  const std::string line =
      common::SerializeResponse(common::ErrorResponse("busy", std::string(why) + "; try again")) +
      "\n";
  [[maybe_unused]] ssize_t n = send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

void SocketLoop::Accept() {
  for (int i = 0; i < kAcceptsPerWake && listening_; ++i) {
    common::UniqueFd accepted(accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (accepted) {
      Admit(std::move(accepted));
      continue;
    }
    const int err = errno;
    if (err == EINTR || err == ECONNABORTED) continue;
    if (err == EMFILE || err == ENFILE) {
      OnOutOfDescriptors(err);
    } else if (err != EAGAIN && err != EWOULDBLOCK) {
      if (auto held = accept_log_.Allow(std::chrono::steady_clock::now())) {
        log_(LOG_ERR, std::string("accept: ") + strerror(err) +
                          (*held != 0U ? " (" + std::to_string(*held) + " more not logged)" : ""));
      }
    }
    return;
  }
}

void SocketLoop::Admit(common::UniqueFd accepted) {
  const int fd = accepted.get();
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return;
  switch (quota_.Acquire(cred.uid)) {
    case ConnectionQuota::Verdict::kAdmitted:
      break;
    case ConnectionQuota::Verdict::kUidFull:
      SendBusy(fd, "too many connections from your user");
      return;
    case ConnectionQuota::Verdict::kFull:
      SendBusy(fd, "too many connections");
      return;
  }
  auto conn = std::make_unique<Conn>();
  conn->fd = std::move(accepted);
  conn->id = next_id_++;
  conn->peer = Peer{cred.uid, cred.pid};
  conn->deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.idle_timeout_ms);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    quota_.Release(cred.uid);
    return;
  }
  conns_.emplace(fd, std::move(conn));
}

void SocketLoop::OnOutOfDescriptors(int err) {
  if (auto held = accept_log_.Allow(std::chrono::steady_clock::now())) {
    log_(
        LOG_ERR,
        std::string("accept: ") + strerror(err) + ": turning callers away" +
            (*held != 0U ? " (" + std::to_string(*held) + " more times since the last line)" : ""));
  }
  if (spare_fd_) {
    spare_fd_.Reset();
    common::UniqueFd turned_away(
        accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    const int accept_err = errno;
    if (turned_away) SendBusy(turned_away.get(), "out of file descriptors");
    const bool drained = turned_away || accept_err == EAGAIN || accept_err == EWOULDBLOCK;
    turned_away.Reset();
    spare_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (drained && spare_fd_) return;  // Epoll wakes us for the next one.
  }
  // No spare (another thread took the place): stop listening until the
  // next tick rather than wake up for the same waiting peer forever.
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, listen_fd_, nullptr);
  listening_ = false;
}

void SocketLoop::ResumeListening() {
  if (!spare_fd_) spare_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.fd = listen_fd_;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, listen_fd_, &ev) == 0) listening_ = true;
}

}  // namespace staffgate::agent
