#include "central/rollout_book.h"

#include "central/event_store.h"

namespace staffgate::central {

using common::Json;

namespace {

std::string Field(const Json& event, const char* key) {
  auto it = event.find(key);
  return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Capped(std::string text) {
  if (text.size() <= kMaxRolloutErrorBytes) return text;
  text.resize(kMaxRolloutErrorBytes);
  // Never keep half a UTF-8 sequence: find the last lead byte and drop it
  // when its sequence no longer fits.
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  std::size_t lead = text.size();
  while (lead > 0 && (byte(lead - 1) & 0xC0) == 0x80) --lead;
  if (lead == 0) return text;
  const unsigned char b = byte(lead - 1);
  const std::size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (text.size() - (lead - 1) < need) text.resize(lead - 1);
  return text;
}

bool Newer(std::int64_t time_ms, const std::optional<std::int64_t>& than) {
  return !than || time_ms >= *than;
}

}  // namespace

bool RejectionFromCentral(std::string_view detail) {
  if (detail.rfind("from central", 0) == 0) return true;
  return detail.rfind("from ", 0) != 0 && detail.rfind("cached", 0) != 0;
}

void RolloutBook::Load(std::unordered_map<std::string, RolloutRecord> records) {
  records_ = std::move(records);
  dirty_.clear();
  highest_ = 0;
  highest_by_.clear();
  for (const auto& [name, record] : records_) {
    if (record.installed_serial && *record.installed_serial > highest_) {
      highest_ = *record.installed_serial;
      highest_by_ = name;
    }
  }
}

void RolloutBook::NoteInstalled(const std::string& workstation, RolloutRecord& record,
                                std::uint64_t serial, common::UnixSeconds now) {
  if (record.installed_serial != serial) {
    record.installed_serial = serial;
    record.installed_at = now;
    dirty_.insert(workstation);
  }
  if (serial > highest_) {
    highest_ = serial;
    highest_by_ = workstation;
  }
}

void RolloutBook::OnPoll(const std::string& workstation, std::uint64_t known, std::uint64_t current,
                         common::UnixSeconds now) {
  RolloutRecord& record = records_[workstation];
  NoteInstalled(workstation, record, known, now);
  // It uses the central's latest roster (or one above it): nothing left
  // for it to refuse.
  if (record.rejecting && known >= current) {
    record.rejecting = false;
    dirty_.insert(workstation);
  }
}

void RolloutBook::OnEvent(const std::string& workstation, const Json& event, std::uint64_t current,
                          common::UnixSeconds now) {
  if (!event.is_object()) return;
  const std::string type = Field(event, "type");
  if (type != "roster_installed" && type != "roster_rejected" && type != "roster_not_saved") return;
  const std::int64_t time_ms = EventTimeMs(event).value_or(now * 1000);
  RolloutRecord& record = records_[workstation];
  const RolloutRecord before = record;
  if (type == "roster_installed") {
    if (Newer(time_ms, record.install_event_ms)) record.install_event_ms = time_ms;
    auto serial = event.find("serial");
    // Only forward: the poll's If-None-Match is fresher than a late event.
    if (serial != event.end() && serial->is_number_unsigned()) {
      const auto s = serial->get<std::uint64_t>();
      if (!record.installed_serial || s > *record.installed_serial)
        NoteInstalled(workstation, record, s, now);
    }
    if (record.rejecting && Newer(time_ms, record.last_error_ms)) record.rejecting = false;
  } else {
    const std::string detail = Field(event, "detail");
    const bool rejected = type == "roster_rejected";
    if (rejected && !RejectionFromCentral(detail)) return;
    if (Newer(time_ms, record.last_error_ms)) {
      record.last_error = Capped(detail.empty() ? type : detail);
      record.last_error_ms = time_ms;
    }
    // A rejection older than the last install is history, not a state.
    const bool behind = !record.installed_serial || *record.installed_serial < current;
    if (rejected && behind && Newer(time_ms, record.install_event_ms)) record.rejecting = true;
  }
  if (!(record == before)) dirty_.insert(workstation);
}

void RolloutBook::Forget(const std::string& workstation) {
  records_.erase(workstation);
  dirty_.erase(workstation);
}

const RolloutRecord* RolloutBook::Find(const std::string& workstation) const {
  auto it = records_.find(workstation);
  return it == records_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, RolloutRecord>> RolloutBook::TakeDirty() {
  std::vector<std::pair<std::string, RolloutRecord>> out;
  out.reserve(dirty_.size());
  for (const std::string& name : dirty_) {
    auto it = records_.find(name);
    if (it != records_.end()) out.emplace_back(name, it->second);
  }
  dirty_.clear();
  return out;
}

void RolloutBook::Redirty(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (records_.contains(name)) dirty_.insert(name);
  }
}

}  // namespace staffgate::central
