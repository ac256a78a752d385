// libFuzzer target for the PAM module's JSON (common/json_line.h), held
// against nlohmann, the agent's parser: on any line both readers must take
// or refuse it alike (same kind of error), and agree on every top-level
// member; the writer must write any bytes as nlohmann's dump does; and a
// reply the module reads (DecodeModuleReply, every module op) must survive
// the agent's SerializeResponse unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/json_line.h"
#include "common/json_util.h"
#include "common/protocol.h"
#include "common/protocol_module.h"
#include "tests/lib/json_line_compare.h"

namespace {

using namespace staffgate::common;

using staffgate::testing::SameValue;

void CompareReaders(std::string_view line) {
  auto ours = ParseJsonLine(line, kMaxLineBytes, "line");
  auto theirs = ParseJson(line, JsonLimits{kMaxLineBytes, kMaxLineDepth});
  if (theirs && !theirs->is_object()) {
    theirs = Fail(ErrorKind::kInvalidInput, "not an object");
  }
  if (ours.has_value() != theirs.has_value()) std::abort();
  if (!ours) {
    if (ours.error().kind != theirs.error().kind) std::abort();
    return;
  }
  if (ours->members.size() != theirs->size()) std::abort();
  for (const auto& [key, value] : ours->members) {
    auto it = theirs->find(key);
    if (it == theirs->end() || !SameValue(value, *it)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  CompareReaders(line);
  std::string written;
  AppendJsonText(written, line);
  if (written != DumpJson(Json(std::string(line)))) std::abort();
  for (Op op : {Op::kCheck, Op::kSessionOpen, Op::kSessionClose, Op::kAuthenticate, Op::kChauthtok,
                Op::kPasswordChanged}) {
    auto reply = DecodeModuleReply(op, line);
    if (!reply) continue;
    auto again = DecodeModuleReply(op, SerializeResponse(*reply));
    if (!again || !(*again == *reply)) std::abort();
  }
  return 0;
}
