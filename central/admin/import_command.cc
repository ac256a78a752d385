// `staffgate-admin import FILE [--missing report|suspend|terminate]
// [--allow-reactivate] [--dry-run] [--json]` (docs/design.md §5): sends the
// file to POST /v1/admin/import and prints the difference.
#include <cstdio>
#include <string>

#include "central/admin/commands.h"
#include "central/admin/output.h"
#include "common/file_util.h"

namespace staffgate::central::admin {

using common::ErrorKind;
using common::Json;

namespace {

// Lines of detail a real import prints per list; a dry run prints all.
constexpr std::size_t kShownLines = 20;

std::string Path(const ImportArgs& args, bool dry_run) {
  std::string path = "/v1/admin/import?missing=" + args.missing;
  if (args.allow_reactivate) path += "&allow_reactivate=1";
  if (dry_run) path += "&dry_run=1";
  return path;
}

// "status active -> suspended; groups sales -> *".
std::string Fields(const Json& change) {
  std::string out;
  for (const Json& f : change.value("fields", Json::array())) {
    out += (out.empty() ? "" : "; ") + Str(f, "field") + " " + Str(f, "before") + " -> " +
           Str(f, "after");
  }
  return out;
}

// Prints up to `limit` lines of `items` (each already formatted).
void PrintLines(const std::vector<std::string>& items, std::size_t limit) {
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) {
    std::printf("  %s\n", Safe(items[i]).c_str());
  }
  if (items.size() > limit) {
    std::printf("  ... and %zu more (--dry-run or --json lists them all)\n", items.size() - limit);
  }
}

std::string IdList(const Json& ids, std::size_t limit) {
  std::string out;
  std::size_t n = 0;
  for (const Json& id : ids) {
    if (n++ == limit) return out + ", ... (" + std::to_string(ids.size()) + " in all)";
    out += (out.empty() ? "" : ", ") + (id.is_string() ? id.get<std::string>() : id.dump());
  }
  return out;
}

void PrintMissing(const Json& a, bool dry_run, std::size_t limit) {
  const Json& missing = a["missing"];
  if (missing.empty()) return;
  const std::string action = Str(a, "missing_action");
  const std::string n = std::to_string(missing.size());
  const std::string ids = IdList(missing, limit);
  if (action == "report") {
    std::printf(
        "  missing: %s active or suspended employee%s not in the file keep%s their "
        "access: %s\n    if they left, import again with --missing suspend or --missing "
        "terminate (--dry-run first shows what it would do)\n",
        n.c_str(), missing.size() == 1 ? " is" : "s are", missing.size() == 1 ? "s" : "",
        Safe(ids).c_str());
    return;
  }
  std::printf("  missing: %s %s employee%s not in the file: %s\n",
              dry_run ? "would" : (action == "suspend" ? "suspended" : "terminated"),
              dry_run ? action.c_str() : n.c_str(), missing.size() == 1 ? "" : "s",
              Safe(dry_run ? n + " (" + ids + ")" : ids).c_str());
}

void PrintReport(const ImportArgs& args, const Json& a) {
  const bool dry_run = args.dry_run;
  const std::size_t limit = dry_run ? static_cast<std::size_t>(-1) : kShownLines;
  const std::size_t added = a["added"].size();
  const std::size_t changed = a["changed"].size();
  const std::size_t unchanged = a["unchanged"].size();
  const std::string serial = Str(a, "serial");
  if (dry_run) {
    std::printf(
        "dry run of %s, nothing changed: would add %zu, change %zu, leave %zu unchanged "
        "(roster serial %s)\n",
        Safe(args.file).c_str(), added, changed, unchanged, Safe(serial).c_str());
  } else {
    const bool published = a.value("published", true);
    std::printf("imported %s: %zu added, %zu changed, %zu unchanged (roster serial %s%s)\n",
                Safe(args.file).c_str(), added, changed, unchanged, Safe(serial).c_str(),
                published ? "" : " kept: nothing changed");
  }
  if (added != 0U) std::printf("  added: %s\n", Safe(IdList(a["added"], limit)).c_str());
  std::vector<std::string> lines;
  for (const Json& c : a["changes"]) lines.push_back("changed " + Str(c, "id") + ": " + Fields(c));
  PrintLines(lines, limit);
  if (!a["reactivated"].empty()) {
    std::printf("  reactivated (terminated -> active): %s%s\n",
                Safe(IdList(a["reactivated"], limit)).c_str(),
                dry_run && !args.allow_reactivate
                    ? "\n    the import will refuse them unless --allow-reactivate is given"
                    : "");
  }
  PrintMissing(a, dry_run, limit);
}

// The first call got no answer in time: the central may still be applying
// it. A dry run of the same file is answered after it (changes take turns)
// and shows whether anything is left to do.
int Recheck(AdminClient& client, const ImportArgs& args, const std::string& csv,
            const common::Error& timeout) {
  (void)std::fprintf(stderr, "staffgate-admin: %s; checking whether the import was applied...\n",
                     Safe(timeout.message).c_str());
  auto check = client.Call("POST", Path(args, true), csv, "text/csv", kTotalTimeoutS);
  if (!check) {
    return Failed(common::Error{check.error().kind,
                                args.file + ": no answer in time, and the check failed (" +
                                    check.error().message +
                                    "): run the same import with --dry-run to see whether it "
                                    "was applied"});
  }
  const Json& c = *check;
  bool done = c["added"].empty() && c["changed"].empty();
  for (const Json& m : c["missing_changes"]) done = done && m["fields"].empty();
  if (!done) {
    return Failed(common::Error{ErrorKind::kTimeout,
                                args.file + ": the central did not answer in time and the file "
                                            "is not applied: nothing was imported; try again"});
  }
  if (args.json) return PrintJson(c), 0;
  std::printf(
      "imported %s: the central answered late, and a check shows every line applied "
      "(roster serial %s)\n",
      Safe(args.file).c_str(), Safe(Str(c, "serial")).c_str());
  PrintMissing(c, false, kShownLines);
  return 0;
}

}  // namespace

int Import(AdminClient& client, const ImportArgs& args) {
  auto csv = common::ReadFileCapped(args.file, 64UL * 1024 * 1024);
  if (!csv) return Failed(csv.error());
  auto answer = client.Call("POST", Path(args, args.dry_run), *csv, "text/csv");
  if (!answer && answer.error().kind == ErrorKind::kTimeout && !args.dry_run) {
    return Recheck(client, args, *csv, answer.error());
  }
  if (!answer)
    return Failed(common::Error{answer.error().kind, args.file + ": " + answer.error().message});
  if (args.json) return PrintJson(*answer), 0;
  PrintReport(args, *answer);
  return 0;
}

}  // namespace staffgate::central::admin
