#include "agent/audit/audit_fanout.h"

namespace staffgate::agent {

void AuditFanout::Record(const AuditEvent& event) {
  AuditEvent stamped = event;
  if (stamped.id.empty()) stamped.id = NewEventId();
  std::string line;
  try {
    line = common::DumpJson(stamped.ToJson());
  } catch (...) {
    return;  // Invalid UTF-8 cannot get here (requests are validated); never throw.
  }
  std::shared_ptr<CentralLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    link = link_;
  }
  if (link) link->Enqueue(line);
  local_.AppendLine(std::move(line));
}

void AuditFanout::SetLink(std::shared_ptr<CentralLink> link) {
  std::lock_guard<std::mutex> lock(mu_);
  link_ = std::move(link);
}

}  // namespace staffgate::agent
