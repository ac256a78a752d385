#include "central/admin/commands.h"

#include <cstdio>
#include <ctime>

#include "central/admin/output.h"
#include "central/admin/table.h"
#include "central/validation.h"
#include "common/file_util.h"
#include "common/terminal_text.h"
#include "common/time_util.h"

namespace staffgate::central::admin {

using common::ErrorKind;
using common::Fail;
using common::Json;

namespace {

// The uids of an employee's accounts, in the order of its accounts.
std::string Uids(const Json& employee) {
  std::string out;
  auto posix = employee.find("posix");
  for (const Json& account : employee.value("accounts", Json::array())) {
    std::string uid = "-";
    if (posix != employee.end() && account.is_string()) {
      auto entry = posix->find(account.get<std::string>());
      if (entry != posix->end() && entry->is_object()) uid = Str(*entry, "uid");
    }
    out += (out.empty() ? "" : ",") + uid;
  }
  return out.empty() ? "-" : out;
}

int PrintChange(const common::Result<Json>& answer, const std::string& what) {
  if (!answer) return Failed(answer.error());
  std::printf("%s (roster serial %s)\n", Safe(what).c_str(), Safe(Str(*answer, "serial")).c_str());
  return 0;
}

}  // namespace

common::Result<std::int64_t> ParseSince(const std::string& text, std::int64_t now) {
  if (text.empty()) return Fail(ErrorKind::kInvalidInput, "--since must not be empty");
  if (auto t = common::ParseRfc3339(text); t) return *t;
  std::size_t digits = 0;
  std::int64_t n = 0;
  while (digits < text.size() && digits < 12 &&
         std::isdigit(static_cast<unsigned char>(text[digits])) != 0) {
    n = n * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits == 0)
    return Fail(ErrorKind::kInvalidInput, "--since: use 30m, 1h, 7d, RFC 3339 or Unix seconds");
  std::string unit = text.substr(digits);
  if (unit.empty()) return n;  // Unix seconds.
  std::int64_t factor = unit == "s"   ? 1
                        : unit == "m" ? 60
                        : unit == "h" ? 3600
                        : unit == "d" ? 86400
                        : unit == "w" ? 604800
                                      : 0;
  if (factor == 0)
    return Fail(ErrorKind::kInvalidInput,
                "--since: unknown unit '" + unit + "' (use s, m, h, d, w)");
  return now - n * factor;
}

int EmployeeAdd(AdminClient& client, const std::string& id,
                const std::vector<std::string>& accounts, const std::string& groups,
                const std::string& name, const std::vector<std::uint32_t>& uids,
                std::optional<std::int64_t> start) {
  Json body = {{"id", id}, {"accounts", accounts}, {"name", name}};
  if (start) body["valid_from"] = common::FormatRfc3339(*start);
  if (!groups.empty()) body["groups"] = SplitList(groups, ',');
  for (std::size_t i = 0; i < uids.size() && i < accounts.size(); ++i) {
    body["posix"][accounts[i]] = {{"uid", uids[i]}};
  }
  return PrintChange(
      client.Call("POST", "/v1/admin/employees", common::DumpJson(body)),
      "added employee " + id + (start ? ", starting at " + common::FormatRfc3339(*start) : ""));
}

int EmployeeAction(AdminClient& client, const std::string& id, const std::string& action,
                   std::optional<int> wait_s, std::optional<std::int64_t> at) {
  Json body = Json::object();
  if (at) body["at"] = common::FormatRfc3339(*at);
  auto answer = client.Call("POST", "/v1/admin/employees/" + UrlEncode(id) + "/" + action,
                            common::DumpJson(body));
  std::string what = action == "terminate"   ? "terminated employee "
                     : action == "suspend"   ? "suspended employee "
                     : action == "reinstate" ? "reinstated employee "
                     : action == "clear-credentials-reset"
                         ? "credential reset withdrawn for employee "
                         : "credential reset required for employee ";
  what += id;
  if (at) what = action + " of employee " + id + " scheduled for " + common::FormatRfc3339(*at);
  const int rc = PrintChange(answer, what);
  if (rc != 0 || !wait_s) return rc;
  auto serial = answer->find("serial");
  if (serial == answer->end() || !serial->is_number_unsigned()) {
    return Failed(common::Error{ErrorKind::kInternal, "the central's answer has no serial"});
  }
  (void)std::fflush(stdout);  // The change is done: say so before waiting.
  return WaitForRollout(client, serial->get<std::uint64_t>(), *wait_s);
}

int EmployeeList(AdminClient& client, bool json) {
  auto answer = client.Call("GET", "/v1/admin/employees");
  if (!answer) return Failed(answer.error());
  if (json) return PrintJson((*answer)["employees"]), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& e : (*answer)["employees"]) {
    rows.push_back({Str(e, "id"), Str(e, "name"), Str(e, "status"), Join(e["accounts"], ","),
                    Uids(e), Join(e["groups"], ","), Str(e, "credentials_reset_after"),
                    PendingText(e)});
  }
  (void)std::fputs(
      RenderTable({"ID", "NAME", "STATUS", "ACCOUNTS", "UIDS", "GROUPS", "RESET AFTER", "PENDING"},
                  rows)
          .c_str(),
      stdout);
  return 0;
}

int SharedAdd(AdminClient& client, const std::string& name) {
  return PrintChange(
      client.Call("POST", "/v1/admin/shared-accounts", common::DumpJson(Json{{"name", name}})),
      "added shared account " + name);
}

int SharedRemove(AdminClient& client, const std::string& name) {
  return PrintChange(client.Call("DELETE", "/v1/admin/shared-accounts/" + UrlEncode(name)),
                     "removed shared account " + name);
}

int SharedList(AdminClient& client, bool json) {
  auto answer = client.Call("GET", "/v1/admin/shared-accounts");
  if (!answer) return Failed(answer.error());
  if (json) return PrintJson((*answer)["shared_accounts"]), 0;
  for (const Json& name : (*answer)["shared_accounts"])
    std::printf("%s\n", Safe(name.is_string() ? name.get<std::string>() : name.dump()).c_str());
  return 0;
}

int WorkstationAdd(AdminClient& client, const std::string& name, const std::string& groups) {
  Json body = {{"name", name}, {"groups", SplitList(groups, ',')}};
  auto answer = client.Call("POST", "/v1/admin/workstations", common::DumpJson(body));
  if (!answer) return Failed(answer.error());
  // The token alone on stdout, so `> workstation.token` just works.
  std::printf("%s\n", Safe(Str(*answer, "token")).c_str());
  return 0;
}

int WorkstationList(AdminClient& client, bool json) {
  auto answer = client.Call("GET", "/v1/admin/workstations");
  if (!answer) return Failed(answer.error());
  if (json) return PrintJson((*answer)["workstations"]), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& w : (*answer)["workstations"]) {
    std::string version = Str(w, "agent_version");
    // INSTALLED is the roster the agent uses (its If-None-Match), not the
    // one the central last sent it.
    const bool rejecting = Str(w, "rejecting_rosters") == "true";
    rows.push_back({Str(w, "name"), Join(w["groups"], ","), Str(w, "last_contact"),
                    Str(w, "installed_serial"), version.empty() ? "-" : version,
                    rejecting ? "REJECTING" : "-", Str(w, "last_error")});
  }
  (void)std::fputs(
      RenderTable({"NAME", "GROUPS", "LAST CONTACT", "INSTALLED", "AGENT", "ROSTERS", "LAST ERROR"},
                  rows)
          .c_str(),
      stdout);
  return 0;
}

int WorkstationSetGroups(AdminClient& client, const std::string& name, const std::string& groups) {
  Json body = {{"groups", SplitList(groups, ',')}};
  return PrintChange(
      client.Call("PUT", "/v1/admin/workstations/" + UrlEncode(name), common::DumpJson(body)),
      "workstation " + name + " now has groups " + groups);
}

int WorkstationRotateToken(AdminClient& client, const std::string& name) {
  auto answer = client.Call("POST", "/v1/admin/workstations/" + UrlEncode(name) + "/token", "{}");
  if (!answer) return Failed(answer.error());
  std::printf("%s\n", Safe(Str(*answer, "token")).c_str());  // Alone, as for `add`.
  return 0;
}

int WorkstationRemove(AdminClient& client, const std::string& name) {
  return PrintChange(client.Call("DELETE", "/v1/admin/workstations/" + UrlEncode(name)),
                     "removed workstation " + name + " (its token no longer works)");
}

int PosixGroupAdd(AdminClient& client, const std::string& name, std::optional<std::uint32_t> gid,
                  bool local, const std::string& roles) {
  Json body = {{"name", name}, {"roles", SplitList(roles, ',')}, {"local", local}};
  if (gid) body["gid"] = *gid;
  auto answer = client.Call("POST", "/v1/admin/posix-groups", common::DumpJson(body));
  if (!answer) return Failed(answer.error());
  const Json& group = (*answer)["posix_group"];
  std::string what = local ? "local group" : "gid " + Str(group, "gid");
  return PrintChange(answer, "added posix group " + name + " (" + what + ")");
}

int PosixGroupRemove(AdminClient& client, const std::string& name) {
  return PrintChange(client.Call("DELETE", "/v1/admin/posix-groups/" + UrlEncode(name)),
                     "removed posix group " + name);
}

int PosixGroupList(AdminClient& client, bool json) {
  auto answer = client.Call("GET", "/v1/admin/posix-groups");
  if (!answer) return Failed(answer.error());
  if (json) return PrintJson((*answer)["posix_groups"]), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& g : (*answer)["posix_groups"]) {
    std::string gid = Str(g, "gid");
    rows.push_back({Str(g, "name"), gid == "-" ? "local" : gid, Join(g["roles"], ",")});
  }
  (void)std::fputs(RenderTable({"NAME", "GID", "ROLES"}, rows).c_str(), stdout);
  return 0;
}

int Events(AdminClient& client, const EventFilter& f, bool json) {
  std::string query = "?limit=" + std::to_string(f.limit);
  if (!f.since.empty()) {
    auto since = ParseSince(f.since, static_cast<std::int64_t>(std::time(nullptr)));
    if (!since) return Failed(since.error());
    query += "&since=" + std::to_string(*since);
  }
  if (!f.workstation.empty()) query += "&workstation=" + UrlEncode(f.workstation);
  if (!f.account.empty()) query += "&account=" + UrlEncode(f.account);
  if (!f.decision.empty()) query += "&decision=" + UrlEncode(f.decision);
  auto answer = client.Call("GET", "/v1/admin/events" + query);
  if (!answer) return Failed(answer.error());
  if (json) return PrintJson((*answer)["events"]), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& e : (*answer)["events"]) {
    rows.push_back({Str(e, "time"), Str(e, "workstation"), Str(e, "type"), Str(e, "account"),
                    Str(e, "service"), Str(e, "decision"), Str(e, "reason")});
  }
  (void)std::fputs(
      RenderTable({"TIME", "WORKSTATION", "TYPE", "ACCOUNT", "SERVICE", "DECISION", "REASON"}, rows)
          .c_str(),
      stdout);
  return 0;
}

int PolicySet(AdminClient& client, const std::string& key, std::uint64_t value) {
  if (key != "max-workstations-per-account") {
    (void)std::fprintf(
        stderr, "staffgate-admin: unknown policy '%s' (known: max-workstations-per-account)\n",
        Safe(key).c_str());
    return 2;
  }
  Json body = {{"max_workstations_per_account", value}};
  return PrintChange(client.Call("PUT", "/v1/admin/policy", common::DumpJson(body)),
                     "max-workstations-per-account set to " + std::to_string(value));
}

int Sessions(AdminClient& client, bool json) {
  auto answer = client.Call("GET", "/v1/admin/sessions");
  if (!answer) return Failed(answer.error());
  if (!answer->is_array())
    return Failed(common::Error{ErrorKind::kInternal, "the central sent an unexpected answer"});
  if (json) return PrintJson(*answer), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& s : *answer) {
    rows.push_back({Str(s, "id"), Str(s, "account"), Str(s, "workstation"), Str(s, "acquired_at"),
                    Str(s, "expires_at")});
  }
  (void)std::fputs(RenderTable({"ID", "ACCOUNT", "WORKSTATION", "SINCE", "EXPIRES"}, rows).c_str(),
                   stdout);
  return 0;
}

int SessionEnd(AdminClient& client, const SessionSelector& selector) {
  Json body = Json::object();
  if (selector.id) body["id"] = *selector.id;
  if (selector.account) body["account"] = *selector.account;
  if (selector.workstation) body["workstation"] = *selector.workstation;
  if (body.empty()) {
    (void)std::fprintf(
        stderr, "staffgate-admin: sessions end needs a lease ID, --account or --workstation\n");
    return 2;
  }
  auto answer = client.Call("POST", "/v1/admin/sessions/end", common::DumpJson(body));
  if (!answer) return Failed(answer.error());
  auto ended = answer->find("ended");
  if (ended == answer->end() || !ended->is_array()) {
    return Failed(common::Error{ErrorKind::kInternal, "the central sent an unexpected answer"});
  }
  for (const Json& lease : *ended) {
    std::printf("ended session lease %s (%s on %s)\n", Safe(Str(lease, "id")).c_str(),
                Safe(Str(lease, "account")).c_str(), Safe(Str(lease, "workstation")).c_str());
  }
  return 0;
}

}  // namespace staffgate::central::admin
