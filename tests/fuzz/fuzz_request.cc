// libFuzzer target for the agent socket protocol: every line the agent
// reads (ParseRequest) and every line the PAM module reads (ParseResponse).
// What parses must survive a serialise/parse round trip unchanged.
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
    if (!again || again->op != req->op || again->account != req->account ||
        again->session != req->session) {
      std::abort();
    }
  }
  if (auto resp = ParseResponse(line)) {
    auto again = ParseResponse(SerializeResponse(*resp));
    if (!again || again->ok != resp->ok) std::abort();
  }
  return 0;
}
