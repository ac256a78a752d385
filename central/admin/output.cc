#include "central/admin/output.h"

#include <cstdio>

#include "common/terminal_text.h"

namespace staffgate::central::admin {

using common::Json;

std::string Safe(const std::string& text) { return common::EscapeForTerminal(text); }

int Failed(const common::Error& error) {
  (void)std::fprintf(stderr, "staffgate-admin: %s\n", Safe(error.message).c_str());
  return 1;
}

void PrintJson(const Json& value) { std::printf("%s\n", value.dump(2).c_str()); }

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string Join(const Json& arr, const char* sep) {
  std::string out;
  if (!arr.is_array()) return out;
  for (const Json& item : arr) {
    if (!out.empty()) out += sep;
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

}  // namespace staffgate::central::admin
