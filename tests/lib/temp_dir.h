// The temporary directory of the C++ tests and benchmarks: a fresh
// directory under $TMPDIR (else /tmp), removed with everything in it when
// the TempDir goes away. Header-only; include as "tests/lib/temp_dir.h".
//
// The constructor throws std::runtime_error when no directory can be made
// (Catch reports it as the test's failure); the destructor never throws and
// gives the owner write permission back first, so a test that made the
// directory read-only still leaves nothing behind.
#ifndef STAFFGATE_TESTS_LIB_TEMP_DIR_H_
#define STAFFGATE_TESTS_LIB_TEMP_DIR_H_

#include <dirent.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace staffgate::testutil {

class TempDir {
 public:
  // `prefix` names the directory (sg-<prefix>.XXXXXX), so a leftover says
  // which test made it.
  explicit TempDir(std::string_view prefix = "test") {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != 0 ? base : "/tmp") + "/sg-" +
                       std::string(prefix) + ".XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
    }
    path_ = std::move(tmpl);
  }
  ~TempDir() { Remove(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&& other) noexcept {
    if (this != &other) {
      Remove();
      path_ = std::exchange(other.path_, {});
    }
    return *this;
  }

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

  // The names in `dir` (not "." and ".."), sorted; empty when it cannot be
  // read. For assertions about leftovers.
  static std::vector<std::string> List(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
      while (const dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") out.push_back(std::move(name));
      }
      closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  void Remove() noexcept {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
  }

  std::string path_;
};

}  // namespace staffgate::testutil

#endif  // STAFFGATE_TESTS_LIB_TEMP_DIR_H_
