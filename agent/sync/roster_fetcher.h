// Fetches the current roster envelope from the central service
// (GET /v1/roster, docs/design.md §6) with common/https (its safety settings),
// the workstation token as a Bearer credential.
#ifndef STAFFGATE_AGENT_SYNC_ROSTER_FETCHER_H_
#define STAFFGATE_AGENT_SYNC_ROSTER_FETCHER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/https/https_client.h"
#include "common/result.h"

namespace staffgate::agent {

struct FetchResult {
  bool not_modified = false;  // 304: the central has nothing newer.
  std::string envelope;       // 200: the body, not yet verified.
  // The answer carried common::kLeaseEndedHeader: renew the leases now.
  bool lease_ended = false;
  // The central's name for this token (common::kWorkstationHeader); empty
  // when the answer did not say.
  std::string workstation;
};

// One question for a central.
struct FetchRequest {
  std::string central_url;  // Which central ("https://host:port").
  std::optional<std::uint64_t> current_serial;
  int wait_s = 0;  // Long-poll hold; 0 asks without waiting.
  // A quick question to a central believed down (the sync loop's retry of
  // a preferred one): kProbeTimeoutMs for everything, so a hung central
  // keeps the long-poll on the one in use away only that long.
  bool probe = false;
};
inline constexpr int kProbeTimeoutMs = 2000;

// Where rosters come from; injected so the sync loop is tested without a
// network.
class RosterSource {
 public:
  virtual ~RosterSource() = default;
  // Asks for a roster newer than `current_serial`, waiting up to `wait_s`
  // seconds for one (long-poll). The connection (TCP and TLS) has the
  // short connect deadline; only an established request is held, for the
  // wait plus a slack, so a hold is never taken for a hung central.
  // Errors: kUnavailable (connection, TLS, 5xx), kTimeout, kPermission
  // (401/403: bad token), kTooLarge (body over the cap), kInvalidInput
  // (unexpected status). Thread-compatible.
  virtual common::Result<FetchResult> Fetch(const FetchRequest& request) = 0;
};

// The real source: common/https over the network. `options.stop` (if set)
// aborts a transfer in progress.
class CurlRosterSource : public RosterSource {
 public:
  explicit CurlRosterSource(common::HttpsOptions options) : options_(std::move(options)) {}
  common::Result<FetchResult> Fetch(const FetchRequest& request) override;

 private:
  common::HttpsOptions options_;
};

// The workstation token in `path` without trailing whitespace (never
// logged). Refused, as ssh refuses a private key, when group or others may
// read or write the file (common::ReadSecretFile). Errors: those of
// reading the file (kIo, kTooLarge, kPermission), and kInvalidInput "PATH
// is empty".
common::Result<std::string> ReadToken(const std::string& path);

// "https://host:port/" -> "https://host:port", so paths can be appended.
std::string TrimSlashes(std::string url);

}  // namespace staffgate::agent

#endif  // STAFFGATE_AGENT_SYNC_ROSTER_FETCHER_H_
