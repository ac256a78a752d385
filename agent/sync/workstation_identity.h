// The workstation's name comes from its token (docs/design.md §6): every
// roster answer names the workstation the central knows the token by
// (common::kWorkstationHeader), and the agent enforces that workstation's
// groups whatever its configuration says. A configured name that differs
// is refused with one sentence naming both.
#ifndef STAFFGATE_AGENT_SYNC_WORKSTATION_IDENTITY_H_
#define STAFFGATE_AGENT_SYNC_WORKSTATION_IDENTITY_H_

#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"

namespace staffgate::agent {

// Ok when `configured` is empty (enrolled without a name) or equals
// `token_name`; else kConfig with the sentence naming both.
common::Result<void> CheckConfiguredWorkstation(const std::string& configured,
                                                const std::string& token_name);

// What the central said, per link to it (a new token or central forgets
// it). Thread-safe: the sync thread learns, reloads resolve.
class WorkstationIdentity {
 public:
  // The central said `token_name` over the link whose key is `link_key`.
  void Learn(const std::string& link_key, const std::string& token_name);
  // The name to enforce for a configuration whose link key is `link_key`
  // and whose own name is `configured`: the token's when the central has
  // said it over that same link, else `configured`.
  std::string Resolve(const std::string& link_key, const std::string& configured) const;

 private:
  mutable std::mutex mu_;
  std::string link_key_;
  std::string token_name_;
};

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_WORKSTATION_IDENTITY_H_
