#include "central/metrics.h"

namespace staffgate::central {
namespace {

void Add(std::string& out, const char* name, const char* type, const char* help, std::int64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name +
         " " + std::to_string(value) + "\n";
}

}  // namespace

std::string Metrics::Render(std::uint64_t serial, std::int64_t expires_at, std::size_t waiting,
                            std::size_t workstations) const {
  std::string o;
  auto c = [](const std::atomic<std::uint64_t>& v) { return static_cast<std::int64_t>(v.load()); };
  Add(o, "staffgate_central_requests_total", "counter", "HTTP requests handled.", c(requests));
  Add(o, "staffgate_central_roster_full_total", "counter", "Roster responses with a body (200).", c(roster_200));
  Add(o, "staffgate_central_roster_not_modified_total", "counter", "Roster 304 responses.", c(roster_304));
  Add(o, "staffgate_central_long_polls_total", "counter", "Roster requests held as long-polls.", c(long_polls));
  Add(o, "staffgate_central_events_accepted_total", "counter", "Audit events stored.", c(events_accepted));
  Add(o, "staffgate_central_events_duplicate_total", "counter", "Audit events already stored (redelivery).", c(events_duplicate));
  Add(o, "staffgate_central_events_rejected_total", "counter", "Audit events without a usable id.", c(events_rejected));
  Add(o, "staffgate_central_admin_changes_total", "counter", "Admin changes applied.", c(admin_changes));
  Add(o, "staffgate_central_leases_acquired_total", "counter", "Session leases created (201).", c(leases_acquired));
  Add(o, "staffgate_central_leases_renewed_total", "counter", "Session leases renewed.", c(leases_renewed));
  Add(o, "staffgate_central_leases_refused_total", "counter", "Session leases refused: in use elsewhere (409).", c(leases_refused));
  Add(o, "staffgate_central_leases_released_total", "counter", "Session leases released by their workstation.", c(leases_released));
  Add(o, "staffgate_central_leases_ended_by_admin_total", "counter", "Session leases ended by an admin.", c(leases_ended_by_admin));
  Add(o, "staffgate_central_leases_lapsed_total", "counter", "Session leases that lapsed unrenewed (pruned).", c(leases_lapsed));
  Add(o, "staffgate_central_leases_live", "gauge", "Live session leases.", leases_live.load());
  Add(o, "staffgate_central_unauthorized_total", "counter", "Requests refused with 401.", c(unauthorized));
  Add(o, "staffgate_central_bad_requests_total", "counter", "Requests answered 4xx other than 401.", c(bad_requests));
  Add(o, "staffgate_central_server_errors_total", "counter", "Requests answered 5xx.", c(server_errors));
  Add(o, "staffgate_central_connections_accepted_total", "counter", "TCP connections accepted.", c(connections_accepted));
  Add(o, "staffgate_central_connections_refused_total", "counter", "Connections closed at max_connections.", c(connections_refused));
  Add(o, "staffgate_central_connections_open", "gauge", "Open connections.", connections_open.load());
  Add(o, "staffgate_central_long_polls_waiting", "gauge", "Long-polls currently held.", static_cast<std::int64_t>(waiting));
  Add(o, "staffgate_central_roster_serial", "gauge", "Serial of the current roster.", static_cast<std::int64_t>(serial));
  Add(o, "staffgate_central_roster_expires_at_seconds", "gauge", "Expiry of the current roster (Unix time).", expires_at);
  Add(o, "staffgate_central_workstations", "gauge", "Registered workstations.", static_cast<std::int64_t>(workstations));
  return o;
}

}  // namespace staffgate::central
