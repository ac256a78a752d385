// The console's HTML forms (docs/design.md §11): an
// application/x-www-form-urlencoded body as name -> value. Pure.
#ifndef STAFFGATE_CENTRAL_UI_FORM_H_
#define STAFFGATE_CENTRAL_UI_FORM_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time_util.h"

namespace staffgate::central {

// Fields beyond this many are ignored: the console's forms have a handful.
inline constexpr std::size_t kMaxFormFields = 64;

using FormFields = std::map<std::string, std::string>;

// "a=1&b=x+y%21" -> {a: "1", b: "x y!"}. Names and values are
// percent-decoded ('+' is a space); a repeated name keeps its first value,
// so a field smuggled in after the real one changes nothing; an item
// without '=' is a name with an empty value.
FormFields ParseForm(std::string_view body);
// The value of `name`, or "" when absent.
std::string FormValue(const FormFields& form, const std::string& name);
// A time field (`at`, `start`): empty is nullopt (now); RFC 3339, or a
// browser's date and time without a zone ("2026-12-04T17:30"), taken as
// UTC. Errors: kInvalidInput, one sentence with an example.
common::Result<std::optional<common::UnixSeconds>> ParseFormTime(std::string text);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_FORM_H_
