// STAFFGATE_PROTO_ASSIGN for the protocol's parsers (common/protocol_fields.h
// with nlohmann, common/protocol_module.h without): kept apart so the
// module's codec does not include nlohmann.
#ifndef STAFFGATE_COMMON_PROTOCOL_ASSIGN_H_
#define STAFFGATE_COMMON_PROTOCOL_ASSIGN_H_

#include <tl/expected.hpp>
#include <utility>

// Assigns the value of a Result expression to `lhs`, or returns its error
// from the caller, which no function can do (as absl's ASSIGN_OR_RETURN).
// NOLINTNEXTLINE(cppcoreguidelines-macro-usage)
#define STAFFGATE_PROTO_ASSIGN(lhs, expr)                      \
  do {                                                         \
    auto proto_result_ = (expr);                               \
    if (!proto_result_) {                                      \
      return tl::unexpected(std::move(proto_result_.error())); \
    }                                                          \
    (lhs) = std::move(*proto_result_);                         \
  } while (0)

#endif  // STAFFGATE_COMMON_PROTOCOL_ASSIGN_H_
