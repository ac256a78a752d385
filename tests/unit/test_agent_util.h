// Helpers for the agent's unit tests: roster payloads, signed envelopes,
// temporary directories. Header-only; tests/unit/test_agent_*.cc and
// test_decision*.cc include it.
#ifndef STAFFGATE_TESTS_UNIT_TEST_AGENT_UTIL_H_
#define STAFFGATE_TESTS_UNIT_TEST_AGENT_UTIL_H_

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/ed25519.h"
#include "common/envelope.h"
#include "common/json_util.h"
#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::testutil {

// 2026-11-29T00:00:00Z, a fixed "now" for tests.
inline constexpr common::UnixSeconds kNow = 1795910400;

inline common::Json Employee(const std::string& id, const std::string& status,
                             std::vector<std::string> accounts,
                             std::vector<std::string> groups = {"*"}) {
  return common::Json{{"id", id}, {"status", status}, {"accounts", accounts}, {"groups", groups}};
}

// A roster payload; issued an hour before kNow, valid for `lifetime_s`.
inline std::string RosterPayload(std::uint64_t serial, common::Json employees,
                                 std::vector<std::string> shared = {},
                                 common::Json workstations = common::Json::object(),
                                 common::UnixSeconds issued = kNow - 3600,
                                 common::UnixSeconds lifetime_s = 7 * 86400) {
  common::Json doc = {{"schema", "staffgate.roster.v1"},
                      {"serial", serial},
                      {"issued_at", common::FormatRfc3339(issued)},
                      {"expires_at", common::FormatRfc3339(issued + lifetime_s)},
                      {"organization", "Example Motors"},
                      {"employees", employees},
                      {"shared_accounts", shared},
                      {"workstations", workstations}};
  return common::DumpJson(doc);
}

inline std::string Sign(const std::string& payload, const common::PrivateKey& key) {
  return *common::SignEnvelope(common::kRosterPayloadType, payload, key);
}

// A fresh directory under TMPDIR, removed (one level deep) on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/sg-agent-test.XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() { RemoveTree(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  // The names in `dir`, for assertions about leftovers.
  static std::vector<std::string> List(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str())) {
      while (struct dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name != "." && name != "..") out.push_back(name);
      }
      closedir(d);
    }
    return out;
  }

 private:
  static void RemoveTree(const std::string& dir) {
    if (dir.empty()) return;
    for (const auto& name : List(dir)) {
      std::string p = dir + "/" + name;
      if (unlink(p.c_str()) != 0) RemoveTree(p);
    }
    rmdir(dir.c_str());
  }
  std::string path_;
};

}  // namespace staffgate::testutil

#endif  // STAFFGATE_TESTS_UNIT_TEST_AGENT_UTIL_H_
