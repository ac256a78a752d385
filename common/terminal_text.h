// Text from other parties made safe to print on a terminal
// (docs/design.md §13): control characters (C0, DEL), C1 controls
// (U+0080-U+009F, e.g. the CSI U+009B), bidi overrides, isolates and marks
// (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+061C), line and
// paragraph separators, and bytes that are not UTF-8 are shown as visible
// escapes (\x1b, \u202e); a backslash is doubled so an escape cannot be
// faked. Everything else, including other non-ASCII text, is kept. Only
// for human-readable output: --json prints the exact strings.
#ifndef STAFFGATE_COMMON_TERMINAL_TEXT_H_
#define STAFFGATE_COMMON_TERMINAL_TEXT_H_

#include <string>
#include <string_view>

namespace staffgate::common {

std::string EscapeForTerminal(std::string_view text);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_TERMINAL_TEXT_H_
