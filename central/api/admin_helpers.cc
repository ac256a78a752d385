// Helpers shared by the /v1/admin handlers: query and body parsing, the
// answers every handler gives.
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "central/api/admin.h"
#include "central/validation.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Json;

std::string UrlDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        (std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0) &&
        (std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0)) {
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

common::Result<std::optional<common::UnixSeconds>> SinceParam(const std::string& query) {
  std::string since = QueryParam(query, "since");
  if (since.empty()) return std::optional<common::UnixSeconds>();
  if (auto t = common::ParseRfc3339(since); t) return std::optional<common::UnixSeconds>(*t);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(since.c_str(), &end, 10);
  if (end == since.c_str() || *end != '\0' || errno == ERANGE) {
    return common::Fail(ErrorKind::kInvalidInput, "since must be RFC 3339 or Unix seconds");
  }
  return std::optional<common::UnixSeconds>(v);
}

common::Result<Json> BodyObject(const ApiRequest& http) {
  auto parsed = common::ParseJson(http.body, common::JsonLimits{http.body.size() + 1, 16});
  if (!parsed) return common::Fail(ErrorKind::kInvalidInput, "body: " + parsed.error().message);
  if (!parsed->is_object())
    return common::Fail(ErrorKind::kInvalidInput, "body must be a JSON object");
  return parsed;
}

common::Result<std::vector<std::string>> StringList(const Json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (it->is_string()) return SplitList(it->get<std::string>(), ',');
  const std::string wrong = std::string("'") + key + "' must be an array of strings";
  if (!it->is_array()) return common::Fail(ErrorKind::kInvalidInput, wrong);
  for (const Json& item : *it) {
    if (!item.is_string()) return common::Fail(ErrorKind::kInvalidInput, wrong);
    out.push_back(item.get<std::string>());
  }
  return out;
}

ApiResponse MethodNotAllowed(const AdminRequest& request) {
  return JsonError(405, "method_not_allowed",
                   request.http.method + " is not allowed on " + request.path);
}

ApiResponse Changed(const AdminContext& context, int status, Json body) {
  ++context.metrics.admin_changes;
  body["serial"] = context.service.Current()->serial;
  return JsonAnswer(status, body);
}

}  // namespace staffgate::central
