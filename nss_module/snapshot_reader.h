/* Validating reader of the NSS snapshot (snapshot_format.h), shared by
 * libnss_staffgate.so.2, staffgatectl and the tests. Plain C, no
 * allocation, no global state: a view is a checked window on bytes the
 * caller owns (a mapping) and keeps alive while it uses the view.
 *
 * sg_nss_view_open checks everything once (sizes, checksum, every string
 * and word offset, sort order), so lookups afterwards need no checks and
 * never read outside the buffer. */
#ifndef STAFFGATE_NSS_MODULE_SNAPSHOT_READER_H_
#define STAFFGATE_NSS_MODULE_SNAPSHOT_READER_H_

#include <stddef.h>
#include <stdint.h>

#include "nss_module/snapshot_format.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sg_nss_view {
  const struct sg_nss_header* header;
  const struct sg_nss_user* users;
  const uint32_t* user_by_name;
  const struct sg_nss_group* groups;
  const uint32_t* group_by_name;
  const uint32_t* words;
  const char* strings;
};

/* Validates `size` bytes at `data` (8-byte aligned) as a snapshot.
 * Returns 0 and fills `view`, or -1 (truncated, corrupt, wrong version,
 * misaligned) leaving `view` zeroed. */
int sg_nss_view_open(const void* data, size_t size, struct sg_nss_view* view);

/* Lookups; NULL when absent. Pointers stay valid as long as the bytes. */
const struct sg_nss_user* sg_nss_user_by_name(const struct sg_nss_view* v, const char* name);
const struct sg_nss_user* sg_nss_user_by_uid(const struct sg_nss_view* v, uint32_t uid);
const struct sg_nss_group* sg_nss_group_by_name(const struct sg_nss_view* v, const char* name);
const struct sg_nss_group* sg_nss_group_by_gid(const struct sg_nss_view* v, uint32_t gid);

static inline const char* sg_nss_str(const struct sg_nss_view* v, uint32_t offset) {
  return v->strings + offset;
}

#ifdef __cplusplus
}
#endif

#endif /* STAFFGATE_NSS_MODULE_SNAPSHOT_READER_H_ */
