// RFC 3339 parsing and formatting, and the injected clocks.
#include <catch2/catch.hpp>

#include <string>

#include "common/time_util.h"

using namespace staffgate::common;

namespace {

UnixSeconds MustParse(const std::string& text) {
  INFO(text);
  auto r = ParseRfc3339(text);
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("RFC 3339 UTC times parse", "[time]") {
  CHECK(MustParse("1970-01-01T00:00:00Z") == 0);
  CHECK(MustParse("2026-11-28T23:00:00Z") == 1795906800);
  CHECK(MustParse("2026-11-28t23:00:00z") == 1795906800);
  CHECK(MustParse("1969-12-31T23:59:59Z") == -1);
  CHECK(MustParse("2038-01-19T03:14:08Z") == 2147483648LL);  // Past 32-bit time_t.
  CHECK(MustParse("9999-12-31T23:59:59Z") == 253402300799LL);
  CHECK(MustParse("0000-01-01T00:00:00Z") == -62167219200LL);
}

TEST_CASE("fractions are accepted and truncated", "[time]") {
  CHECK(MustParse("2026-11-28T23:00:00.5Z") == 1795906800);
  CHECK(MustParse("2026-11-28T23:00:00.999999999Z") == 1795906800);
  CHECK(MustParse("2026-11-28T23:00:00.000+00:00") == 1795906800);
}

TEST_CASE("offsets are converted to UTC", "[time]") {
  CHECK(MustParse("2026-11-29T00:00:00+01:00") == 1795906800);
  CHECK(MustParse("2026-11-28T17:30:00-05:30") == 1795906800);
  CHECK(MustParse("2026-11-28T23:00:00+00:00") == 1795906800);
  CHECK(MustParse("2026-11-28T23:00:00-00:00") == 1795906800);
  CHECK(MustParse("2026-11-29T22:59:00+23:59") == 1795906800);
  CHECK(MustParse("2026-11-28T00:01:00-22:59") == 1795906800);
  CHECK(MustParse("1970-01-01T00:00:00.25-01:00") == 3600);
}

TEST_CASE("leap years and month lengths", "[time]") {
  CHECK(MustParse("2024-02-29T12:34:56Z") == 1709210096);
  CHECK(MustParse("2000-02-29T00:00:00Z") == 951782400);
  CHECK(MustParse("2024-03-01T00:00:00Z") - MustParse("2024-02-28T00:00:00Z") == 2L * 86400);
  CHECK(MustParse("2023-03-01T00:00:00Z") - MustParse("2023-02-28T00:00:00Z") == 86400);
  for (const char* bad : {"2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
                          "2024-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-06-31T00:00:00Z",
                          "2026-09-31T00:00:00Z", "2026-11-31T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad));
  }
  CHECK(MustParse("2026-12-31T00:00:00Z") - MustParse("2026-12-30T00:00:00Z") == 86400);
  // A leap second is accepted as the second before.
  CHECK(MustParse("2016-12-31T23:59:60Z") == MustParse("2016-12-31T23:59:59Z"));
}

TEST_CASE("malformed times are invalid input", "[time]") {
  for (const char* bad : {
           "", "now", "2026-11-28", "2026-11-28T23:00:00", "2026-11-28T23:00Z",
           "2026-11-28 23:00:00Z", "2026-11-28T23:00:00.Z", "2026-11-28T23:00:00.5",
           "2026-11-28T23:00:00+01", "2026-11-28T23:00:00+0100", "2026-11-28T23:00:00+01:0",
           "2026-11-28T23:00:00+24:00", "2026-11-28T23:00:00+01:60", "2026-11-28T23:00:00ZZ",
           "2026-11-28T23:00:00Z ", " 2026-11-28T23:00:00Z", "2026-11-28T23:00:00+01:00x",
           "2026-13-28T23:00:00Z", "2026-00-28T23:00:00Z", "2026-11-00T23:00:00Z",
           "2026-11-28T24:00:00Z", "2026-11-28T23:60:00Z", "2026-11-28T23:00:61Z",
           "2026/11/28T23:00:00Z", "2026-11-28T23-00-00Z", "20261-1-28T23:00:00Z",
           "+026-11-28T23:00:00Z", "2026-1a-28T23:00:00Z", "2026-11-28T23:00:00\0Z",
           "2026-11-28T23:00:00.5.5Z", "2026-11-28T23:00:00z+01:00"}) {
    INFO(bad);
    auto r = ParseRfc3339(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("formatting and round trips", "[time]") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(1795906800) == "2026-11-28T23:00:00Z");
  CHECK(FormatRfc3339(1709210096) == "2024-02-29T12:34:56Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59Z");
  for (UnixSeconds t : {UnixSeconds{0}, UnixSeconds{951782400}, UnixSeconds{1709164800 - 1},
                        UnixSeconds{4102444800}, UnixSeconds{253402300799}}) {
    CHECK(MustParse(FormatRfc3339(t)) == t);
  }
  // Every day of a leap year and a normal year.
  for (UnixSeconds t = 1704067200; t < 1704067200 + 2 * 366 * 86400; t += 86400 + 3661) {
    CHECK(MustParse(FormatRfc3339(t)) == t);
  }
  CHECK(FormatRfc3339Ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatRfc3339Ms(1500) == "1970-01-01T00:00:01.500Z");
  CHECK(FormatRfc3339Ms(1795906800007) == "2026-11-28T23:00:00.007Z");
  CHECK(FormatRfc3339Ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(MustParse(FormatRfc3339Ms(1795906800999)) == 1795906800);
}

TEST_CASE("clocks", "[time]") {
  FakeClock clock(100);
  CHECK(clock.Now() == 100);
  CHECK(clock.NowMs() == 100000);
  clock.Advance(5);
  CHECK(clock.Now() == 105);
  clock.Set(7);
  CHECK(clock.Now() == 7);
  SystemClock system;
  CHECK(system.Now() > 1700000000);  // After 2023: the clock is real.
  CHECK(system.NowMs() / 1000 >= system.Now() - 1);
}
