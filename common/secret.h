// Passwords in memory (docs/design.md §10): wiped once used, and written
// into JSON without leaving copies behind. Used by the PAM module (a login
// process may dump core or be swapped) and the agent.
#ifndef STAFFGATE_COMMON_SECRET_H_
#define STAFFGATE_COMMON_SECRET_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace staffgate::common {

// Overwrites every byte `text` owns (its whole capacity) with zeros
// (explicit_bzero: not optimised away) and leaves it empty.
void WipeString(std::string& text);

// Wipes the string when it goes out of scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& text) : text_(text) {}
  ~WipeOnExit() { WipeString(text_); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& text_;
};

// The most bytes AppendJsonString may add for `text`: callers reserve it up
// front so the buffer holding a secret is never reallocated (a reallocation
// would free a copy without wiping it).
std::size_t JsonStringBound(std::string_view text);
// Appends `text` as a JSON string literal (quotes, \" \\ and \u00XX for
// control bytes; other bytes as they are).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_SECRET_H_
