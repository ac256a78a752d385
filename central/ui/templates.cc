#include "central/ui/templates.h"

#include "central/ui/template_files.h"

namespace staffgate::central {

std::optional<std::string_view> TemplateText(std::string_view name) {
  for (std::size_t i = 0; i < kTemplateFileCount; ++i) {
    if (kTemplateFiles[i].name == name) return kTemplateFiles[i].text;
  }
  return std::nullopt;
}

common::Result<std::string> RenderTemplate(std::string_view name, PageData data) {
  const std::string file = std::string(name) + ".mustache";
  auto text = TemplateText(file);
  if (!text) return common::Fail(common::ErrorKind::kInternal, "no console template " + file);
  for (const char* partial : {"head", "foot"}) {
    auto part = TemplateText(std::string(partial) + ".mustache");
    if (!part) return common::Fail(common::ErrorKind::kInternal, "no console template " + file);
    data.set(partial, kainjow::mustache::partial([part] { return std::string(*part); }));
  }
  kainjow::mustache::mustache tmpl{std::string(*text)};
  if (!tmpl.is_valid()) {
    return common::Fail(common::ErrorKind::kInternal,
                        "console template " + file + ": " + tmpl.error_message());
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    return common::Fail(common::ErrorKind::kInternal,
                        "console template " + file + ": " + tmpl.error_message());
  }
  return out;
}

}  // namespace staffgate::central
