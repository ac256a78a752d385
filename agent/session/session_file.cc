#include "agent/session/session_file.h"

#include "common/file_util.h"
#include "common/json_util.h"

namespace staffgate::agent {
namespace {

constexpr std::size_t kMaxFileBytes = 16U << 20;

}  // namespace

std::string CurrentBootId() {
  auto text = common::ReadFileCapped("/proc/sys/kernel/random/boot_id", 128);
  if (!text) return "";
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

std::string SerializeSessions(const std::vector<SessionInfo>& sessions, const std::string& boot_id) {
  common::Json list = common::Json::array();
  for (const auto& s : sessions) {
    list.push_back({{"id", s.id}, {"account", s.account}, {"service", s.service}, {"tty", s.tty},
                    {"pid", s.pid}, {"opened_at", s.opened_at}, {"opener_uid", s.opener_uid}});
  }
  return common::DumpJson(common::Json{{"boot_id", boot_id}, {"sessions", std::move(list)}}) + "\n";
}

std::vector<SessionInfo> ParseSessions(const std::string& text, const std::string& boot_id) {
  std::vector<SessionInfo> out;
  if (boot_id.empty() || text.size() > kMaxFileBytes) return out;
  auto doc = common::ParseJson(text, common::JsonLimits{kMaxFileBytes, 4});
  if (!doc || !doc->is_object()) return out;
  auto boot = doc->find("boot_id");
  auto list = doc->find("sessions");
  if (boot == doc->end() || !boot->is_string() || *boot != boot_id || list == doc->end() ||
      !list->is_array()) {
    return out;
  }
  for (const auto& e : *list) {
    if (!e.is_object()) continue;
    auto str = [&](const char* key) {
      auto it = e.find(key);
      return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto num = [&](const char* key) -> std::int64_t {
      auto it = e.find(key);
      return it != e.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
    };
    SessionInfo s;
    s.id = str("id");
    s.account = str("account");
    s.service = str("service");
    s.tty = str("tty");
    s.pid = num("pid");
    s.opened_at = num("opened_at");
    std::int64_t uid = num("opener_uid");
    if (s.id.empty() || s.account.empty() || s.pid < 0 || uid < 0) continue;
    s.opener_uid = static_cast<uid_t>(uid);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace staffgate::agent
