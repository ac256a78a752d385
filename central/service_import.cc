// Service: HR imports (docs/design.md §5 `import`). Parsing happens before
// the change's lock; the plan and its validation run inside one Change, so
// an import is applied whole or not at all and a dry run sees exactly
// what the real one would.
#include "central/csv_import.h"
#include "central/import_plan.h"
#include "central/service.h"

namespace staffgate::central {

using common::Result;

Result<ImportReport> Service::Import(std::string_view csv, const ImportOptions& options) {
  auto rows = ParseImport(csv);
  if (!rows) return tl::unexpected(rows.error());
  ImportReport report;
  auto published = Change(
      [&](State& s) -> Result<void> {
        auto planned = PlanImport(s, std::move(*rows), options);
        if (!planned) return tl::unexpected(planned.error());
        report = std::move(*planned);
        return common::Ok();
      },
      options.dry_run ? ChangeMode::kDryRun : ChangeMode::kIfChanged, {"import", ""});
  if (!published) return tl::unexpected(published.error());
  report.published = *published;
  return report;
}

}  // namespace staffgate::central
