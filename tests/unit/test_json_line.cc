// common/json_line.h against nlohmann (common/json_util.h): the module's
// reader must accept and refuse exactly what the agent's parser does, with
// the same kinds of error and the same decoded values, and its writer must
// write strings byte for byte as nlohmann's dump. fuzz_json_line does the
// same on arbitrary input.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/json_line.h"
#include "common/json_util.h"
#include "common/protocol.h"
#include "tests/lib/json_line_compare.h"

namespace {

using namespace staffgate::common;

// ParseLineObject's view of a line, through nlohmann.
Result<Json> Reference(const std::string& line) {
  auto parsed = ParseJson(line, JsonLimits{kMaxLineBytes, kMaxLineDepth});
  if (parsed && !parsed->is_object()) return Fail(ErrorKind::kInvalidInput, "not an object");
  return parsed;
}

using staffgate::testing::SameValue;

// Both readers agree on `line`: both refuse it with the same kind, or both
// take it with the same members.
void Agree(const std::string& line) {
  INFO(line.substr(0, 200));
  auto ours = ParseJsonLine(line, kMaxLineBytes, "line");
  auto theirs = Reference(line);
  REQUIRE(ours.has_value() == theirs.has_value());
  if (!ours) {
    CHECK(ours.error().kind == theirs.error().kind);
    return;
  }
  REQUIRE(ours->members.size() == theirs->size());
  for (const auto& [key, value] : ours->members) {
    INFO(key);
    REQUIRE(theirs->contains(key));
    CHECK(SameValue(value, theirs->at(key)));
  }
}

std::string Written(const std::string& text) {
  std::string out;
  AppendJsonText(out, text);
  return out;
}

}  // namespace

TEST_CASE("the module's JSON reader takes what nlohmann takes", "[json_line]") {
  for (const std::string line : {
           R"({"v":1,"ok":true,"decision":"allow","reason":"allowed","message":"","serial":42})",
           R"( {"a" : [1, 2, {"b": null}], "c": {"d": [true, false]}} )",
           "\xEF\xBB\xBF{\"bom\":1}",
           R"({"neg":-0,"min":-9223372036854775808,"max":18446744073709551615})",
           R"({"over":18446744073709551616,"under":-9223372036854775809})",
           R"({"f":1.5,"e":1e308,"tiny":1e-400,"E":2E+3,"z":0.0})",
           R"({"esc":"\"\\\/\b\f\n\r\t","u":"\u00e9\u0000\ud83d\ude00"})",
           "{\"utf8\":\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\"}",
           R"({"":"empty key"})",
           "{\t\"ws\"\r\n:\n1\n}",
           R"({})",
       }) {
    Agree(line);
  }
}

TEST_CASE("the module's JSON reader refuses what nlohmann refuses", "[json_line]") {
  for (const std::string& line : std::vector<std::string>{
           "",
           " ",
           "[1]",
           "\"text\"",
           "5",
           "null",
           R"({"a":1,})",
           R"({"a":1}x)",
           R"({"a":01})",
           R"({"a":1.})",
           R"({"a":.5})",
           R"({"a":+1})",
           R"({"a":-})",
           R"({"a":1e})",
           R"({"a":1e400})",
           R"({"a":-1e400})",
           R"({"a":1)" + std::string(400, '0') + "}",
           R"({"a":tru})",
           R"({"a":True})",
           R"({"a":"\x"})",
           R"({"a":"\u12"})",
           R"({"a":"\ud800"})",
           R"({"a":"\ud800\u0041"})",
           R"({"a":"\udc00"})",
           "{\"a\":\"tab\there\"}",
           "{\"a\":\"\xC0\xAF\"}",
           "{\"a\":\"\xED\xA0\x80\"}",
           "{\"a\":\"\xF4\x90\x80\x80\"}",
           "{\"a\":\"\xE2\x82\"}",
           "{\"a\":\"\x80\"}",
           "{\"a\":\"\xFF\"}",
           "\xEF\xBB{}",
           "{\"a\":1}\xEF\xBB\xBF",
           R"({"a":1,"a":2})",
           R"({"a":{"b":1,"b":2}})",
           R"({"o\u006b":1,"ok":2})",
           R"({"a":[{"x":1},{"x":1,"x":1}]})",
           std::string("{\"a\":\"nul\0\"}", 12),
           R"({"a":[[[[[[[[1]]]]]]]]})",
           R"({"a":[[[[[[["]]]]]]]]"]]]]]]]})",
           std::string(kMaxLineBytes + 1, ' '),
           R"({"a" 1})",
           R"({a:1})",
           R"({"a":1 "b":2})",
       }) {
    Agree(line);
  }
}

TEST_CASE("the module's JSON writer writes strings as nlohmann's dump", "[json_line]") {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  for (const std::string& text : {
           std::string(),
           std::string("asmith"),
           std::string("quote\" backslash\\ slash/"),
           std::string("\b\f\n\r\t\x01\x1f\x7f", 8),
           std::string("nul\0inside", 10),
           std::string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
           std::string("\xC3"),
           std::string("\xC3x"),
           std::string("\xE2\x82x\xE2\x82"),
           std::string("\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80"),
           std::string("\xF0\x9F\x98"),
           std::string("\x80\xBF\xFE\xFF"),
           every_byte,
       }) {
    INFO(text);
    CHECK(Written(text) == DumpJson(Json(text)));
  }
}
