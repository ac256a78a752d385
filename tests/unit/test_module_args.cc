#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "pam_module/module_args.h"
#include "tests/lib/temp_dir.h"

using staffgate::pam::ParseModuleArgs;
using staffgate::pam::ParseUidMin;
using staffgate::pam::ReadUidMin;

namespace {

staffgate::pam::ParsedArgs Parse(std::vector<const char*> argv) {
  return ParseModuleArgs(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("module args: defaults", "[module]") {
  auto parsed = Parse({});
  CHECK(parsed.problems.empty());
  CHECK(parsed.args.socket_path == "/run/staffgate/agent.sock");
  CHECK(parsed.args.timeout_ms == 2000);
  CHECK(parsed.args.agent_uid == 0);
  CHECK_FALSE(parsed.args.min_uid.has_value());
  CHECK_FALSE(parsed.args.debug);
  CHECK_FALSE(parsed.args.quiet);
  auto null_argv = ParseModuleArgs(0, nullptr);
  CHECK(null_argv.problems.empty());
}

TEST_CASE("module args: each argument", "[module]") {
  auto parsed = Parse({"socket=/tmp/x/agent.sock", "timeout_ms=150", "agent_uid=4242",
                       "min_uid=500", "debug", "quiet"});
  CHECK(parsed.problems.empty());
  CHECK(parsed.args.socket_path == "/tmp/x/agent.sock");
  CHECK(parsed.args.timeout_ms == 150);
  CHECK(parsed.args.agent_uid == 4242);
  REQUIRE(parsed.args.min_uid.has_value());
  CHECK(*parsed.args.min_uid == 500);
  CHECK(parsed.args.debug);
  CHECK(parsed.args.quiet);
  CHECK(*Parse({"min_uid=0"}).args.min_uid == 0);
  CHECK(Parse({"timeout_ms=120000"}).args.timeout_ms == 120000);
}

TEST_CASE("module args: unknown arguments are reported and ignored", "[module]") {
  auto parsed = Parse({"debug", "frobnicate", "socket", "Debug", "timeout=5"});
  CHECK(parsed.args.debug);
  REQUIRE(parsed.problems.size() == 4);
  CHECK(parsed.problems[0].find("unknown argument 'frobnicate'") != std::string::npos);
  CHECK(parsed.args.socket_path == "/run/staffgate/agent.sock");
}

TEST_CASE("module args: bad values keep the default", "[module]") {
  std::string long_path = "socket=/" + std::string(120, 'a');
  for (const char* bad :
       {"socket=", "socket=relative/agent.sock", long_path.c_str(), "timeout_ms=", "timeout_ms=0",
        "timeout_ms=-5", "timeout_ms=12x", "timeout_ms= 5", "timeout_ms=120001",
        "timeout_ms=99999999999999999999999", "agent_uid=root", "agent_uid=-1",
        "agent_uid=4294967295", "min_uid=", "min_uid=1e3", "min_uid=+7"}) {
    INFO(bad);
    auto parsed = Parse({bad});
    REQUIRE(parsed.problems.size() == 1);
    CHECK(parsed.problems[0].find("bad value") != std::string::npos);
    CHECK(parsed.args.socket_path == "/run/staffgate/agent.sock");
    CHECK(parsed.args.timeout_ms == 2000);
    CHECK(parsed.args.agent_uid == 0);
    CHECK_FALSE(parsed.args.min_uid.has_value());
  }
  // A later good value still applies after a bad one.
  CHECK(Parse({"timeout_ms=abc", "timeout_ms=300"}).args.timeout_ms == 300);
}

TEST_CASE("module args: UID_MIN from login.defs", "[module]") {
  CHECK(ParseUidMin("# UID_MIN 5\nUID_MIN\t\t\t 1000\nUID_MAX 60000\n") == 1000U);
  CHECK(ParseUidMin("  UID_MIN 500\r\n") == 500U);
  CHECK(ParseUidMin("UID_MIN 500\nUID_MIN 700\n") == 700U);  // last wins, like shadow-utils
  CHECK_FALSE(ParseUidMin("UID_MINIMUM 5\nSYS_UID_MIN 100\n").has_value());
  CHECK_FALSE(ParseUidMin("#UID_MIN 5\nx UID_MIN 6\nUID_MIN\n").has_value());
  CHECK(ParseUidMin("UID_MIN 7\n\tUID_MIN 8 x\n SYS_UID_MIN 9") == 7U);  // bad value ignored
  CHECK(ParseUidMin("UID_MIN\t1200") == 1200U);                          // no final newline
  CHECK_FALSE(ParseUidMin("UID_MIN abc\n").has_value());
  CHECK_FALSE(ParseUidMin("").has_value());
  CHECK(ReadUidMin("/nonexistent/login.defs") == staffgate::pam::kFallbackMinUid);

  staffgate::testutil::TempDir dir("login-defs");
  const std::string login_defs = dir / "login.defs";
  REQUIRE(staffgate::common::WriteFileAtomic(login_defs, "UID_MIN 2345\n", 0644));
  CHECK(ReadUidMin(login_defs.c_str()) == 2345U);
}
