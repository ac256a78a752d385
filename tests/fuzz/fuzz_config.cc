// libFuzzer target for the agent configuration loader (TOML). A parsed
// config must render back to text that parses again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/config/agent_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace staffgate::common;
  using namespace staffgate::agent;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ParseAgentConfig(text, "fuzz.conf");
  if (config) {
    auto again = ParseAgentConfig(RenderAgentConfig(*config), "rendered.conf");
    if (!again || again->workstation != config->workstation ||
        again->central_urls != config->central_urls ||
        again->trusted_keys != config->trusted_keys ||
        again->exempt_accounts != config->exempt_accounts || again->socket != config->socket ||
        again->min_uid != config->min_uid) {
      std::abort();
    }
  }
  return 0;
}
