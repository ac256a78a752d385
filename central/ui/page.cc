#include "central/ui/page.h"

#include <utility>

#include "central/admins/role.h"

namespace staffgate::central {

namespace {

struct NavLink {
  const char* href;
  const char* label;
  Permission needs;
};

constexpr NavLink kNav[] = {
    {"/ui/employees", "Employees", Permission::kReadFleet},
    {"/ui/import", "Import", Permission::kChangeEmployees},
    {"/ui/workstations", "Workstations", Permission::kReadFleet},
    {"/ui/sessions", "Open sessions", Permission::kReadFleet},
    {"/ui/events", "Events", Permission::kReadEvents},
    {"/ui/admins", "Administrators", Permission::kManageAdmins},
};

}  // namespace

void AddSecurityHeaders(ApiResponse& r) {
  static const std::pair<const char*, const char*> kHeaders[] = {
      {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
      {"Cache-Control", "no-store"},
  };
  for (const auto& [name, value] : kHeaders) {
    std::erase_if(r.headers,
                  [name = std::string_view(name)](const auto& h) { return h.first == name; });
    r.headers.emplace_back(name, value);
  }
}

PageData BasePage(const std::optional<ConsoleSession>& session, const std::string& title) {
  PageData data;
  data.set("title", title);
  if (!session || session->must_change_password) return data;
  data.set("signed_in", true);
  data.set("admin_name", session->name);
  data.set("admin_role", std::string(RoleName(session->role)));
  data.set("form_token", session->form_token);
  PageList nav;
  for (const NavLink& link : kNav) {
    if (!Allowed(session->role, link.needs)) continue;
    PageData item;
    item.set("href", link.href);
    item.set("label", link.label);
    nav.push_back(item);
  }
  data.set("nav", nav);
  return data;
}

ApiResponse Page(int status, std::string_view tmpl, PageData data) {
  ApiResponse r;
  auto html = RenderTemplate(tmpl, std::move(data));
  if (!html) {
    r.status = 500;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "The console could not show this page.\n";
    return r;
  }
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(*html);
  return r;
}

ApiResponse MessagePage(int status, const std::optional<ConsoleSession>& session,
                        const std::string& title, const std::string& sentence,
                        const std::string& back) {
  PageData data = BasePage(session, title);
  if (status >= 400) {
    data.set("error", sentence);
  } else {
    data.set("sentence", sentence);
  }
  data.set("back", back);
  return Page(status, "message", std::move(data));
}

ApiResponse Redirect(int status, const std::string& location) {
  ApiResponse r;
  r.status = status;
  r.content_type.clear();
  r.headers.emplace_back("Location", location);
  return r;
}

ApiOutcome Answer(ApiResponse response) {
  ApiOutcome out;
  out.response = std::move(response);
  return out;
}

std::string DisplayName(const std::string& name, const std::string& id) {
  return name.empty() ? id : name;
}

std::string Sentence(std::string text) {
  if (!text.empty() && text.front() >= 'a' && text.front() <= 'z') text.front() -= 'a' - 'A';
  if (!text.empty() && text.back() != '.' && text.back() != '?') text += '.';
  return text;
}

}  // namespace staffgate::central
