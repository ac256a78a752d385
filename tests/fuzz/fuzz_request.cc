// libFuzzer target for the agent socket protocol: every line the agent
// reads (ParseRequest, every op) and every line a client reads
// (ParseResponse, as the reply of every op). What parses must survive a
// serialise/parse round trip unchanged, a slow op is never a check, a
// password op never runs on the event loop, and a refused line's message
// never holds a password sent in it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "common/protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace staffgate::common;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  if (auto req = ParseRequest(line)) {
    auto again = ParseRequest(SerializeRequest(*req));
    if (!again || !(*again == *req)) std::abort();
    // Routing goes by the op alone: the login ops are never slow, the
    // password ops never on the event loop.
    if (LoginOf(*req) != nullptr && IsSlowOp(OpOf(*req))) std::abort();
    if (std::holds_alternative<AuthenticateRequest>(*req) ||
        std::holds_alternative<ChauthtokRequest>(*req)) {
      if (LaneOf(OpOf(*req)) != OpLane::kPassword) std::abort();
    }
  } else if (line.find("\"password\":\"S3cr3t-") != std::string_view::npos) {
    // Inputs the dictionary seeds with this marker: an error about such a
    // line names fields, never the value.
    if (req.error().message.find("S3cr3t-") != std::string::npos) std::abort();
  }
  for (int i = 0; i <= static_cast<int>(Op::kPasswordChanged); ++i) {
    const Op op = static_cast<Op>(i);
    auto resp = ParseResponse(op, line);
    if (!resp) continue;
    auto again = ParseResponse(op, SerializeResponse(*resp));
    if (!again || !(*again == *resp)) std::abort();
  }
  return 0;
}
