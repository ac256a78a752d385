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

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    pos = end + 1;
  }
  return out;
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
