#include "nss_module/snapshot_reader.h"

#include <string.h>

uint64_t sg_nss_checksum(const unsigned char* data, size_t size) {
  const uint64_t k = 0xff51afd7ed558ccdULL;
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)size;
  uint64_t w = 0;
  while (size >= 8) {
    memcpy(&w, data, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
    data += 8;
    size -= 8;
  }
  w = 0;
  memcpy(&w, data, size);
  h = (h ^ w) * k;
  h ^= h >> 32;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 29);
}

/* Every string offset is in the pool; the pool ends with NUL, so every
 * string ends inside it. */
static int str_ok(const struct sg_nss_header* h, uint32_t offset) {
  return offset < h->string_bytes;
}

static int range_ok(const struct sg_nss_header* h, uint32_t at, uint32_t count) {
  return (uint64_t)at + count <= h->word_count;
}

static int check_header(const struct sg_nss_header* h, size_t size) {
  if (memcmp(h->magic, SG_NSS_MAGIC, 8) != 0 || h->version != SG_NSS_VERSION ||
      h->header_size != sizeof(*h) || h->file_size != size) {
    return -1;
  }
  if (h->user_count > SG_NSS_MAX_RECORDS || h->group_count > SG_NSS_MAX_RECORDS ||
      h->word_count > SG_NSS_MAX_WORDS || h->string_bytes > SG_NSS_MAX_STRING_BYTES ||
      h->string_bytes == 0) {
    return -1;
  }
  uint64_t expect = sizeof(*h) + (uint64_t)h->user_count * (sizeof(struct sg_nss_user) + 4) +
                    (uint64_t)h->group_count * (sizeof(struct sg_nss_group) + 4) +
                    (uint64_t)h->word_count * 4 + h->string_bytes;
  return expect == size ? 0 : -1;
}

static int check_users(const struct sg_nss_view* v) {
  const struct sg_nss_header* h = v->header;
  for (uint32_t i = 0; i < h->user_count; ++i) {
    const struct sg_nss_user* u = &v->users[i];
    if (!str_ok(h, u->name) || !str_ok(h, u->gecos) || !str_ok(h, u->home) ||
        !str_ok(h, u->shell) || !range_ok(h, u->gids_at, u->gids_count) ||
        v->strings[u->name] == '\0') {
      return -1;
    }
    for (uint32_t k = 0; k < u->gids_count; ++k) {
      if (v->words[u->gids_at + k] == 0) return -1;
    }
    if (u->uid == 0 || u->uid < h->min_uid || (i > 0 && u->uid <= v->users[i - 1].uid)) return -1;
    uint32_t n = v->user_by_name[i];
    if (n >= h->user_count || !str_ok(h, v->users[n].name)) return -1;
  }
  for (uint32_t i = 1; i < h->user_count; ++i) {
    if (strcmp(sg_nss_str(v, v->users[v->user_by_name[i - 1]].name),
               sg_nss_str(v, v->users[v->user_by_name[i]].name)) >= 0) {
      return -1;
    }
  }
  return 0;
}

static int check_groups(const struct sg_nss_view* v) {
  const struct sg_nss_header* h = v->header;
  for (uint32_t i = 0; i < h->group_count; ++i) {
    const struct sg_nss_group* g = &v->groups[i];
    if (!str_ok(h, g->name) || v->strings[g->name] == '\0' ||
        !range_ok(h, g->members_at, g->members_count)) {
      return -1;
    }
    if (g->gid == 0 || (i > 0 && g->gid <= v->groups[i - 1].gid)) return -1;
    for (uint32_t m = 0; m < g->members_count; ++m) {
      if (!str_ok(h, v->words[g->members_at + m])) return -1;
    }
    if (v->group_by_name[i] >= h->group_count) return -1;
  }
  for (uint32_t i = 1; i < h->group_count; ++i) {
    if (strcmp(sg_nss_str(v, v->groups[v->group_by_name[i - 1]].name),
               sg_nss_str(v, v->groups[v->group_by_name[i]].name)) >= 0) {
      return -1;
    }
  }
  return 0;
}

int sg_nss_view_open(const void* data, size_t size, struct sg_nss_view* view) {
  memset(view, 0, sizeof(*view));
  if (data == NULL || size < sizeof(struct sg_nss_header) || ((uintptr_t)data % 8) != 0) return -1;
  const struct sg_nss_header* h = (const struct sg_nss_header*)data;
  if (check_header(h, size) != 0) return -1;
  const unsigned char* base = (const unsigned char*)data;
  if (sg_nss_checksum(base + SG_NSS_CHECKSUM_FROM, size - SG_NSS_CHECKSUM_FROM) != h->checksum)
    return -1;
  struct sg_nss_view v;
  size_t at = sizeof(*h);
  v.header = h;
  v.users = (const struct sg_nss_user*)(base + at);
  at += (size_t)h->user_count * sizeof(struct sg_nss_user);
  v.user_by_name = (const uint32_t*)(base + at);
  at += (size_t)h->user_count * 4;
  v.groups = (const struct sg_nss_group*)(base + at);
  at += (size_t)h->group_count * sizeof(struct sg_nss_group);
  v.group_by_name = (const uint32_t*)(base + at);
  at += (size_t)h->group_count * 4;
  v.words = (const uint32_t*)(base + at);
  at += (size_t)h->word_count * 4;
  v.strings = (const char*)(base + at);
  if (v.strings[h->string_bytes - 1] != '\0') return -1;
  if (check_users(&v) != 0 || check_groups(&v) != 0) return -1;
  *view = v;
  return 0;
}

/* Binary searches shared by users and groups: both tables are sorted by
 * id, and each has an index sorted by name. `id_at` and `name_at` read
 * entry i of the table. */
typedef uint32_t (*id_at_fn)(const struct sg_nss_view* v, uint32_t i);
typedef uint32_t (*name_at_fn)(const struct sg_nss_view* v, uint32_t i);

/* The position of `id` in [0, n), or n when absent. */
static uint32_t find_id(const struct sg_nss_view* v, uint32_t n, id_at_fn id_at, uint32_t id) {
  uint32_t lo = 0;
  uint32_t hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (id_at(v, mid) < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && id_at(v, lo) == id ? lo : n;
}

/* The table position of `name` through the by-name index, or n. */
static uint32_t find_name(const struct sg_nss_view* v, uint32_t n, const uint32_t* by_name,
                          name_at_fn name_at, const char* name) {
  uint32_t lo = 0;
  uint32_t hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int c = strcmp(sg_nss_str(v, name_at(v, by_name[mid])), name);
    if (c == 0) return by_name[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return n;
}

static uint32_t user_uid(const struct sg_nss_view* v, uint32_t i) { return v->users[i].uid; }
static uint32_t user_name(const struct sg_nss_view* v, uint32_t i) { return v->users[i].name; }
static uint32_t group_gid(const struct sg_nss_view* v, uint32_t i) { return v->groups[i].gid; }
static uint32_t group_name(const struct sg_nss_view* v, uint32_t i) { return v->groups[i].name; }

const struct sg_nss_user* sg_nss_user_by_uid(const struct sg_nss_view* v, uint32_t uid) {
  uint32_t n = v->header->user_count;
  uint32_t i = find_id(v, n, user_uid, uid);
  return i < n ? &v->users[i] : NULL;
}

const struct sg_nss_user* sg_nss_user_by_name(const struct sg_nss_view* v, const char* name) {
  uint32_t n = v->header->user_count;
  uint32_t i = find_name(v, n, v->user_by_name, user_name, name);
  return i < n ? &v->users[i] : NULL;
}

const struct sg_nss_group* sg_nss_group_by_gid(const struct sg_nss_view* v, uint32_t gid) {
  uint32_t n = v->header->group_count;
  uint32_t i = find_id(v, n, group_gid, gid);
  return i < n ? &v->groups[i] : NULL;
}

const struct sg_nss_group* sg_nss_group_by_name(const struct sg_nss_view* v, const char* name) {
  uint32_t n = v->header->group_count;
  uint32_t i = find_name(v, n, v->group_by_name, group_name, name);
  return i < n ? &v->groups[i] : NULL;
}
