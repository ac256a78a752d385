/* Asks glibc (under nss_wrapper in the tests) for users and groups and
 * prints one line per answer, so the Python tier can assert on what the
 * real libnss_staffgate.so.2 returns. Commands:
 *   pw NAME | pwuid UID | gr NAME | grgid GID   -> an entry line or "notfound"
 *   groups NAME GID                             -> getgrouplist, gids ascending
 *   short NAME                                  -> ERANGE at every too-small buffer
 *   pwtwice NAME                                -> pw NAME, waits for a line on
 *                                                  stdin, pw NAME again (same process)
 *   threads N SECONDS NAME UID                  -> N threads of getpwnam_r/getpwuid_r;
 *                                                  prints "lookups=X wrong=Y"
 *   pwent | grent                               -> every entry of setpwent/getpwent_r
 *                                                  (setgrent/getgrent_r), twice over
 *                                                  (end, set again), one line each
 * A lookup error prints "error ERRNO". */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* nss_wrapper reports a miss as ENOENT, glibc as 0: both are "notfound". */
static int print_pw(int rc, struct passwd* res) {
  if (rc == ENOENT && res == NULL) rc = 0;
  if (rc != 0) return printf("error %d\n", rc), 1;
  if (res == NULL) return printf("notfound\n"), 0;
  printf("%s:%u:%u:%s:%s:%s\n", res->pw_name, (unsigned)res->pw_uid, (unsigned)res->pw_gid,
         res->pw_gecos, res->pw_dir, res->pw_shell);
  return 0;
}

static int print_gr(int rc, struct group* res) {
  if (rc == ENOENT && res == NULL) rc = 0;
  if (rc != 0) return printf("error %d\n", rc), 1;
  if (res == NULL) return printf("notfound\n"), 0;
  printf("%s:%u:", res->gr_name, (unsigned)res->gr_gid);
  for (char** m = res->gr_mem; *m; ++m) printf("%s%s", m == res->gr_mem ? "" : ",", *m);
  printf("\n");
  return 0;
}

static int cmp_gid(const void* a, const void* b) {
  gid_t x = *(const gid_t*)a;
  gid_t y = *(const gid_t*)b;
  return x < y ? -1 : x > y;
}

static int short_buffers(const char* name) {
  char big[4096];
  struct passwd pw;
  struct passwd* res = NULL;
  if (getpwnam_r(name, &pw, big, sizeof(big), &res) != 0 || res == NULL)
    return printf("no entry\n"), 1;
  size_t need = 0;
  for (size_t len = 0; len < sizeof(big); ++len) {
    char* buf = malloc(len ? len : 1);
    int rc = getpwnam_r(name, &pw, buf, len, &res);
    free(buf);
    if (rc == 0 && res != NULL) {
      need = len;
      break;
    }
    if (rc != ERANGE) return printf("len %zu: rc %d\n", len, rc), 1;
  }
  struct group gr;
  struct group* gres = NULL;
  size_t gneed = 0;
  for (size_t len = 0; len < sizeof(big); ++len) {
    char* buf = malloc(len ? len : 1);
    int rc = getgrgid_r(pw.pw_gid, &gr, buf, len, &gres);
    free(buf);
    if (rc == 0 && gres != NULL) {
      gneed = len;
      break;
    }
    if (rc != ERANGE) return printf("group len %zu: rc %d\n", len, rc), 1;
  }
  printf("erange until %zu, group until %zu\n", need, gneed);
  return 0;
}

struct job {
  const char* name;
  uid_t uid;
  double seconds;
  long lookups, wrong;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every answer must be the account or "not found" (between swaps the
 * file may briefly be one without it); never a different or torn entry. */
static void* worker(void* arg) {
  struct job* j = arg;
  char buf[1024];
  struct passwd pw;
  struct passwd* res;
  double end = now_s() + j->seconds;
  while (now_s() < end) {
    int rc = getpwnam_r(j->name, &pw, buf, sizeof(buf), &res);
    if ((rc != 0 && rc != ENOENT) ||
        (res && (res->pw_uid != j->uid || strcmp(res->pw_name, j->name) != 0)))
      ++j->wrong;
    rc = getpwuid_r(j->uid, &pw, buf, sizeof(buf), &res);
    if ((rc != 0 && rc != ENOENT) || (res && strcmp(res->pw_name, j->name) != 0)) ++j->wrong;
    j->lookups += 2;
  }
  return NULL;
}

static int threads(int n, double seconds, const char* name, uid_t uid) {
  pthread_t t[64];
  struct job jobs[64];
  if (n < 1 || n > 64) return 2;
  for (int i = 0; i < n; ++i) {
    jobs[i] = (struct job){name, uid, seconds, 0, 0};
    pthread_create(&t[i], NULL, worker, &jobs[i]);
  }
  long lookups = 0;
  long wrong = 0;
  for (int i = 0; i < n; ++i) {
    pthread_join(t[i], NULL);
    lookups += jobs[i].lookups;
    wrong += jobs[i].wrong;
  }
  printf("lookups=%ld wrong=%ld\n", lookups, wrong);
  return wrong != 0;
}

/* Two passes, so a rewind by endpwent/setpwent is seen to work. */
static int enumerate(int groups) {
  char buf[16384];
  for (int pass = 0; pass < 2; ++pass) {
    int rc = 0;
    if (groups) {
      struct group gr;
      struct group* res = NULL;
      setgrent();
      while ((rc = getgrent_r(&gr, buf, sizeof(buf), &res)) == 0 && res != NULL) print_gr(0, res);
      endgrent();
    } else {
      struct passwd pw;
      struct passwd* res = NULL;
      setpwent();
      while ((rc = getpwent_r(&pw, buf, sizeof(buf), &res)) == 0 && res != NULL) print_pw(0, res);
      endpwent();
    }
    if (rc != 0 && rc != ENOENT) return printf("error %d\n", rc), 1;
    printf("end\n");
  }
  return 0;
}

int main(int argc, char** argv) {
  char buf[16384];
  if (argc >= 3 && strcmp(argv[1], "pw") == 0) {
    struct passwd pw;
    struct passwd* res = NULL;
    int rc = getpwnam_r(argv[2], &pw, buf, sizeof(buf), &res);
    return print_pw(rc, res);
  }
  if (argc >= 3 && strcmp(argv[1], "pwuid") == 0) {
    struct passwd pw;
    struct passwd* res = NULL;
    int rc = getpwuid_r((uid_t)strtoul(argv[2], NULL, 10), &pw, buf, sizeof(buf), &res);
    return print_pw(rc, res);
  }
  if (argc >= 3 && strcmp(argv[1], "gr") == 0) {
    struct group gr;
    struct group* res = NULL;
    int rc = getgrnam_r(argv[2], &gr, buf, sizeof(buf), &res);
    return print_gr(rc, res);
  }
  if (argc >= 3 && strcmp(argv[1], "grgid") == 0) {
    struct group gr;
    struct group* res = NULL;
    int rc = getgrgid_r((gid_t)strtoul(argv[2], NULL, 10), &gr, buf, sizeof(buf), &res);
    return print_gr(rc, res);
  }
  if (argc >= 4 && strcmp(argv[1], "groups") == 0) {
    gid_t groups[256];
    int n = 256;
    if (getgrouplist(argv[2], (gid_t)strtoul(argv[3], NULL, 10), groups, &n) < 0)
      return printf("toomany\n"), 1;
    qsort(groups, (size_t)n, sizeof(gid_t), cmp_gid);
    for (int i = 0; i < n; ++i) printf("%s%u", i ? " " : "", (unsigned)groups[i]);
    printf("\n");
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "pwtwice") == 0) {
    struct passwd pw;
    struct passwd* res = NULL;
    int rc = getpwnam_r(argv[2], &pw, buf, sizeof(buf), &res);
    print_pw(rc, res);
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof(line), stdin) == NULL) return 1;
    rc = getpwnam_r(argv[2], &pw, buf, sizeof(buf), &res);
    return print_pw(rc, res);
  }
  if (argc >= 3 && strcmp(argv[1], "short") == 0) return short_buffers(argv[2]);
  if (argc >= 6 && strcmp(argv[1], "threads") == 0) {
    return threads(atoi(argv[2]), atof(argv[3]), argv[4], (uid_t)strtoul(argv[5], NULL, 10));
  }
  if (argc >= 2 && strcmp(argv[1], "pwent") == 0) return enumerate(0);
  if (argc >= 2 && strcmp(argv[1], "grent") == 0) return enumerate(1);
  fprintf(stderr, "usage: nss_probe pw|pwuid|gr|grgid|groups|short|threads|pwent|grent ...\n");
  return 2;
}
