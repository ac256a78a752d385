#include "nss_module/snapshot_map.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger than any real roster (100,000 employees make ~10 MiB). */
#define SG_NSS_MAX_FILE (1024ull * 1024 * 1024)

struct file_key {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  int have_key; /* key describes the file last looked at */
  struct file_key key;
  void* map;
  size_t len;
  int valid; /* view is usable */
  struct sg_nss_view view;
  uint32_t cursors[2]; /* by enum sg_nss_db */
} g;

static void key_of(const struct stat* st, struct file_key* k) {
  memset(k, 0, sizeof(*k));
  k->dev = st->st_dev;
  k->ino = st->st_ino;
  k->size = st->st_size;
  k->mtime = st->st_mtim;
}

static int same_key(const struct file_key* a, const struct file_key* b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void drop(void) {
  if (g.map != NULL) munmap(g.map, g.len);
  g.map = NULL;
  g.len = 0;
  g.valid = 0;
  g.have_key = 0;
  memset(&g.view, 0, sizeof(g.view));
}

static int snapshot_path(char* out, size_t size) {
  /* secure_getenv: ignored in setuid/setgid programs, so a user cannot
   * point su or passwd at identities of their own. */
  const char* dir = secure_getenv("STAFFGATE_NSS_DIR");
  if (dir == NULL || dir[0] != '/') dir = SG_NSS_DEFAULT_DIR;
  int n = snprintf(out, size, "%s/%s", dir, SG_NSS_FILE_NAME);
  return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Trusted only when written by root (or by the caller itself: tests) and
 * writable by nobody else. */
static int trusted(const struct stat* st) {
  if (!S_ISREG(st->st_mode) || (st->st_mode & (S_IWGRP | S_IWOTH)) != 0) return 0;
  return st->st_uid == 0 || st->st_uid == getuid();
}

static void remap(void) {
  char path[PATH_MAX];
  drop();
  if (snapshot_path(path, sizeof(path)) != 0) return;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return;
  }
  key_of(&st, &g.key);
  g.have_key = 1; /* a bad file is remembered too: not re-read until it changes */
  if (!trusted(&st) || st.st_size < (off_t)sizeof(struct sg_nss_header) ||
      (unsigned long long)st.st_size > SG_NSS_MAX_FILE) {
    close(fd);
    return;
  }
  void* map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return;
  g.map = map;
  g.len = (size_t)st.st_size;
  g.valid = sg_nss_view_open(map, g.len, &g.view) == 0;
  if (!g.valid) {
    munmap(map, g.len);
    g.map = NULL;
    g.len = 0;
  }
}

const struct sg_nss_view* sg_nss_acquire(void) {
  pthread_mutex_lock(&g_lock);
  char path[PATH_MAX];
  struct stat st;
  if (snapshot_path(path, sizeof(path)) != 0 || stat(path, &st) != 0) {
    drop();
    return NULL;
  }
  struct file_key now;
  key_of(&st, &now);
  if (!g.have_key || !same_key(&now, &g.key)) remap();
  return g.valid ? &g.view : NULL;
}

void sg_nss_release(void) { pthread_mutex_unlock(&g_lock); }

uint32_t* sg_nss_cursor(enum sg_nss_db db) { return &g.cursors[db == SG_NSS_GROUP_DB]; }
