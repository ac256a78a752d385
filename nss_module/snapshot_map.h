/* The module's one mapping of the snapshot file, shared by all threads of
 * the host process. sg_nss_acquire takes the module's lock, makes sure the
 * mapping matches the file now on disk (stat: device, inode, size, mtime;
 * a replaced file is mapped again and the old mapping dropped) and hands
 * out the validated view; sg_nss_release drops the lock. Every lookup is
 * acquire ... release, so no thread ever reads a mapping being unmapped.
 * No threads, no allocation besides mmap, O_CLOEXEC, MAP_PRIVATE. */
#ifndef STAFFGATE_NSS_MODULE_SNAPSHOT_MAP_H_
#define STAFFGATE_NSS_MODULE_SNAPSHOT_MAP_H_

#include "nss_module/snapshot_reader.h"

/* Locks; returns the view, or NULL when the snapshot is missing, unreadable
 * or invalid (the caller answers NSS_STATUS_UNAVAIL). Call sg_nss_release
 * in both cases. */
const struct sg_nss_view* sg_nss_acquire(void);
void sg_nss_release(void);

enum sg_nss_db { SG_NSS_PASSWD_DB, SG_NSS_GROUP_DB };

/* The enumeration cursor of `db` (getpwent, getgrent), guarded by the same
 * lock: use it only between acquire and release. */
uint32_t* sg_nss_cursor(enum sg_nss_db db);

#endif /* STAFFGATE_NSS_MODULE_SNAPSHOT_MAP_H_ */
