// Bounded reads and crash-safe replacement (common/file_util).
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "tests/lib/temp_dir.h"

namespace {

using namespace staffgate::common;
using staffgate::testutil::TempDir;

std::string Read(const std::string& path) {
  auto r = ReadFileCapped(path, 1 << 20);
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("WriteFileAtomic creates and replaces, leaving no temp file", "[file]") {
  TempDir dir("file");
  std::string path = dir.path() + "/roster.dsse";
  REQUIRE(WriteFileAtomic(path, "first", 0600));
  CHECK(Read(path) == "first");
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  std::string big(3 << 20, 'b');
  REQUIRE(WriteFileAtomic(path, big, 0644));
  CHECK(ReadFileCapped(path, 4 << 20).value() == big);
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);  // The mode is applied, not the umask's.

  REQUIRE(WriteFileAtomic(path, "", 0600));
  CHECK(Read(path).empty());
  CHECK(TempDir::List(dir.path()) == std::vector<std::string>{"roster.dsse"});

  // A relative path (directory ".") works too.
  std::string cwd(4096, '\0');
  REQUIRE(getcwd(cwd.data(), cwd.size()));
  REQUIRE(chdir(dir.path().c_str()) == 0);
  auto relative = WriteFileAtomic("relative.txt", "r", 0600);
  REQUIRE(chdir(cwd.c_str()) == 0);
  REQUIRE(relative);
  CHECK(Read(dir.path() + "/relative.txt") == "r");
}

TEST_CASE("WriteFileAtomic keeps the old file when it cannot replace it", "[file]") {
  TempDir dir("file");
  SECTION("the target is a directory: rename fails after the temp was written") {
    std::string target = dir.path() + "/state";
    REQUIRE(mkdir(target.c_str(), 0700) == 0);
    REQUIRE(WriteFileAtomic(target + "/keep", "old", 0600));
    auto r = WriteFileAtomic(target, "new", 0600);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kIo);
    CHECK(Read(target + "/keep") == "old");
    CHECK(TempDir::List(dir.path()) == std::vector<std::string>{"state"});  // Temp removed.
  }
  SECTION("the directory is not writable") {
    // Root ignores directory permissions, so this case binds only others;
    // the /proc case below binds root too.
    if (geteuid() == 0) {
      WARN("skipped the read-only directory case: running as root");
      return;
    }
    std::string path = dir.path() + "/roster.dsse";
    REQUIRE(WriteFileAtomic(path, "old", 0600));
    REQUIRE(chmod(dir.path().c_str(), 0500) == 0);
    auto r = WriteFileAtomic(path, "new", 0600);
    REQUIRE(chmod(dir.path().c_str(), 0700) == 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kIo);
    CHECK(Read(path) == "old");
    CHECK(TempDir::List(dir.path()) == std::vector<std::string>{"roster.dsse"});
  }
  SECTION("a place nobody can create files, not even root") {
    auto r = WriteFileAtomic("/proc/staffgate-test-no-such-file", "x", 0600);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kIo);
    CHECK_THAT(r.error().message, Catch::Contains("/proc/staffgate-test-no-such-file"));
    auto missing_dir = WriteFileAtomic(dir.path() + "/no/such/dir/file", "x", 0600);
    REQUIRE_FALSE(missing_dir);
    CHECK(missing_dir.error().kind == ErrorKind::kIo);
  }
}

TEST_CASE("ReadFileCapped caps and classifies errors", "[file]") {
  TempDir dir("file");
  std::string path = dir.path() + "/f";
  REQUIRE(WriteFileAtomic(path, std::string(100000, 'x'), 0600));
  auto exact = ReadFileCapped(path, 100000);
  REQUIRE(exact);
  CHECK(exact->size() == 100000);
  auto over = ReadFileCapped(path, 99999);
  REQUIRE_FALSE(over);
  CHECK(over.error().kind == ErrorKind::kTooLarge);
  CHECK(ReadFileCapped(path, 0).error().kind == ErrorKind::kTooLarge);

  REQUIRE(WriteFileAtomic(path, "", 0600));
  auto empty = ReadFileCapped(path, 0);
  REQUIRE(empty);
  CHECK(empty->empty());

  // An endless file stops at the cap instead of filling memory.
  auto endless = ReadFileCapped("/dev/zero", 1 << 20);
  REQUIRE_FALSE(endless);
  CHECK(endless.error().kind == ErrorKind::kTooLarge);

  auto missing = ReadFileCapped(dir.path() + "/missing", 10);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::kNotFound);
  auto directory = ReadFileCapped(dir.path(), 10);
  REQUIRE_FALSE(directory);
  CHECK(directory.error().kind == ErrorKind::kIo);
  auto not_dir = ReadFileCapped(path + "/x", 10);
  REQUIRE_FALSE(not_dir);
  CHECK(not_dir.error().kind == ErrorKind::kIo);
}
