// `staffgate-central serve --config FILE`.
#ifndef STAFFGATE_CENTRAL_HTTP_SERVE_COMMAND_H_
#define STAFFGATE_CENTRAL_HTTP_SERVE_COMMAND_H_

#include <string>

#include "common/result.h"

namespace staffgate::central {

// Loads the config and signing key, opens the Service and serves until
// SIGTERM/SIGINT. Logs to stderr with <N> syslog priority prefixes.
// Errors: kConfig, kIo.
common::Result<void> Serve(const std::string& config_path);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_HTTP_SERVE_COMMAND_H_
