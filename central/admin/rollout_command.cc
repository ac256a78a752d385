// `staffgate-admin rollout [SERIAL]` and the confirmation wait of
// `employee terminate ID --wait [SECONDS]` (docs/design.md §11): both read
// GET /v1/admin/rollout, where the central counts the confirmations
// against its own clock and online_window_s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "central/admin/commands.h"
#include "central/admin/output.h"
#include "central/admin/table.h"

namespace staffgate::central::admin {

using common::Json;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(500);

std::string RolloutPath(std::optional<std::uint64_t> serial) {
  return "/v1/admin/rollout" + (serial ? "?serial=" + std::to_string(*serial) : std::string());
}

bool Flag(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

// "SVC-03 last seen 2 days ago, installed serial 11[, rejects ...]".
std::string Pending(const Json& w) {
  std::string line = Str(w, "name") + " " + Str(w, "last_seen");
  const std::string installed = Str(w, "installed_serial");
  line += installed == "-" ? ", no roster reported" : ", installed serial " + installed;
  if (Flag(w, "rejecting_rosters")) {
    line += ", rejects the central's rosters: " + Str(w, "last_error");
  }
  return line;
}

void PrintConfirmation(const Json& answer) {
  std::printf("roster serial %s: %s\n", Safe(Str(answer, "serial")).c_str(),
              Safe(Str(answer, "summary")).c_str());
  bool header = false;
  for (const Json& w : answer.value("workstations", Json::array())) {
    if (Flag(w, "confirmed")) continue;
    if (!header) std::printf("not yet confirmed:\n");
    header = true;
    std::printf("  %s\n", Safe(Pending(w)).c_str());
  }
}

}  // namespace

int Rollout(AdminClient& client, std::optional<std::uint64_t> serial, bool json) {
  auto answer = client.Call("GET", RolloutPath(serial));
  if (!answer) return Failed(answer.error());
  if (json) return PrintJson(*answer), 0;
  std::vector<std::vector<std::string>> rows;
  for (const Json& w : answer->value("workstations", Json::array())) {
    rows.push_back({Str(w, "name"), Str(w, "installed_serial"), Flag(w, "confirmed") ? "yes" : "no",
                    Str(w, "confirmed_at"), Str(w, "last_contact"),
                    Flag(w, "online") ? "yes" : "no", Flag(w, "rejecting_rosters") ? "yes" : "no"});
  }
  (void)std::fputs(RenderTable({"NAME", "INSTALLED", "CONFIRMED", "CONFIRMED AT", "LAST CONTACT",
                                "ONLINE", "REJECTING"},
                               rows)
                       .c_str(),
                   stdout);
  PrintConfirmation(*answer);
  return 0;
}

int WaitForRollout(AdminClient& client, std::uint64_t serial, int wait_s) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(wait_s);
  common::Result<Json> answer;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(deadline - Clock::now());
    const int call_timeout = static_cast<int>(std::max<std::int64_t>(1, left.count()));
    answer = client.Call("GET", RolloutPath(serial), "", "application/json", call_timeout);
    if (answer && Flag(*answer, "complete")) break;
    const auto now = Clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
  }
  if (!answer) return Failed(answer.error());
  PrintConfirmation(*answer);
  if (Flag(*answer, "complete")) return 0;
  (void)std::fprintf(stderr,
                     "staffgate-admin: roster serial %s is not confirmed by every workstation in "
                     "contact after %d s\n",
                     Safe(std::to_string(serial)).c_str(), wait_s);
  return 1;
}

}  // namespace staffgate::central::admin
