#include "agent/sync/enroll.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/sync/roster_fetcher.h"
#include "common/central_api.h"
#include "common/file_util.h"
#include "common/https/https_client.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

constexpr char kBegin[] = "-----BEGIN PUBLIC KEY-----";
constexpr char kEnd[] = "-----END PUBLIC KEY-----";

// An absolute path for the config: realpath when the file exists, else
// the path joined to the working directory.
std::string Absolute(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return buf;
  if (!path.empty() && path[0] == '/') return path;
  if (getcwd(buf, sizeof(buf)) == nullptr) return path;
  return std::string(buf) + "/" + path;
}

// Writes the enrollment as a drop-in beside the config (docs/design.md §7),
// creating `<config>.d/` and, on a machine without one, a main file that
// only points there: the shipped conffile is never rewritten.
common::Result<void> WriteEnrollment(const std::string& config_path, const AgentConfig& config) {
  struct stat st {};
  if (stat(config_path.c_str(), &st) != 0) {
    auto wrote = common::WriteFileAtomic(
        config_path, "# staffgate agent configuration; see staffgated(8).\n", 0644);
    if (!wrote) return wrote;
  }
  const std::string dir = DropInDir(config_path);
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Fail(ErrorKind::kIo, "cannot create " + dir + ": " + std::strerror(errno));
  }
  return common::WriteFileAtomic(dir + "/" + kEnrollDropIn, RenderEnrollment(config), 0644);
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

namespace {

struct CentralAnswer {
  std::string keys_pem;
  std::string workstation;  // The name the central knows the token by.
};

// GET /v1/keys with the token: the signing keys and, from the
// Staffgate-Workstation header, whose token it is. Refuses a token the
// central does not take, one that is not a workstation's, and a
// --workstation that names another workstation.
common::Result<CentralAnswer> AskCentral(const EnrollOptions& options, const std::string& url,
                                         const std::string& token) {
  common::HttpsOptions fetch;
  fetch.central_url = url;
  fetch.ca_file = options.ca_file;
  fetch.token = token;
  fetch.user_agent = std::string("staffgatectl/") + STAFFGATE_VERSION;
  fetch.max_body_bytes = 64UL * 1024;
  common::HttpsRequest req;
  req.path = "/v1/keys";
  req.total_timeout_s = 20;
  req.response_headers = {common::kWorkstationHeader};
  auto resp = common::PerformHttps(fetch, req);
  if (!resp) return tl::unexpected(resp.error());
  if (resp->status == 401 || resp->status == 403) {
    return Fail(ErrorKind::kPermission, "the central refused the token in " + options.token_file);
  }
  if (resp->status != 200) {
    return Fail(ErrorKind::kUnavailable,
                "GET /v1/keys answered HTTP " + std::to_string(resp->status));
  }
  auto name = resp->headers.find(common::kWorkstationHeader);
  if (name == resp->headers.end() || name->second.empty()) {
    return Fail(ErrorKind::kInvalidInput,
                "the token in " + options.token_file +
                    " is not a workstation token (the admin token?): use the one "
                    "`staffgate-admin workstation add NAME` printed");
  }
  if (!options.workstation.empty() && options.workstation != name->second) {
    return Fail(ErrorKind::kInvalidInput, "--workstation " + options.workstation +
                                              " does not match the central, which knows this "
                                              "token as workstation " +
                                              name->second);
  }
  return CentralAnswer{resp->body, name->second};
}

// AskCentral of each central in order until one answers: enrollment works
// while one of them is down, as the agent does.
common::Result<CentralAnswer> AskCentrals(const EnrollOptions& options, const std::string& token) {
  common::Result<CentralAnswer> answer = Fail(ErrorKind::kInvalidInput, "no --central given");
  for (const auto& url : options.central_urls) {
    answer = AskCentral(options, url, token);
    if (answer || (answer.error().kind != ErrorKind::kUnavailable &&
                   answer.error().kind != ErrorKind::kTimeout)) {
      return answer;
    }
  }
  return answer;
}

}  // namespace

common::Result<EnrollOutcome> Enroll(const EnrollOptions& options) {
  if (options.central_urls.empty()) return Fail(ErrorKind::kInvalidInput, "--central is required");
  for (std::size_t i = 0; i < options.central_urls.size(); ++i) {
    const std::string& url = options.central_urls[i];
    if (auto why = CentralUrlProblem(url); !why.empty()) {
      std::string message = "--central " + url;
      message += ": ";
      message += why;
      return Fail(ErrorKind::kInvalidInput, message);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (options.central_urls[j] == url) {
        return Fail(ErrorKind::kInvalidInput, "--central " + url + " is given twice");
      }
    }
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

  // Always ask the central, even with a pinned key: it says whose token
  // this is, and an admin token (no name) is refused before anything is
  // written (docs/design.md §6).
  auto asked = AskCentrals(options, *token);
  if (!asked) return tl::unexpected(asked.error());
  std::string pem = asked->keys_pem;
  if (!options.roster_key_file.empty()) {
    auto pinned = common::ReadFileCapped(options.roster_key_file, 64UL * 1024);
    if (!pinned) return tl::unexpected(pinned.error());
    pem = *pinned;
  }
  auto keys = ParsePublicKeys(pem);
  if (!keys) return tl::unexpected(keys.error());

  std::string key_pem;
  EnrollOutcome outcome;
  for (const auto& key : *keys) {
    key_pem += key.ToPem();
    outcome.keyids.push_back(key.keyid());
  }
  const std::string key_path = Absolute(options.key_path);
  auto wrote_key = common::WriteFileAtomic(key_path, key_pem, 0644);
  if (!wrote_key) return tl::unexpected(wrote_key.error());

  config.central_urls = options.central_urls;
  config.ca_file = Absolute(options.ca_file);
  config.token_file = Absolute(options.token_file);
  config.trusted_keys = {key_path};
  // The group rule goes by the name the central registered this token
  // under, never by what the host happens to be called.
  config.workstation = asked->workstation;
  auto wrote = WriteEnrollment(options.config_path, config);
  if (!wrote) return tl::unexpected(wrote.error());
  // What the agent will load: the main file and every drop-in, this one
  // included (a later drop-in may still override it).
  auto merged = LoadAgentConfig(options.config_path);
  if (!merged) return tl::unexpected(merged.error());
  outcome.config = std::move(*merged);
  return outcome;
}

}  // namespace staffgate::agent
