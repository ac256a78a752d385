// libFuzzer target: the HR CSV importer (ParseImport) must never crash,
// and whatever it accepts must satisfy the validation rules (no blank
// field, which would widen access).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "central/csv_import.h"
#include "central/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rows = staffgate::central::ParseImport(text);
  if (!rows) return 0;
  for (const auto& row : *rows) {
    if (!staffgate::central::IsValidId(row.employee.id)) std::abort();
    // Fail closed: nothing blank is accepted, so no default widens access.
    if (row.employee.name.empty() || row.employee.accounts.empty() || row.employee.groups.empty()) {
      std::abort();
    }
    for (const auto& account : row.employee.accounts) {
      if (!staffgate::central::IsValidAccountName(account)) std::abort();
    }
  }
  return 0;
}
