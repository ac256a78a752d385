// The central's data model: what HR and IT record. Employee names stay in
// the central; the roster built from this carries only ids and accounts.
#ifndef STAFFGATE_CENTRAL_MODEL_H_
#define STAFFGATE_CENTRAL_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/roster.h"
#include "common/time_util.h"

namespace staffgate::central {

struct EmployeeRecord {
  std::string id;
  std::string name;  // Personal data: never leaves the central.
  common::EmployeeStatus status = common::EmployeeStatus::kActive;
  std::vector<std::string> accounts;
  std::vector<std::string> groups{"*"};
  std::optional<common::UnixSeconds> credentials_reset_after;

  bool operator==(const EmployeeRecord&) const = default;
};

struct WorkstationRecord {
  std::string name;
  std::vector<std::string> groups;
  std::string token_hash;  // Hex SHA-256 of the token; the token is never stored.
  common::UnixSeconds created_at = 0;
  std::optional<common::UnixSeconds> last_contact;
  std::optional<std::uint64_t> last_serial;
  std::string agent_version;  // From the User-Agent of its last request.
};

// Everything a roster is built from, kept in memory and mirrored in SQLite.
struct State {
  std::map<std::string, EmployeeRecord> employees;  // By id.
  std::set<std::string> shared_accounts;
  std::map<std::string, WorkstationRecord> workstations;  // By name.
  std::uint32_t max_workstations_per_account = 1;
};

struct PublishedRoster {
  std::uint64_t serial = 0;
  common::UnixSeconds issued_at = 0;
  common::UnixSeconds expires_at = 0;
  std::string envelope;  // The DSSE JSON served at GET /v1/roster.
};

struct ImportReport {
  std::vector<std::string> added, changed, unchanged;  // Employee ids.
};

// A session lease (docs/design.md §6): `workstation` has `account` signed in. Live
// while expires_at > now; lapsed leases are invisible and pruned lazily.
struct Lease {
  std::string id;  // 32 lowercase hex characters, random.
  std::string account;
  std::string workstation;
  common::UnixSeconds acquired_at = 0;
  common::UnixSeconds renewed_at = 0;
  common::UnixSeconds expires_at = 0;
  std::uint64_t seq = 0;  // Acquisition order (ties within a second).

  bool operator==(const Lease&) const = default;
};

struct EventQuery {
  std::optional<std::int64_t> since_ms;
  std::string workstation, account, decision, type;
  std::size_t limit = 1000;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_MODEL_H_
