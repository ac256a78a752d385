// The long-poll waiting list: held GET /v1/roster requests register a wake
// callback (and the workstation that holds them); every publish calls them
// all once, and an administrator's lease end calls that workstation's. No thread per request: the
// callbacks only post a timer cancel onto the request's strand.
#ifndef STAFFGATE_CENTRAL_WAIT_HUB_H_
#define STAFFGATE_CENTRAL_WAIT_HUB_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace staffgate::central {

class WaitHub {
 public:
  using Id = std::uint64_t;
  // `wake` must be cheap and must not call back into the hub.
  Id Add(std::function<void()> wake, std::string workstation = "");
  // Safe for ids already woken or removed.
  void Remove(Id id);
  // Calls and forgets every registered callback (outside the lock).
  void WakeAll();
  // Calls and forgets the callbacks registered for `workstation`.
  void Wake(const std::string& workstation);
  std::size_t Size() const;

 private:
  mutable std::mutex mu_;
  Id next_ = 1;
  struct Waiter {
    std::function<void()> wake;
    std::string workstation;
  };
  std::unordered_map<Id, Waiter> waiters_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_WAIT_HUB_H_
