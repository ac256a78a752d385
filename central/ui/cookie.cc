#include "central/ui/cookie.h"

namespace staffgate::central {

namespace {

constexpr std::string_view kAttributes = "; Secure; HttpOnly; SameSite=Strict; Path=/";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string CookieValue(std::string_view header, std::string_view name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view item = Trim(header.substr(pos, end - pos));
    pos = end + 1;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || Trim(item.substr(0, eq)) != name) continue;
    std::string_view value = Trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return {};
}

std::string SessionCookie(std::string_view id) {
  return std::string(kSessionCookieName) + "=" + std::string(id) + std::string(kAttributes);
}

std::string ClearedSessionCookie() {
  return std::string(kSessionCookieName) + "=" + std::string(kAttributes) + "; Max-Age=0";
}

}  // namespace staffgate::central
