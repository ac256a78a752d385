#include <catch2/catch.hpp>

#include "central/central_config.h"

using staffgate::central::CentralConfig;
using staffgate::central::ParseCentralConfig;
using staffgate::central::RenderCentralConfig;

TEST_CASE("central config: the rendered template reads back", "[central][config]") {
  CentralConfig c;
  c.listen_host = "0.0.0.0";
  c.listen_port = 9443;
  c.organization = "Example \"Motors\"";
  auto parsed = ParseCentralConfig(RenderCentralConfig(c), "/etc/sg/central.conf");
  REQUIRE(parsed);
  CHECK(parsed->Listen() == "0.0.0.0:9443");
  CHECK(parsed->organization == "Example \"Motors\"");
  CHECK(parsed->db == "/etc/sg/central.db");  // Relative to the config file.
  CHECK(parsed->signing_key == "/etc/sg/roster-signing.key");
  CHECK(parsed->roster_lifetime_s == 7 * 24 * 3600);
  CHECK(parsed->online_window_s == 300);
}

TEST_CASE("central config: online_window_s", "[central][config]") {
  auto set = ParseCentralConfig("online_window_s = 90\n", "c.conf");
  REQUIRE(set);
  CHECK(set->online_window_s == 90);
  for (const char* bad : {"online_window_s = 0\n", "online_window_s = -5\n",
                          "online_window_s = \"300\"\n", "online_window_s = 99999999999\n"}) {
    auto refused = ParseCentralConfig(bad, "c.conf");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("c.conf:1: key 'online_window_s'") == 0);
  }
}

TEST_CASE("central config: the console's timeouts", "[central][config]") {
  auto defaults = ParseCentralConfig("", "c.conf");
  REQUIRE(defaults);
  CHECK(defaults->console_idle_timeout_s == 30 * 60);
  CHECK(defaults->console_absolute_timeout_s == 10 * 3600);
  auto set =
      ParseCentralConfig("console_idle_timeout_s = 2\nconsole_absolute_timeout_s = 5\n", "c.conf");
  REQUIRE(set);
  CHECK(set->console_idle_timeout_s == 2);
  CHECK(set->console_absolute_timeout_s == 5);
  auto rendered = ParseCentralConfig(RenderCentralConfig(*set), "c.conf");
  REQUIRE(rendered);
  CHECK(rendered->console_idle_timeout_s == 2);
  for (const char* bad : {"console_idle_timeout_s = 0\n", "console_absolute_timeout_s = -1\n",
                          "console_idle_timeout_s = 86401\n"}) {
    auto refused = ParseCentralConfig(bad, "c.conf");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("c.conf:1: key 'console_") == 0);
  }
}

TEST_CASE("central config: errors name file, line and key", "[central][config]") {
  auto unknown = ParseCentralConfig("listen = \"127.0.0.1:1\"\nbogus = 1\n", "c.conf");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "c.conf:2: key 'bogus': unknown key");
  auto range = ParseCentralConfig("max_wait_s = 61\n", "c.conf");
  REQUIRE_FALSE(range);
  CHECK(range.error().message.find("c.conf:1: key 'max_wait_s'") == 0);
  CHECK_FALSE(ParseCentralConfig("listen = \"nohostport\"\n", "c.conf"));
  CHECK_FALSE(ParseCentralConfig("listen = \"h:70000\"\n", "c.conf"));
  CHECK_FALSE(ParseCentralConfig("db = 5\n", "c.conf"));
  CHECK_FALSE(ParseCentralConfig("not toml [", "c.conf"));
  auto v6 = ParseCentralConfig("listen = \"[::1]:8443\"\n", "c.conf");
  REQUIRE(v6);
  CHECK(v6->listen_host == "::1");
  CHECK(v6->Listen() == "[::1]:8443");
}

TEST_CASE("central config: hostile text fails cleanly", "[central][config]") {
  // The shared TOML reader's pre-checks (common/toml_reader.h) guard the
  // central too: invalid UTF-8 and deep nesting never reach toml11.
  auto utf8 = ParseCentralConfig("\norganization = \"a\xff\"\n", "c.conf");
  REQUIRE_FALSE(utf8);
  CHECK(utf8.error().message == "c.conf:2: invalid UTF-8");
  auto deep = ParseCentralConfig("x = " + std::string(20000, '[') + "\n", "c.conf");
  REQUIRE_FALSE(deep);
  CHECK(deep.error().message == "c.conf:1: arrays or tables nested too deeply");
}
