#include "common/agent_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/protocol_module.h"
#include "common/secret.h"
#include "common/unique_fd.h"

namespace staffgate::common {
namespace {

std::int64_t MonotonicMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Waits for `events` on fd until the deadline. Returns kTimeout when it
// passes, kUnavailable on a poll error.
Result<void> WaitFor(int fd, short events, std::int64_t deadline_ms) {
  for (;;) {
    std::int64_t left = deadline_ms - MonotonicMs();
    if (left <= 0) return Fail(ErrorKind::kTimeout, "agent did not answer in time");
    pollfd pfd{fd, events, 0};
    int rc = poll(&pfd, 1, static_cast<int>(left));
    if (rc > 0) return Ok();
    if (rc == 0) return Fail(ErrorKind::kTimeout, "agent did not answer in time");
    if (errno != EINTR)
      return Fail(ErrorKind::kUnavailable, std::string("poll: ") + strerror(errno));
  }
}

Result<UniqueFd> Connect(const ClientOptions& options, std::int64_t deadline_ms) {
  sockaddr_un addr{};
  if (options.socket_path.size() >= sizeof(addr.sun_path)) {
    return Fail(ErrorKind::kInvalidInput, "socket path too long");
  }
  if (options.agent_uid) {
    struct stat st {};
    if (lstat(options.socket_path.c_str(), &st) != 0) {
      return Fail(ErrorKind::kUnavailable,
                  "cannot reach agent at " + options.socket_path + ": " + strerror(errno));
    }
    if (!S_ISSOCK(st.st_mode)) {
      return Fail(ErrorKind::kPermission, options.socket_path + " is not a socket");
    }
    if (st.st_uid != *options.agent_uid) {
      return Fail(ErrorKind::kPermission, options.socket_path + " is not owned by the agent uid");
    }
  }
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock) return Fail(ErrorKind::kUnavailable, std::string("socket: ") + strerror(errno));
  if (sock.get() <= 2) {
    // Never occupy stdin/stdout/stderr of the host process.
    int moved = fcntl(sock.get(), F_DUPFD_CLOEXEC, 3);
    sock.Reset(moved);
    if (moved < 0) return Fail(ErrorKind::kUnavailable, std::string("fcntl: ") + strerror(errno));
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, options.socket_path.c_str(), options.socket_path.size() + 1);
  // A full backlog makes a non-blocking AF_UNIX connect fail with EAGAIN
  // (it never completes later), so retry briefly until the deadline.
  while (connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int saved = errno;
    if (saved == EINTR) continue;
    if (saved == EAGAIN && MonotonicMs() < deadline_ms) {
      poll(nullptr, 0, 5);
      continue;
    }
    if (saved == EAGAIN) return Fail(ErrorKind::kTimeout, "agent did not accept in time");
    return Fail(ErrorKind::kUnavailable,
                "cannot reach agent at " + options.socket_path + ": " + strerror(saved));
  }
  return sock;
}

Result<std::string> Exchange(int fd, const ClientOptions& options, const std::string& line,
                             std::int64_t deadline_ms) {
  if (options.agent_uid) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      return Fail(ErrorKind::kPermission, "cannot read agent credentials");
    }
    if (cred.uid != *options.agent_uid) {
      return Fail(ErrorKind::kPermission, "agent runs as an unexpected uid");
    }
  }
  // The line may hold a password (authenticate, chauthtok): one copy,
  // reserved up front and wiped on every way out.
  std::string out;
  out.reserve(line.size() + 1);
  out.append(line).push_back('\n');
  WipeOnExit wipe_out(out);
  std::size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto waited = WaitFor(fd, POLLOUT, deadline_ms);
      if (!waited) return tl::unexpected(waited.error());
      continue;
    }
    return Fail(ErrorKind::kUnavailable, std::string("send to agent: ") + strerror(errno));
  }
  std::string in;
  char buf[4096];
  for (;;) {
    auto waited = WaitFor(fd, POLLIN, deadline_ms);
    if (!waited) return tl::unexpected(waited.error());
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return Fail(ErrorKind::kUnavailable, std::string("receive from agent: ") + strerror(errno));
    }
    if (n == 0) return Fail(ErrorKind::kUnavailable, "agent closed the connection");
    in.append(buf, static_cast<std::size_t>(n));
    auto newline = in.find('\n');
    if (newline != std::string::npos) {
      // The cap holds for the line, not only for what came before its end.
      if (newline > kMaxLineBytes) return Fail(ErrorKind::kTooLarge, "agent answer too long");
      in.resize(newline);
      return in;
    }
    if (in.size() > kMaxLineBytes) return Fail(ErrorKind::kTooLarge, "agent answer too long");
  }
}

}  // namespace

Result<std::string> CallAgentRaw(const ClientOptions& options, const std::string& line) {
  std::int64_t deadline = MonotonicMs() + (options.timeout_ms > 0 ? options.timeout_ms : 1);
  auto fd = Connect(options, deadline);
  if (!fd) return tl::unexpected(fd.error());
  return Exchange(fd->get(), options, line, deadline);
}

Result<Response> CallAgent(const ClientOptions& options, const Request& request) {
  const Op op = OpOf(request);
  if (!IsModuleOp(op)) {
    return Fail(ErrorKind::kInvalidInput,
                "op '" + std::string(OpName(op)) + "' is not one CallAgent sends");
  }
  std::string request_line = EncodeModuleRequest(request);
  WipeOnExit wipe_request(request_line);
  auto line = CallAgentRaw(options, request_line);
  if (!line) return tl::unexpected(line.error());
  return DecodeModuleReply(op, *line);
}

}  // namespace staffgate::common
