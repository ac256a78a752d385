// One central per SQLite database (central/serve_lock.h): the lock is
// exclusive, released with its holder, and its file stays usable by others.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "central/serve_lock.h"
#include "tests/lib/temp_dir.h"

namespace {

using staffgate::central::ServeLock;
using staffgate::common::ErrorKind;

TEST_CASE("serve lock: one holder at a time, free again when it goes", "[central]") {
  staffgate::testutil::TempDir dir;
  const std::string db = dir.path() + "/central.db";
  std::optional<ServeLock> first;
  {
    auto taken = ServeLock::Take(db);
    REQUIRE(taken);
    first.emplace(std::move(*taken));
  }
  // flock(2) locks an open file: a second open, even in this process, is
  // refused as another central would be.
  auto second = ServeLock::Take(db);
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == ErrorKind::kUnavailable);
  CHECK(second.error().message.find(db + ".lock") != std::string::npos);
  first.reset();
  CHECK(ServeLock::Take(db));
}

TEST_CASE("serve lock: the lock file is 0644 whatever the umask", "[central]") {
  staffgate::testutil::TempDir dir;
  const std::string db = dir.path() + "/central.db";
  const mode_t old = umask(077);
  auto taken = ServeLock::Take(db);
  umask(old);
  REQUIRE(taken);
  struct stat st {};
  REQUIRE(stat(ServeLock::PathFor(db).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("serve lock: a symlink in place of the lock file is not followed", "[central]") {
  staffgate::testutil::TempDir dir;
  const std::string db = dir.path() + "/central.db";
  const std::string target = dir.path() + "/elsewhere";
  REQUIRE(symlink(target.c_str(), ServeLock::PathFor(db).c_str()) == 0);
  auto taken = ServeLock::Take(db);
  REQUIRE_FALSE(taken);
  CHECK(taken.error().kind == ErrorKind::kIo);
  struct stat st {};
  CHECK(stat(target.c_str(), &st) != 0);  // Nothing was created through it.
}

TEST_CASE("serve lock: a FIFO in its place is refused without blocking", "[central]") {
  staffgate::testutil::TempDir dir;
  const std::string db = dir.path() + "/central.db";
  REQUIRE(mkfifo(ServeLock::PathFor(db).c_str(), 0600) == 0);
  auto taken = ServeLock::Take(db);
  REQUIRE_FALSE(taken);
  CHECK(taken.error().message.find("not a plain file") != std::string::npos);
}

TEST_CASE("serve lock: an existing lock file is used as it is, never chmodded", "[central]") {
  // A hard link to another file of the taker's must not change its mode.
  staffgate::testutil::TempDir dir;
  const std::string db = dir.path() + "/central.db";
  const std::string other = dir.path() + "/secret";
  REQUIRE(close(open(other.c_str(), O_CREAT | O_WRONLY, 0600)) == 0);
  REQUIRE(chmod(other.c_str(), 0600) == 0);
  REQUIRE(link(other.c_str(), ServeLock::PathFor(db).c_str()) == 0);
  REQUIRE(ServeLock::Take(db));
  struct stat st {};
  REQUIRE(stat(other.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

}  // namespace
