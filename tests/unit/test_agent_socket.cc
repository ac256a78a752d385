// SocketServer over a real unix socket in a temp dir: framing, caps, the
// socket file's life cycle. No sleeps: every read has a receive timeout
// that only bounds a failing test.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>
#include <utility>

#include "agent/socket/socket_server.h"
#include "common/protocol.h"
#include "test_agent_util.h"

namespace staffgate::agent {
namespace {

class Client {
 public:
  explicit Client(std::string path, bool connect_now = true)
      : path_(std::move(path)), fd_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect_now) Connect();
  }
  bool Connect() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    return connected_;
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& data) const {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  void ShutdownWrite() const { shutdown(fd_, SHUT_WR); }
  // One line, or "" on EOF/timeout.
  std::string ReadLine() {
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      char chunk[4096];
      ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return "";
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Closed by the server (a reset: it closed with our bytes unread).
  bool AtEof() const {
    char c = 0;
    const ssize_t n = recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

struct ServerFixture {
  testutil::TempDir dir;
  std::string path = dir / "run/agent.sock";
  std::unique_ptr<SocketServer> server;

  explicit ServerFixture(std::size_t max_connections = 64) {
    SocketServerOptions options;
    options.path = path;
    options.max_connections = max_connections;
    server = std::make_unique<SocketServer>(
        options,
        [](std::string_view line, const Peer& peer) {
          return "echo " + std::to_string(peer.uid) + " " + std::to_string(line.size()) + " " +
                 std::string(line.substr(0, 16));
        },
        [](int, const std::string&) {});
  }
};

TEST_CASE("socket server: several requests per connection, in order", "[agent]") {
  ServerFixture f;
  REQUIRE(f.server->Start());
  struct stat st {};
  REQUIRE(stat(f.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0666);
  Client c(f.path);
  REQUIRE(c.connected());
  c.Send("one\ntwo\nthree");
  CHECK(c.ReadLine() == "echo " + std::to_string(getuid()) + " 3 one");
  CHECK(c.ReadLine() == "echo " + std::to_string(getuid()) + " 3 two");
  c.Send("\n");
  CHECK(c.ReadLine() == "echo " + std::to_string(getuid()) + " 5 three");
  // A last line without a newline is answered when the peer half-closes.
  c.Send("four");
  c.ShutdownWrite();
  CHECK(c.ReadLine() == "echo " + std::to_string(getuid()) + " 4 four");
  CHECK(c.AtEof());
}

TEST_CASE("socket server: a line over 64 KiB gets an error and the connection closes", "[agent]") {
  ServerFixture f;
  REQUIRE(f.server->Start());
  SECTION("without a newline") {
    Client c(f.path);
    c.Send(std::string(common::kMaxLineBytes + 10, 'x'));
    auto resp = common::ParseResponse(common::Op::kStatus, c.ReadLine());
    REQUIRE(resp);
    CHECK(std::get<common::ErrorReply>(*resp).error == "bad_request");
    CHECK(c.AtEof());
  }
  SECTION("after a good line, with a newline") {
    Client c(f.path);
    c.Send("ok\n" + std::string(common::kMaxLineBytes + 1, 'x') + "\nnever\n");
    CHECK(c.ReadLine().rfind("echo ", 0) == 0);
    auto resp = common::ParseResponse(common::Op::kStatus, c.ReadLine());
    REQUIRE(resp);
    CHECK(std::get<common::ErrorReply>(*resp).error == "bad_request");
    CHECK(c.AtEof());
  }
  SECTION("exactly 64 KiB is still a line") {
    Client c(f.path);
    c.Send(std::string(common::kMaxLineBytes, 'y') + "\n");
    CHECK(c.ReadLine() == "echo " + std::to_string(getuid()) + " 65536 yyyyyyyyyyyyyyyy");
  }
}

TEST_CASE("socket server: connections over the cap are told busy", "[agent]") {
  ServerFixture f(2);
  REQUIRE(f.server->Start());
  Client a(f.path);
  Client b(f.path);
  a.Send("a\n");
  b.Send("b\n");
  CHECK(!a.ReadLine().empty());
  CHECK(!b.ReadLine().empty());
  Client c(f.path);
  auto resp = common::ParseResponse(common::Op::kStatus, c.ReadLine());
  REQUIRE(resp);
  CHECK(std::get<common::ErrorReply>(*resp).error == "busy");
}

// Leaves the process without a free descriptor, and restores that when
// the test ends, however it ends.
class FdExhaustion {
 public:
  FdExhaustion() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    int highest = 0;
    for (int fd = 0; fd < 4096; ++fd) {
      if (fcntl(fd, F_GETFD) != -1) highest = fd;
    }
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(highest) + 1;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    // The holes below the highest descriptor, filled.
    for (int fd = 0; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers_.push_back(fd);
  }
  FdExhaustion(const FdExhaustion&) = delete;
  FdExhaustion& operator=(const FdExhaustion&) = delete;
  ~FdExhaustion() {
    for (int fd : fillers_) close(fd);
    setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> fillers_;
};

TEST_CASE("socket server: out of descriptors, callers are told busy without spinning", "[agent]") {
  testutil::TempDir dir;
  SocketServerOptions options;
  options.path = dir / "run/agent.sock";
  options.max_connections = 1024;
  std::atomic<int> log_lines{0};
  SocketServer server(
      options, [](std::string_view, const Peer&) { return "ok"; },
      [&log_lines](int, const std::string&) { ++log_lines; });
  REQUIRE(server.Start());
  // The clients' sockets exist before the limit is lowered; connecting
  // them takes no descriptor here, accepting them would.
  std::vector<std::unique_ptr<Client>> clients;
  clients.reserve(40);

  for (int i = 0; i < 40; ++i) clients.push_back(std::make_unique<Client>(options.path, false));
  // No Catch2 assertion while descriptors are exhausted: UBSan's vptr check
  // probes memory through a pipe, and without a free descriptor it reports
  // Catch's own expression objects as invalid. Record, then assert.
  struct Seen {
    bool connected = false;
    std::string line;
    bool at_eof = false;
  };
  std::vector<Seen> seen(clients.size());
  {
    FdExhaustion exhausted;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      seen[i].connected = clients[i]->Connect();
      if (seen[i].connected) clients[i]->Send("x\n");
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (!seen[i].connected) continue;
      seen[i].line = clients[i]->ReadLine();
      if (seen[i].line != "ok") seen[i].at_eof = clients[i]->AtEof();
    }
  }
  // Each is told busy (the spare descriptor) or, when a descriptor came
  // free meanwhile (another loop's spare), answered: none is left hanging.
  int busy = 0;
  for (const Seen& s : seen) {
    REQUIRE(s.connected);
    INFO(s.line);
    if (s.line == "ok") continue;
    auto resp = common::ParseResponse(common::Op::kStatus, s.line);
    REQUIRE(resp);
    CHECK(std::get<common::ErrorReply>(*resp).error == "busy");
    CHECK(s.at_eof);
    ++busy;
  }
  CHECK(busy > 0);
  // One line for the whole episode per loop (at most one per 10 s).
  CHECK(log_lines.load() >= 1);
  CHECK(log_lines.load() <= options.threads);  // Each loop thread logs on its own.
  // Descriptors free again: answered as before. A loop that paused
  // listening resumes on its next tick (250 ms), so allow a few of them.
  std::string answer;
  for (int attempt = 0; attempt < 20 && answer != "ok"; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Client after(options.path);
    REQUIRE(after.connected());
    after.Send("x\n");
    answer = after.ReadLine();
  }
  CHECK(answer == "ok");
}

TEST_CASE("socket server: a slow request does not hold up other connections", "[agent]") {
  testutil::TempDir dir;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  SocketServerOptions options;
  options.path = dir / "agent.sock";
  options.threads = 1;  // One loop: a blocking handler would stall everyone.
  SocketServer server(
      options,
      [released](std::string_view line, const Peer&) -> HandlerReply {
        if (line == "slow") {
          return HandlerReply([released] {
            released.wait();
            return std::string("answer slow");
          });
        }
        if (line == "throws") {
          return HandlerReply([]() -> std::string { throw std::runtime_error("boom"); });
        }
        return "answer " + std::string(line);
      },
      [](int, const std::string&) {});
  REQUIRE(server.Start());
  Client slow(options.path);
  slow.Send("slow\nafter\n");
  Client other(options.path);
  other.Send("fast\n");
  CHECK(other.ReadLine() == "answer fast");  // answered while "slow" is still running
  release.set_value();
  CHECK(slow.ReadLine() == "answer slow");  // and the slow connection keeps its order
  CHECK(slow.ReadLine() == "answer after");
  // A deferred answer that throws is an "internal" error, not the end of the agent.
  slow.Send("throws\nafter\n");
  auto internal = common::ParseResponse(common::Op::kStatus, slow.ReadLine());
  REQUIRE(internal);
  REQUIRE(std::holds_alternative<common::ErrorReply>(*internal));
  CHECK(std::get<common::ErrorReply>(*internal).error == "internal");
  CHECK(slow.ReadLine() == "answer after");
}

TEST_CASE("socket server: socket file life cycle", "[agent]") {
  ServerFixture f;
  REQUIRE(f.server->Start());
  SECTION("a second server on the same path refuses to start and leaves the first serving") {
    SocketServerOptions options;
    options.path = f.path;
    SocketServer second(
        options, [](std::string_view, const Peer&) { return ""; }, [](int, const std::string&) {});
    auto started = second.Start();
    REQUIRE_FALSE(started);
    CHECK(started.error().kind == common::ErrorKind::kUnavailable);
    Client c(f.path);
    c.Send("x\n");
    CHECK(c.ReadLine() == "echo " + std::to_string(getuid()) + " 1 x");
  }
  SECTION("stop removes the socket; a stale socket file is replaced") {
    f.server->Stop();
    struct stat st {};
    CHECK(stat(f.path.c_str(), &st) != 0);
    // Leave a stale socket behind (bound, never listening).
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    f.path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    close(fd);
    REQUIRE(f.server->Start());
    Client c(f.path);
    c.Send("x\n");
    CHECK(!c.ReadLine().empty());
  }
  SECTION("a path that is not a socket is left alone") {
    f.server->Stop();
    std::ofstream(f.path) << "precious";
    auto started = f.server->Start();
    REQUIRE_FALSE(started);
    std::ifstream in(f.path);
    std::string content;
    in >> content;
    CHECK(content == "precious");
  }
}

}  // namespace
}  // namespace staffgate::agent
