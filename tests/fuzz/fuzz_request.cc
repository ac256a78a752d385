// libFuzzer target for the agent socket protocol: every line the agent
// reads (ParseRequest, every op) and every line a client reads
// (ParseResponse, as the reply of every op). What parses must survive a
// serialise/parse round trip unchanged, and a slow op is never a check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace staffgate::common;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  if (auto req = ParseRequest(line)) {
    auto again = ParseRequest(SerializeRequest(*req));
    if (!again || !(*again == *req)) std::abort();
    // Routing goes by the op alone: the login ops are never slow.
    if (LoginOf(*req) != nullptr && IsSlowOp(OpOf(*req))) std::abort();
  }
  for (int i = 0; i <= static_cast<int>(Op::kRosterInstall); ++i) {
    const Op op = static_cast<Op>(i);
    auto resp = ParseResponse(op, line);
    if (!resp) continue;
    auto again = ParseResponse(op, SerializeResponse(*resp));
    if (!again || !(*again == *resp)) std::abort();
  }
  return 0;
}
