#include "central/ui/same_origin.h"

#include <cctype>
#include <string>

namespace staffgate::central {

namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool SameOriginRequest(std::string_view origin, std::string_view sec_fetch_site,
                       std::string_view host) {
  if (!origin.empty()) {
    return !host.empty() && EqualsIgnoringCase(origin, "https://" + std::string(host));
  }
  return sec_fetch_site == "same-origin";
}

}  // namespace staffgate::central
