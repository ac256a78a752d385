#include "agent/sync/central_calls.h"

#include <algorithm>

namespace staffgate::agent {

bool CentralDown(const common::Error& error) {
  return error.kind == common::ErrorKind::kUnavailable || error.kind == common::ErrorKind::kTimeout;
}

bool CentralDown(long http_status) { return http_status >= 500 && http_status != 507; }

namespace {

// Reports one outcome; returns true when the selector moved to a central
// worth trying at once.
bool Report(CentralSelector& selector, const CentralChoice& choice,
            const common::Result<common::HttpsResponse>& outcome) {
  if (outcome && !CentralDown(outcome->status)) {
    selector.Succeeded(choice.index);
    return false;
  }
  const std::string why =
      outcome ? "it answered HTTP " + std::to_string(outcome->status) : outcome.error().message;
  return selector.Failed(choice.index, why);
}

}  // namespace

common::Result<common::HttpsResponse> CallCentral(CentralSelector& selector,
                                                  const CentralSend& send, int deadline_ms,
                                                  const common::Clock& clock) {
  const std::int64_t started = clock.NowMs();
  const CentralChoice first = selector.Active();
  const int first_ms = selector.size() > 1 ? std::max(1, deadline_ms * 2 / 3) : deadline_ms;
  auto outcome = send(first.url, first_ms);
  if (!Report(selector, first, outcome)) return outcome;
  const auto left = static_cast<int>(deadline_ms - (clock.NowMs() - started));
  if (left < kMinRetryMs) return outcome;
  const CentralChoice next = selector.Active();
  auto again = send(next.url, left);
  Report(selector, next, again);
  return again;
}

CentralSend SendWith(common::HttpsClient& client, common::HttpsRequest& req) {
  return [&client, &req](const std::string& url, int deadline_ms) {
    req.central_url = url;
    req.total_timeout_ms = deadline_ms;
    return client.Perform(req);
  };
}

}  // namespace staffgate::agent
