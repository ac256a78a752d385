// libFuzzer target for the NSS snapshot reader (nss_module/snapshot_reader.c),
// which runs inside every process that resolves a user: no input may make
// it read outside the buffer, loop forever or accept a file whose lookups
// would. Each input is tried twice: as is (the checksum rejects almost
// every mutation), and with the header's size and checksum fixed up so the
// structural checks behind them are reached.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "nss_module/snapshot_reader.h"

namespace {

void Exercise(const sg_nss_view& v) {
  const sg_nss_header* h = v.header;
  std::size_t sink = 0;
  for (std::uint32_t i = 0; i < h->user_count; ++i) {
    const sg_nss_user& u = v.users[i];
    const char* name = sg_nss_str(&v, u.name);
    sink += std::strlen(name) + std::strlen(sg_nss_str(&v, u.gecos)) +
            std::strlen(sg_nss_str(&v, u.home)) + std::strlen(sg_nss_str(&v, u.shell));
    for (std::uint32_t k = 0; k < u.gids_count; ++k) sink += v.words[u.gids_at + k];
    if (sg_nss_user_by_name(&v, name) != &u || sg_nss_user_by_uid(&v, u.uid) != &u)
      __builtin_trap();
    (void)sg_nss_group_by_gid(&v, u.uid);
  }
  for (std::uint32_t i = 0; i < h->group_count; ++i) {
    const sg_nss_group& g = v.groups[i];
    const char* name = sg_nss_str(&v, g.name);
    for (std::uint32_t m = 0; m < g.members_count; ++m)
      sink += std::strlen(sg_nss_str(&v, v.words[g.members_at + m]));
    if (sg_nss_group_by_name(&v, name) != &g || sg_nss_group_by_gid(&v, g.gid) != &g)
      __builtin_trap();
  }
  (void)sg_nss_user_by_name(&v, "root");
  (void)sg_nss_group_by_name(&v, "");
  volatile std::size_t keep = sink;
  (void)keep;
}

void Try(const std::uint8_t* data, std::size_t size, bool fix_up) {
  std::vector<std::uint64_t> aligned(size / 8 + 1);
  std::memcpy(aligned.data(), data, size);
  if (fix_up && size >= sizeof(sg_nss_header)) {
    auto* h = reinterpret_cast<sg_nss_header*>(aligned.data());
    h->file_size = size;
    h->checksum = sg_nss_checksum(
        reinterpret_cast<const unsigned char*>(aligned.data()) + SG_NSS_CHECKSUM_FROM,
        size - SG_NSS_CHECKSUM_FROM);
  }
  sg_nss_view view;
  if (sg_nss_view_open(aligned.data(), size, &view) == 0) Exercise(view);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Try(data, size, false);
  Try(data, size, true);
  return 0;
}
