// Reading flat TOML config files (agent.conf, central.conf) with one error
// style. Every error is kConfig and names the file, and where it can the
// line and key: "<file>:<line>: key '<key>': <what>".
//
// Only the config parsers include this header: it pulls in toml11, which
// the login path (staffgate_proto) must never link.
#ifndef STAFFGATE_COMMON_TOML_READER_H_
#define STAFFGATE_COMMON_TOML_READER_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <utility>
#include <vector>

#include "common/result.h"

namespace staffgate::common {

// Reads a config file of at most 1 MiB. Error: "cannot load config: <why>".
Result<std::string> ReadConfigText(const std::string& path);

// Parses `text` (called `path` in errors) and returns the root value, which
// is a table. Before toml11 sees the text, rejects what toml11 3.7 does not
// survive: invalid UTF-8 ("<file>:<line>: invalid UTF-8") and more than 32
// nested arrays or inline tables ("<file>:<line>: arrays or tables nested
// too deeply"). Syntax errors carry toml11's own message; a root that is
// not a table gives "<file>: not a TOML table".
Result<toml::value> ParseTomlTable(std::string_view text, const std::string& path);

// Typed access to one top-level key's value, with errors in the shared
// style. Holds only the file name; values are passed in per call.
class TomlKeyReader {
 public:
  explicit TomlKeyReader(std::string path) : path_(std::move(path)) {}

  // "<file>:<line of v>: key '<key>': <what>".
  tl::unexpected<Error> Bad(const toml::value& v, const std::string& key,
                            const std::string& what) const;

  // Error: "expected a string".
  Result<std::string> String(const toml::value& v, const std::string& key) const;
  // Errors: "expected a string", "must not be empty".
  Result<std::string> NonEmptyString(const toml::value& v, const std::string& key) const;
  // Error: "expected an array of strings" (at the offending item's line).
  Result<std::vector<std::string>> StringArray(const toml::value& v, const std::string& key) const;
  // An integer in [lo, hi]. Error: `what`, or when empty "expected an
  // integer from <lo> to <hi>".
  Result<std::int64_t> Integer(const toml::value& v, const std::string& key, std::int64_t lo,
                               std::int64_t hi, std::string_view what = {}) const;

  // One of the named `choices` (a string). Error: 'must be "a" or "b", not "x"'.
  template <typename Enum>
  Result<Enum> Choice(const toml::value& v, const std::string& key,
                      std::initializer_list<std::pair<const char*, Enum>> choices) const {
    auto s = String(v, key);
    if (!s) return tl::unexpected(s.error());
    std::string names;
    for (const auto& [name, value] : choices) {
      if (*s == name) return value;
      names += names.empty() ? "" : " or ";
      names += std::string("\"") + name + "\"";
    }
    return Bad(v, key, "must be " + names + ", not \"" + *s + "\"");
  }

 private:
  std::string path_;
};

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_TOML_READER_H_
