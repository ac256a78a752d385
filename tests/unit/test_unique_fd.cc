// UniqueFd (common/unique_fd.h): closes exactly once, moves, releases.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <utility>

#include "common/unique_fd.h"

namespace {

using staffgate::common::UniqueFd;

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1; }

int OpenDevNull() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

TEST_CASE("UniqueFd closes its fd when it goes out of scope", "[unique_fd]") {
  int raw = -1;
  {
    UniqueFd fd(OpenDevNull());
    raw = fd.get();
    REQUIRE(fd.valid());
    CHECK(IsOpen(raw));
  }
  CHECK_FALSE(IsOpen(raw));
}

TEST_CASE("UniqueFd moves ownership, the moved-from one closes nothing", "[unique_fd]") {
  UniqueFd a(OpenDevNull());
  const int raw = a.get();
  UniqueFd b(std::move(a));
  CHECK_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the contract under test.
  CHECK(b.get() == raw);
  a.Reset();
  CHECK(IsOpen(raw));
  UniqueFd c;
  c = std::move(b);
  CHECK(c.get() == raw);
  CHECK(IsOpen(raw));
}

TEST_CASE("UniqueFd move-assignment closes the fd it held", "[unique_fd]") {
  UniqueFd a(OpenDevNull());
  UniqueFd b(OpenDevNull());
  const int old = b.get();
  b = std::move(a);
  CHECK_FALSE(IsOpen(old));
  CHECK(b.valid());
}

TEST_CASE("UniqueFd Release hands the fd back without closing it", "[unique_fd]") {
  UniqueFd fd(OpenDevNull());
  const int raw = fd.Release();
  CHECK_FALSE(fd.valid());
  fd.Reset();
  REQUIRE(IsOpen(raw));
  close(raw);
}

TEST_CASE("UniqueFd Reset and Close close once and report close's result", "[unique_fd]") {
  UniqueFd fd(OpenDevNull());
  const int first = fd.get();
  fd.Reset(OpenDevNull());  // Opened before the old one closes: a new number.
  CHECK(fd.get() != first);
  CHECK_FALSE(IsOpen(first));
  CHECK(fd.Close() == 0);
  CHECK_FALSE(fd.valid());
  CHECK(fd.Close() == 0);  // Nothing left to close.
}
