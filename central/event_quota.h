// Per-workstation event quota (docs/design.md §13): a token bucket per
// workstation refilled at `per_hour` events an hour, holding at most one
// hour's worth. A batch is admitted while the bucket is not empty and is
// then charged in full (the bucket may go into debt by one batch), so a
// batch larger than the bucket still gets through, and a workstation's
// long-run rate stays bounded by `per_hour`. A refused batch is answered
// 429 with Retry-After and stays in the agent's outbox.
//
// Thread-safe. Time is passed in (ms), so the logic is tested without sleeps.
#ifndef STAFFGATE_CENTRAL_EVENT_QUOTA_H_
#define STAFFGATE_CENTRAL_EVENT_QUOTA_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace staffgate::central {

class EventQuota {
 public:
  // `per_hour` 0 disables the quota.
  explicit EventQuota(std::uint64_t per_hour) : per_hour_(per_hour) {}

  // nullopt when `workstation` may send a batch now; else the seconds to
  // wait (at least 1).
  std::optional<std::int64_t> RetryAfter(const std::string& workstation, std::int64_t now_ms);
  // Charges `events` newly stored events to `workstation`.
  void Charge(const std::string& workstation, std::uint64_t events, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_ms = 0;
  };
  Bucket& RefilledLocked(const std::string& workstation, std::int64_t now_ms);

  const std::uint64_t per_hour_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_EVENT_QUOTA_H_
