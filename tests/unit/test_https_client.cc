// The shared HTTPS client (common/https): what it refuses and how it words
// failures, without a server. Verification, the body cap and redirects
// against a real TLS server are in the sync tier (tests/sync/test_sync.py:
// another CA, "huge", "redirect").
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <string>

#include "common/https/https_client.h"
#include "common/unique_fd.h"

namespace {

using staffgate::common::ErrorKind;
using staffgate::common::HttpsOptions;
using staffgate::common::HttpsRequest;
using staffgate::common::TransferError;
using staffgate::common::TransferHttps;
using staffgate::common::UniqueFd;

// A TCP listener on 127.0.0.1 that never accepts: connects complete (the
// kernel's backlog), the TLS handshake never answers.
struct SilentListener {
  UniqueFd fd{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  int port = 0;
  SilentListener() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(fd.get(), 8) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port); }
};

}  // namespace

TEST_CASE("https client: plain http is refused before any connection", "[https]") {
  staffgate::common::HttpsGlobal global;
  HttpsOptions options;
  options.central_url = "http://127.0.0.1:9";
  auto resp = TransferHttps(options, HttpsRequest{});
  REQUIRE_FALSE(resp);
  CHECK(resp.error().cause == TransferError::Cause::kNetwork);
  CHECK(resp.error().url == "http://127.0.0.1:9");
  auto error = staffgate::common::PerformHttps(options, HttpsRequest{});
  REQUIRE_FALSE(error);
  CHECK(error.error().kind == ErrorKind::kUnavailable);
  CHECK(error.error().message.rfind("cannot reach the central: ", 0) == 0);
}

TEST_CASE("https client: the total timeout ends a silent handshake", "[https]") {
  staffgate::common::HttpsGlobal global;
  SilentListener silent;
  HttpsOptions options;
  options.central_url = silent.url() + "/";
  HttpsRequest req;
  req.path = "/v1/roster";
  req.total_timeout_ms = 200;
  auto resp = staffgate::common::PerformHttps(options, req);
  REQUIRE_FALSE(resp);
  CHECK(resp.error().kind == ErrorKind::kTimeout);
  // Trailing slashes of the base are dropped when the path is appended.
  // The handshake never finished: said so, so a hung central is told
  // apart from one that is slow to answer.
  CHECK(resp.error().message ==
        "central did not complete the connection in time (" + silent.url() + "/v1/roster)");
}

TEST_CASE("https client: a request's central_url replaces the client's", "[https]") {
  staffgate::common::HttpsGlobal global;
  SilentListener silent;
  HttpsOptions options;
  options.central_url = "https://127.0.0.1:9";
  staffgate::common::HttpsClient client(options);
  HttpsRequest req;
  req.path = "/v1/sessions";
  req.central_url = silent.url();
  req.total_timeout_ms = 100;
  auto resp = client.Transfer(req);
  REQUIRE_FALSE(resp);
  CHECK(resp.error().cause == TransferError::Cause::kTimeout);
  CHECK_FALSE(resp.error().connected);
  CHECK(resp.error().url == silent.url() + "/v1/sessions");
}

TEST_CASE("https client: the stop flag aborts a transfer in progress", "[https]") {
  staffgate::common::HttpsGlobal global;
  SilentListener silent;
  std::atomic<bool> stop{true};
  HttpsOptions options;
  options.central_url = silent.url();
  options.stop = &stop;
  staffgate::common::HttpsClient client(options);
  HttpsRequest req;
  req.total_timeout_ms = 5000;
  auto resp = client.Perform(req);
  REQUIRE_FALSE(resp);
  CHECK(resp.error().kind == ErrorKind::kUnavailable);
  CHECK(resp.error().message == "stopped");
}

TEST_CASE("https client: the agent's words for each failure", "[https]") {
  using Cause = TransferError::Cause;
  auto words = [](Cause cause) {
    return staffgate::common::TransferErrorToError(
        TransferError{cause, "https://c/v1/roster", "Some curl text"}, 1024);
  };
  CHECK(words(Cause::kTooLarge).kind == ErrorKind::kTooLarge);
  CHECK(words(Cause::kTooLarge).message == "response from https://c/v1/roster exceeds 1024 bytes");
  // The transfer already put the TLS failure into one sentence.
  CHECK(words(Cause::kTls).message == "Some curl text");
  CHECK(words(Cause::kNetwork).message == "cannot reach the central: Some curl text");
  CHECK(words(Cause::kInit).kind == ErrorKind::kInternal);
}
