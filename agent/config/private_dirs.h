// The directories the agent writes its state and audit trail in must be
// its own: anyone else who can write there could plant a symlink or a file
// the agent would follow or trust. Checked at start (docs/design.md §7);
// the agent refuses to run otherwise, with one sentence naming the
// directory and the fix.
#ifndef STAFFGATE_AGENT_CONFIG_PRIVATE_DIRS_H_
#define STAFFGATE_AGENT_CONFIG_PRIVATE_DIRS_H_

#include <string>

#include "common/result.h"

namespace staffgate::agent {

// `dir` (named by config key `key` in messages) must be a directory owned
// by root or by the agent's effective uid, and writable by neither group
// nor others. A missing directory is not checked (Ok): whoever creates it
// later is the agent. Errors: kPermission, kIo.
common::Result<void> CheckPrivateDir(const std::string& dir, const std::string& key);

// The directory part of `path` ("/var/log/staffgate/audit.jsonl" ->
// "/var/log/staffgate").
std::string ParentDir(const std::string& path);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_CONFIG_PRIVATE_DIRS_H_
