// The console's template files (central/ui/templates/), compiled into the
// binary by CMake (embed_templates.cmake writes ui_template_files.cc), so
// the central needs no files beside it and no one can edit a page on disk.
#ifndef STAFFGATE_CENTRAL_UI_TEMPLATE_FILES_H_
#define STAFFGATE_CENTRAL_UI_TEMPLATE_FILES_H_

#include <cstddef>
#include <string_view>

namespace staffgate::central {

struct TemplateFile {
  std::string_view name;  // File name, e.g. "employees.mustache".
  std::string_view text;
};

extern const TemplateFile kTemplateFiles[];
extern const std::size_t kTemplateFileCount;

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_TEMPLATE_FILES_H_
