// AppendJsonText (json_line.h): the module's JSON string writer.
#include <string>
#include <string_view>

#include "common/json_line.h"
#include "common/utf8_sequence.h"

namespace staffgate::common {

void AppendJsonText(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t resume = 0;
    const std::size_t length = SequenceLength(text, i, &resume);
    if (length == 0) {
      out += kReplacement;
      i = resume;
      continue;
    }
    if (length > 1) {
      out.append(text, i, length);
      i += length;
      continue;
    }
    const char c = text[i++];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[static_cast<unsigned char>(c) >> 4];
          out += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace staffgate::common
