#include "central/wait_hub.h"

#include <utility>

namespace staffgate::central {

WaitHub::Id WaitHub::Add(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  Id id = next_++;
  waiters_.emplace(id, std::move(wake));
  return id;
}

void WaitHub::Remove(Id id) {
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(id);
}

void WaitHub::WakeAll() {
  std::unordered_map<Id, std::function<void()>> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken.swap(waiters_);
  }
  for (auto& [id, wake] : woken) wake();
}

std::size_t WaitHub::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_.size();
}

}  // namespace staffgate::central
