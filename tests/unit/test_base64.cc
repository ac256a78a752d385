#include <catch2/catch.hpp>

#include "common/base64.h"

using staffgate::common::Base64Decode;
using staffgate::common::Base64Encode;

TEST_CASE("base64 round-trips every length", "[base64]") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto decoded = Base64Decode(Base64Encode(bytes));
    REQUIRE(decoded);
    REQUIRE(*decoded == bytes);
    bytes += static_cast<char>(i * 37);
  }
  REQUIRE(Base64Encode("hello") == "aGVsbG8=");
}

TEST_CASE("base64 rejects non-canonical input", "[base64]") {
  for (const char* bad : {"aGVsbG8", "aGVs bG8=", "aGVsbG9=", "a===", "aGVsbG8-", "=aGV",
                          "aG=sbG8=", "aGVsbG8=\n"}) {
    INFO(bad);
    REQUIRE_FALSE(Base64Decode(bad));
  }
}
