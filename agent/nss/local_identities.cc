#include "agent/nss/local_identities.h"

#include <charconv>
#include <cstdlib>
#include <vector>

#include "common/file_util.h"

namespace staffgate::agent {
namespace {

constexpr std::size_t kMaxLocalFile = 64U << 20;

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ':') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool ParseId(std::string_view text, std::uint32_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    auto fields = Fields(line);
    std::uint32_t id = 0;
    if (fields.size() >= 3 && !fields[0].empty() && ParseId(fields[2], id)) fn(fields[0], id);
  }
}

}  // namespace

LocalIdentities ParseLocalIdentities(std::string_view passwd, std::string_view group) {
  LocalIdentities out;
  ForEachLine(passwd, [&](std::string_view name, std::uint32_t uid) {
    out.user_names.emplace(name);
    out.uids.insert(uid);
  });
  ForEachLine(group, [&](std::string_view name, std::uint32_t gid) {
    out.groups.emplace(std::string(name), gid);
    out.gids.insert(gid);
  });
  return out;
}

LocalFiles LocalFiles::FromEnvironment() {
  LocalFiles files;
  if (const char* p = std::getenv("STAFFGATE_ETC_PASSWD"); (p != nullptr) && (*p != 0))
    files.passwd = p;
  if (const char* g = std::getenv("STAFFGATE_ETC_GROUP"); (g != nullptr) && (*g != 0))
    files.group = g;
  return files;
}

common::Result<LocalIdentities> LoadLocalIdentities(const LocalFiles& files) {
  auto passwd = common::ReadFileCapped(files.passwd, kMaxLocalFile);
  if (!passwd)
    return common::Fail(passwd.error().kind, files.passwd + ": " + passwd.error().message);
  auto group = common::ReadFileCapped(files.group, kMaxLocalFile);
  if (!group) return common::Fail(group.error().kind, files.group + ": " + group.error().message);
  return ParseLocalIdentities(*passwd, *group);
}

}  // namespace staffgate::agent
