// The NSS snapshot (docs/design.md §9): the agent's model of passwd and
// group entries, its encoding, and the shared C reader the module uses.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "agent/nss/group_grants.h"
#include "agent/nss/nss_snapshot.h"
#include "agent/nss/nss_writer.h"
#include "common/file_util.h"
#include "nss_module/snapshot_reader.h"
#include "test_agent_util.h"

namespace {

using namespace staffgate;
using namespace staffgate::agent;
using testutil::kNow;

constexpr char kPasswd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "local1:x:1000:1000::/home/local1:/bin/bash\n"
    "clashname:x:1001:1001::/home/clashname:/bin/bash\n"
    "takenuid:x:20050:1002::/home/x:/bin/bash\n"
    "broken line\n";
constexpr char kGroup[] =
    "root:x:0:\n"
    "dialout:x:20:local1\n"
    "plugdev:x:46:\n"
    "grpclash:x:1003:\n"
    "gidtaken:x:20060:\n"
    "finance-local:x:31000:\n";

// E1 finance+service (both roles), E2 terminated, E3 sales only, E4 clashes.
common::Roster SampleRoster() {
  common::Json employees = common::Json::array();
  auto add = [&](const std::string& id, const std::string& status,
                 std::vector<std::string> accounts, std::vector<std::string> groups,
                 common::Json posix, const char* display = nullptr) {
    common::Json e = testutil::Employee(id, status, std::move(accounts), std::move(groups));
    e["posix"] = std::move(posix);
    if (display != nullptr) e["display_name"] = display;
    employees.push_back(std::move(e));
  };
  add("E1", "active", {"asmith"}, {"finance", "service"}, {{"asmith", {{"uid", 20017}}}},
      "Anna Smith");
  add("E2", "terminated", {"bjones"}, {"service"}, {{"bjones", {{"uid", 20018}}}});
  add("E3", "active", {"cdoe"}, {"sales"}, {{"cdoe", {{"uid", 20019}}}});
  add("E4", "active", {"clashname", "uidclash", "gidclash", "grpclash", "low"}, {"service"},
      {{"clashname", {{"uid", 20040}}},
       {"uidclash", {{"uid", 20050}}},
       {"gidclash", {{"uid", 20060}}},
       {"grpclash", {{"uid", 20061}}},
       {"low", {{"uid", 500}}}});
  add("E5", "suspended", {"dsusp"}, {"service"}, {{"dsusp", {{"uid", 20020}}}});
  common::Json payload = common::Json::parse(testutil::RosterPayload(
      9, employees, {},
      {{"SVC-03", {{"groups", {"service", "finance"}}}}, {"SALES-01", {{"groups", {"sales"}}}}}));
  payload["posix_groups"] = {{"finance-data", {{"gid", 30001}, {"roles", {"finance"}}}},
                             {"dialout", {{"roles", {"service"}}}},
                             {"tools", {{"gid", 30002}, {"roles", {"service", "sales"}}}},
                             {"nosuchlocal", {{"roles", {"service"}}}},
                             {"finance-local", {{"gid", 30003}, {"roles", {"finance"}}}},
                             {"gidtakengrp", {{"gid", 1003}, {"roles", {"finance"}}}}};
  auto roster = common::ParseRoster(payload.dump());
  REQUIRE(roster);
  return std::move(*roster);
}

NssOptions Options(const std::string& workstation = "SVC-03") {
  return NssOptions{workstation, 1000, false};
}

const NssUser* FindUser(const NssModel& m, const std::string& name) {
  for (const auto& u : m.users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

bool Skipped(const NssModel& m, const std::string& part) {
  for (const auto& s : m.skipped) {
    if (s.detail.find(part) != std::string::npos) return true;
  }
  return false;
}

// Bytes copied into 8-byte aligned storage, as a mapping would be.
struct Aligned {
  explicit Aligned(const std::string& bytes)
      : words((bytes.size() + 7) / 8 + 1), size(bytes.size()) {
    std::memcpy(words.data(), bytes.data(), bytes.size());
  }
  const void* data() const { return words.data(); }
  std::vector<std::uint64_t> words;
  std::size_t size;
};

}  // namespace

TEST_CASE("passwd entries follow the roster", "[nss]") {
  NssModel m = BuildNssModel(SampleRoster(), ParseLocalIdentities(kPasswd, kGroup), Options());
  const NssUser* a = FindUser(m, "asmith");
  REQUIRE(a);
  CHECK(a->uid == 20017);
  CHECK(a->gecos == "Anna Smith");
  CHECK(a->home == "/home/asmith");
  CHECK(a->shell == "/bin/bash");
  // finance-data (30001), tools (30002), dialout (local gid 20).
  CHECK(a->gids == std::vector<std::uint32_t>{20, 30001, 30002});

  const NssUser* b = FindUser(m, "bjones");
  REQUIRE(b);
  CHECK(b->shell == "/usr/sbin/nologin");
  CHECK(b->gecos == "E2");
  CHECK(b->gids.empty());
  const NssUser* d = FindUser(m, "dsusp");
  REQUIRE(d);
  CHECK(d->shell == "/usr/sbin/nologin");
  CHECK(d->gids.empty());

  // cdoe holds "sales", which tools grants, but is not permitted on SVC-03.
  const NssUser* c = FindUser(m, "cdoe");
  REQUIRE(c);
  CHECK(c->gids.empty());
}

TEST_CASE("local names and ids win and are reported", "[nss]") {
  NssModel m = BuildNssModel(SampleRoster(), ParseLocalIdentities(kPasswd, kGroup), Options());
  for (const char* gone : {"clashname", "uidclash", "gidclash", "grpclash", "low"}) {
    INFO(gone);
    CHECK_FALSE(FindUser(m, gone));
  }
  CHECK(Skipped(m, "'clashname' exists in /etc/passwd"));
  CHECK(Skipped(m, "uid 20050 of 'uidclash' is taken in /etc/passwd"));
  CHECK(Skipped(m, "gid 20060 of 'gidclash' is taken in /etc/group"));
  CHECK(Skipped(m, "'grpclash' is a group in /etc/group"));
  CHECK(Skipped(m, "uid 500 is below min_uid"));
  CHECK(Skipped(m, "local group 'nosuchlocal' is not in /etc/group"));
  CHECK(Skipped(m, "group 'finance-local' exists in /etc/group"));
  CHECK(Skipped(m, "gid 1003 of group 'gidtakengrp' is taken"));
}

TEST_CASE("group members are the active employees granted here", "[nss]") {
  NssModel m = BuildNssModel(SampleRoster(), ParseLocalIdentities(kPasswd, kGroup), Options());
  std::vector<std::string> names;
  for (const auto& g : m.groups)
    names.push_back(g.name + "=" + std::to_string(g.gid) + (g.local ? "L" : ""));
  CHECK(names == std::vector<std::string>{"dialout=20L", "finance-data=30001", "tools=30002"});
  CHECK(m.groups[0].members == std::vector<std::string>{"asmith"});
  CHECK(m.groups[2].members == std::vector<std::string>{"asmith"});

  NssModel sales =
      BuildNssModel(SampleRoster(), ParseLocalIdentities(kPasswd, kGroup), Options("SALES-01"));
  CHECK(FindUser(sales, "cdoe")->gids == std::vector<std::uint32_t>{30002});
  CHECK(FindUser(sales, "asmith")->gids.empty());  // finance/service: not permitted on SALES-01
}

TEST_CASE("grant explanations", "[nss]") {
  common::Roster r = SampleRoster();
  const common::Employee& cdoe = *r.FindEmployee("cdoe");
  GroupGrant g = ExplainGrant(r, cdoe, r.posix_groups.at("tools"), "SVC-03");
  CHECK(g.active);
  CHECK(g.role == "sales");
  CHECK_FALSE(g.permitted_here);
  CHECK_FALSE(g.granted());
  GroupGrant f = ExplainGrant(r, cdoe, r.posix_groups.at("finance-data"), "SALES-01");
  CHECK(f.role.empty());
  CHECK(f.permitted_here);
  CHECK(GrantedGroups(r, *r.FindEmployee("asmith"), "SVC-03") ==
        std::set<std::string>{"dialout", "finance-data", "finance-local", "gidtakengrp",
                              "nosuchlocal", "tools"});
}

TEST_CASE("the encoded snapshot reads back through the C reader", "[nss]") {
  NssOptions opts = Options();
  opts.enumerate = true;
  NssModel m = BuildNssModel(SampleRoster(), ParseLocalIdentities(kPasswd, kGroup), opts);
  Aligned bytes(EncodeNssSnapshot(m, 9, opts));
  sg_nss_view v;
  REQUIRE(sg_nss_view_open(bytes.data(), bytes.size, &v) == 0);
  CHECK(v.header->serial == 9);
  CHECK(v.header->min_uid == 1000);
  CHECK((v.header->flags & SG_NSS_FLAG_ENUMERATE) != 0);
  CHECK(v.header->user_count == 4);

  const sg_nss_user* a = sg_nss_user_by_name(&v, "asmith");
  REQUIRE(a);
  CHECK(a->uid == 20017);
  CHECK(a->gid == 20017);
  CHECK(std::string(sg_nss_str(&v, a->gecos)) == "Anna Smith");
  CHECK(std::string(sg_nss_str(&v, a->shell)) == "/bin/bash");
  REQUIRE(a->gids_count == 3);
  CHECK(v.words[a->gids_at + 1] == 30001);
  CHECK(sg_nss_user_by_uid(&v, 20017) == a);
  CHECK(sg_nss_user_by_uid(&v, 20018) == sg_nss_user_by_name(&v, "bjones"));
  CHECK_FALSE(sg_nss_user_by_name(&v, "nobody"));
  CHECK_FALSE(sg_nss_user_by_name(&v, "clashname"));
  CHECK_FALSE(sg_nss_user_by_uid(&v, 20050));

  const sg_nss_group* g = sg_nss_group_by_name(&v, "finance-data");
  REQUIRE(g);
  CHECK(g->gid == 30001);
  REQUIRE(g->members_count == 1);
  CHECK(std::string(sg_nss_str(&v, v.words[g->members_at])) == "asmith");
  CHECK(sg_nss_group_by_gid(&v, 20) == sg_nss_group_by_name(&v, "dialout"));
  CHECK((sg_nss_group_by_gid(&v, 20)->flags & SG_NSS_GROUP_LOCAL) != 0);
  CHECK_FALSE(sg_nss_group_by_name(&v, "asmith"));  // private groups are made by the reader
}

TEST_CASE("an empty roster makes a valid empty snapshot", "[nss]") {
  NssModel m;
  Aligned bytes(EncodeNssSnapshot(m, 1, Options()));
  sg_nss_view v;
  REQUIRE(sg_nss_view_open(bytes.data(), bytes.size, &v) == 0);
  CHECK_FALSE(sg_nss_user_by_name(&v, "a"));
  CHECK_FALSE(sg_nss_group_by_gid(&v, 5));
}

TEST_CASE("truncated, damaged or misaligned snapshots are refused", "[nss]") {
  NssModel m = BuildNssModel(SampleRoster(), ParseLocalIdentities(kPasswd, kGroup), Options());
  const std::string good = EncodeNssSnapshot(m, 9, Options());
  sg_nss_view v;
  for (std::size_t len = 0; len < good.size(); len += 7) {
    Aligned cut(good.substr(0, len));
    INFO(len);
    CHECK(sg_nss_view_open(cut.data(), cut.size, &v) == -1);
  }
  for (std::size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x40);
    Aligned damaged(bad);
    INFO(at);
    CHECK(sg_nss_view_open(damaged.data(), damaged.size, &v) == -1);
  }
  Aligned ok(good);
  CHECK(sg_nss_view_open(static_cast<const char*>(ok.data()) + 1, ok.size - 1, &v) == -1);
  CHECK(sg_nss_view_open(nullptr, 0, &v) == -1);
  CHECK(sg_nss_view_open(ok.data(), ok.size, &v) == 0);
}

TEST_CASE("the writer replaces the snapshot world-readable and audits skips once", "[nss]") {
  testutil::TempDir tmp;
  REQUIRE(common::WriteFileAtomic(tmp / "passwd", kPasswd, 0644));
  REQUIRE(common::WriteFileAtomic(tmp / "group", kGroup, 0644));
  int invalidations = 0;
  std::vector<AuditEvent> events;
  NssWriter::Deps deps;
  deps.files = LocalFiles{tmp / "passwd", tmp / "group"};
  deps.log = [](int, const std::string&) {};
  deps.record = [&](AuditEvent e) { events.push_back(std::move(e)); };
  deps.invalidate_caches = [&] { ++invalidations; };
  NssWriter writer(std::move(deps));
  AgentConfig config;
  config.workstation = "SVC-03";
  config.state_dir = tmp.path();

  REQUIRE(writer.Write(SampleRoster(), config));
  struct stat st;
  REQUIRE(stat(NssSnapshotPath(tmp.path()).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  REQUIRE(stat((tmp / "nss").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  CHECK(invalidations == 1);
  const std::size_t first = events.size();
  CHECK(first == 8);
  CHECK(events[0].type == AuditType::kNssIdentitySkipped);
  REQUIRE(writer.Write(SampleRoster(), config));
  CHECK(events.size() == first);  // the same skips are not audited again
  CHECK(invalidations == 2);

  auto bytes = common::ReadFileCapped(NssSnapshotPath(tmp.path()), 1 << 20);
  REQUIRE(bytes);
  Aligned copy(*bytes);
  sg_nss_view v;
  REQUIRE(sg_nss_view_open(copy.data(), copy.size, &v) == 0);
  CHECK(sg_nss_user_by_name(&v, "asmith"));
}

TEST_CASE("no snapshot is written when the local files cannot be read", "[nss]") {
  testutil::TempDir tmp;
  NssWriter::Deps deps;
  deps.files = LocalFiles{tmp / "missing-passwd", tmp / "missing-group"};
  deps.invalidate_caches = [] {};
  NssWriter writer(std::move(deps));
  AgentConfig config;
  config.state_dir = tmp.path();
  auto wrote = writer.Write(SampleRoster(), config);
  REQUIRE_FALSE(wrote);
  CHECK(wrote.error().message.find("missing-passwd") != std::string::npos);
  CHECK(testutil::TempDir::List(tmp.path()).empty());
}
