#include "agent/sync/workstation_identity.h"

namespace staffgate::agent {

common::Result<void> CheckConfiguredWorkstation(const std::string& configured,
                                                const std::string& token_name) {
  if (configured.empty() || configured == token_name) return common::Ok();
  return common::Fail(common::ErrorKind::kConfig,
                      "the configuration names workstation " + configured +
                          " but the central knows this workstation's token as " + token_name +
                          ", so " + token_name + "'s groups are enforced: correct 'workstation' " +
                          "or run staffgatectl enroll again");
}

void WorkstationIdentity::Learn(const std::string& link_key, const std::string& token_name) {
  std::lock_guard<std::mutex> lock(mu_);
  link_key_ = link_key;
  token_name_ = token_name;
}

std::string WorkstationIdentity::Resolve(const std::string& link_key,
                                         const std::string& configured) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!token_name_.empty() && link_key == link_key_) return token_name_;
  return configured;
}

}  // namespace staffgate::agent
