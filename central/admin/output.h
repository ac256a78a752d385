// staffgate-admin's output helpers, shared by the commands. Human-readable
// output never prints another party's bytes raw: account names, messages
// and ids come from workstations and HR exports (docs/design.md §13);
// --json prints them exactly.
#ifndef STAFFGATE_CENTRAL_ADMIN_OUTPUT_H_
#define STAFFGATE_CENTRAL_ADMIN_OUTPUT_H_

#include <string>

#include "common/https/https_client.h"
#include "common/json_util.h"
#include "common/result.h"

namespace staffgate::central::admin {

using common::UrlEncode;  // Percent-encoding of one path segment.
// `text` escaped for the terminal.
std::string Safe(const std::string& text);
// Prints "staffgate-admin: <message>" on stderr; returns exit code 1.
int Failed(const common::Error& error);
void PrintJson(const common::Json& value);
// obj[key] as text: a string as is, absent or null "-", else its JSON.
std::string Str(const common::Json& obj, const char* key);
// The items of a JSON array joined with `sep` (strings unquoted).
std::string Join(const common::Json& arr, const char* sep);

}  // namespace staffgate::central::admin

#endif  // STAFFGATE_CENTRAL_ADMIN_OUTPUT_H_
