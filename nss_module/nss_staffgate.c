/* libnss_staffgate.so.2: passwd and group entries of roster employees from
 * the snapshot the agent writes (docs/design.md §9). Never talks to the
 * agent, so lookups cannot hang, recurse or stop when it is down.
 *
 * Status conventions (glibc NSS): found -> SUCCESS; absent -> NOTFOUND;
 * caller's buffer too small -> TRYAGAIN with *errnop = ERANGE (glibc grows
 * the buffer and asks again); no usable snapshot -> UNAVAIL with
 * *errnop = ENOENT. Never answers for root, uid/gid 0 or uids below the
 * snapshot's min_uid; local names and ids are left out by the agent. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nss_module/snapshot_map.h"

#define SG_EXPORT __attribute__((visibility("default")))

/* Copies strings and pointer arrays into the caller's buffer. */
struct packer {
  char* at;
  size_t left;
};

static char* pack_str(struct packer* p, const char* s) {
  size_t n = strlen(s) + 1;
  if (n > p->left) return NULL;
  char* out = p->at;
  memcpy(out, s, n);
  p->at += n;
  p->left -= n;
  return out;
}

static char** pack_ptrs(struct packer* p, size_t count) {
  size_t pad = (size_t)(-(uintptr_t)p->at) & (sizeof(char*) - 1);
  if (count > (SIZE_MAX - pad) / sizeof(char*) || pad + count * sizeof(char*) > p->left)
    return NULL;
  char** out = (char**)(void*)(p->at + pad);
  p->at += pad + count * sizeof(char*);
  p->left -= pad + count * sizeof(char*);
  return out;
}

static enum nss_status unavailable(int* errnop) {
  *errnop = ENOENT;
  return NSS_STATUS_UNAVAIL;
}

static enum nss_status too_small(int* errnop) {
  *errnop = ERANGE;
  return NSS_STATUS_TRYAGAIN;
}

static enum nss_status fill_passwd(const struct sg_nss_view* v, const struct sg_nss_user* u,
                                   struct passwd* pw, char* buf, size_t len, int* errnop) {
  struct packer p = {buf, len};
  pw->pw_name = pack_str(&p, sg_nss_str(v, u->name));
  pw->pw_passwd = pack_str(&p, "*");
  pw->pw_gecos = pack_str(&p, sg_nss_str(v, u->gecos));
  pw->pw_dir = pack_str(&p, sg_nss_str(v, u->home));
  pw->pw_shell = pack_str(&p, sg_nss_str(v, u->shell));
  if (!pw->pw_name || !pw->pw_passwd || !pw->pw_gecos || !pw->pw_dir || !pw->pw_shell) {
    return too_small(errnop);
  }
  pw->pw_uid = u->uid;
  pw->pw_gid = u->gid;
  return NSS_STATUS_SUCCESS;
}

/* A staffgate group (g != NULL) or the user private group of `u`. */
static enum nss_status fill_group(const struct sg_nss_view* v, const struct sg_nss_group* g,
                                  const struct sg_nss_user* u, struct group* gr, char* buf,
                                  size_t len, int* errnop) {
  struct packer p = {buf, len};
  uint32_t count = g ? g->members_count : 0;
  char** mem = pack_ptrs(&p, (size_t)count + 1);
  if (mem == NULL) return too_small(errnop);
  for (uint32_t i = 0; i < count; ++i) {
    mem[i] = pack_str(&p, sg_nss_str(v, v->words[g->members_at + i]));
    if (mem[i] == NULL) return too_small(errnop);
  }
  mem[count] = NULL;
  gr->gr_mem = mem;
  gr->gr_name = pack_str(&p, sg_nss_str(v, g ? g->name : u->name));
  gr->gr_passwd = pack_str(&p, "*");
  if (!gr->gr_name || !gr->gr_passwd) return too_small(errnop);
  gr->gr_gid = g ? g->gid : u->uid;
  return NSS_STATUS_SUCCESS;
}

static int refused_name(const char* name) {
  return name == NULL || name[0] == '\0' || strcmp(name, "root") == 0;
}

/* What a lookup found: a user (its passwd entry, or its user private
 * group) or a staffgate group; both NULL when nothing. */
struct found {
  const struct sg_nss_user* u;
  const struct sg_nss_group* g;
};

static struct found by_name(const struct sg_nss_view* v, enum sg_nss_db db, const char* name) {
  struct found f = {NULL, NULL};
  if (db == SG_NSS_GROUP_DB) f.g = sg_nss_group_by_name(v, name);
  if (f.g == NULL) f.u = sg_nss_user_by_name(v, name);
  return f;
}

static struct found by_id(const struct sg_nss_view* v, enum sg_nss_db db, uint32_t id) {
  struct found f = {NULL, NULL};
  if (db == SG_NSS_GROUP_DB) f.g = sg_nss_group_by_gid(v, id);
  if (f.g == NULL && (db == SG_NSS_GROUP_DB || id >= v->header->min_uid)) {
    f.u = sg_nss_user_by_uid(v, id);
  }
  return f;
}

/* Enumeration order: passwd is the users; group is the staffgate groups
 * (local ones skipped: getgrent does not merge), then every user's
 * private group. Moves *cursor past skipped entries, not past the one
 * returned. */
static struct found at_cursor(const struct sg_nss_view* v, enum sg_nss_db db, uint32_t* cursor) {
  struct found f = {NULL, NULL};
  uint32_t groups = db == SG_NSS_GROUP_DB ? v->header->group_count : 0;
  while (*cursor < groups && (v->groups[*cursor].flags & SG_NSS_GROUP_LOCAL)) ++*cursor;
  if (*cursor < groups) {
    f.g = &v->groups[*cursor];
  } else if (*cursor - groups < v->header->user_count) {
    f.u = &v->users[*cursor - groups];
  }
  return f;
}

static enum nss_status fill(const struct sg_nss_view* v, enum sg_nss_db db, struct found f,
                            void* result, char* buf, size_t len, int* errnop) {
  if (f.u == NULL && f.g == NULL) return NSS_STATUS_NOTFOUND;
  if (db == SG_NSS_PASSWD_DB) return fill_passwd(v, f.u, result, buf, len, errnop);
  return fill_group(v, f.g, f.u, result, buf, len, errnop);
}

/* One lookup by `name`, or by `id` when name is NULL (a NULL name thus
 * asks for id 0: not found); every by-key entry point is this. */
static enum nss_status lookup(enum sg_nss_db db, const char* name, uint32_t id, void* result,
                              char* buf, size_t len, int* errnop) {
  if (name != NULL ? refused_name(name) : id == 0) return NSS_STATUS_NOTFOUND;
  const struct sg_nss_view* v = sg_nss_acquire();
  enum nss_status status;
  if (v == NULL) {
    status = unavailable(errnop);
  } else {
    struct found f = name != NULL ? by_name(v, db, name) : by_id(v, db, id);
    status = fill(v, db, f, result, buf, len, errnop);
  }
  sg_nss_release();
  return status;
}

SG_EXPORT enum nss_status _nss_staffgate_getpwnam_r(const char* name, struct passwd* pw, char* buf,
                                                    size_t len, int* errnop) {
  return lookup(SG_NSS_PASSWD_DB, name, 0, pw, buf, len, errnop);
}

SG_EXPORT enum nss_status _nss_staffgate_getpwuid_r(uid_t uid, struct passwd* pw, char* buf,
                                                    size_t len, int* errnop) {
  return lookup(SG_NSS_PASSWD_DB, NULL, uid, pw, buf, len, errnop);
}

SG_EXPORT enum nss_status _nss_staffgate_getgrnam_r(const char* name, struct group* gr, char* buf,
                                                    size_t len, int* errnop) {
  return lookup(SG_NSS_GROUP_DB, name, 0, gr, buf, len, errnop);
}

SG_EXPORT enum nss_status _nss_staffgate_getgrgid_r(gid_t gid, struct group* gr, char* buf,
                                                    size_t len, int* errnop) {
  return lookup(SG_NSS_GROUP_DB, NULL, gid, gr, buf, len, errnop);
}

/* Appends `gid` unless present; grows *groupsp up to `limit` (<= 0: none).
 * Returns 0, or -1 when out of memory. */
static int add_gid(gid_t gid, long int* start, long int* size, gid_t** groupsp, long int limit) {
  for (long int i = 0; i < *start; ++i) {
    if ((*groupsp)[i] == gid) return 0;
  }
  if (*start == *size) {
    if (limit > 0 && *size >= limit) return 0; /* full: glibc reports the truncation */
    long int grown = *size > 0 ? *size * 2 : 8;
    if (limit > 0 && grown > limit) grown = limit;
    gid_t* bigger = realloc(*groupsp, (size_t)grown * sizeof(gid_t));
    if (bigger == NULL) return -1;
    *groupsp = bigger;
    *size = grown;
  }
  (*groupsp)[(*start)++] = gid;
  return 0;
}

SG_EXPORT enum nss_status _nss_staffgate_initgroups_dyn(const char* user, gid_t group,
                                                        long int* start, long int* size,
                                                        gid_t** groupsp, long int limit,
                                                        int* errnop) {
  if (refused_name(user)) return NSS_STATUS_NOTFOUND;
  const struct sg_nss_view* v = sg_nss_acquire();
  enum nss_status status = NSS_STATUS_NOTFOUND;
  if (v == NULL) {
    status = unavailable(errnop);
  } else {
    const struct sg_nss_user* u = sg_nss_user_by_name(v, user);
    if (u != NULL) status = NSS_STATUS_SUCCESS;
    for (uint32_t i = 0; u != NULL && i < u->gids_count; ++i) {
      gid_t gid = v->words[u->gids_at + i];
      if (gid == group) continue;
      if (add_gid(gid, start, size, groupsp, limit) != 0) {
        *errnop = ENOMEM;
        status = NSS_STATUS_TRYAGAIN;
        break;
      }
    }
  }
  sg_nss_release();
  return status;
}

/* Enumeration: off unless the snapshot says nss_enumerate (a login screen
 * listing every employee of the dealership is not wanted by default).
 * set and end both rewind; one cursor per database. */

static enum nss_status rewind_cursor(enum sg_nss_db db) {
  (void)sg_nss_acquire();
  *sg_nss_cursor(db) = 0;
  sg_nss_release();
  return NSS_STATUS_SUCCESS;
}

static enum nss_status next_entry(enum sg_nss_db db, void* result, char* buf, size_t len,
                                  int* errnop) {
  const struct sg_nss_view* v = sg_nss_acquire();
  enum nss_status status = NSS_STATUS_NOTFOUND;
  uint32_t* cursor = sg_nss_cursor(db);
  if (v == NULL) {
    status = unavailable(errnop);
  } else if (v->header->flags & SG_NSS_FLAG_ENUMERATE) {
    status = fill(v, db, at_cursor(v, db, cursor), result, buf, len, errnop);
    if (status == NSS_STATUS_SUCCESS) ++*cursor;
  }
  sg_nss_release();
  return status;
}

SG_EXPORT enum nss_status _nss_staffgate_setpwent(int stayopen) {
  (void)stayopen;
  return rewind_cursor(SG_NSS_PASSWD_DB);
}

SG_EXPORT enum nss_status _nss_staffgate_endpwent(void) { return rewind_cursor(SG_NSS_PASSWD_DB); }

SG_EXPORT enum nss_status _nss_staffgate_getpwent_r(struct passwd* pw, char* buf, size_t len,
                                                    int* errnop) {
  return next_entry(SG_NSS_PASSWD_DB, pw, buf, len, errnop);
}

SG_EXPORT enum nss_status _nss_staffgate_setgrent(int stayopen) {
  (void)stayopen;
  return rewind_cursor(SG_NSS_GROUP_DB);
}

SG_EXPORT enum nss_status _nss_staffgate_endgrent(void) { return rewind_cursor(SG_NSS_GROUP_DB); }

SG_EXPORT enum nss_status _nss_staffgate_getgrent_r(struct group* gr, char* buf, size_t len,
                                                    int* errnop) {
  return next_entry(SG_NSS_GROUP_DB, gr, buf, len, errnop);
}
