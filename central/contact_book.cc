#include "central/contact_book.h"

namespace staffgate::central {

void ContactBook::Record(const std::string& workstation, common::UnixSeconds now,
                         std::optional<std::uint64_t> served_serial,
                         const std::string& user_agent) {
  std::lock_guard<std::mutex> lock(mu_);
  ContactRecord& c = pending_[workstation];
  c.when = now;
  if (served_serial) c.serial = served_serial;
  c.agent_version = user_agent.substr(0, 128);
  seen_[workstation] = c;
}

void ContactBook::LoadRollout(std::unordered_map<std::string, RolloutRecord> records) {
  std::lock_guard<std::mutex> lock(mu_);
  rollout_.Load(std::move(records));
}

void ContactBook::OnPoll(const std::string& workstation, std::uint64_t known, std::uint64_t current,
                         common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  rollout_.OnPoll(workstation, known, current, now);
}

void ContactBook::OnEvents(const std::string& workstation,
                           const std::vector<const common::Json*>& events, std::uint64_t current,
                           common::UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const common::Json* event : events) rollout_.OnEvent(workstation, *event, current, now);
}

ContactBook::Pending ContactBook::Take() {
  Pending out;
  std::lock_guard<std::mutex> lock(mu_);
  out.contacts.swap(pending_);
  out.rollout = rollout_.TakeDirty();
  return out;
}

void ContactBook::Restore(const Pending& failed) {
  std::vector<std::string> names;
  names.reserve(failed.rollout.size());
  for (const auto& [name, record] : failed.rollout) names.push_back(name);
  std::lock_guard<std::mutex> lock(mu_);
  rollout_.Redirty(names);
}

void ContactBook::Forget(const std::string& workstation) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.erase(workstation);
  seen_.erase(workstation);
  rollout_.Forget(workstation);
}

void ContactBook::OverlayContacts(std::vector<WorkstationRecord>& workstations) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (WorkstationRecord& w : workstations) {
    auto it = seen_.find(w.name);
    if (it == seen_.end()) continue;
    w.last_contact = it->second.when;
    if (it->second.serial) w.last_serial = it->second.serial;
    w.agent_version = it->second.agent_version;
  }
}

void ContactBook::FillRollout(std::vector<FleetMember>& members) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (FleetMember& m : members) {
    if (const RolloutRecord* r = rollout_.Find(m.name)) m.rollout = *r;
  }
}

std::pair<std::uint64_t, std::string> ContactBook::HighestInstalled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {rollout_.HighestInstalled(), rollout_.HighestInstalledBy()};
}

}  // namespace staffgate::central
