// A central on a FakeClock with cheap argon2id (tests only), for the
// administrators, sign-in and action journal tests.
#ifndef STAFFGATE_TESTS_UNIT_ADMIN_WORLD_H_
#define STAFFGATE_TESTS_UNIT_ADMIN_WORLD_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "central/service.h"
#include "common/ed25519.h"
#include "tests/lib/temp_dir.h"

namespace staffgate::testutil {

// The smallest argon2id libargon2 takes: the logic is under test, not the cost.
inline constexpr central::Argon2Params kCheapArgon2{8, 1, 1};

struct AdminWorld {
  static constexpr common::UnixSeconds kStart = 1'800'000'000;
  TempDir dir{"admins"};
  common::FakeClock clock{kStart};
  std::unique_ptr<central::Service> service = Open();

  std::unique_ptr<central::Service> Open() {
    central::ServiceOptions options;
    options.db_path = dir / "central.db";
    options.organization = "Test Motors";
    options.argon2 = kCheapArgon2;
    auto opened = central::Service::Open(options, *common::PrivateKey::Generate(), clock);
    REQUIRE(opened);
    return std::move(*opened);
  }
};

}  // namespace staffgate::testutil

#endif  // STAFFGATE_TESTS_UNIT_ADMIN_WORLD_H_
