#include "central/metrics.h"

namespace staffgate::central {
namespace {

// One exposed sample: its HELP and TYPE lines, then "name value".
struct Sample {
  const char* name;
  const char* type;  // "counter" or "gauge".
  const char* help;
  std::int64_t value;
};

std::int64_t Count(const std::atomic<std::uint64_t>& v) {
  return static_cast<std::int64_t>(v.load());
}

}  // namespace

std::string Metrics::Render(std::uint64_t serial, std::int64_t expires_at, std::size_t waiting,
                            std::size_t workstations) const {
  // clang-format off
  const Sample samples[] = {
    {"staffgate_central_requests_total", "counter", "HTTP requests handled.", Count(requests)},
    {"staffgate_central_roster_full_total", "counter", "Roster responses with a body (200).", Count(roster_200)},
    {"staffgate_central_roster_not_modified_total", "counter", "Roster 304 responses.", Count(roster_304)},
    {"staffgate_central_long_polls_total", "counter", "Roster requests held as long-polls.", Count(long_polls)},
    {"staffgate_central_events_accepted_total", "counter", "Audit events stored.", Count(events_accepted)},
    {"staffgate_central_events_duplicate_total", "counter", "Audit events already stored (redelivery).", Count(events_duplicate)},
    {"staffgate_central_events_rejected_total", "counter", "Audit events without a usable id.", Count(events_rejected)},
    {"staffgate_central_events_clamped_total", "counter", "Future-dated audit events stored at their receipt time.", Count(events_clamped)},
    {"staffgate_central_event_batches_over_quota_total", "counter", "Event batches refused: workstation over its quota (429).", Count(event_batches_over_quota)},
    {"staffgate_central_event_batches_store_full_total", "counter", "Event batches refused: event store full (507).", Count(event_batches_store_full)},
    {"staffgate_central_events_lost_total", "counter", "The central's own audit events it could not store.", Count(events_lost)},
    {"staffgate_central_admin_changes_total", "counter", "Admin changes applied.", Count(admin_changes)},
    {"staffgate_central_leases_acquired_total", "counter", "Session leases created (201).", Count(leases_acquired)},
    {"staffgate_central_leases_renewed_total", "counter", "Session leases renewed.", Count(leases_renewed)},
    {"staffgate_central_leases_refused_total", "counter", "Session leases refused: in use elsewhere (409).", Count(leases_refused)},
    {"staffgate_central_leases_released_total", "counter", "Session leases released by their workstation.", Count(leases_released)},
    {"staffgate_central_leases_ended_by_admin_total", "counter", "Session leases ended by an admin.", Count(leases_ended_by_admin)},
    {"staffgate_central_leases_lapsed_total", "counter", "Session leases that lapsed unrenewed (pruned).", Count(leases_lapsed)},
    {"staffgate_central_leases_live", "gauge", "Live session leases.", leases_live.load()},
    {"staffgate_central_auth_verify_ok_total", "counter", "Password verifies answered ok.", Count(auth_verify_ok)},
    {"staffgate_central_auth_verify_bad_credentials_total", "counter", "Password verifies answered bad_credentials.", Count(auth_verify_bad_credentials)},
    {"staffgate_central_auth_verify_locked_out_total", "counter", "Password verifies answered locked_out.", Count(auth_verify_locked_out)},
    {"staffgate_central_auth_verify_reset_required_total", "counter", "Password verifies answered reset_required.", Count(auth_verify_reset_required)},
    {"staffgate_central_auth_verify_not_managed_total", "counter", "Password verifies answered not_managed.", Count(auth_verify_not_managed)},
    {"staffgate_central_auth_lockouts_total", "counter", "Passwords locked after too many failures.", Count(auth_lockouts)},
    {"staffgate_central_auth_changes_total", "counter", "Password changes stored.", Count(auth_changes)},
    {"staffgate_central_auth_changes_refused_total", "counter", "Password changes refused (422).", Count(auth_changes_refused)},
    {"staffgate_central_auth_passwords_set_total", "counter", "Passwords set by an admin.", Count(auth_passwords_set)},
    {"staffgate_central_auth_unlocks_total", "counter", "Password unlocks by an admin.", Count(auth_unlocks)},
    {"staffgate_central_auth_hash_queued_total", "counter", "Password requests that waited for a hashing slot.", Count(auth_hash_queued)},
    {"staffgate_central_auth_hash_rejected_total", "counter", "Password requests refused with 503: no hashing slot in time.", Count(auth_hash_rejected)},
    {"staffgate_central_auth_hash_waiting", "gauge", "Password requests waiting for a hashing slot.", auth_hash_waiting.load()},
    {"staffgate_central_login_pool_queued_total", "counter", "Workstation login-path calls that waited for a worker.", Count(login_pool_queued)},
    {"staffgate_central_login_pool_rejected_total", "counter", "Workstation login-path calls refused (503): no worker in time.", Count(login_pool_rejected)},
    {"staffgate_central_login_pool_waiting", "gauge", "Workstation login-path calls waiting for a worker.", login_pool_waiting.load()},
    {"staffgate_central_request_pool_queued_total", "counter", "Admin, console and other calls that waited for a worker.", Count(request_pool_queued)},
    {"staffgate_central_request_pool_rejected_total", "counter", "Admin, console and other calls (503) and housekeeping rounds refused: no worker in time.", Count(request_pool_rejected)},
    {"staffgate_central_request_pool_waiting", "gauge", "Admin, console and other calls waiting for a worker.", request_pool_waiting.load()},
    {"staffgate_central_unauthorized_total", "counter", "Requests refused with 401.", Count(unauthorized)},
    {"staffgate_central_bad_requests_total", "counter", "Requests answered 4xx other than 401.", Count(bad_requests)},
    {"staffgate_central_server_errors_total", "counter", "Requests answered 5xx.", Count(server_errors)},
    {"staffgate_central_connections_accepted_total", "counter", "TCP connections accepted.", Count(connections_accepted)},
    {"staffgate_central_connections_refused_total", "counter", "Connections closed at max_connections.", Count(connections_refused)},
    {"staffgate_central_connections_refused_per_client_total", "counter", "Connections closed at max_connections_per_client.", Count(connections_refused_per_client)},
    {"staffgate_central_connections_evicted_total", "counter", "Unauthenticated connections closed to keep room for authenticated ones.", Count(connections_evicted)},
    {"staffgate_central_connections_open", "gauge", "Open connections.", connections_open.load()},
    {"staffgate_central_long_polls_waiting", "gauge", "Long-polls currently held.", static_cast<std::int64_t>(waiting)},
    {"staffgate_central_roster_serial", "gauge", "Serial of the current roster.", static_cast<std::int64_t>(serial)},
    {"staffgate_central_roster_expires_at_seconds", "gauge", "Expiry of the current roster (Unix time).", expires_at},
    {"staffgate_central_workstations", "gauge", "Registered workstations.", static_cast<std::int64_t>(workstations)},
  };
  // clang-format on
  std::string out;
  for (const Sample& s : samples) {
    out += std::string("# HELP ") + s.name + " " + s.help + "\n# TYPE " + s.name + " " + s.type +
           "\n" + s.name + " " + std::to_string(s.value) + "\n";
  }
  return out;
}

}  // namespace staffgate::central
