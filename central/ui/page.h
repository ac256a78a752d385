// The console's answers (docs/design.md §11): HTML pages from the
// templates, redirects and refusals, each with the security headers every
// /ui/ response carries.
#ifndef STAFFGATE_CENTRAL_UI_PAGE_H_
#define STAFFGATE_CENTRAL_UI_PAGE_H_

#include <optional>
#include <string>
#include <string_view>

#include "central/admins/console_sessions.h"
#include "central/api/api.h"
#include "central/ui/templates.h"

namespace staffgate::central {

// Content-Security-Policy default-src 'self' with frame-ancestors and
// form-action, X-Content-Type-Options, Referrer-Policy and
// Cache-Control: no-store (replacing any the response had).
void AddSecurityHeaders(ApiResponse& response);
// The frame's data: the title, and for a session its name, role, form
// token and the links its role may follow.
PageData BasePage(const std::optional<ConsoleSession>& session, const std::string& title);
// `tmpl` rendered with `data` as text/html; a template error is a 500 page.
ApiResponse Page(int status, std::string_view tmpl, PageData data);
// A page of one sentence (an error or a result) with a link back.
ApiResponse MessagePage(int status, const std::optional<ConsoleSession>& session,
                        const std::string& title, const std::string& sentence,
                        const std::string& back = "/ui/");
// 302/303 to `location` (a path on this server).
ApiResponse Redirect(int status, const std::string& location);
ApiOutcome Answer(ApiResponse response);
// The name to show for an employee: the name, or the id when it has none.
std::string DisplayName(const std::string& name, const std::string& id);
// An error message as one sentence: a capital first letter, a final stop.
std::string Sentence(std::string text);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_PAGE_H_
