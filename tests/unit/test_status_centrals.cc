// The `centrals` of a status reply (docs/design.md §12): every configured
// central, the one in use and those down, across serialise and parse.
#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "common/protocol.h"

namespace {

using staffgate::common::CentralEntry;
using staffgate::common::Op;
using staffgate::common::ParseResponse;
using staffgate::common::SerializeResponse;
using staffgate::common::StatusReply;

}  // namespace

TEST_CASE("status: the centrals survive serialise and parse, and are absent without any",
          "[failover]") {
  StatusReply status;
  status.central_configured = true;
  status.central_url = "https://b:8443";
  status.centrals = {CentralEntry{"https://a:8443", false, true, "2026-12-01T10:00:00Z",
                                  "cannot reach the central: Connection refused"},
                     CentralEntry{"https://b:8443", true, false, "", ""}};
  const std::string line = SerializeResponse(status);
  CHECK_THAT(line,
             Catch::Contains(R"("centrals":[{"down":true,"down_since":"2026-12-01T10:00:00Z",)"
                             R"("in_use":false,"last_error":"cannot reach the central: Connection )"
                             R"(refused","url":"https://a:8443"},{"down":false,"in_use":true,)"
                             R"("url":"https://b:8443"}])"));
  auto back = ParseResponse(Op::kStatus, line);
  REQUIRE(back);
  REQUIRE(std::holds_alternative<StatusReply>(*back));
  CHECK(std::get<StatusReply>(*back) == status);

  CHECK_THAT(SerializeResponse(StatusReply{}), !Catch::Contains("centrals"));
  auto old = ParseResponse(Op::kStatus, R"({"v":1,"ok":true,"roster":null})");
  REQUIRE(old);
  CHECK(std::get<StatusReply>(*old).centrals.empty());
  CHECK_FALSE(ParseResponse(Op::kStatus, R"({"v":1,"ok":true,"roster":null,"centrals":3})"));
  CHECK_FALSE(ParseResponse(Op::kStatus, R"({"v":1,"ok":true,"roster":null,"centrals":[1]})"));
}
