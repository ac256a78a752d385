// Strict JSON parsing for outside input: size, depth, duplicate keys.
#include <catch2/catch.hpp>

#include <string>

#include "common/json_util.h"

using namespace staffgate::common;

namespace {

ErrorKind KindOf(const std::string& text, JsonLimits limits = {}) {
  INFO(text.substr(0, 200));
  auto r = ParseJson(text, limits);
  REQUIRE_FALSE(r);
  return r.error().kind;
}

}  // namespace

TEST_CASE("depth is capped exactly, brackets in strings do not count", "[json]") {
  JsonLimits limits{1024, 4};
  CHECK(ParseJson("[[[[1]]]]", limits));
  CHECK(KindOf("[[[[[1]]]]]", limits) == ErrorKind::kTooLarge);
  CHECK(ParseJson(R"({"a":{"b":[{"c":1}]}})", limits));
  CHECK(KindOf(R"({"a":{"b":[{"c":[]}]}})", limits) == ErrorKind::kTooLarge);
  CHECK(ParseJson(R"(["[[[[[[[[", "{{{{{{{{{"])", limits));
  CHECK(ParseJson(R"(["\"[[[[[[[[\\", "]]]]]]]]"])", limits));
  CHECK(ParseJson("1", limits));
  // 100,000 levels: refused up front, no recursion.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(KindOf(deep, JsonLimits{1 << 20, 32}) == ErrorKind::kTooLarge);
  // Closers first cannot hide later depth.
  auto r = ParseJson("]]]]]]" + std::string(10, '[') + std::string(10, ']'), limits);
  CHECK_FALSE(r);
}

TEST_CASE("size is capped exactly", "[json]") {
  std::string doc = "\"" + std::string(98, 'x') + "\"";  // 100 bytes.
  CHECK(ParseJson(doc, JsonLimits{100, 4}));
  CHECK(KindOf(doc, JsonLimits{99, 4}) == ErrorKind::kTooLarge);
}

TEST_CASE("duplicate keys are rejected at every level", "[json]") {
  for (const char* dup : {R"({"a":1,"a":2})", R"({"a":1,"a":1})", R"({"x":{"a":1,"b":2,"a":3}})",
                          R"([{"ok":1},{"a":1,"a":2}])", R"({"x":[[{"y":{"z":1,"z":2}}]]})",
                          R"({"a":1,"\u0061":2})"}) {
    CHECK(KindOf(dup) == ErrorKind::kInvalidInput);
  }
  // The same key in sibling or nested objects is fine.
  CHECK(ParseJson(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})", {}));
  // The message names the key.
  auto r = ParseJson(R"({"serial":1,"serial":2})", {});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("serial"));
}

TEST_CASE("syntax errors and invalid UTF-8 are invalid input", "[json]") {
  for (const std::string& bad : {std::string(""), std::string("{"), std::string("{} {}"),
                                 std::string("[1,]"), std::string("'a'"), std::string("NaN"),
                                 std::string("\"\xff\""), std::string("\"\xc0\xaf\""),
                                 std::string("{\"a\":1}\0", 8), std::string("{\"a\":1}\0{\"b\":2}", 15),
                                 std::string("[\"a\0\"]", 6), std::string("/* c */ 1")}) {
    CHECK(KindOf(bad) == ErrorKind::kInvalidInput);
  }
}

TEST_CASE("typed field access", "[json]") {
  auto parsed = ParseJson(R"({"s":"x","n":5,"neg":-5,"f":1.5,"null":null,"big":18446744073709551615})", {});
  REQUIRE(parsed);
  const Json& o = *parsed;
  CHECK(*GetString(o, "s") == "x");
  CHECK_FALSE(GetString(o, "n"));
  CHECK_FALSE(GetString(o, "missing"));
  CHECK_THAT(GetString(o, "missing").error().message, Catch::Contains("missing"));
  CHECK(GetOptionalString(o, "s")->value() == "x");
  CHECK_FALSE(GetOptionalString(o, "missing")->has_value());
  CHECK_FALSE(GetOptionalString(o, "null")->has_value());
  CHECK_FALSE(GetOptionalString(o, "n"));
  CHECK(*GetUint(o, "n") == 5);
  CHECK(*GetUint(o, "big") == 18446744073709551615ULL);
  CHECK_FALSE(GetUint(o, "neg"));
  CHECK_FALSE(GetUint(o, "f"));
  CHECK_FALSE(GetUint(o, "s"));
  CHECK_FALSE(GetUint(o, "missing"));
  CHECK(GetOptionalInt(o, "neg")->value() == -5);
  CHECK(GetOptionalInt(o, "n")->value() == 5);
  CHECK_FALSE(GetOptionalInt(o, "missing")->has_value());
  CHECK_FALSE(GetOptionalInt(o, "null")->has_value());
  CHECK_FALSE(GetOptionalInt(o, "f"));
  CHECK_FALSE(GetOptionalInt(o, "s"));
}

TEST_CASE("DumpJson never throws on invalid UTF-8", "[json]") {
  Json j = {{"k", std::string("a\xff" "b")}};
  std::string out;
  REQUIRE_NOTHROW(out = DumpJson(j));
  CHECK(ParseJson(out, {}));
  CHECK(DumpJson(Json::object()) == "{}");
}
