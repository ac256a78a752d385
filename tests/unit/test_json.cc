// Strict JSON parsing for outside input: size, depth, duplicate keys.
// Both strict parsers, ParseJson (nlohmann, json_util.h) and JsonDoc
// (simdjson, json_view.h, the roster's), must give every text the same
// verdict: each case below runs through both.
#include <catch2/catch.hpp>
#include <string>

#include "common/json_util.h"
#include "common/json_view.h"

using namespace staffgate::common;

namespace {

// Whether both parsers accept `text`; fails the test when they disagree.
bool Accepts(const std::string& text, JsonLimits limits = {}) {
  INFO(text.substr(0, 200));
  auto r = ParseJson(text, limits);
  JsonDoc doc;
  auto v = doc.Parse(text, limits);
  CHECK(r.has_value() == v.has_value());
  if (!r && !v) CHECK(r.error().kind == v.error().kind);
  return r.has_value() && v.has_value();
}

ErrorKind KindOf(const std::string& text, JsonLimits limits = {}) {
  INFO(text.substr(0, 200));
  auto r = ParseJson(text, limits);
  REQUIRE_FALSE(r);
  JsonDoc doc;
  auto v = doc.Parse(text, limits);
  REQUIRE_FALSE(v);
  CHECK(v.error().kind == r.error().kind);
  CHECK(v.error().message == r.error().message);
  return r.error().kind;
}

}  // namespace

TEST_CASE("depth is capped exactly, brackets in strings do not count", "[json]") {
  JsonLimits limits{1024, 4};
  CHECK(Accepts("[[[[1]]]]", limits));
  CHECK(KindOf("[[[[[1]]]]]", limits) == ErrorKind::kTooLarge);
  CHECK(Accepts(R"({"a":{"b":[{"c":1}]}})", limits));
  CHECK(KindOf(R"({"a":{"b":[{"c":[]}]}})", limits) == ErrorKind::kTooLarge);
  CHECK(Accepts(R"(["[[[[[[[[", "{{{{{{{{{"])", limits));
  CHECK(Accepts(R"(["\"[[[[[[[[\\", "]]]]]]]]"])", limits));
  CHECK(Accepts("1", limits));
  // 100,000 levels: refused up front, no recursion.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(KindOf(deep, JsonLimits{1 << 20, 32}) == ErrorKind::kTooLarge);
  // Closers first cannot hide later depth.
  CHECK_FALSE(Accepts("]]]]]]" + std::string(10, '[') + std::string(10, ']'), limits));
}

TEST_CASE("size is capped exactly", "[json]") {
  std::string doc = "\"" + std::string(98, 'x') + "\"";  // 100 bytes.
  CHECK(Accepts(doc, JsonLimits{100, 4}));
  CHECK(KindOf(doc, JsonLimits{99, 4}) == ErrorKind::kTooLarge);
}

TEST_CASE("duplicate keys are rejected at every level", "[json]") {
  for (const char* dup : {R"({"a":1,"a":2})", R"({"a":1,"a":1})", R"({"x":{"a":1,"b":2,"a":3}})",
                          R"([{"ok":1},{"a":1,"a":2}])", R"({"x":[[{"y":{"z":1,"z":2}}]]})",
                          R"({"a":1,"\u0061":2})"}) {
    CHECK(KindOf(dup) == ErrorKind::kInvalidInput);
  }
  // The first repeated key in document order is named, at whatever level.
  for (const char* first : {R"({"a":1,"a":2,"b":{"x":1,"x":2}})", R"({"z":1,"z":2,"a":1,"a":2})",
                            R"({"b":{"x":1,"x":2},"a":1,"a":2})"}) {
    CHECK(KindOf(first) == ErrorKind::kInvalidInput);
  }
  // Objects past the linear scan (json_view.cc) are checked by hash.
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) wide += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  CHECK(Accepts(wide.substr(0, wide.size() - 1) + "}"));
  CHECK(KindOf(wide + "\"k39\":0}") == ErrorKind::kInvalidInput);
  // The same key in sibling or nested objects is fine.
  CHECK(Accepts(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})"));
  // The message names the key.
  auto r = ParseJson(R"({"serial":1,"serial":2})", {});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("serial"));
}

TEST_CASE("a UTF-8 byte order mark before the document is skipped by both", "[json]") {
  CHECK(Accepts("\xEF\xBB\xBF{\"a\":1}"));
  CHECK(KindOf("\xEF\xBB\xBF") == ErrorKind::kInvalidInput);
  CHECK(KindOf("{\"a\":1}\xEF\xBB\xBF") == ErrorKind::kInvalidInput);
  CHECK(KindOf("\xEF\xBB\xBF\xEF\xBB\xBF{}") == ErrorKind::kInvalidInput);
}

// The two known differences (json_view.h), pinned so that a simdjson
// upgrade changing them is noticed. Neither lets more through.
TEST_CASE("JsonDoc's known differences from ParseJson are in numbers only", "[json]") {
  const std::string huge = R"({"n":18446744073709551616})";
  CHECK(ParseJson(huge, {}));
  JsonDoc doc;
  auto refused = doc.Parse(huge, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::kInvalidInput);
  // -0: ParseJson's is signed, so never an unsigned field; here it is 0,
  // the lowest value every unsigned field already takes.
  auto json = ParseJson(R"({"n":-0})", {});
  REQUIRE(json);
  CHECK_FALSE(GetUint(*json, "n"));
  REQUIRE(doc.Parse(R"({"n":-0})", {}));
  JsonObject o;
  REQUIRE(doc.root().get(o) == simdjson::SUCCESS);
  CHECK(*UintMember(o, "n") == 0);
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

TEST_CASE("JsonDoc typed members say what json_util.h's accessors say", "[json]") {
  const std::string text =
      R"({"s":"x","n":5,"neg":-5,"f":1.5,"e":1e3,"null":null,"big":18446744073709551615})";
  JsonDoc doc;
  REQUIRE(doc.Parse(text, {}));
  JsonObject o;
  REQUIRE(doc.root().get(o) == simdjson::SUCCESS);
  auto json = ParseJson(text, {});
  REQUIRE(json);
  CHECK(*StringMember(o, "s") == "x");
  for (const char* key : {"n", "missing", "null"}) {
    INFO(key);
    REQUIRE_FALSE(StringMember(o, key));
    CHECK(StringMember(o, key).error().message == GetString(*json, key).error().message);
  }
  CHECK(OptionalStringMember(o, "s")->value() == "x");
  CHECK_FALSE(OptionalStringMember(o, "missing")->has_value());
  CHECK_FALSE(OptionalStringMember(o, "null")->has_value());
  CHECK_FALSE(OptionalStringMember(o, "n"));
  CHECK(*UintMember(o, "n") == 5);
  CHECK(*UintMember(o, "big") == 18446744073709551615ULL);
  for (const char* key : {"neg", "f", "e", "s", "missing", "null"}) {
    INFO(key);
    REQUIRE_FALSE(UintMember(o, key));
    CHECK(UintMember(o, key).error().message == GetUint(*json, key).error().message);
  }
  CHECK(IsAbsentOrNull(FindMember(o, "null")));
  CHECK(IsAbsentOrNull(FindMember(o, "missing")));
  CHECK_FALSE(IsAbsentOrNull(FindMember(o, "n")));
}

TEST_CASE("JsonDoc can be parsed again, and keeps nothing of the last document", "[json]") {
  JsonDoc doc;
  REQUIRE(doc.Parse(R"({"a":"first"})", {}));
  REQUIRE_FALSE(doc.Parse(R"({"a":1,"a":2})", {}));
  REQUIRE(doc.Parse(R"({"b":"second"})", {}));
  JsonObject o;
  REQUIRE(doc.root().get(o) == simdjson::SUCCESS);
  CHECK_FALSE(FindMember(o, "a"));
  CHECK(*StringMember(o, "b") == "second");
}
