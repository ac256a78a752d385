// Prometheus counters of the central (GET /metrics). Counts only: no
// account names, employee ids or workstation names.
#ifndef STAFFGATE_CENTRAL_METRICS_H_
#define STAFFGATE_CENTRAL_METRICS_H_

#include <atomic>
#include <cstdint>
#include <string>

namespace staffgate::central {

struct Metrics {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> roster_200{0};
  std::atomic<std::uint64_t> roster_304{0};
  std::atomic<std::uint64_t> long_polls{0};
  std::atomic<std::uint64_t> events_accepted{0};
  std::atomic<std::uint64_t> events_duplicate{0};
  std::atomic<std::uint64_t> events_rejected{0};
  std::atomic<std::uint64_t> events_clamped{0};            // Future-dated, stored at receipt.
  std::atomic<std::uint64_t> event_batches_over_quota{0};  // 429
  std::atomic<std::uint64_t> event_batches_store_full{0};  // 507
  std::atomic<std::uint64_t> events_lost{0};  // Copied from the Service at render time.
  std::atomic<std::uint64_t> admin_changes{0};
  std::atomic<std::uint64_t> leases_acquired{0};  // 201
  std::atomic<std::uint64_t> leases_renewed{0};   // PUT, or POST by the holder
  std::atomic<std::uint64_t> leases_refused{0};   // 409
  std::atomic<std::uint64_t> leases_released{0};  // DELETE by the workstation
  std::atomic<std::uint64_t> leases_ended_by_admin{0};
  std::atomic<std::uint64_t> leases_lapsed{0};  // Copied from the Service at render time.
  std::atomic<std::int64_t> leases_live{0};     // At render (SQLite) or by the housekeeping.
  // Staffgate passwords (docs/design.md §10): verify answers by result,
  // locks started, changes, admin actions, and the hashing pool.
  std::atomic<std::uint64_t> auth_verify_ok{0};
  std::atomic<std::uint64_t> auth_verify_bad_credentials{0};
  std::atomic<std::uint64_t> auth_verify_locked_out{0};
  std::atomic<std::uint64_t> auth_verify_reset_required{0};
  std::atomic<std::uint64_t> auth_verify_not_managed{0};
  std::atomic<std::uint64_t> auth_lockouts{0};
  std::atomic<std::uint64_t> auth_changes{0};
  std::atomic<std::uint64_t> auth_changes_refused{0};
  std::atomic<std::uint64_t> auth_passwords_set{0};
  std::atomic<std::uint64_t> auth_unlocks{0};
  std::atomic<std::uint64_t> auth_hash_queued{0};    // Copied from the pool at render time.
  std::atomic<std::uint64_t> auth_hash_rejected{0};  // Copied from the pool at render time.
  std::atomic<std::int64_t> auth_hash_waiting{0};    // Copied from the pool at render time.
  // The request workers (docs/design.md §12): workstations' login-path
  // calls, and everything else. Copied from the pools at render time.
  std::atomic<std::uint64_t> login_pool_queued{0};
  std::atomic<std::uint64_t> login_pool_rejected{0};
  std::atomic<std::int64_t> login_pool_waiting{0};
  std::atomic<std::uint64_t> request_pool_queued{0};
  std::atomic<std::uint64_t> request_pool_rejected{0};
  std::atomic<std::int64_t> request_pool_waiting{0};
  std::atomic<std::uint64_t> unauthorized{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> server_errors{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> connections_refused_per_client{0};
  std::atomic<std::uint64_t> connections_evicted{0};  // Unauthenticated, closed to make room.
  std::atomic<std::int64_t> connections_open{0};

  // Prometheus text format 0.0.4; gauges passed in are read at call time.
  std::string Render(std::uint64_t serial, std::int64_t expires_at, std::size_t waiting,
                     std::size_t workstations) const;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_METRICS_H_
