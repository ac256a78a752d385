// The console's session cookie (docs/design.md §11): `__Host-sg_session`,
// Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain (the __Host-
// prefix makes browsers refuse it otherwise). Pure.
#ifndef STAFFGATE_CENTRAL_UI_COOKIE_H_
#define STAFFGATE_CENTRAL_UI_COOKIE_H_

#include <string>
#include <string_view>

namespace staffgate::central {

inline constexpr const char* kSessionCookieName = "__Host-sg_session";

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "" when
// absent. The first one wins (a cookie tossed in from a sibling domain
// cannot sit in front: __Host- cookies have no Domain).
std::string CookieValue(std::string_view header, std::string_view name);
// The Set-Cookie value that hands the browser session `id`. No Max-Age: a
// session cookie, gone when the browser closes; the server enforces the
// idle and absolute limits.
std::string SessionCookie(std::string_view id);
// The Set-Cookie value that removes it (sign-out).
std::string ClearedSessionCookie();

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_COOKIE_H_
