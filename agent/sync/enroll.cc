#include "agent/sync/enroll.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/sync/roster_fetcher.h"
#include "common/file_util.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

constexpr char kBegin[] = "-----BEGIN PUBLIC KEY-----";
constexpr char kEnd[] = "-----END PUBLIC KEY-----";

std::string Absolute(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

}  // namespace

common::Result<std::vector<common::PublicKey>> ParsePublicKeys(const std::string& pem_text) {
  std::vector<common::PublicKey> keys;
  std::size_t pos = 0;
  while ((pos = pem_text.find(kBegin, pos)) != std::string::npos) {
    auto end = pem_text.find(kEnd, pos);
    if (end == std::string::npos) break;
    end += sizeof(kEnd) - 1;
    auto key = common::PublicKey::FromPem(pem_text.substr(pos, end - pos) + "\n");
    if (key) keys.push_back(std::move(*key));
    pos = end;
  }
  if (keys.empty()) return Fail(ErrorKind::kInvalidInput, "no Ed25519 public key found");
  return keys;
}

common::Result<EnrollOutcome> Enroll(const EnrollOptions& options) {
  if (options.central_url.rfind("https://", 0) != 0) {
    return Fail(ErrorKind::kInvalidInput, "--central must be an https:// URL");
  }
  AgentConfig config;
  auto existing = LoadAgentConfig(options.config_path);
  if (existing) {
    config = std::move(*existing);
  } else if (existing.error().message.find("No such file") == std::string::npos) {
    return tl::unexpected(existing.error());
  }
  auto token = ReadToken(options.token_file);
  if (!token) {
    if (token.error().kind == ErrorKind::kInvalidInput) return tl::unexpected(token.error());
    return Fail(ErrorKind::kIo, "cannot read the token: " + token.error().message);
  }

  std::string pem;
  if (!options.roster_key_file.empty()) {
    auto pinned = common::ReadFileCapped(options.roster_key_file, 64 * 1024);
    if (!pinned) return tl::unexpected(pinned.error());
    pem = *pinned;
  } else {
    common::HttpsOptions fetch;
    fetch.central_url = options.central_url;
    fetch.ca_file = options.ca_file;
    fetch.token = *token;
    fetch.user_agent = std::string("staffgatectl/") + STAFFGATE_VERSION;
    fetch.max_body_bytes = 64 * 1024;
    common::HttpsRequest req;
    req.path = "/v1/keys";
    req.total_timeout_s = 20;
    auto resp = common::PerformHttps(fetch, req);
    if (!resp) return tl::unexpected(resp.error());
    if (resp->status == 401 || resp->status == 403) {
      return Fail(ErrorKind::kPermission, "the central refused the workstation token");
    }
    if (resp->status != 200) {
      return Fail(ErrorKind::kUnavailable,
                  "GET /v1/keys answered HTTP " + std::to_string(resp->status));
    }
    pem = resp->body;
  }
  auto keys = ParsePublicKeys(pem);
  if (!keys) return tl::unexpected(keys.error());

  std::string key_pem;
  EnrollOutcome outcome;
  for (const auto& key : *keys) {
    key_pem += key.ToPem();
    outcome.keyids.push_back(key.keyid());
  }
  auto wrote_key = common::WriteFileAtomic(options.key_path, key_pem, 0644);
  if (!wrote_key) return tl::unexpected(wrote_key.error());

  config.central_url = options.central_url;
  config.ca_file = Absolute(options.ca_file);
  config.token_file = Absolute(options.token_file);
  config.trusted_keys = {options.key_path};
  if (!options.workstation.empty()) config.workstation = options.workstation;
  if (config.workstation.empty()) {
    // The name the central registered must match for the group rule; the
    // host name is the usual choice.
    char host[256] = {0};
    if (gethostname(host, sizeof(host) - 1) == 0) config.workstation = host;
  }
  auto wrote = common::WriteFileAtomic(options.config_path, RenderAgentConfig(config), 0644);
  if (!wrote) return tl::unexpected(wrote.error());
  config.path = options.config_path;
  outcome.config = std::move(config);
  return outcome;
}

}  // namespace staffgate::agent
