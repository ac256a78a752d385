// Workstation enrollment (`staffgatectl enroll`, docs/design.md §5): fetch the
// roster signing key from the central over TLS verified with the given CA
// (or pin a key file the administrator brings), and write the agent
// configuration that turns enforcement on.
#ifndef STAFFGATE_AGENT_SYNC_ENROLL_H_
#define STAFFGATE_AGENT_SYNC_ENROLL_H_

#include <string>
#include <vector>

#include "agent/config/agent_config.h"
#include "common/ed25519.h"
#include "common/result.h"

namespace staffgate::agent {

struct EnrollOptions {
  // One or more (`--central` repeated), in order of preference: written as
  // central_url for one, central_urls for several (docs/design.md §12).
  std::vector<std::string> central_urls;
  std::string token_file;
  std::string ca_file;
  std::string roster_key_file;  // Optional: pin this key instead of fetching.
  std::string config_path = kDefaultAgentConfigPath;
  // Where the fetched key is written (staffgatectl: beside the config).
  std::string key_path;
  // Optional: when given, must be the name the central registered the token
  // under (the name always comes from the central).
  std::string workstation;
};

struct EnrollOutcome {
  AgentConfig config;               // As the agent will load it.
  std::vector<std::string> keyids;  // Trusted from now on.
};

// Parses every PEM public key in `pem_text` (GET /v1/keys may list several
// during a key rotation). Errors: kInvalidInput when none is valid Ed25519.
common::Result<std::vector<common::PublicKey>> ParsePublicKeys(const std::string& pem_text);

// Asks the central (GET /v1/keys; the first of central_urls that answers)
// whose token this is, even when a key is
// pinned; fetches or pins the key; writes key_path and the drop-in
// `<config_path>.d/50-enrollment.conf` atomically with the workstation name
// the central gave and absolute paths, never rewriting config_path itself
// (a dpkg conffile; created with a comment only when missing). Nothing is written when the token is
// not a workstation's or --workstation names another one (kInvalidInput).
// Does not talk to the agent; the caller reloads it. Errors: kConfig (bad
// existing config), kUnavailable/kPermission (central), kInvalidInput
// (key, token, name), kIo.
common::Result<EnrollOutcome> Enroll(const EnrollOptions& options);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_ENROLL_H_
