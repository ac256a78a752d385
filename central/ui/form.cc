#include "central/ui/form.h"

#include "central/api/admin.h"

namespace staffgate::central {

FormFields ParseForm(std::string_view body) {
  FormFields out;
  std::size_t pos = 0;
  while (pos < body.size() && out.size() < kMaxFormFields) {
    std::size_t end = body.find('&', pos);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view item = body.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    std::string name = UrlDecode(item.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string() : UrlDecode(item.substr(eq + 1));
    out.emplace(std::move(name), std::move(value));  // The first one wins.
  }
  return out;
}

std::string FormValue(const FormFields& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

common::Result<std::optional<common::UnixSeconds>> ParseFormTime(std::string text) {
  if (text.empty()) return std::optional<common::UnixSeconds>();
  if (text.size() == 16) text += ":00";
  if (text.size() == 19) text += "Z";
  auto t = common::ParseRfc3339(text);
  if (!t) {
    return common::Fail(common::ErrorKind::kInvalidInput,
                        "the time must look like 2026-12-04T17:30:00Z");
  }
  return std::optional<common::UnixSeconds>(*t);
}

}  // namespace staffgate::central
