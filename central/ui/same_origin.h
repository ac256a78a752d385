// Whether an unsafe request (a form POST) comes from the console's own
// pages (docs/design.md §11), the first of the two checks against
// cross-site request forgery (the second is the session's form token).
// Pure.
#ifndef STAFFGATE_CENTRAL_UI_SAME_ORIGIN_H_
#define STAFFGATE_CENTRAL_UI_SAME_ORIGIN_H_

#include <string_view>

namespace staffgate::central {

// With an Origin header: it must be exactly "https://" + `host` (the Host
// header the browser sent to this server; ASCII case ignored). Without
// one: Sec-Fetch-Site must be "same-origin". Anything else ("null",
// another site, neither header) is refused: fail closed.
bool SameOriginRequest(std::string_view origin, std::string_view sec_fetch_site,
                       std::string_view host);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_SAME_ORIGIN_H_
