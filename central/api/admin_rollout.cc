// GET /v1/admin/rollout[?serial=N]: which workstations have installed
// roster serial N (default: the current one), "confirmed on N of M
// workstations" counted over those in contact within online_window_s
// (docs/design.md §11). staffgate-admin rollout and terminate --wait read it.
#include "central/api/admin.h"

namespace staffgate::central {

using common::Json;

namespace {

Json Time(const std::optional<common::UnixSeconds>& t) {
  return t ? Json(common::FormatRfc3339(*t)) : Json(nullptr);
}

Json TimeMs(const std::optional<std::int64_t>& ms) {
  return ms ? Json(common::FormatRfc3339Ms(*ms)) : Json(nullptr);
}

// The serial asked for: absent is the current one; anything but a
// published serial is refused with one sentence.
common::Result<std::uint64_t> SerialParam(const std::string& query, std::uint64_t current) {
  const std::string text = QueryParam(query, "serial");
  if (text.empty()) return current;
  std::uint64_t serial = 0;
  bool digits = text.size() <= 19;
  for (char ch : text) digits = digits && ch >= '0' && ch <= '9';
  if (digits) serial = std::stoull(text);
  if (!digits || serial == 0) {
    return common::Fail(common::ErrorKind::kInvalidInput,
                        "serial must be a roster serial number (1 or more)");
  }
  if (serial > current) {
    return common::Fail(common::ErrorKind::kInvalidInput,
                        "serial " + text + " has not been published (the current serial is " +
                            std::to_string(current) + ")");
  }
  return serial;
}

}  // namespace

Json RolloutFields(const WorkstationProgress& p, common::UnixSeconds now) {
  const RolloutRecord& r = p.member.rollout;
  Json obj = {{"online", p.online},
              {"last_seen", LastSeen(p.member.last_contact, now)},
              {"installed_at", Time(r.installed_at)},
              {"rejecting_rosters", r.rejecting},
              {"last_error_at", TimeMs(r.last_error_ms)}};
  obj["installed_serial"] = r.installed_serial ? Json(*r.installed_serial) : Json(nullptr);
  obj["last_error"] = r.last_error.empty() ? Json(nullptr) : Json(r.last_error);
  return obj;
}

ApiResponse AdminRollout(const AdminContext& context, const AdminRequest& request) {
  if (request.http.method != "GET") return MethodNotAllowed(request);
  const std::uint64_t current = context.service.Current()->serial;
  auto serial = SerialParam(request.query, current);
  if (!serial) return ErrorResponse(serial.error());
  const RolloutSummary summary = context.service.Rollout(*serial);
  Json list = Json::array();
  for (const WorkstationProgress& p : summary.workstations) {
    Json obj = RolloutFields(p, summary.now);
    obj["name"] = p.member.name;
    obj["confirmed"] = p.confirmed;
    obj["confirmed_at"] = Time(p.confirmed_at);
    obj["last_contact"] = Time(p.member.last_contact);
    obj["agent_version"] = p.member.agent_version;
    list.push_back(std::move(obj));
  }
  return JsonAnswer(200, Json{{"serial", summary.serial},
                              {"current_serial", current},
                              {"now", common::FormatRfc3339(summary.now)},
                              {"online_window_s", summary.online_window_s},
                              {"online", summary.online},
                              {"confirmed", summary.confirmed},
                              {"complete", summary.Complete()},
                              {"summary", ConfirmationLine(summary)},
                              {"workstations", std::move(list)}});
}

}  // namespace staffgate::central
