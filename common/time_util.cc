#include "common/time_util.h"

#include <time.h>

#include <cctype>
#include <cstdio>

namespace staffgate::common {
namespace {

// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= static_cast<long>(m <= 2);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool ReadDigits(std::string_view s, std::size_t pos, std::size_t count, int* out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

UnixSeconds SystemClock::Now() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec;
}

std::int64_t SystemClock::NowMs() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Result<UnixSeconds> ParseRfc3339(std::string_view s) {
  auto bad = [&] { return Fail(ErrorKind::kInvalidInput, "bad RFC 3339 time '" + std::string(s.substr(0, 40)) + "'"); };
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (s.size() < 20 || !ReadDigits(s, 0, 4, &year) || s[4] != '-' ||
      !ReadDigits(s, 5, 2, &month) || s[7] != '-' || !ReadDigits(s, 8, 2, &day) ||
      (s[10] != 'T' && s[10] != 't') || !ReadDigits(s, 11, 2, &hour) || s[13] != ':' ||
      !ReadDigits(s, 14, 2, &minute) || s[16] != ':' || !ReadDigits(s, 17, 2, &second)) {
    return bad();
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 ||
      day > kDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0) || hour > 23 ||
      minute > 59 || second > 60) {
    return bad();
  }
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && (std::isdigit(static_cast<unsigned char>(s[pos])) != 0)) ++pos;
    if (pos == start) return bad();
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0;
    int om = 0;
    if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset = (oh * 3600L + om * 60L) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600L + minute * 60L + (second == 60 ? 59 : second) - offset;
}

std::string FormatRfc3339(UnixSeconds t) {
  auto tt = static_cast<time_t>(t);
  tm parts{};
  gmtime_r(&tt, &parts);
  char buf[64];
  (void)std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900,
                      parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  return buf;
}

std::string FormatRfc3339Ms(std::int64_t ms) {
  std::int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  std::string base = FormatRfc3339(secs);
  char frac[8];
  (void)std::snprintf(frac, sizeof(frac), ".%03d", static_cast<int>(ms - secs * 1000));
  base.insert(base.size() - 1, frac);
  return base;
}

}  // namespace staffgate::common
