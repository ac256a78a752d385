// The action journal (docs/design.md §11): one entry per administrative
// change at the central, written in the same transaction as the change
// (so a refused change leaves none). Entries hold the changed fields only,
// never a password, hash or token (state_diff.h decides the fields; one
// object's change holds its fields alone, FlattenSingle).
#ifndef STAFFGATE_CENTRAL_JOURNAL_JOURNAL_H_
#define STAFFGATE_CENTRAL_JOURNAL_JOURNAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/json_util.h"
#include "common/time_util.h"

namespace staffgate::central {

// What a change is called in the journal: "employee.terminate" of
// target "E100". An empty action is derived from what changed.
struct JournalLabel {
  std::string action;
  std::string target;
};

struct JournalEntry {
  std::int64_t seq = 0;  // Assigned by the store, increasing.
  common::UnixSeconds time = 0;
  std::string who, from, action, target;
  common::Json before = common::Json::object();
  common::Json after = common::Json::object();
  // The roster serial the change published, when it published one.
  std::optional<std::uint64_t> serial;
};

struct JournalQuery {
  std::optional<common::UnixSeconds> since;  // Entries at or after.
  std::size_t limit = 1000;                  // The newest this many.
};

// {"seq","time" (RFC 3339),"who","from","action","target","before","after",
// "serial" (null when the change published none)}.
common::Json JournalEntryJson(const JournalEntry& entry);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_JOURNAL_JOURNAL_H_
