// The agent configuration (docs/design.md §5): every key, and errors that name
// the file, the line and the key.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "agent/config/agent_config.h"
#include "common/file_util.h"
#include "tests/lib/temp_dir.h"

namespace {

using namespace staffgate::common;
using namespace staffgate::agent;

constexpr char kPath[] = "/etc/staffgate/agent.conf";

// Expects a kConfig error whose message starts with "PATH:LINE: key 'KEY'".
void ExpectError(const std::string& text, int line, const std::string& key) {
  INFO(text);
  auto r = ParseAgentConfig(text, kPath);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kConfig);
  CHECK_THAT(r.error().message,
             Catch::StartsWith(std::string(kPath) + ":" + std::to_string(line) + ": key '" + key + "'"));
}

}  // namespace

TEST_CASE("every key of docs/design.md §5 is read", "[config]") {
  auto r = ParseAgentConfig(R"(workstation = "SVC-03"
central_url = "https://central.example.com:8443"   # absent: no sync
ca_file = "/etc/staffgate/central-ca.pem.test"
token_file = "/etc/staffgate/workstation.token.test"
trusted_keys = ["/etc/staffgate/roster-signing.pub", "/etc/staffgate/next.pub"]  # empty: not enrolled
socket = "/run/staffgate/test.sock"
state_dir = "/var/lib/staffgate-test"
audit_log = "/var/log/staffgate/test.jsonl"
exempt_accounts = ["root", "backup"]
min_uid = 2000
unknown_accounts = "ignore"          # or "deny"
on_revoke = "none"            # or "terminate"
lease_unreachable = "deny"
)",
                            kPath);
  REQUIRE(r);
  CHECK(r->path == kPath);
  CHECK(r->workstation == "SVC-03");
  CHECK(r->central_urls == std::vector<std::string>{"https://central.example.com:8443"});
  CHECK(r->ca_file == "/etc/staffgate/central-ca.pem.test");
  CHECK(r->token_file == "/etc/staffgate/workstation.token.test");
  CHECK(r->trusted_keys == std::vector<std::string>{"/etc/staffgate/roster-signing.pub", "/etc/staffgate/next.pub"});
  CHECK(r->socket == "/run/staffgate/test.sock");
  CHECK(r->state_dir == "/var/lib/staffgate-test");
  CHECK(r->audit_log == "/var/log/staffgate/test.jsonl");
  CHECK(r->exempt_accounts == std::vector<std::string>{"root", "backup"});
  CHECK(r->min_uid == 2000);
  CHECK(r->unknown_accounts == UnknownAccounts::kIgnore);
  CHECK(r->on_revoke == OnRevoke::kNone);
  CHECK(r->lease_unreachable == LeaseUnreachable::kDeny);

  // The other value of each choice.
  auto other = ParseAgentConfig("unknown_accounts = \"deny\"\non_revoke = \"terminate\"\nlease_unreachable = \"allow\"\n", kPath);
  REQUIRE(other);
  CHECK(other->unknown_accounts == UnknownAccounts::kDeny);
  CHECK(other->on_revoke == OnRevoke::kTerminate);
  CHECK(other->lease_unreachable == LeaseUnreachable::kAllow);
}

TEST_CASE("an empty config gives the documented defaults", "[config]") {
  for (const char* text : {"", "# only a comment\n\n", "\n"}) {
    auto r = ParseAgentConfig(text, kPath);
    REQUIRE(r);
    CHECK(r->workstation.empty());
    CHECK(r->central_urls.empty());
    CHECK(r->ca_file == "/etc/staffgate/central-ca.pem");
    CHECK(r->token_file == "/etc/staffgate/workstation.token");
    CHECK(r->trusted_keys.empty());
    CHECK(r->socket == "/run/staffgate/agent.sock");
    CHECK(r->state_dir == "/var/lib/staffgate");
    CHECK(r->audit_log == "/var/log/staffgate/audit.jsonl");
    CHECK(r->exempt_accounts == std::vector<std::string>{"root"});
    CHECK(r->min_uid == 1000);
    CHECK(r->unknown_accounts == UnknownAccounts::kDeny);
    CHECK(r->on_revoke == OnRevoke::kTerminate);
    CHECK(r->lease_unreachable == LeaseUnreachable::kAllow);
  }
  // Empty lists and an empty central_url are meaningful values.
  auto r = ParseAgentConfig("trusted_keys = []\nexempt_accounts = []\ncentral_url = \"\"\nmin_uid = 0\n", kPath);
  REQUIRE(r);
  CHECK(r->trusted_keys.empty());
  CHECK(r->exempt_accounts.empty());
  CHECK(r->min_uid == 0);
}

TEST_CASE("an unknown key names file, line and key", "[config]") {
  ExpectError("workstation = \"SVC-03\"\n# comment\n\ncolour = \"blue\"\n", 4, "colour");
  ExpectError("\n\n\n\n\n\n\nmin_uids = 1000\n", 8, "min_uids");
  // A table is a key we do not know either.
  auto r = ParseAgentConfig("workstation = \"W\"\n[agent]\nmin_uid = 5\n", kPath);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::kConfig);
  CHECK_THAT(r.error().message, Catch::StartsWith(std::string(kPath) + ":") &&
                                    Catch::Contains("key 'agent'") && Catch::Contains("unknown key"));
}

TEST_CASE("bad values name file, line and key", "[config]") {
  ExpectError("workstation = \"W\"\nmin_uid = -1\n", 2, "min_uid");
  ExpectError("min_uid = \"1000\"\n", 1, "min_uid");
  ExpectError("\nmin_uid = 1.5\n", 2, "min_uid");
  ExpectError("min_uid = 4294967296\n", 1, "min_uid");
  ExpectError("# x\nunknown_accounts = \"maybe\"\n", 2, "unknown_accounts");
  ExpectError("unknown_accounts = true\n", 1, "unknown_accounts");
  ExpectError("on_revoke = \"kill\"\n", 1, "on_revoke");
  ExpectError("lease_unreachable = \"open\"\n", 1, "lease_unreachable");
  ExpectError("\n\ncentral_url = \"http://central.example.com\"\n", 3, "central_url");
  ExpectError("central_url = \"central.example.com\"\n", 1, "central_url");
  ExpectError("trusted_keys = \"/etc/staffgate/roster-signing.pub\"\n", 1, "trusted_keys");
  ExpectError("trusted_keys = [1, 2]\n", 1, "trusted_keys");
  ExpectError("exempt_accounts = \"root\"\n", 1, "exempt_accounts");
  ExpectError("socket = \"run/staffgate/agent.sock\"\n", 1, "socket");
  ExpectError("socket = \"/" + std::string(120, 's') + "\"\n", 1, "socket");
  ExpectError("socket = \"\"\n", 1, "socket");
  ExpectError("workstation = \"\"\n", 1, "workstation");
  ExpectError("workstation = 3\n", 1, "workstation");
  ExpectError("state_dir = []\n", 1, "state_dir");
  ExpectError("ca_file = \"\"\n", 1, "ca_file");
  ExpectError("audit_log = false\n", 1, "audit_log");
  ExpectError("offline_credentials_days = -1\n", 1, "offline_credentials_days");
  ExpectError("offline_credentials_days = \"3\"\n", 1, "offline_credentials_days");
  ExpectError("offline_credentials_days = 2.5\n", 1, "offline_credentials_days");
  ExpectError("offline_credentials_days = 366\n", 1, "offline_credentials_days");
  // The message says what is wrong.
  auto r = ParseAgentConfig("unknown_accounts = \"maybe\"\n", kPath);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("\"deny\"") && Catch::Contains("\"ignore\"") &&
                                    Catch::Contains("maybe"));
}

TEST_CASE("TOML syntax errors name the file", "[config]") {
  for (const char* text : {"workstation = \n", "workstation = \"SVC-03\n", "= 3\n", "min_uid = 1\nmin_uid = 2\n",
                           "trusted_keys = [\"a\",\n", "[[\n"}) {
    INFO(text);
    auto r = ParseAgentConfig(text, kPath);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kConfig);
    CHECK_THAT(r.error().message, Catch::Contains(kPath));
  }
}

TEST_CASE("hostile config text fails cleanly", "[config]") {
  // Invalid UTF-8 (toml11 3.7 reads out of bounds on it) and deep nesting
  // (it recurses per level): refused before toml11 sees them.
  for (const std::string& text :
       {std::string("workstation = 'l\xff\x8a'\n"), std::string("# \xc0\xaf\nmin_uid = 1\n"),
        std::string("workstation = \"\xed\xa0\x80\"\n"),
        "trusted_keys = " + std::string(20000, '[') + std::string(20000, ']') + "\n",
        "x = " + std::string(20000, '{') + "\n"}) {
    auto r = ParseAgentConfig(text, kPath);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kConfig);
    CHECK_THAT(r.error().message, Catch::StartsWith(std::string(kPath) + ":"));
  }
  auto r = ParseAgentConfig("\n\nworkstation = \"a\xff\"\n", kPath);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith(std::string(kPath) + ":3:"));
  // Brackets inside strings and comments do not count as nesting.
  std::string many(40, '[');
  auto ok = ParseAgentConfig("# " + many + "\nworkstation = \"" + many + "\"\nstate_dir = '" + many +
                                 "'\nca_file = \"\"\"\n" + many + "\"\"\"\ntoken_file = \"\\\"" + many + "\"\n",
                             kPath);
  REQUIRE(ok);
  CHECK(ok->workstation == many);
  CHECK(ok->state_dir == many);
  CHECK(ok->ca_file == many);
  CHECK(ok->token_file == "\"" + many);
  // Valid multi-byte UTF-8 is fine.
  auto utf8 = ParseAgentConfig("workstation = \"Caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x9a\x97\"\n", kPath);
  REQUIRE(utf8);
  CHECK(utf8->workstation == "Caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x9a\x97");
}

TEST_CASE("RenderAgentConfig round-trips through ParseAgentConfig", "[config]") {
  AgentConfig c;
  c.workstation = "SVC \"03\" \\ tab\there\nnewline \x01 \x7f caf\xc3\xa9";
  c.central_urls = {"https://central.example.com:8443/"};
  c.ca_file = "/etc/staffgate/ca with space.pem";
  c.token_file = "/etc/staffgate/tok'en";
  c.trusted_keys = {"/a.pub", "/b \"quoted\".pub"};
  c.socket = "/tmp/sg.sock";
  c.state_dir = "/var/lib/sg";
  c.audit_log = "/var/log/sg/audit.jsonl";
  c.exempt_accounts = {};
  c.min_uid = 0;
  c.unknown_accounts = UnknownAccounts::kIgnore;
  c.on_revoke = OnRevoke::kNone;
  c.lease_unreachable = LeaseUnreachable::kDeny;
  std::string text = RenderAgentConfig(c);
  INFO(text);
  auto r = ParseAgentConfig(text, "rendered.conf");
  REQUIRE(r);
  CHECK(r->workstation == c.workstation);
  CHECK(r->central_urls == c.central_urls);
  CHECK(r->ca_file == c.ca_file);
  CHECK(r->token_file == c.token_file);
  CHECK(r->trusted_keys == c.trusted_keys);
  CHECK(r->socket == c.socket);
  CHECK(r->state_dir == c.state_dir);
  CHECK(r->audit_log == c.audit_log);
  CHECK(r->exempt_accounts == c.exempt_accounts);
  CHECK(r->min_uid == c.min_uid);
  CHECK(r->unknown_accounts == c.unknown_accounts);
  CHECK(r->on_revoke == c.on_revoke);
  CHECK(r->lease_unreachable == c.lease_unreachable);

  // The defaults round-trip too (no workstation, no central).
  AgentConfig d;
  auto back = ParseAgentConfig(RenderAgentConfig(d), "rendered.conf");
  REQUIRE(back);
  CHECK(back->workstation.empty());
  CHECK(back->central_urls.empty());
  CHECK(back->exempt_accounts == d.exempt_accounts);
  CHECK(back->min_uid == d.min_uid);
}

TEST_CASE("LoadAgentConfig reads files and names them in errors", "[config]") {
  staffgate::testutil::TempDir temp("config");
  const std::string& dir = temp.path();
  std::string path = dir + "/agent.conf";
  REQUIRE(WriteFileAtomic(path, "workstation = \"W1\"\nmin_uid = 500\n", 0644));
  auto r = LoadAgentConfig(path);
  REQUIRE(r);
  CHECK(r->path == path);
  CHECK(r->workstation == "W1");
  CHECK(r->min_uid == 500);

  REQUIRE(WriteFileAtomic(path, "workstation = \"W1\"\nbogus = 1\n", 0644));
  auto bad = LoadAgentConfig(path);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::StartsWith(path + ":2: key 'bogus'"));

  auto missing = LoadAgentConfig(dir + "/missing.conf");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::kConfig);
  CHECK_THAT(missing.error().message, Catch::Contains(dir + "/missing.conf"));

  // Over the 1 MiB cap.
  REQUIRE(WriteFileAtomic(path, std::string(1024 * 1024 + 1, '\n'), 0644));
  auto huge = LoadAgentConfig(path);
  REQUIRE_FALSE(huge);
  CHECK(huge.error().kind == ErrorKind::kConfig);
}

TEST_CASE("LoadAgentConfig applies agent.conf.d drop-ins in name order and names them in errors",
          "[config]") {
  staffgate::testutil::TempDir temp("config");
  const std::string path = temp.path() + "/agent.conf";
  REQUIRE(WriteFileAtomic(path, "workstation = \"FROM-MAIN\"\nmin_uid = 500\n", 0644));
  REQUIRE(mkdir(DropInDir(path).c_str(), 0755) == 0);
  const std::string d = DropInDir(path) + "/";
  REQUIRE(WriteFileAtomic(d + "50-enrollment.conf", "workstation = \"FROM-50\"\n", 0644));
  REQUIRE(WriteFileAtomic(d + "90-site.conf", "min_uid = 2000\n", 0644));
  // Not drop-ins: hidden, editor and dpkg leftovers.
  REQUIRE(WriteFileAtomic(d + ".hidden.conf", "bogus = 1\n", 0644));
  REQUIRE(WriteFileAtomic(d + "90-site.conf~", "bogus = 1\n", 0644));
  REQUIRE(WriteFileAtomic(d + "90-site.conf.dpkg-old", "bogus = 1\n", 0644));
  auto r = LoadAgentConfig(path);
  REQUIRE(r);
  CHECK(r->workstation == "FROM-50");
  CHECK(r->min_uid == 2000);
  // A later name wins.
  REQUIRE(WriteFileAtomic(d + "95-late.conf", "workstation = \"FROM-95\"\n", 0644));
  CHECK(LoadAgentConfig(path)->workstation == "FROM-95");
  // A bad drop-in fails the whole load, naming its file and line.
  REQUIRE(WriteFileAtomic(d + "60-bad.conf", "\nmin_uid = -1\n", 0644));
  auto bad = LoadAgentConfig(path);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::StartsWith(d + "60-bad.conf:2: key 'min_uid'"));
}

TEST_CASE("RenderEnrollment holds only what enrollment sets and parses back", "[config]") {
  AgentConfig c;
  c.workstation = "SVC-03";
  c.central_urls = {"https://central.example:8443"};
  c.ca_file = "/etc/staffgate/central-ca.pem";
  c.token_file = "/etc/staffgate/workstation.token";
  c.trusted_keys = {"/etc/staffgate/roster-key.pem"};
  c.min_uid = 4242;
  const std::string text = RenderEnrollment(c);
  CHECK(text.find("min_uid") == std::string::npos);
  auto back = ParseAgentConfig(text, "50-enrollment.conf");
  REQUIRE(back);
  CHECK(back->workstation == c.workstation);
  CHECK(back->central_urls == c.central_urls);
  CHECK(back->trusted_keys == c.trusted_keys);
  CHECK(back->token_file == c.token_file);
}

TEST_CASE("offline_credentials_days: default 3, read, rendered back", "[config]") {
  auto defaults = ParseAgentConfig("", kPath);
  REQUIRE(defaults);
  CHECK(defaults->offline_credentials_days == 3);
  auto set = ParseAgentConfig("offline_credentials_days = 0\n", kPath);
  REQUIRE(set);
  CHECK(set->offline_credentials_days == 0);
  auto again = ParseAgentConfig(RenderAgentConfig(*set), kPath);
  REQUIRE(again);
  CHECK(again->offline_credentials_days == 0);
}

TEST_CASE("central_urls: an ordered list, central_url still one, rendered back as written",
          "[config]") {
  auto r = ParseAgentConfig(
      "central_urls = [\"https://a.example:8443\", \"https://b.example:8443/\", "
      "\"https://[::1]:9443\"]\n",
      kPath);
  REQUIRE(r);
  CHECK(r->central_urls == std::vector<std::string>{"https://a.example:8443",
                                                    "https://b.example:8443/",
                                                    "https://[::1]:9443"});
  auto back = ParseAgentConfig(RenderAgentConfig(*r), "rendered.conf");
  REQUIRE(back);
  CHECK(back->central_urls == r->central_urls);
  CHECK_THAT(RenderEnrollment(*r), Catch::Contains("central_urls = [\"https://a.example:8443\", "));
  // One central is written as central_url, which older agents read too.
  AgentConfig one;
  one.central_urls = {"https://a.example:8443"};
  CHECK_THAT(RenderEnrollment(one), Catch::Contains("central_url = \"https://a.example:8443\"\n"));
  CHECK_THAT(RenderAgentConfig(one), !Catch::Contains("central_urls"));
}

TEST_CASE("central_urls: both keys in one file, an empty list and a bad URL are refused by name",
          "[config]") {
  auto both = ParseAgentConfig(
      "central_url = \"https://a:8443\"\n\ncentral_urls = [\"https://b:8443\"]\n", kPath);
  REQUIRE_FALSE(both);
  CHECK(both.error().kind == ErrorKind::kConfig);
  CHECK_THAT(both.error().message,
             Catch::StartsWith(std::string(kPath) + ":3: key 'central_urls'") &&
                 Catch::Contains("'central_url'"));
  ExpectError("\ncentral_urls = []\n", 2, "central_urls");
  CHECK_THAT(ParseAgentConfig("central_urls = []\n", kPath).error().message,
             Catch::Contains("[] lists no central"));
  ExpectError("central_urls = \"https://a:8443\"\n", 1, "central_urls");
  ExpectError("central_urls = [1]\n", 1, "central_urls");
  for (const char* bad : {"http://a:8443", "https://", "https://:8443", "https://a:", "https://a:0",
                          "https://a:70000", "https://a:84x3", "https://user@a:8443",
                          "https://a:8443/?x=1", "https://a b:8443", "https://[::1:8443"}) {
    INFO(bad);
    const std::string text = R"(central_urls = ["https://ok:8443", ")" + std::string(bad) + "\"]\n";
    ExpectError(text, 1, "central_urls");
    // The value is named, so the mistake is found without opening the file.
    CHECK_THAT(ParseAgentConfig(text, kPath).error().message,
               Catch::Contains(std::string("\"") + bad + "\""));
    ExpectError("central_url = \"" + std::string(bad) + "\"\n", 1, "central_url");
  }
  auto twice = ParseAgentConfig("central_urls = [\"https://a:1\", \"https://a:1\"]\n", kPath);
  REQUIRE_FALSE(twice);
  CHECK_THAT(twice.error().message, Catch::Contains("\"https://a:1\" is listed twice"));
  CHECK(CentralUrlProblem("https://central.example.com:8443/staffgate").empty());
}

TEST_CASE("central_urls: a drop-in's list replaces the main file's central_url", "[config]") {
  staffgate::testutil::TempDir temp("config");
  const std::string path = temp.path() + "/agent.conf";
  REQUIRE(WriteFileAtomic(path, "central_url = \"https://main:8443\"\n", 0644));
  REQUIRE(mkdir(DropInDir(path).c_str(), 0755) == 0);
  REQUIRE(WriteFileAtomic(DropInDir(path) + "/50-enrollment.conf",
                          "central_urls = [\"https://a:8443\", \"https://b:8443\"]\n", 0644));
  auto r = LoadAgentConfig(path);
  REQUIRE(r);
  CHECK(r->central_urls == std::vector<std::string>{"https://a:8443", "https://b:8443"});
  REQUIRE(WriteFileAtomic(DropInDir(path) + "/90-one.conf", "central_url = \"https://c:8443\"\n",
                          0644));
  CHECK(LoadAgentConfig(path)->central_urls == std::vector<std::string>{"https://c:8443"});
}
