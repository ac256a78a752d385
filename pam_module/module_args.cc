#include "pam_module/module_args.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <limits>

#include "common/unique_fd.h"

namespace staffgate::pam {
namespace {

// Digits only (no sign, no spaces, no trailing text), within [lo, hi].
std::optional<unsigned long long> ParseNumber(std::string_view text, unsigned long long lo,
                                              unsigned long long hi) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// uid_t is 32 bits; (uid_t)-1 means "no uid" to the kernel.
constexpr unsigned long long kMaxUid = std::numeric_limits<uid_t>::max() - 1;
// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t kMaxSocketPath = 107;
// login.defs is a few KiB; never read more than this into a login process.
constexpr std::size_t kMaxLoginDefsBytes = 64UL * 1024;

}  // namespace

ParsedArgs ParseModuleArgs(int argc, const char** argv) {
  ParsedArgs out;
  ModuleArgs& args = out.args;
  for (int i = 0; i < argc && argv != nullptr; ++i) {
    if (argv[i] == nullptr) continue;
    std::string_view arg(argv[i]);
    auto bad = [&](const char* why) {
      out.problems.push_back("bad value in argument '" + std::string(arg) + "' (" + why +
                             "), keeping the default");
    };
    if (arg == "debug") {
      args.debug = true;
    } else if (arg == "quiet") {
      args.quiet = true;
    } else if (arg == "authenticate") {
      args.authenticate = true;
    } else if (arg == "password_changed") {
      args.password_changed = true;
    } else if (StartsWith(arg, "socket=")) {
      std::string_view path = arg.substr(7);
      if (path.empty() || path.front() != '/') {
        bad("not an absolute path");
      } else if (path.size() > kMaxSocketPath) {
        bad("path too long for a unix socket");
      } else {
        args.socket_path = std::string(path);
      }
    } else if (StartsWith(arg, "timeout_ms=")) {
      auto value = ParseNumber(arg.substr(11), 1, kMaxTimeoutMs);
      if (value) {
        args.timeout_ms = static_cast<int>(*value);
      } else {
        bad("expected 1 to 120000");
      }
    } else if (StartsWith(arg, "agent_uid=")) {
      auto value = ParseNumber(arg.substr(10), 0, kMaxUid);
      if (value) {
        args.agent_uid = static_cast<uid_t>(*value);
      } else {
        bad("expected a numeric uid");
      }
    } else if (StartsWith(arg, "min_uid=")) {
      auto value = ParseNumber(arg.substr(8), 0, kMaxUid);
      if (value) {
        args.min_uid = static_cast<uid_t>(*value);
      } else {
        bad("expected a numeric uid");
      }
    } else {
      out.problems.push_back("unknown argument '" + std::string(arg) + "' ignored");
    }
  }
  return out;
}

std::optional<uid_t> ParseUidMin(std::string_view text) {
  // Jumps from one "UID_MIN" to the next (a memchr/memcmp search) instead of
  // walking every line: login.defs is mostly comments, and this runs in
  // every stage of every login that gives no min_uid argument.
  constexpr std::string_view kKey = "UID_MIN";
  std::optional<uid_t> found;
  for (std::size_t at = text.find(kKey); at != std::string_view::npos;
       at = text.find(kKey, at + kKey.size())) {
    // The key must start its line, after blanks only (not SYS_UID_MIN).
    const std::size_t newline = text.rfind('\n', at);
    const std::size_t bol = newline == std::string_view::npos ? 0 : newline + 1;
    if (text.substr(bol, at - bol).find_first_not_of(" \t") != std::string_view::npos) continue;
    std::string_view line = text.substr(at + kKey.size());
    line = line.substr(0, line.find('\n'));
    if (line.empty() || (line.front() != ' ' && line.front() != '\t')) continue;
    const std::size_t first = line.find_first_not_of(" \t");
    line = line.substr(first == std::string_view::npos ? line.size() : first);
    const std::size_t last = line.find_last_not_of(" \t\r");
    line = line.substr(0, last == std::string_view::npos ? 0 : last + 1);
    // login.defs(5): the last setting of a key wins, like shadow-utils reads it.
    if (auto value = ParseNumber(line, 0, kMaxUid)) found = static_cast<uid_t>(*value);
  }
  return found;
}

uid_t ReadUidMin(const char* path) {
  // Reads of 16 KiB (stdio would read 4 KiB at a time): the file is a few
  // KiB, so usually one read with data and one at the end.
  const common::UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return kFallbackMinUid;
  std::string text;
  char chunk[16 * 1024];
  while (text.size() < kMaxLoginDefsBytes) {
    const ssize_t n = read(fd.get(), chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  return ParseUidMin(text).value_or(kFallbackMinUid);
}

}  // namespace staffgate::pam
