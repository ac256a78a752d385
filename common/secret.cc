#include "common/secret.h"

#include <string.h>

namespace staffgate::common {

void WipeString(std::string& text) {
  // resize within the capacity never reallocates; the bytes past size()
  // may hold an earlier, longer value.
  text.resize(text.capacity());
  explicit_bzero(text.data(), text.size());
  text.clear();
}

std::size_t JsonStringBound(std::string_view text) { return text.size() * 6 + 2; }

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace staffgate::common
