// One sentence for a mistyped command of a staffgate CLI (staffgatectl,
// staffgate-admin): CLI11 itself only says "A subcommand is required".
// Header-only, for the command-line programs (it needs CLI11).
#ifndef STAFFGATE_COMMON_CLI_UNKNOWN_COMMAND_H_
#define STAFFGATE_COMMON_CLI_UNKNOWN_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace staffgate::common {

// Walks argv down the app's subcommands. Returns "unknown command 'X';
// the commands are: a, b, c" (or "... of 'employee' are: ...") for the
// first word that names no subcommand where one is required, "" when every
// word is known (the caller then shows CLI11's own message). Options and
// the values of options that take one are skipped.
inline std::string UnknownCommandSentence(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* at = &app;
  bool skip_value = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (skip_value) {
      skip_value = false;
      continue;
    }
    if (arg.rfind('-', 0) == 0) {
      const std::string name(arg.substr(0, arg.find('=')));
      const CLI::Option* opt = at->get_option_no_throw(name);
      skip_value = opt != nullptr && arg.find('=') == std::string_view::npos &&
                   opt->get_items_expected_min() > 0;
      continue;
    }
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : at->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(std::string(arg))) next = sub;
    }
    if (next != nullptr) {
      at = next;
      continue;
    }
    if (at->get_require_subcommand_min() == 0) return "";
    std::string names;
    for (const CLI::App* sub : at->get_subcommands([](const CLI::App*) { return true; })) {
      if (!names.empty()) names += ", ";
      names += sub->get_name();
    }
    const std::string of = at == &app ? "" : " of '" + at->get_name() + "'";
    std::string sentence = "unknown command '" + std::string(arg) + "'; the commands";
    sentence += of;
    sentence += " are: ";
    sentence += names;
    return sentence;
  }
  return "";
}

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_CLI_UNKNOWN_COMMAND_H_
