// Renders the console's pages from the embedded mustache templates
// (kainjow mustache, docs/design.md §11). Every value goes in through
// `{{name}}`, which HTML-escapes & < > " and '; the templates never use the
// unescaped forms (tests/unit/test_central_ui.cc checks the files).
//
// Thread-safe: each call parses its own copy (the templates are small).
#ifndef STAFFGATE_CENTRAL_UI_TEMPLATES_H_
#define STAFFGATE_CENTRAL_UI_TEMPLATES_H_

#include <kainjow/mustache.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::central {

using PageData = kainjow::mustache::data;
using PageList = kainjow::mustache::list;

// The embedded file `name` ("style.css", "employees.mustache"), or nullopt.
std::optional<std::string_view> TemplateText(std::string_view name);
// Renders "<name>.mustache" with `data`; the partials {{> head}} and
// {{> foot}} (the page frame) are available to it. Errors: kInternal (no
// such template, or one that does not parse: a mistake in the build).
common::Result<std::string> RenderTemplate(std::string_view name, PageData data);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_UI_TEMPLATES_H_
