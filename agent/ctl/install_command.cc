// `staffgatectl roster install` while the agent is down: the same
// acceptance rules and the same atomic write as the agent, through the
// agent's own RosterStore, so an offline update can never install what
// the agent would refuse. The agent verifies the file again at start.
#include <iostream>

#include "agent/agent.h"
#include "agent/ctl/commands.h"
#include "agent/roster/roster_store.h"
#include "common/envelope.h"
#include "common/file_util.h"
#include "common/time_util.h"

namespace staffgate::agent {

int InstallRosterDirectly(const AgentConfig& config, const std::string& file) {
  auto keys = LoadTrustedKeys(config);
  if (!keys) {
    std::cerr << "staffgatectl: " << keys.error().message << "\n";
    return kExitFailed;
  }
  if (keys->empty()) {
    std::cerr << "staffgatectl: not enrolled: no trusted_keys in " << config.path << "\n";
    return kExitFailed;
  }
  common::SystemClock clock;
  common::LogFn log = [](int priority, const std::string& line) {
    if (priority <= LOG_WARNING) std::cerr << "staffgatectl: " << line << "\n";
  };
  RosterStore store(config.state_dir, clock, log);
  // A cached roster that fails verification only loses its serial floor;
  // the new one is still checked against keys and expiry.
  (void)store.Load(std::move(*keys));
  auto bytes = common::ReadRegularFile(file, common::kMaxEnvelopeBytes);
  if (!bytes) {
    std::cerr << "staffgatectl: roster rejected (" << common::ErrorKindName(bytes.error().kind)
              << "): " << bytes.error().message << "\n";
    return kExitFailed;
  }
  auto outcome = store.Install(*bytes, "file " + file);
  if (!outcome) {
    std::cerr << "staffgatectl: roster rejected (" << common::ErrorKindName(outcome.error().kind)
              << "): " << outcome.error().message << "\n";
    return kExitFailed;
  }
  if (!outcome->warning.empty()) {
    std::cerr << "staffgatectl: " << outcome->warning << "\n";
    return kExitFailed;
  }
  // The agent would refresh the NSS snapshot now; it is not running.
  if (outcome->installed) {
    NssWriter::Deps deps;
    deps.files = LocalFiles::FromEnvironment();
    deps.log = log;
    if (auto roster = store.Current(); roster) {
      if (auto wrote = NssWriter(std::move(deps)).Write(*roster, config); !wrote) {
        std::cerr << "staffgatectl: " << wrote.error().message << "\n";
      }
    }
  }
  if (outcome->no_change) {
    std::cout << "roster serial " << outcome->serial << " is already installed (no change)\n";
  } else {
    std::cout << "installed roster serial " << outcome->serial << " into " << store.RosterPath()
              << "\n";
  }
  return kExitOk;
}

}  // namespace staffgate::agent
