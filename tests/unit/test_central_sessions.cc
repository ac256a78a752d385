// Session leases at the central: the LeaseBook rules, the
// Service (SQLite, audit events, restart) and the HTTP contract through
// the Beast-free Api, all on a FakeClock: lapses happen without sleeping.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "central/leases/lease_book.h"
#include "lease_world.h"

namespace {

using staffgate::central::AcquireKind;
using staffgate::central::Api;
using staffgate::central::ApiRequest;
using staffgate::central::EventQuery;
using staffgate::central::Lease;
using staffgate::central::LeaseBook;
using staffgate::central::Metrics;
using staffgate::central::Service;
using staffgate::central::WaitHub;
using staffgate::central::testlease::kStart;
using staffgate::central::testlease::LeaseWorld;
using staffgate::common::ErrorKind;
using staffgate::common::FakeClock;
using staffgate::common::Json;
using staffgate::testutil::TempDir;

Lease Live(LeaseBook& book, const std::string& account, const std::string& ws, std::int64_t now,
           std::uint32_t max, const std::string& id) {
  auto out = book.Acquire(account, ws, now, 90, max, id);
  REQUIRE(out.kind != AcquireKind::kRefused);
  book.Put(out.lease);
  return out.lease;
}

}  // namespace

TEST_CASE("lease book: acquire, same workstation renews, conflict names the newest holder",
          "[central][leases]") {
  LeaseBook book;
  Lease a = Live(book, "asmith", "SVC-01", kStart, 1, "id-a");
  CHECK(a.expires_at == kStart + 90);
  auto again = book.Acquire("asmith", "SVC-01", kStart + 30, 90, 1, "id-other");
  CHECK(again.kind == AcquireKind::kRenewed);
  CHECK(again.lease.id == "id-a");
  CHECK(again.lease.acquired_at == kStart);
  CHECK(again.lease.expires_at == kStart + 120);
  auto refused = book.Acquire("asmith", "SVC-02", kStart + 30, 90, 1, "id-b");
  CHECK(refused.kind == AcquireKind::kRefused);
  CHECK(refused.holder == "SVC-01");
  // Another account is unaffected.
  CHECK(book.Acquire("bjones", "SVC-02", kStart, 90, 1, "id-c").kind == AcquireKind::kCreated);

  // Policy 3 with two others: the most recently acquired is named at the limit.
  Live(book, "asmith", "SVC-02", kStart + 1, 3, "id-b2");
  Live(book, "asmith", "SVC-03", kStart + 1, 3, "id-c2");
  auto third = book.Acquire("asmith", "SVC-04", kStart + 2, 90, 3, "id-d");
  CHECK(third.kind == AcquireKind::kRefused);
  CHECK(third.holder == "SVC-03");
  CHECK(book.Acquire("asmith", "SVC-04", kStart + 2, 90, 0, "id-d").kind == AcquireKind::kCreated);
}

TEST_CASE("lease book: lapse at the TTL, ownership, listing order", "[central][leases]") {
  LeaseBook book;
  Live(book, "bjones", "SVC-02", kStart, 1, "id-1");
  Live(book, "asmith", "SVC-02", kStart, 0, "id-2");
  Live(book, "asmith", "SVC-01", kStart, 0, "id-3");
  auto live = book.Live(kStart + 89);
  REQUIRE(live.size() == 3);
  CHECK(live[0].id == "id-3");
  CHECK(live[1].id == "id-2");
  CHECK(live[2].id == "id-1");
  CHECK(book.Owned("id-1", "SVC-02", kStart + 89));
  CHECK(book.Owned("id-1", "SVC-01", kStart + 89).error().kind == ErrorKind::kForbidden);
  CHECK(book.Owned("nope", "SVC-02", kStart).error().kind == ErrorKind::kNotFound);
  // expires_at <= now is lapsed: invisible before it is pruned.
  CHECK(book.Live(kStart + 90).empty());
  CHECK(book.CountLive(kStart + 90) == 0);
  CHECK(book.Find("id-1", kStart + 90).error().kind == ErrorKind::kNotFound);
  CHECK(book.Acquire("bjones", "SVC-01", kStart + 90, 90, 1, "id-4").kind == AcquireKind::kCreated);
  CHECK(book.Prune(kStart + 89).empty());
  CHECK(book.Prune(kStart + 90).size() == 3);
}

TEST_CASE("leases api: acquire 201, same workstation 200, other 409 naming the holder",
          "[central][leases]") {
  LeaseWorld w;
  Json a = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  const std::string id = a["id"];
  CHECK(id.size() == 32);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a["account"] == "asmith");
  CHECK(a["workstation"] == "SVC-01");
  CHECK(a["ttl_s"] == 90);
  CHECK(a["expires_at"] == staffgate::common::FormatRfc3339(kStart + 90));
  CHECK(a.size() == 5);

  w.clock.Advance(10);
  Json again = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 200);
  CHECK(again["id"] == id);
  CHECK(again["expires_at"] == staffgate::common::FormatRfc3339(kStart + 100));

  Json refused = w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 409);
  CHECK(refused["error"] == "in_use_elsewhere");
  CHECK(refused["workstation"] == "SVC-01");
  CHECK(refused["message"] == "asmith is signed in on SVC-01");
  CHECK(w.metrics.leases_acquired == 1);
  CHECK(w.metrics.leases_refused == 1);

  // Release on A, then B gets its own lease.
  auto released = w.Call("DELETE", "/v1/sessions/" + id, w.a_token);
  CHECK(released.status == 204);
  CHECK(released.body.empty());
  CHECK(w.Call("DELETE", "/v1/sessions/" + id, w.a_token).status == 404);
  Json b = w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 201);
  CHECK(b["id"] != id);
  CHECK(b["workstation"] == "SVC-02");
}

TEST_CASE("leases api: policy 2 and 0", "[central][leases]") {
  LeaseWorld w;
  REQUIRE(w.service->SetMaxWorkstationsPerAccount(2));
  w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  w.clock.Advance(1);
  w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 201);
  Json refused = w.CallJson("POST", "/v1/sessions", w.c_token, R"({"account":"asmith"})", 409);
  CHECK(refused["workstation"] == "SVC-02");  // The most recently acquired.
  REQUIRE(w.service->SetMaxWorkstationsPerAccount(0));
  w.CallJson("POST", "/v1/sessions", w.c_token, R"({"account":"asmith"})", 201);
  // Lowering the policy never refuses a workstation its own lease.
  REQUIRE(w.service->SetMaxWorkstationsPerAccount(1));
  w.CallJson("POST", "/v1/sessions", w.c_token, R"({"account":"asmith"})", 200);
}

TEST_CASE("leases api: renew and release belong to the holder, lapse at the TTL",
          "[central][leases]") {
  LeaseWorld w(30);
  Json a = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"asmith"})", 201);
  const std::string path = "/v1/sessions/" + a["id"].get<std::string>();
  CHECK(a["ttl_s"] == 30);
  CHECK(w.Call("PUT", path, w.b_token).status == 403);
  CHECK(w.Call("DELETE", path, w.b_token).status == 403);
  CHECK(w.CallJson("DELETE", path, w.b_token, "", 403)["error"] == "forbidden");
  CHECK(w.Call("PUT", path, w.a_token, R"({"x":1})").status == 400);
  w.clock.Advance(20);
  Json renewed = w.CallJson("PUT", path, w.a_token, "{}", 200);
  CHECK(renewed["expires_at"] == staffgate::common::FormatRfc3339(kStart + 50));
  CHECK(renewed["id"] == a["id"]);
  w.clock.Advance(29);
  CHECK(w.CallJson("PUT", path, w.a_token, "", 200)["expires_at"] ==
        staffgate::common::FormatRfc3339(kStart + 79));
  // Unrenewed for exactly the TTL: lapsed everywhere, and B may sign in.
  w.clock.Advance(30);
  CHECK(w.CallJson("PUT", path, w.a_token, "", 404)["error"] == "not_found");
  CHECK(w.Call("DELETE", path, w.a_token).status == 404);
  CHECK(w.CallJson("GET", "/v1/admin/sessions", "admintoken", "", 200).empty());
  w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 201);
  CHECK(w.service->lease_desk().Lapsed() == 1);
  CHECK(w.Call("GET", "/metrics", "").body.find("staffgate_central_leases_lapsed_total 1\n") !=
        std::string::npos);
}

TEST_CASE("leases api: validation, auth and routing", "[central][leases]") {
  LeaseWorld w;
  CHECK(w.Call("POST", "/v1/sessions", "", R"({"account":"asmith"})").status == 401);
  CHECK(w.Call("POST", "/v1/sessions", "wrong", R"({"account":"asmith"})").status == 401);
  CHECK(w.Call("POST", "/v1/sessions", "admintoken", R"({"account":"asmith"})").status == 403);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, "").status == 400);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, "[]").status == 400);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, R"({})").status == 400);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, R"({"account":7})").status == 400);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, R"({"account":"bad name"})").status == 400);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, R"({"account":"-rf"})").status == 400);
  CHECK(w.Call("POST", "/v1/sessions", w.a_token, R"({"account":"asmith","tty":"pts/1"})").status ==
        400);
  CHECK(w.Call("GET", "/v1/sessions", w.a_token).status == 400);  // No ?account=.
  CHECK(w.Call("PATCH", "/v1/sessions", w.a_token).status == 405);
  CHECK(w.Call("POST", "/v1/sessions/0123456789abcdef0123456789abcdef", w.a_token).status == 405);
  CHECK(w.Call("PUT", "/v1/sessions/0123456789abcdef0123456789abcdef", w.a_token).status == 404);
  CHECK(w.Call("PUT", "/v1/sessions/../../admin", w.a_token).status == 404);
  CHECK(w.Call("DELETE", "/v1/sessions/0123456789ABCDEF0123456789ABCDEF", w.a_token).status == 404);
  CHECK(w.Call("GET", "/v1/admin/sessions", w.a_token).status == 401);
  CHECK(w.CallJson("GET", "/v1/admin/sessions", "admintoken", "", 200).is_array());
  CHECK(w.service->Leases()->empty());  // Nothing refused stored a lease.
}

TEST_CASE("leases: admin list and end, audit events, restart keeps leases", "[central][leases]") {
  LeaseWorld w;
  Json a = w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 201);
  w.clock.Advance(5);
  Json b = w.CallJson("POST", "/v1/sessions", w.a_token, R"({"account":"bjones"})", 201);
  w.CallJson("POST", "/v1/sessions", w.c_token, R"({"account":"asmith"})", 409);
  Json list = w.CallJson("GET", "/v1/admin/sessions", "admintoken", "", 200);
  REQUIRE(list.size() == 2);
  CHECK(list[0]["account"] == "asmith");
  CHECK(list[0]["workstation"] == "SVC-02");
  CHECK(list[0]["acquired_at"] == staffgate::common::FormatRfc3339(kStart));
  CHECK(list[0]["renewed_at"] == staffgate::common::FormatRfc3339(kStart));
  CHECK(list[0]["expires_at"] == staffgate::common::FormatRfc3339(kStart + 90));
  CHECK(list[1]["account"] == "bjones");
  CHECK(list[0].size() == 6);

  // A central restart keeps both leases, and the holder keeps its lease id.
  w.Open(90);
  CHECK(w.service->Leases()->size() == 2);
  CHECK(w.CallJson("POST", "/v1/sessions", w.b_token, R"({"account":"asmith"})", 200)["id"] ==
        a["id"]);
  CHECK(w.CallJson("POST", "/v1/sessions", w.c_token, R"({"account":"asmith"})",
                   409)["workstation"] == "SVC-02");

  const std::string b_path = "/v1/admin/sessions/" + b["id"].get<std::string>();
  CHECK(w.Call("DELETE", b_path, w.a_token).status == 401);
  CHECK(w.Call("DELETE", b_path, "admintoken").status == 204);
  CHECK(w.Call("DELETE", b_path, "admintoken").status == 404);
  CHECK(w.Call("DELETE", "/v1/admin/sessions/nope", "admintoken").status == 404);
  CHECK(w.Call("PUT", "/v1/sessions/" + b["id"].get<std::string>(), w.a_token).status == 410);
  REQUIRE(w.Call("DELETE", "/v1/sessions/" + a["id"].get<std::string>(), w.b_token).status == 204);

  EventQuery q;
  auto events = w.service->Events(q);
  REQUIRE(events);
  std::vector<std::string> seen;
  for (const Json& e : *events) {
    CHECK(e["source"] == "central");
    seen.push_back(e["type"].get<std::string>() + " " + e["account"].get<std::string>() + " " +
                   e["workstation"].get<std::string>());
  }
  CHECK(seen == std::vector<std::string>{
                    "lease_acquired asmith SVC-02", "lease_acquired bjones SVC-01",
                    "lease_refused asmith SVC-03", "lease_refused asmith SVC-03",
                    "lease_ended_by_admin bjones SVC-01", "lease_released asmith SVC-02"});
  q.decision = "deny";
  auto denied = w.service->Events(q);
  REQUIRE(denied->size() == 2);
  CHECK((*denied)[0]["reason"] == "in_use_elsewhere");
  CHECK((*denied)[0]["holder"] == "SVC-02");
  CHECK(w.service->Leases()->empty());
}
