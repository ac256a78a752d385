// Service: workstation contact records (last contact, served serial,
// agent version) and the rollout records beside them, kept in memory on
// every request and written in one batch every 2 s (FlushContacts).
#include "central/service.h"

namespace staffgate::central {

using common::Result;

void Service::RecordContact(const std::string& workstation,
                            std::optional<std::uint64_t> served_serial,
                            const std::string& user_agent) {
  std::lock_guard<std::mutex> lock(contacts_mu_);
  Contact& c = contacts_[workstation];
  c.when = clock_.Now();
  if (served_serial) c.serial = served_serial;
  c.agent_version = user_agent.substr(0, 128);
  contacts_seen_[workstation] = c;
}

Result<void> Service::FlushContacts(Flush mode) {
  auto lock = LockForFlush(mode);
  if (!lock.owns_lock()) return common::Ok();  // The records wait in contacts_.
  std::unordered_map<std::string, Contact> pending;
  std::vector<std::pair<std::string, RolloutRecord>> rollout;
  {
    std::lock_guard<std::mutex> contacts_lock(contacts_mu_);
    pending.swap(contacts_);
    rollout = rollout_.TakeDirty();
  }
  if (pending.empty() && rollout.empty()) return common::Ok();
  auto written = WriteContactsLocked(pending, rollout);
  if (!written) {
    std::vector<std::string> names;
    names.reserve(rollout.size());
    for (const auto& [name, record] : rollout) names.push_back(name);
    std::lock_guard<std::mutex> contacts_lock(contacts_mu_);
    rollout_.Redirty(names);  // Contacts are superseded by the next poll anyway.
  }
  return written;
}

Result<void> Service::WriteContactsLocked(
    const std::unordered_map<std::string, Contact>& pending,
    const std::vector<std::pair<std::string, RolloutRecord>>& rollout) {
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  for (const auto& [name, c] : pending) {
    if (auto ok = store_->UpdateContact(name, c.when, c.serial, c.agent_version); !ok) return ok;
    auto it = state_.workstations.find(name);
    if (it == state_.workstations.end()) continue;
    it->second.last_contact = c.when;
    if (c.serial) it->second.last_serial = c.serial;
    it->second.agent_version = c.agent_version;
  }
  for (const auto& [name, record] : rollout) {
    if (auto ok = store_->PutRollout(name, record); !ok) return ok;
  }
  return txn->Commit();
}

void Service::ForgetContacts(const std::string& workstation) {
  std::lock_guard<std::mutex> lock(contacts_mu_);
  contacts_.erase(workstation);
  contacts_seen_.erase(workstation);
  rollout_.Forget(workstation);
}

}  // namespace staffgate::central
