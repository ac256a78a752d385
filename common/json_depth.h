// The nesting depth of a JSON text, measured before it is parsed, so a
// hostile, deeply nested document is refused without recursion. Its own
// file, free of nlohmann: the PAM module's codec (json_line.h) uses it too.
#ifndef STAFFGATE_COMMON_JSON_DEPTH_H_
#define STAFFGATE_COMMON_JSON_DEPTH_H_

#include <cstddef>
#include <string_view>

namespace staffgate::common {

// What a strict parser (json_util.h, json_view.h) accepts of one document.
struct JsonLimits {
  std::size_t max_bytes = 64UL * 1024;
  int max_depth = 32;
};

// The deepest nesting of [ and { outside strings. Linear; stops counting
// once the depth exceeds `stop_after` and returns that depth.
int JsonMaxDepth(std::string_view text, int stop_after);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_JSON_DEPTH_H_
