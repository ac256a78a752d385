// Shared by the central's posix unit tests (docs/design.md §9): a central
// Service on a temporary database with a fake clock, reopened at will, and
// helpers to read its signed roster and an employee's uids. Header-only, for
// tests/unit only.
#ifndef STAFFGATE_TESTS_UNIT_POSIX_WORLD_H_
#define STAFFGATE_TESTS_UNIT_POSIX_WORLD_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "central/api/api.h"
#include "central/central_config.h"
#include "central/posix_ids.h"
#include "central/service.h"
#include "central/store.h"
#include "central/tokens.h"
#include "common/envelope.h"
#include "common/json_util.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::posix_world {

using staffgate::central::EmployeeRecord;
using staffgate::central::IdRange;
using staffgate::central::Service;
using staffgate::central::ServiceOptions;
using staffgate::central::Store;
using staffgate::common::EmployeeStatus;
using staffgate::common::ErrorKind;
using staffgate::common::FakeClock;
using staffgate::common::Json;
using staffgate::common::PrivateKey;

struct PosixWorld {
  staffgate::testutil::TempDir dir{"posix"};
  std::string key_pem = PrivateKey::Generate()->ToPem();
  FakeClock clock{1'800'000'000};
  ServiceOptions options;
  std::unique_ptr<Service> service;

  PosixWorld() {
    options.db_path = dir / "central.db";
    options.organization = "Test Motors";
  }
  ~PosixWorld() { service.reset(); }
  Service& Open() {
    service.reset();
    auto opened = Service::Open(options, *PrivateKey::FromPem(key_pem), clock);
    REQUIRE(opened);
    service = std::move(*opened);
    return *service;
  }
  Json Payload() const {
    auto pub = staffgate::common::PublicKey::FromPem(service->PublicKeyPem());
    auto verified = staffgate::common::VerifyEnvelope(
        service->Current()->envelope, staffgate::common::kRosterPayloadType, {*pub});
    REQUIRE(verified);
    return *staffgate::common::ParseJson(verified->payload,
                                         staffgate::common::JsonLimits{1 << 24, 16});
  }
  std::map<std::string, std::uint32_t> Uids(const std::string& id) const {
    for (const EmployeeRecord& e : service->Employees()) {
      if (e.id == id) return e.uids;
    }
    return {};
  }
};

inline EmployeeRecord Employee(std::string id, std::vector<std::string> accounts,
                               std::map<std::string, std::uint32_t> uids = {}) {
  EmployeeRecord e;
  e.id = std::move(id);
  e.name = "Name of " + e.id;
  e.accounts = std::move(accounts);
  e.uids = std::move(uids);
  return e;
}

using Uids = std::map<std::string, std::uint32_t>;

}  // namespace staffgate::posix_world

#endif  // STAFFGATE_TESTS_UNIT_POSIX_WORLD_H_
