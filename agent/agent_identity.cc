// Agent: the workstation's name from its token (agent/sync/workstation_identity.h).
#include <syslog.h>

#include "agent/agent.h"

namespace staffgate::agent {

common::Result<void> Agent::AdoptWorkstation(const std::string& link_key, const std::string& name) {
  identity_.Learn(link_key, name);
  std::string configured;
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(config_mu_);
    configured = configured_workstation_;
    auto config = service_->config();
    if (config->workstation != name) {
      auto adopted = std::make_shared<AgentConfig>(*config);
      adopted->workstation = name;
      service_->SetConfig(std::move(adopted));
      changed = true;
    }
  }
  if (changed) {
    // The NSS snapshot lists who may sign in here: the groups changed.
    WriteNssSnapshot();
    log_(LOG_NOTICE, "the central knows this workstation's token as " + name +
                         ": enforcing the groups of " + name);
  }
  return CheckConfiguredWorkstation(configured, name);
}

void Agent::ApplyConfig(AgentConfig config) {
  std::lock_guard<std::mutex> lock(config_mu_);
  configured_workstation_ = config.workstation;
  config.workstation = identity_.Resolve(CentralLinkKey(config), config.workstation);
  service_->SetConfig(std::make_shared<const AgentConfig>(std::move(config)));
}

}  // namespace staffgate::agent
