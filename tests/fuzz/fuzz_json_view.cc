// libFuzzer target for the roster's JSON reader (common/json_view.h),
// held against ParseJson (common/json_util.h), the strict nlohmann reader
// it replaced: on any text both must take or refuse it alike, with the
// same kind of error (the depth and size rules give the same sentence).
// The one verdict they may differ on is json_view.h's documented one: an
// integer beyond 64 bits, which nlohmann reads as a double and simdjson
// refuses; texts with a run of 20 digits or more are skipped for it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/json_util.h"
#include "common/json_view.h"

namespace {

using namespace staffgate::common;

bool HasLongDigitRun(std::string_view text) {
  std::size_t run = 0;
  for (char ch : text) {
    run = (ch >= '0' && ch <= '9') ? run + 1 : 0;
    if (run >= 20) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const JsonLimits limits{1 << 20, 16};
  auto theirs = ParseJson(text, limits);
  JsonDoc doc;
  auto ours = doc.Parse(text, limits);
  if (ours.has_value() != theirs.has_value()) {
    if (!ours && HasLongDigitRun(text)) return 0;
    std::abort();  // One reader takes what the other refuses.
  }
  if (!ours && ours.error().kind != theirs.error().kind) std::abort();
  return 0;
}
