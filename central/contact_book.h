// The workstations' contact records (last contact, served serial, agent
// version) and rollout records (rollout_book.h) between two flushes. Every
// long-poll records a contact, so this costs a map update under the book's
// own lock and never a database write; Service::FlushContacts writes what
// Take hands it in one batch every 2 s.
//
// Thread-safe: every method takes the book's lock (it is never held while
// calling out).
#ifndef STAFFGATE_CENTRAL_CONTACT_BOOK_H_
#define STAFFGATE_CENTRAL_CONTACT_BOOK_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "central/model.h"
#include "central/rollout_book.h"
#include "central/rollout_summary.h"
#include "central/service_types.h"
#include "common/json_util.h"
#include "common/time_util.h"

namespace staffgate::central {

class ContactBook {
 public:
  // What one flush writes.
  struct Pending {
    std::unordered_map<std::string, ContactRecord> contacts;
    std::vector<std::pair<std::string, RolloutRecord>> rollout;
    bool empty() const { return contacts.empty() && rollout.empty(); }
  };

  void Record(const std::string& workstation, common::UnixSeconds now,
              std::optional<std::uint64_t> served_serial, const std::string& user_agent);
  // The rollout records loaded from the database; none pending.
  void LoadRollout(std::unordered_map<std::string, RolloutRecord> records);
  // RolloutBook::OnPoll and OnEvent.
  void OnPoll(const std::string& workstation, std::uint64_t known, std::uint64_t current,
              common::UnixSeconds now);
  void OnEvents(const std::string& workstation, const std::vector<const common::Json*>& events,
                std::uint64_t current, common::UnixSeconds now);
  // Hands over what changed since the last call.
  Pending Take();
  // The write of `failed` did not happen: its rollout records are pending
  // again (its contacts are superseded by the next poll anyway).
  void Restore(const Pending& failed);
  // A removed workstation's records go.
  void Forget(const std::string& workstation);
  // Puts the last contact seen since the start on each record (the state
  // holds what the database had).
  void OverlayContacts(std::vector<WorkstationRecord>& workstations) const;
  void FillRollout(std::vector<FleetMember>& members) const;
  // The highest serial any workstation reported installed (0: none), and
  // which one reported it.
  std::pair<std::uint64_t, std::string> HighestInstalled() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, ContactRecord> pending_;  // Not yet flushed.
  std::unordered_map<std::string, ContactRecord> seen_;     // The last one since the start.
  RolloutBook rollout_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_CONTACT_BOOK_H_
