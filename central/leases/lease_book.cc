#include "central/leases/lease_book.h"

#include <algorithm>
#include <tuple>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

void LeaseBook::Load(const std::vector<Lease>& leases) {
  by_id_.clear();
  next_seq_ = 1;
  for (const Lease& lease : leases) Put(lease);
}

std::vector<Lease> LeaseBook::Prune(common::UnixSeconds now) {
  std::vector<Lease> lapsed;
  for (auto it = by_id_.begin(); it != by_id_.end();) {
    if (it->second.expires_at <= now) {
      lapsed.push_back(std::move(it->second));
      it = by_id_.erase(it);
    } else {
      ++it;
    }
  }
  return lapsed;
}

AcquireOutcome LeaseBook::Acquire(const std::string& account, const std::string& workstation,
                                  common::UnixSeconds now, common::UnixSeconds ttl_s,
                                  std::uint32_t max_workstations, const std::string& new_id) const {
  AcquireOutcome out;
  const Lease* own = nullptr;
  const Lease* newest_other = nullptr;
  std::size_t others = 0;
  for (const auto& [id, lease] : by_id_) {
    if (lease.account != account || !IsLive(lease, now)) continue;
    if (lease.workstation == workstation) {
      // At most one per (account, workstation); should two ever exist,
      // keep answering with the oldest.
      if (own == nullptr || lease.seq < own->seq) own = &lease;
      continue;
    }
    ++others;
    if (newest_other == nullptr || lease.seq > newest_other->seq) newest_other = &lease;
  }
  if (own != nullptr) {
    out.kind = AcquireKind::kRenewed;
    out.lease = Renewed(*own, now, ttl_s);
    return out;
  }
  if (max_workstations != 0 && others >= max_workstations) {
    out.kind = AcquireKind::kRefused;
    out.holder = newest_other != nullptr ? newest_other->workstation : std::string();
    return out;
  }
  out.kind = AcquireKind::kCreated;
  out.lease.id = new_id;
  out.lease.account = account;
  out.lease.workstation = workstation;
  out.lease.acquired_at = now;
  out.lease.renewed_at = now;
  out.lease.expires_at = now + ttl_s;
  out.lease.seq = next_seq_;
  return out;
}

namespace {

common::Error NoLiveLease(const std::string& id) {
  return {ErrorKind::kNotFound, "no live session lease with id '" + id.substr(0, 64) + "'"};
}

}  // namespace

Result<Lease> LeaseBook::Find(const std::string& id, common::UnixSeconds now) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end() || !IsLive(it->second, now)) return tl::unexpected(NoLiveLease(id));
  return it->second;
}

Result<Lease> LeaseBook::Owned(const std::string& id, const std::string& workstation,
                               common::UnixSeconds now) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.expires_at <= now) return tl::unexpected(NoLiveLease(id));
  if (it->second.workstation != workstation) {
    return Fail(ErrorKind::kForbidden, "session lease " + id + " belongs to another workstation");
  }
  return it->second;
}

Lease LeaseBook::Ended(Lease lease, common::UnixSeconds now) {
  lease.ended_at = now;
  lease.expires_at = now + kEndedLeaseKeepS;
  return lease;
}

std::vector<Lease> LeaseBook::Select(const LeaseSelector& selector, common::UnixSeconds now) const {
  auto matches = [](const std::optional<std::string>& want, const std::string& have) {
    return !want || *want == have;
  };
  std::vector<Lease> out = Live(now);
  std::erase_if(out, [&](const Lease& lease) {
    return !matches(selector.id, lease.id) || !matches(selector.account, lease.account) ||
           !matches(selector.workstation, lease.workstation);
  });
  return out;
}

Lease LeaseBook::Renewed(Lease lease, common::UnixSeconds now, common::UnixSeconds ttl_s) {
  lease.renewed_at = now;
  lease.expires_at = now + ttl_s;
  return lease;
}

std::vector<Lease> LeaseBook::Live(common::UnixSeconds now) const {
  std::vector<Lease> out;
  for (const auto& [id, lease] : by_id_) {
    if (IsLive(lease, now)) out.push_back(lease);
  }
  std::sort(out.begin(), out.end(), [](const Lease& a, const Lease& b) {
    return std::tie(a.account, a.workstation, a.seq) < std::tie(b.account, b.workstation, b.seq);
  });
  return out;
}

std::size_t LeaseBook::CountLive(common::UnixSeconds now) const {
  return static_cast<std::size_t>(std::count_if(
      by_id_.begin(), by_id_.end(), [now](const auto& item) { return IsLive(item.second, now); }));
}

void LeaseBook::Put(const Lease& lease) {
  by_id_[lease.id] = lease;
  next_seq_ = std::max(next_seq_, lease.seq + 1);
}

void LeaseBook::Erase(const std::string& id) { by_id_.erase(id); }

}  // namespace staffgate::central
