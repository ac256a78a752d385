#include "central/journal/journal.h"

namespace staffgate::central {

common::Json JournalEntryJson(const JournalEntry& e) {
  return common::Json{{"seq", e.seq},
                      {"time", common::FormatRfc3339(e.time)},
                      {"who", e.who},
                      {"from", e.from},
                      {"action", e.action},
                      {"target", e.target},
                      {"before", e.before},
                      {"after", e.after},
                      {"serial", e.serial ? common::Json(*e.serial) : common::Json(nullptr)}};
}

}  // namespace staffgate::central
