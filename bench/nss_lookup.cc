// NSS lookup cost (docs/design.md §9): getpwnam and initgroups through
// glibc for roster employees served by libnss_staffgate.so.2, against the
// same accounts in /etc/passwd and /etc/group (`files`). Driven by
// nss_lookup.sh, which runs `measure` inside a private mount namespace
// whose /etc/nsswitch.conf, /etc/passwd and /etc/group are the generated
// ones (no root needed: unshare -rm).
//
//   nss_lookup_bench generate N DIR   writes DIR/{nss/db,passwd,group,...};
//                                     prints the snapshot build+write CPU time
//   nss_lookup_bench measure N COUNT  COUNT random getpwnam_r and getgrouplist
//                                     of emp<i>; prints p50/p99/mean in µs
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "agent/nss/nss_snapshot.h"
#include "common/file_util.h"

namespace {

using namespace staffgate;
constexpr int kRoles = 10;  // role<k> -> group grp<k> (gid 30000+k)

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

common::Roster MakeRoster(int n) {
  common::Roster r;
  r.serial = 1;
  r.employees.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    common::Employee& e = r.employees[static_cast<std::size_t>(i)];
    e.id = "E" + std::to_string(i);
    std::string account = "emp" + std::to_string(i);
    e.accounts = {account};
    e.groups = {"role" + std::to_string(i % kRoles)};
    e.posix_uids[account] = static_cast<std::uint32_t>(20000 + i);
    r.account_index[account] = static_cast<std::size_t>(i);
  }
  for (int k = 0; k < kRoles; ++k) {
    r.posix_groups["grp" + std::to_string(k)] =
        common::PosixGroup{static_cast<std::uint32_t>(30000 + k), {"role" + std::to_string(k)}};
  }
  r.workstation_groups["BENCH"] = {};
  for (int k = 0; k < kRoles; ++k)
    r.workstation_groups["BENCH"].push_back("role" + std::to_string(k));
  return r;
}

int Generate(int n, const std::string& dir) {
  const common::Roster roster = MakeRoster(n);
  agent::LocalIdentities local;  // the bench's local files hold only system accounts
  local.user_names = {"root"};
  local.uids = {0};
  const double t0 = CpuSeconds();
  agent::NssModel model = agent::BuildNssModel(roster, local, {"BENCH", 1000, false});
  std::string bytes = agent::EncodeNssSnapshot(model, 1, {"BENCH", 1000, false});
  mkdir((dir + "/nss").c_str(), 0755);
  if (!common::WriteFileAtomic(dir + "/nss/db", bytes, 0644)) return 1;
  const double t1 = CpuSeconds();
  std::printf("snapshot for %d employees: %.1f MiB, build+write %.3f s CPU\n", n,
              static_cast<double>(bytes.size()) / 1048576.0, t1 - t0);

  // The same accounts as local files, for `files`.
  std::ofstream passwd(dir + "/passwd-files");
  std::ofstream group(dir + "/group-files");
  passwd << "root:x:0:0:root:/root:/bin/bash\n";
  group << "root:x:0:\n";
  for (const agent::NssUser& u : model.users) {
    passwd << u.name << ":x:" << u.uid << ":" << u.uid << ":" << u.gecos << ":" << u.home << ":"
           << u.shell << "\n";
    group << u.name << ":x:" << u.uid << ":\n";
  }
  for (const agent::NssGroup& g : model.groups) {
    group << g.name << ":x:" << g.gid << ":";
    for (std::size_t i = 0; i < g.members.size(); ++i)
      group << (i != 0U ? "," : "") << g.members[i];
    group << "\n";
  }
  std::ofstream(dir + "/passwd-small") << "root:x:0:0:root:/root:/bin/bash\n";
  std::ofstream(dir + "/group-small") << "root:x:0:\n";
  std::ofstream(dir + "/nsswitch-files") << "passwd: files\ngroup: files\n";
  std::ofstream(dir + "/nsswitch-staffgate")
      << "passwd: files staffgate\ngroup: files [SUCCESS=merge] staffgate\n";
  return 0;
}

void Report(const char* what, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  std::printf("  %-12s n=%-6zu p50 %9.2f us  p99 %9.2f us  mean %9.2f us\n", what, us.size(),
              us[us.size() / 2], us[us.size() * 99 / 100], sum / static_cast<double>(us.size()));
}

int Measure(int n, int count) {
  // A fixed seed: every run looks up the same names, so runs compare.
  std::mt19937 rng(42);  // NOLINT(cert-msc32-c,cert-msc51-cpp)
  std::uniform_int_distribution<int> pick(0, n - 1);
  std::vector<double> pw;
  std::vector<double> ig;
  std::vector<char> buf(4096);
  int wrong = 0;
  for (int i = 0; i < count; ++i) {
    const int who = pick(rng);
    const std::string name = "emp" + std::to_string(who);
    passwd entry;
    passwd* res = nullptr;
    auto t0 = std::chrono::steady_clock::now();
    getpwnam_r(name.c_str(), &entry, buf.data(), buf.size(), &res);
    auto t1 = std::chrono::steady_clock::now();
    if (res == nullptr || res->pw_uid != static_cast<uid_t>(20000 + who)) ++wrong;
    gid_t groups[64];
    int ngroups = 64;
    auto t2 = std::chrono::steady_clock::now();
    getgrouplist(name.c_str(), static_cast<gid_t>(20000 + who), groups, &ngroups);
    auto t3 = std::chrono::steady_clock::now();
    if (ngroups != 2) ++wrong;
    pw.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    ig.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
  }
  Report("getpwnam", pw);
  Report("initgroups", ig);
  if (wrong != 0) std::printf("  WRONG ANSWERS: %d\n", wrong);
  return wrong != 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto number = [](const char* text) { return static_cast<int>(std::strtol(text, nullptr, 10)); };
  if (argc == 4 && std::string(argv[1]) == "generate") return Generate(number(argv[2]), argv[3]);
  if (argc == 4 && std::string(argv[1]) == "measure") {
    return Measure(number(argv[2]), number(argv[3]));
  }
  (void)std::fprintf(stderr, "usage: nss_lookup_bench generate N DIR | measure N COUNT\n");
  return 2;
}
