// Store: rollout confirmation (migration 7, docs/design.md §11). The
// records live in the workstations table, so a removed workstation takes
// its record along; the serials the central stepped over are one meta row.
#include "central/store.h"

namespace staffgate::central {

using common::Json;
using common::Result;

namespace {

constexpr const char* kUnpublishedKey = "unpublished_serials";

std::optional<std::int64_t> Signed(const std::optional<std::uint64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

}  // namespace

Result<std::unordered_map<std::string, RolloutRecord>> Store::LoadRollout() {
  auto stmt = db_->Prepare(
      "SELECT name, installed_serial, installed_at, install_event_ms, last_error, last_error_ms, "
      "rejecting FROM workstations");
  if (!stmt) return tl::unexpected(stmt.error());
  std::unordered_map<std::string, RolloutRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    RolloutRecord r;
    if (!stmt->IsNull(1)) r.installed_serial = static_cast<std::uint64_t>(stmt->Int(1));
    if (!stmt->IsNull(2)) r.installed_at = stmt->Int(2);
    if (!stmt->IsNull(3)) r.install_event_ms = stmt->Int(3);
    r.last_error = stmt->Text(4);
    if (!stmt->IsNull(5)) r.last_error_ms = stmt->Int(5);
    r.rejecting = stmt->Int(6) != 0;
    if (!(r == RolloutRecord{})) out.emplace(stmt->Text(0), std::move(r));
  }
  return out;
}

Result<void> Store::PutRollout(const std::string& name, const RolloutRecord& r) {
  auto stmt = db_->Prepare(
      "UPDATE workstations SET installed_serial = ?, installed_at = ?, install_event_ms = ?, "
      "last_error = ?, last_error_ms = ?, rejecting = ? WHERE name = ?");
  if (!stmt) return tl::unexpected(stmt.error());
  return stmt->Bind(1, Signed(r.installed_serial))
      .Bind(2, r.installed_at)
      .Bind(3, r.install_event_ms)
      .Bind(4, r.last_error)
      .Bind(5, r.last_error_ms)
      .Bind(6, std::int64_t{r.rejecting ? 1 : 0})
      .Bind(7, name)
      .Run();
}

Result<void> Store::SetUnpublishedSerials(const std::vector<SerialRange>& ranges) {
  Json list = Json::array();
  for (const SerialRange& r : ranges) list.push_back(Json::array({r.first, r.last}));
  return SetMeta(kUnpublishedKey, common::DumpJson(list));
}

Result<void> Store::LoadUnpublishedSerials(State& state) {
  auto text = GetMeta(kUnpublishedKey);
  if (!text) return tl::unexpected(text.error());
  state.unpublished_serials.clear();
  if (!*text) return common::Ok();
  auto parsed = common::ParseJson(**text, common::JsonLimits{1 << 20, 4});
  if (!parsed || !parsed->is_array()) {
    return common::Fail(common::ErrorKind::kConfig, "the database's meta row '" +
                                                        std::string(kUnpublishedKey) +
                                                        "' is not a list of serial ranges");
  }
  for (const Json& pair : *parsed) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
        !pair[1].is_number_unsigned()) {
      return common::Fail(common::ErrorKind::kConfig, "the database's meta row '" +
                                                          std::string(kUnpublishedKey) +
                                                          "' holds a malformed serial range");
    }
    state.unpublished_serials.push_back(
        SerialRange{pair[0].get<std::uint64_t>(), pair[1].get<std::uint64_t>()});
  }
  return common::Ok();
}

}  // namespace staffgate::central
