#ifndef STAFFGATE_COMMON_STR_CAT_H_
#define STAFFGATE_COMMON_STR_CAT_H_

// StrCat: one string from pieces, sized once (as absl::StrCat), for messages
// built inside loops where a chain of operator+ would allocate a temporary
// per piece. Pieces are borrowed for the call only; numbers go through
// std::to_string first.
//   StrCat({"account '", account, "' of employee ", id})

#include <initializer_list>
#include <string>
#include <string_view>

namespace staffgate::common {

inline std::string StrCat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (std::string_view piece : pieces) size += piece.size();
  std::string out;
  out.reserve(size);
  for (std::string_view piece : pieces) out.append(piece);
  return out;
}

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_STR_CAT_H_
