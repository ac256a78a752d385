// Service: the action journal (docs/design.md §11). Changes to the State
// are journalled by Change() itself; the rest (administrators, ended
// sessions, unlocked passwords) call Journal().
#include "central/journal/actor.h"
#include "central/journal/state_diff.h"
#include "central/service.h"

namespace staffgate::central {

using common::Result;

Result<void> Service::JournalLocked(const JournalLabel& label, common::Json before,
                                    common::Json after, std::optional<std::uint64_t> serial) {
  const Actor* actor = CurrentActor();
  if (actor == nullptr) return common::Ok();
  JournalEntry entry;
  entry.time = clock_.Now();
  entry.who = actor->who;
  entry.from = actor->from;
  entry.action = label.action;
  entry.target = label.target;
  FlattenSingle(before, after, label.target);
  entry.before = std::move(before);
  entry.after = std::move(after);
  entry.serial = serial;
  return store_->AppendJournal(entry);
}

Result<void> Service::Journal(const JournalLabel& label, common::Json before, common::Json after) {
  std::lock_guard<std::mutex> lock(mu_);
  return JournalLocked(label, std::move(before), std::move(after));
}

Result<std::vector<JournalEntry>> Service::Actions(const JournalQuery& query) const {
  std::lock_guard<std::mutex> lock(mu_);
  return store_->LoadJournal(query);
}

}  // namespace staffgate::central
