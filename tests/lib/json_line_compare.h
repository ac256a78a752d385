// The module's JSON reader against nlohmann's, value by value: shared by
// tests/unit/test_json_line.cc and tests/fuzz/fuzz_json_line.cc.
#ifndef STAFFGATE_TESTS_LIB_JSON_LINE_COMPARE_H_
#define STAFFGATE_TESTS_LIB_JSON_LINE_COMPARE_H_

#include <cstdint>
#include <string>

#include "common/json_line.h"
#include "common/json_util.h"

namespace staffgate::testing {

// Whether `ours` is what nlohmann read as `theirs` (kNested and kFloat by
// type only: the module keeps neither's contents).
inline bool SameValue(const common::JsonValue& ours, const common::Json& theirs) {
  using Type = common::JsonValue::Type;
  switch (ours.type) {
    case Type::kNull:
      return theirs.is_null();
    case Type::kBool:
      return theirs.is_boolean() && theirs.get<bool>() == ours.boolean;
    case Type::kString:
      return theirs.is_string() && theirs.get<std::string>() == ours.text;
    case Type::kUnsigned:
      return theirs.is_number_unsigned() && theirs.get<std::uint64_t>() == ours.unsigned_value;
    case Type::kSigned:
      return theirs.is_number_integer() && !theirs.is_number_unsigned() &&
             theirs.get<std::int64_t>() == ours.signed_value;
    case Type::kFloat:
      return theirs.is_number_float();
    case Type::kNested:
      return theirs.is_object() || theirs.is_array();
  }
  return false;
}

}  // namespace staffgate::testing

#endif  // STAFFGATE_TESTS_LIB_JSON_LINE_COMPARE_H_
