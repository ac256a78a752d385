// The before and after of a change to the central's State, for the action
// journal: only what changed, by kind and key, e.g.
//   before {"employees": {"E1": {"status": "active"}}}
//   after  {"employees": {"E1": {"status": "terminated"}}}
// An object that did not exist on one side is null there. Passwords appear
// as {"one_time", "changed_at"} only, and a workstation's token as
// "old"/"new": hashes and tokens never reach the journal. Contact records,
// uid grants and stepped-over serials are bookkeeping, not changes.
// Pure; O(size of the state).
#ifndef STAFFGATE_CENTRAL_JOURNAL_STATE_DIFF_H_
#define STAFFGATE_CENTRAL_JOURNAL_STATE_DIFF_H_

#include <string>

#include "central/journal/journal.h"
#include "central/model.h"
#include "common/json_util.h"

namespace staffgate::central {

struct StateDiff {
  common::Json before = common::Json::object();
  common::Json after = common::Json::object();
  bool empty() const { return before.empty() && after.empty(); }
};

StateDiff DiffState(const State& before, const State& after);

// When `before` and `after` each hold one kind with the one key `target`
// (most changes: one employee, one workstation), that object's fields
// alone: {"status": "active"} rather than {"employees": {"E1": {...}}}.
// Anything else (an import, several objects) stays as it is.
void FlattenSingle(common::Json& before, common::Json& after, const std::string& target);

// The label of a change no caller named: "<kind>.change" of its key when
// one object changed (kind singular: employee, workstation, ...), else
// "change" of "".
JournalLabel DerivedLabel(const StateDiff& diff);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_JOURNAL_STATE_DIFF_H_
