// Percent-encoding of one URL path segment or query value (RFC 3986
// unreserved characters kept): the paths clients put in requests
// (https/https_client.h) and the links the central's console renders.
#ifndef STAFFGATE_COMMON_URL_ENCODE_H_
#define STAFFGATE_COMMON_URL_ENCODE_H_

#include <string>
#include <string_view>

namespace staffgate::common {

std::string UrlEncode(std::string_view text);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_URL_ENCODE_H_
