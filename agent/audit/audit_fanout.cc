#include "agent/audit/audit_fanout.h"

#include <syslog.h>

#include "common/time_util.h"

namespace staffgate::agent {

void AuditFanout::Record(const AuditEvent& event) {
  std::vector<AuditEvent> out;
  {
    std::lock_guard<std::mutex> lock(coalesce_mu_);
    out = coalescer_.Admit(event);
  }
  for (auto& e : out) Write(std::move(e));
}

void AuditFanout::Flush(std::int64_t now_ms) {
  std::vector<AuditEvent> out;
  {
    std::lock_guard<std::mutex> lock(coalesce_mu_);
    out = coalescer_.Flush(now_ms);
  }
  for (auto& e : out) Write(std::move(e));
}

void AuditFanout::Write(AuditEvent event) {
  if (event.id.empty()) event.id = NewEventId();
  std::string line;
  try {
    line = common::DumpJson(event.ToJson());
  } catch (...) {
    return;  // Invalid UTF-8 cannot get here (requests are validated); never throw.
  }
  std::shared_ptr<EventQueue> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    link = link_;
  }
  if (event.central_records) link = nullptr;
  std::string why;
  bool queued = true;
  if (link) {
    auto enqueued = link->Enqueue(line);
    if (!enqueued) {
      queued = false;
      why = enqueued.error().message;
    }
  }
  auto appended = local_.AppendLine(std::move(line));
  if (!appended) why += (why.empty() ? "" : "; ") + appended.error().message;
  Account(appended.has_value(), queued, link != nullptr, why, event);
}

void AuditFanout::Account(bool local_ok, bool queue_ok, bool queue_wanted, const std::string& why,
                          const AuditEvent& event) {
  const std::int64_t time_ms = event.time_ms;
  std::string message;
  AuditEvent report;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (local_ok && queue_ok) {
      if (unreported_ == 0) return;
      // Both destinations work again: say how many were lost, once.
      report.type = AuditType::kAuditLost;
      report.time_ms = time_ms;
      report.count = unreported_;
      report.detail = std::to_string(unreported_) + " audit event(s) were lost from " +
                      common::FormatRfc3339Ms(unreported_since_ms_) +
                      " (the disk could not take them)";
      unreported_ = 0;
    } else {
      if (!local_ok) ++losses_.not_in_local_log;
      if (!queue_ok) ++losses_.not_queued;
      const bool lost = !local_ok && (!queue_ok || !queue_wanted);
      if (lost) {
        ++losses_.lost;
        if (unreported_++ == 0) unreported_since_ms_ = time_ms;
      }
      // The first failure and then every 1000th: a full disk must not flood
      // the journal once per login.
      if (failures_++ % 1000 != 0 || !log_) return;
      message = lost       ? "audit event lost, recorded nowhere"
                : local_ok ? "audit event not queued for the central, only in the local audit log"
                           : "audit event missing from the local audit log, queued for the central";
      message += " (" + std::to_string(losses_.lost) + " lost so far): " + why;
    }
  }
  if (!message.empty()) {
    log_(LOG_ERR, message);
    return;
  }
  if (log_) log_(LOG_NOTICE, report.detail);
  report.workstation = event.workstation;
  Write(std::move(report));
}

void AuditFanout::SetLink(std::shared_ptr<EventQueue> link) {
  std::lock_guard<std::mutex> lock(mu_);
  link_ = std::move(link);
}

AuditLosses AuditFanout::Losses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return losses_;
}

}  // namespace staffgate::agent
