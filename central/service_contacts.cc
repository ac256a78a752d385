// Service: workstation contact records (last contact, served serial,
// agent version) and the rollout records beside them, kept in memory on
// every request and written in one batch every 2 s (FlushContacts).
#include "central/service.h"

namespace staffgate::central {

using common::Result;

void Service::RecordContact(const std::string& workstation,
                            std::optional<std::uint64_t> served_serial,
                            const std::string& user_agent) {
  contacts_.Record(workstation, clock_.Now(), served_serial, user_agent);
}

Result<void> Service::FlushContacts(Flush mode) {
  auto lock = LockForFlush(mode);
  if (!lock.owns_lock()) return common::Ok();  // The records wait in the book.
  ContactBook::Pending pending = contacts_.Take();
  if (pending.empty()) return common::Ok();
  auto written = WriteContactsLocked(pending);
  if (!written) contacts_.Restore(pending);
  return written;
}

Result<void> Service::WriteContactsLocked(const ContactBook::Pending& pending) {
  auto txn = Transaction::Begin(store_->db());
  if (!txn) return tl::unexpected(txn.error());
  for (const auto& [name, c] : pending.contacts) {
    if (auto ok = store_->UpdateContact(name, c.when, c.serial, c.agent_version); !ok) return ok;
    auto it = state_.workstations.find(name);
    if (it == state_.workstations.end()) continue;
    it->second.last_contact = c.when;
    if (c.serial) it->second.last_serial = c.serial;
    it->second.agent_version = c.agent_version;
  }
  for (const auto& [name, record] : pending.rollout) {
    if (auto ok = store_->PutRollout(name, record); !ok) return ok;
  }
  return txn->Commit();
}

void Service::ForgetContacts(const std::string& workstation) { contacts_.Forget(workstation); }

}  // namespace staffgate::central
