// The blocking agent client (common/agent_client) against a tiny unix
// socket server on a thread of this process: normal exchange, silence,
// early close, ownership checks, oversized and garbage answers.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <thread>

#include "common/agent_client.h"
#include "common/protocol.h"
#include "tests/lib/temp_dir.h"

namespace {

using namespace staffgate::common;
using staffgate::testutil::TempDir;

// Every wait in the server is bounded, so a failing test cannot hang.
constexpr int kServerWaitMs = 5000;

enum class Mode {
  kAnswer,          // Replies `answer` plus a newline.
  kSilent,          // Reads the request, never answers, waits for the client to go.
  kClose,           // Reads the request and closes.
  kHuge,            // Sends more than 64 KiB without a newline.
  kHugeThenNewline  // Sends a line just over 64 KiB, newline included.
};

class TestServer {
 public:
  TestServer(const std::string& path, Mode mode, std::string answer = "")
      : path_(path),
        mode_(mode),
        answer_(std::move(answer)),
        listen_fd_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(listen_fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(listen_fd_, 4) == 0);
    REQUIRE(pipe2(stop_, O_CLOEXEC) == 0);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TestServer() {
    Stop();
    close(listen_fd_);
    close(stop_[0]);
    close(stop_[1]);
  }

  // Ends the server thread (idempotent).
  void Stop() {
    if (!thread_.joinable()) return;
    if (write(stop_[1], "x", 1) != 1) {
      // The thread still ends on its own bounded waits.
    }
    thread_.join();
  }

  // What the client sent, without the newline. Stops the server first, so
  // the read never races the server thread.
  const std::string& received() {
    Stop();
    return received_;
  }

 private:
  // Waits for `events` on fd or the stop pipe; false on stop or timeout.
  bool Wait(int fd, short events) {
    pollfd fds[2] = {{fd, events, 0}, {stop_[0], POLLIN, 0}};
    int rc = poll(fds, 2, kServerWaitMs);
    return rc > 0 && (fds[0].revents & (events | POLLHUP | POLLERR)) != 0;
  }

  void Serve() {
    if (!Wait(listen_fd_, POLLIN)) return;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    std::string in;
    char buf[4096];
    while (in.find('\n') == std::string::npos && Wait(fd, POLLIN)) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    received_ = in.substr(0, in.find('\n'));
    std::string out;
    switch (mode_) {
      case Mode::kAnswer:
        out = answer_ + "\n";
        break;
      case Mode::kHuge:
        out = std::string(kMaxLineBytes + 4096, 'x');
        break;
      case Mode::kHugeThenNewline:
        out = std::string(kMaxLineBytes + 10, 'x') + "\n";
        break;
      case Mode::kSilent:
      case Mode::kClose:
        break;
    }
    // The client may stop reading and close: MSG_NOSIGNAL turns that into
    // EPIPE instead of killing the test binary.
    std::size_t sent = 0;
    while (sent < out.size() && Wait(fd, POLLOUT)) {
      ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN) break;
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if (mode_ != Mode::kClose) {
      // Stay connected until the client hangs up (or the bounded wait ends).
      while (Wait(fd, POLLIN) && recv(fd, buf, sizeof(buf), 0) > 0) {
      }
    }
    close(fd);
  }

  std::string path_;
  Mode mode_;
  std::string answer_;
  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  std::string received_;
  std::thread thread_;
};

Request CheckAsmith() {
  return staffgate::common::CheckRequest{Phase::kAccount, {"asmith", "sshd", "", ""}};
}

ClientOptions Options(const std::string& path, int timeout_ms = 2000) {
  ClientOptions options;
  options.socket_path = path;
  options.timeout_ms = timeout_ms;
  options.agent_uid = getuid();  // Exercise the owner and peer checks.
  return options;
}

}  // namespace

TEST_CASE("a normal exchange", "[client]") {
  TempDir dir("client");
  std::string path = dir.path() + "/agent.sock";
  staffgate::common::DecisionReply answer{
      Decision::kDeny, staffgate::common::Reason::kTerminated,
      "This account has been deactivated. Please contact your manager.", 42};
  TestServer server(path, Mode::kAnswer, SerializeResponse(answer));
  auto r = CallAgent(Options(path), CheckAsmith());
  std::string received = server.received();
  REQUIRE(r);
  REQUIRE(std::holds_alternative<staffgate::common::DecisionReply>(*r));
  CHECK(std::get<staffgate::common::DecisionReply>(*r) == answer);
  // The agent got exactly one line: the serialised request.
  CHECK(received == SerializeRequest(CheckAsmith()));

  // Without ownership checks too, and through the raw call.
  {
    TestServer second(path + "2", Mode::kAnswer, R"({"v":1,"ok":true,"enrolled":false})");
    ClientOptions options = Options(path + "2");
    options.agent_uid.reset();
    auto raw = CallAgentRaw(options, R"({"v":1,"op":"status"})");
    REQUIRE(raw);
    CHECK(*raw == R"({"v":1,"ok":true,"enrolled":false})");
    CHECK(second.received() == R"({"v":1,"op":"status"})");
  }
}

TEST_CASE("a server that never answers times out", "[client]") {
  TempDir dir("client");
  std::string path = dir.path() + "/agent.sock";
  TestServer server(path, Mode::kSilent);
  auto r = CallAgent(Options(path, 200), CheckAsmith());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kTimeout);
}

TEST_CASE("a server that closes early is unavailable", "[client]") {
  TempDir dir("client");
  std::string path = dir.path() + "/agent.sock";
  TestServer server(path, Mode::kClose);
  auto r = CallAgent(Options(path), CheckAsmith());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kUnavailable);
}

TEST_CASE("no socket, or nobody listening, is unavailable", "[client]") {
  TempDir dir("client");
  std::string path = dir.path() + "/agent.sock";
  for (bool check_owner : {true, false}) {
    ClientOptions options = Options(path);
    if (!check_owner) options.agent_uid.reset();
    auto r = CallAgent(options, CheckAsmith());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kUnavailable);
  }
  // A stale socket file left behind by a dead agent.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  close(fd);
  auto stale = CallAgent(Options(path), CheckAsmith());
  REQUIRE_FALSE(stale);
  CHECK(stale.error().kind == ErrorKind::kUnavailable);
  // A path too long for a unix socket is refused, not truncated.
  auto longer = CallAgent(Options("/tmp/" + std::string(200, 'x')), CheckAsmith());
  REQUIRE_FALSE(longer);
}

TEST_CASE("a socket owned by another uid is refused", "[client]") {
  TempDir dir("client");
  std::string path = dir.path() + "/agent.sock";
  TestServer server(path, Mode::kAnswer, R"({"v":1,"ok":true})");
  ClientOptions options = Options(path);
  options.agent_uid = getuid() + 4242;  // Not us, not the socket's owner.
  auto r = CallAgent(options, CheckAsmith());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kPermission);

  // Not a socket at all, where the agent's socket should be.
  std::string file = dir.path() + "/plain";
  int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  close(fd);
  auto plain = CallAgent(Options(file), CheckAsmith());
  REQUIRE_FALSE(plain);
  CHECK(plain.error().kind == ErrorKind::kPermission);
}

TEST_CASE("a peer running as another uid is refused", "[client]") {
  // The socket file can only be given away by root; then the file check
  // passes and the SO_PEERCRED check (peer = this root process) must fail.
  if (geteuid() != 0) {
    WARN("skipped: needs root to chown the socket file");
    return;
  }
  TempDir dir("client");
  std::string path = dir.path() + "/agent.sock";
  TestServer server(path, Mode::kAnswer, R"({"v":1,"ok":true})");
  const uid_t other = 4242;
  REQUIRE(lchown(path.c_str(), other, static_cast<gid_t>(-1)) == 0);
  ClientOptions options = Options(path);
  options.agent_uid = other;
  auto r = CallAgent(options, CheckAsmith());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kPermission);
  CHECK_THAT(r.error().message, Catch::Contains("uid"));
}

TEST_CASE("an answer over 64 KiB is too large", "[client]") {
  TempDir dir("client");
  for (Mode mode : {Mode::kHuge, Mode::kHugeThenNewline}) {
    std::string path = dir.path() + (mode == Mode::kHuge ? "/huge.sock" : "/line.sock");
    TestServer server(path, mode);
    auto raw = CallAgentRaw(Options(path), SerializeRequest(CheckAsmith()));
    REQUIRE_FALSE(raw);
    CHECK(raw.error().kind == ErrorKind::kTooLarge);
  }
  std::string path = dir.path() + "/parsed.sock";
  TestServer server(path, Mode::kHuge);
  auto r = CallAgent(Options(path), CheckAsmith());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kTooLarge);
}

TEST_CASE("a garbage answer is invalid input", "[client]") {
  TempDir dir("client");
  int i = 0;
  for (const char* garbage :
       {"garbage", "{}", R"({"v":1,"ok":true,"decision":"perhaps","reason":"x"})", ""}) {
    std::string path = dir.path() + "/g" + std::to_string(i++) + ".sock";
    TestServer server(path, Mode::kAnswer, garbage);
    auto r = CallAgent(Options(path), CheckAsmith());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kInvalidInput);
  }
}
