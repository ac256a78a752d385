#include "central/wait_hub.h"

#include <utility>
#include <vector>

namespace staffgate::central {

WaitHub::Id WaitHub::Add(std::function<void()> wake, std::string workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  Id id = next_++;
  waiters_.emplace(id, Waiter{std::move(wake), std::move(workstation)});
  return id;
}

void WaitHub::Remove(Id id) {
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(id);
}

void WaitHub::WakeAll() {
  std::unordered_map<Id, Waiter> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken.swap(waiters_);
  }
  for (auto& [id, waiter] : woken) waiter.wake();
}

void WaitHub::Wake(const std::string& workstation) {
  std::vector<std::function<void()>> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.workstation != workstation) {
        ++it;
        continue;
      }
      woken.push_back(std::move(it->second.wake));
      it = waiters_.erase(it);
    }
  }
  for (auto& wake : woken) wake();
}

std::size_t WaitHub::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_.size();
}

}  // namespace staffgate::central
