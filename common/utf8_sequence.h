// UTF-8 as nlohmann::json reads and writes it, shared by the module's JSON
// reader and writer (json_line.h), which must decode and replace exactly
// the sequences nlohmann does. Pure functions.
#ifndef STAFFGATE_COMMON_UTF8_SEQUENCE_H_
#define STAFFGATE_COMMON_UTF8_SEQUENCE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace staffgate::common {

// The length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7,
// which nlohmann's lexer and its dump's decoder both follow), or 0. On 0,
// *resume is where decoding goes on: the byte after an invalid lead byte,
// else the continuation byte that did not fit (read again, as nlohmann's
// dump does), or the end.
std::size_t SequenceLength(std::string_view s, std::size_t i, std::size_t* resume);

// Appends code point `cp` (at most U+10FFFF, not a surrogate) as UTF-8.
void AppendUtf8(std::string& out, std::uint32_t cp);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_UTF8_SEQUENCE_H_
