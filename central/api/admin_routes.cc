// Api: the /v1/admin endpoints staffgate-admin drives. Bodies are JSON
// objects (the CSV import is text/csv); each change answers with what it
// did and the serial it published.
#include <cstdlib>

#include "central/api/api.h"
#include "central/validation.h"
#include "common/json_util.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;

namespace {

Json EmployeeJson(const EmployeeRecord& e) {
  Json obj = {{"id", e.id},
              {"name", e.name},
              {"status", common::EmployeeStatusName(e.status)},
              {"accounts", e.accounts},
              {"groups", e.groups}};
  if (e.credentials_reset_after) {
    obj["credentials_reset_after"] = common::FormatRfc3339(*e.credentials_reset_after);
  }
  return obj;
}

Json WorkstationJson(const WorkstationRecord& w) {
  Json obj = {{"name", w.name}, {"groups", w.groups}, {"agent_version", w.agent_version},
              {"created_at", common::FormatRfc3339(w.created_at)}};
  obj["last_contact"] = w.last_contact ? Json(common::FormatRfc3339(*w.last_contact)) : Json(nullptr);
  obj["last_serial"] = w.last_serial ? Json(*w.last_serial) : Json(nullptr);
  return obj;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string QueryParam(const std::string& query, const std::string& key) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    std::string_view item(query.data() + pos, end - pos);
    if (item.substr(0, key.size() + 1) == key + "=") return UrlDecode(item.substr(key.size() + 1));
    pos = end + 1;
  }
  return {};
}

common::Result<std::vector<std::string>> StringList(const Json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (it->is_string()) return SplitList(it->get<std::string>(), ',');
  if (!it->is_array()) return common::Fail(ErrorKind::kInvalidInput, std::string("'") + key + "' must be an array of strings");
  for (const Json& item : *it) {
    if (!item.is_string()) return common::Fail(ErrorKind::kInvalidInput, std::string("'") + key + "' must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

ApiResponse Api::Admin(const ApiRequest& req, const std::string& path, const std::string& query) {
  const std::string rest = path.substr(std::string("/v1/admin/").size());
  auto fail = [&](const common::Error& e) { return ErrorResponse(e); };
  auto body_object = [&]() -> common::Result<Json> {
    auto parsed = common::ParseJson(req.body, common::JsonLimits{req.body.size() + 1, 16});
    if (!parsed) return common::Fail(ErrorKind::kInvalidInput, "body: " + parsed.error().message);
    if (!parsed->is_object()) return common::Fail(ErrorKind::kInvalidInput, "body must be a JSON object");
    return parsed;
  };
  auto serial = [&] { return service_.Current()->serial; };
  auto changed = [&](int status, Json body) {
    ++metrics_.admin_changes;
    body["serial"] = serial();
    return JsonAnswer(status, body);
  };
  auto wrong_method = [&] { return JsonError(405, "method_not_allowed", req.method + " is not allowed on " + path); };

  if (rest == "employees") {
    if (req.method == "GET") {
      Json list = Json::array();
      for (const EmployeeRecord& e : service_.Employees()) list.push_back(EmployeeJson(e));
      return JsonAnswer(200, Json{{"employees", list}});
    }
    if (req.method != "POST") return wrong_method();
    auto body = body_object();
    if (!body) return fail(body.error());
    EmployeeRecord e;
    auto id = common::GetString(*body, "id");
    if (!id) return fail(id.error());
    e.id = *id;
    auto name = common::GetOptionalString(*body, "name");
    if (!name) return fail(name.error());
    e.name = name->value_or("");
    auto accounts = StringList(*body, "accounts");
    if (!accounts) return fail(accounts.error());
    e.accounts = *accounts;
    auto groups = StringList(*body, "groups");
    if (!groups) return fail(groups.error());
    if (!groups->empty()) e.groups = *groups;
    auto added = service_.AddEmployee(e);
    if (!added) return fail(added.error());
    return changed(201, Json{{"employee", EmployeeJson(*added)}});
  }
  if (rest.rfind("employees/", 0) == 0) {
    std::string tail = rest.substr(10);
    auto slash = tail.find('/');
    if (slash == std::string::npos) return JsonError(404, "not_found", "no such endpoint");
    std::string id = UrlDecode(tail.substr(0, slash)), action = tail.substr(slash + 1);
    if (req.method != "POST") return wrong_method();
    common::Result<EmployeeRecord> done = common::Fail(ErrorKind::kNotFound, "no such action");
    if (action == "terminate") done = service_.SetStatus(id, common::EmployeeStatus::kTerminated);
    else if (action == "suspend") done = service_.SetStatus(id, common::EmployeeStatus::kSuspended);
    else if (action == "reinstate") done = service_.SetStatus(id, common::EmployeeStatus::kActive);
    else if (action == "reset-credentials") done = service_.ResetCredentials(id);
    else return JsonError(404, "not_found", "unknown employee action '" + action.substr(0, 40) + "'");
    if (!done) return fail(done.error());
    return changed(200, Json{{"employee", EmployeeJson(*done)}});
  }
  if (rest == "shared-accounts") {
    if (req.method == "GET") return JsonAnswer(200, Json{{"shared_accounts", service_.SharedAccounts()}});
    if (req.method != "POST") return wrong_method();
    auto body = body_object();
    if (!body) return fail(body.error());
    auto name = common::GetString(*body, "name");
    if (!name) return fail(name.error());
    if (auto ok = service_.AddShared(*name); !ok) return fail(ok.error());
    return changed(201, Json{{"name", *name}});
  }
  if (rest.rfind("shared-accounts/", 0) == 0) {
    if (req.method != "DELETE") return wrong_method();
    std::string name = UrlDecode(rest.substr(16));
    if (auto ok = service_.RemoveShared(name); !ok) return fail(ok.error());
    return changed(200, Json{{"removed", name}});
  }
  if (rest == "workstations") {
    if (req.method == "GET") {
      Json list = Json::array();
      for (const WorkstationRecord& w : service_.Workstations()) list.push_back(WorkstationJson(w));
      return JsonAnswer(200, Json{{"workstations", list}});
    }
    if (req.method != "POST") return wrong_method();
    auto body = body_object();
    if (!body) return fail(body.error());
    auto name = common::GetString(*body, "name");
    if (!name) return fail(name.error());
    auto groups = StringList(*body, "groups");
    if (!groups) return fail(groups.error());
    auto token = service_.AddWorkstation(*name, *groups);
    if (!token) return fail(token.error());
    return changed(201, Json{{"name", *name}, {"token", *token}});
  }
  if (rest == "import") {
    if (req.method != "POST") return wrong_method();
    auto report = service_.Import(req.body);
    if (!report) return fail(report.error());
    return changed(200, Json{{"added", report->added}, {"changed", report->changed},
                             {"unchanged", report->unchanged}});
  }
  if (rest == "policy") {
    if (req.method == "GET") {
      return JsonAnswer(200, Json{{"max_workstations_per_account", service_.MaxWorkstationsPerAccount()}});
    }
    if (req.method != "PUT" && req.method != "POST") return wrong_method();
    auto body = body_object();
    if (!body) return fail(body.error());
    auto max = common::GetUint(*body, "max_workstations_per_account");
    if (!max) return fail(max.error());
    if (*max > 1000) return JsonError(400, "invalid_input", "max_workstations_per_account must be 0..1000");
    if (auto ok = service_.SetMaxWorkstationsPerAccount(static_cast<std::uint32_t>(*max)); !ok) {
      return fail(ok.error());
    }
    return changed(200, Json{{"max_workstations_per_account", *max}});
  }
  if (rest == "events") {
    if (req.method != "GET") return wrong_method();
    EventQuery q;
    if (std::string since = QueryParam(query, "since"); !since.empty()) {
      if (auto t = common::ParseRfc3339(since); t) {
        q.since_ms = *t * 1000;
      } else {
        char* end = nullptr;
        long long v = std::strtoll(since.c_str(), &end, 10);
        if (!end || *end != '\0') return JsonError(400, "invalid_input", "since must be RFC 3339 or Unix seconds");
        q.since_ms = v * 1000;
      }
    }
    q.workstation = QueryParam(query, "workstation");
    q.account = QueryParam(query, "account");
    q.decision = QueryParam(query, "decision");
    q.type = QueryParam(query, "type");
    if (std::string limit = QueryParam(query, "limit"); !limit.empty()) {
      q.limit = std::min<std::size_t>(std::strtoull(limit.c_str(), nullptr, 10), 100000);
    }
    auto events = service_.Events(q);
    if (!events) return fail(events.error());
    return JsonAnswer(200, Json{{"events", *events}});
  }
  if (rest == "sessions" || rest.rfind("sessions/", 0) == 0) return AdminSessions(req, rest);
  if (rest == "status") {
    if (req.method != "GET") return wrong_method();
    auto current = service_.Current();
    return JsonAnswer(200, Json{{"serial", current->serial},
                        {"issued_at", common::FormatRfc3339(current->issued_at)},
                        {"expires_at", common::FormatRfc3339(current->expires_at)},
                        {"employees", service_.Employees().size()},
                        {"workstations", service_.Workstations().size()},
                        {"long_polls_waiting", hub_.Size()}});
  }
  return JsonError(404, "not_found", "no such admin endpoint");
}

}  // namespace staffgate::central
