#include <catch2/catch.hpp>

#include "agent/sync/workstation_identity.h"

using staffgate::agent::CheckConfiguredWorkstation;
using staffgate::agent::WorkstationIdentity;

TEST_CASE("a configured workstation name other than the token's is refused naming both",
          "[identity]") {
  CHECK(CheckConfiguredWorkstation("", "SVC-03"));
  CHECK(CheckConfiguredWorkstation("SVC-03", "SVC-03"));
  auto refused = CheckConfiguredWorkstation("PARTS-01", "SVC-03");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == staffgate::common::ErrorKind::kConfig);
  CHECK(refused.error().message ==
        "the configuration names workstation PARTS-01 but the central knows this workstation's "
        "token as SVC-03, so SVC-03's groups are enforced: correct 'workstation' or run "
        "staffgatectl enroll again");
}

TEST_CASE("the token's name is enforced for the link it was learned over, and only that link",
          "[identity]") {
  WorkstationIdentity identity;
  CHECK(identity.Resolve("link-a", "PARTS-01") == "PARTS-01");  // Not told yet.
  CHECK(identity.Resolve("link-a", "").empty());
  identity.Learn("link-a", "SVC-03");
  CHECK(identity.Resolve("link-a", "PARTS-01") == "SVC-03");
  CHECK(identity.Resolve("link-a", "") == "SVC-03");
  // Another central or token file: what this one said does not apply.
  CHECK(identity.Resolve("link-b", "PARTS-01") == "PARTS-01");
}
