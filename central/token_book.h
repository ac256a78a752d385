// The bearer tokens the central accepts, as hashes (tokens.h): the admin
// token and one per workstation. Every request authenticates here, so the
// book has its own lock and never waits for an admin change, which holds
// the Service's lock through its commit and fsync.
//
// Thread-safe. Lookups hash the presented token and compare in constant
// time; the book never holds a token in plaintext.
#ifndef STAFFGATE_CENTRAL_TOKEN_BOOK_H_
#define STAFFGATE_CENTRAL_TOKEN_BOOK_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "central/model.h"

namespace staffgate::central {

class TokenBook {
 public:
  // Whether `token` is the admin token; false while no hash is set.
  bool IsAdmin(std::string_view token) const;
  // The admin token's hash ("" when none is set).
  void SetAdminHash(std::string hash);
  // The workstation whose token `token` is, or nullopt.
  std::optional<std::string> WorkstationFor(std::string_view token) const;
  // Replaces every workstation token by those of `workstations`.
  void SetWorkstations(const std::map<std::string, WorkstationRecord>& workstations);

 private:
  mutable std::mutex mu_;
  std::string admin_hash_;
  std::unordered_map<std::string, std::string> workstation_by_hash_;  // hash -> name
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_TOKEN_BOOK_H_
