// staffgatectl sync and enroll (docs/design.md §5).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "agent/ctl/commands.h"
#include "agent/sync/enroll.h"
#include "agent/sync/roster_fetcher.h"
#include "common/file_util.h"

namespace staffgate::agent {
namespace {

// A sync round waits at most connect + transfer time; the agent answers
// when it is done.
constexpr int kSyncTimeoutMs = 60000;

// Fetches the first roster ourselves when the agent is not running (from
// the first central that answers), and installs it with the agent's own
// acceptance rules.
int FetchFirstRosterDirectly(const AgentConfig& config) {
  common::HttpsOptions http;
  http.ca_file = config.ca_file;
  auto token = ReadToken(config.token_file);
  if (!token) {
    std::cerr << "staffgatectl: " << token.error().message << "\n";
    return kExitFailed;
  }
  http.token = std::move(*token);
  http.user_agent = std::string("staffgatectl/") + STAFFGATE_VERSION;
  CurlRosterSource source(http);
  common::Result<FetchResult> fetched = common::Fail(common::ErrorKind::kConfig, "no central");
  for (const auto& url : config.central_urls) {
    fetched = source.Fetch(FetchRequest{url, std::nullopt, 0, false});
    if (fetched || (fetched.error().kind != common::ErrorKind::kUnavailable &&
                    fetched.error().kind != common::ErrorKind::kTimeout)) {
      break;
    }
  }
  if (!fetched) {
    std::cerr << "staffgatectl: cannot fetch the first roster: " << fetched.error().message << "\n";
    return kExitFailed;
  }
  std::string tmp = config.state_dir + "/.enroll-roster.dsse";
  if (auto wrote = common::WriteFileAtomic(tmp, fetched->envelope, 0600); !wrote) {
    std::cerr << "staffgatectl: " << wrote.error().message << "\n";
    return kExitFailed;
  }
  int rc = InstallRosterDirectly(config, tmp);
  unlink(tmp.c_str());
  return rc;
}

}  // namespace

int CmdSync(const CtlContext& ctx) {
  int rc = kExitOk;
  auto synced = Ask<common::SyncReply>(ctx, common::SyncRequest{}, &rc, kSyncTimeoutMs);
  if (!synced) return rc;
  std::printf("%s\n", synced->result.c_str());
  return kExitOk;
}

int CmdEnroll(const CtlContext& ctx, const EnrollOptions& options) {
  auto enrolled = Enroll(options);
  if (!enrolled) {
    std::cerr << "staffgatectl: enrollment failed: " << enrolled.error().message << "\n";
    return kExitFailed;
  }
  const AgentConfig& config = enrolled->config;
  std::printf("enrolled workstation %s with %s\n", config.workstation.c_str(),
              JoinCentralUrls(config.central_urls).c_str());
  for (const auto& keyid : enrolled->keyids) {
    std::printf("trusting roster key %s (%s)\n", keyid.c_str(),
                config.trusted_keys.empty() ? "" : config.trusted_keys.front().c_str());
  }
  std::printf("wrote %s/%s\n", DropInDir(options.config_path).c_str(), kEnrollDropIn);

  CtlContext agent = ctx;
  agent.client.socket_path = config.socket;
  // A stopped agent is a normal step of a roll-out (enroll, then start),
  // not an error: asked quietly, and said plainly on stdout.
  auto probe =
      common::CallAgentRaw(agent.client, common::SerializeRequest(common::StatusRequest{}));
  if (!probe && probe.error().kind == common::ErrorKind::kUnavailable) {
    std::printf(
        "the agent is not running: fetching the first roster for it (it enforces that "
        "roster from its first start: systemctl start staffgated)\n");
    return FetchFirstRosterDirectly(config);
  }
  int rc = kExitOk;
  auto reloaded = Ask<common::ReloadReply>(agent, common::ReloadRequest{}, &rc, 10000);
  if (!reloaded) return rc;
  std::printf("the agent reloaded its configuration\n");
  return CmdSync(agent);
}

}  // namespace staffgate::agent
