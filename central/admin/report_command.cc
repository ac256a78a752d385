// `staffgate-admin report leaver ID [--format text|csv|json|html]`
// (docs/design.md §11): prints the leaver report as the central renders it
// (GET /v1/admin/reports/leaver/ID?format=), so the CLI and the console
// show the output of the same renderer. The text format comes already
// escaped for the terminal; the others are files for other programs and
// are printed exactly.
#include <cstdio>
#include <memory>

#include "central/admin/cli.h"
#include "central/admin/output.h"

namespace staffgate::central::admin {

namespace {

int LeaverReport(AdminClient& client, const std::string& id, const std::string& format) {
  auto body = client.GetText("/v1/admin/reports/leaver/" + UrlEncode(id) + "?format=" + format);
  if (!body) return Failed(body.error());
  (void)std::fwrite(body->data(), 1, body->size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

void AddReportCommands(CLI::App& app, Command& chosen) {
  struct Args {
    std::string id;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  auto* report = app.add_subcommand("report", "reports for auditors")->require_subcommand(1);
  auto* leaver = report->add_subcommand(
      "leaver", "evidence that a terminated employee's access was removed everywhere");
  leaver->add_option("ID", args->id, "employee id")->required();
  leaver->add_option("--format", args->format, "text (default), csv, json or html")
      ->check(CLI::IsMember({"text", "csv", "json", "html"}));
  leaver->callback([args, &chosen] {
    chosen.run = [args](AdminClient& client) {
      return LeaverReport(client, args->id, args->format);
    };
  });
}

}  // namespace staffgate::central::admin
