/* Loads pam_staffgate.so the way libpam does (dlopen RTLD_NOW, libpam's
 * pam_dynamic.c), so an unresolved symbol or a missing NEEDED library fails
 * here instead of locking people out. Also checks each pam_sm_* entry point
 * resolves and that internal symbols do not. Exit 0 on success. */
#include <dlfcn.h>
#include <malloc.h>
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* No prompts are expected: refuse any conversation. */
static int NoConv(int n, const struct pam_message** msg, struct pam_response** resp, void* data) {
  (void)n;
  (void)msg;
  (void)resp;
  (void)data;
  return PAM_CONV_ERR;
}

/* Runs pam_start_confdir / pam_acct_mgmt / pam_end (libpam dlopens and
 * dlcloses the module each time) and returns the acct_mgmt code. */
static int OneLogin(const char* confdir, const char* user) {
  struct pam_conv conv = {NoConv, NULL};
  pam_handle_t* pamh = NULL;
  int rc = pam_start_confdir("sg-dlopen", user, &conv, confdir, &pamh);
  if (rc != PAM_SUCCESS) return -1;
  rc = pam_acct_mgmt(pamh, 0);
  pam_end(pamh, rc);
  return rc;
}

/* Repeated logins in one long-lived process must not grow the heap: the
 * statically linked C++ runtime allocates its exception pool once per load,
 * which is why the module is linked -z nodelete. */
static int CheckLoginCycles(const char* relative) {
  /* libpam resolves a relative module path against its own module dir. */
  char* module = realpath(relative, NULL);
  if (module == NULL) return 1;
  char confdir[] = "/tmp/sg-dlopen-XXXXXX";
  if (mkdtemp(confdir) == NULL) return 1;
  char path[512];
  (void)snprintf(path, sizeof(path), "%s/sg-dlopen", confdir);
  FILE* f = fopen(path, "w");
  if (f == NULL) {
    free(module);
    return 1;
  }
  (void)fprintf(f, "account required %s socket=%s/missing.sock min_uid=1000\n", module, confdir);
  (void)fprintf(f, "account required pam_permit.so\n");
  (void)fclose(f);
  int failures = 0;
  /* root never reaches the agent; an unknown account asks a missing agent. */
  int rc = OneLogin(confdir, "root");
  if (rc != PAM_SUCCESS) {
    (void)fprintf(stderr, "root login through the module: %d, want PAM_SUCCESS\n", rc);
    ++failures;
  }
  rc = OneLogin(confdir, "sg-no-such-account");
  if (rc != PAM_AUTHINFO_UNAVAIL) {
    (void)fprintf(stderr, "agent down: %d, want PAM_AUTHINFO_UNAVAIL\n", rc);
    ++failures;
  }
  size_t before = mallinfo2().uordblks;
  for (int i = 0; i < 100; ++i) OneLogin(confdir, i % 2 ? "root" : "sg-no-such-account");
  size_t after = mallinfo2().uordblks;
  /* One leaked pool per cycle would be ~7 MB; allow allocator noise. */
  if (after > before + 64UL * 1024) {
    (void)fprintf(stderr, "heap grew by %zu bytes over 100 logins\n", after - before);
    ++failures;
  } else {
    printf("100 logins: heap grew by %zd bytes\n", (ssize_t)(after - before));
  }
  unlink(path);
  rmdir(confdir);
  free(module);
  return failures;
}

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    (void)fprintf(stderr, "usage: %s MODULE.so [--no-cycle-check]\n", argv[0]);
    return 2;
  }
  int cycle_check = !(argc == 3 && strcmp(argv[2], "--no-cycle-check") == 0);
  /* Make sure libpam is linked into this program, as in every PAM host. */
  if (pam_get_item == NULL) return 2;
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    (void)fprintf(stderr, "dlopen failed: %s\n", dlerror());
    return 1;
  }
  static const char* const kEntryPoints[] = {"pam_sm_authenticate",  "pam_sm_setcred",
                                             "pam_sm_acct_mgmt",     "pam_sm_open_session",
                                             "pam_sm_close_session", "pam_sm_chauthtok"};
  int failures = 0;
  for (size_t i = 0; i < sizeof(kEntryPoints) / sizeof(kEntryPoints[0]); ++i) {
    if (dlsym(handle, kEntryPoints[i]) == NULL) {
      (void)fprintf(stderr, "missing entry point %s\n", kEntryPoints[i]);
      ++failures;
    }
  }
  /* Internal C++ symbols must stay local (version script). */
  static const char* const kHidden[] = {
      "_ZN9staffgate6common9CallAgentERKNS0_13ClientOptionsERKNS0_7RequestE",
      "_ZN9staffgate3pam8RunStageERNS0_10PamContextERKNS0_8CoreDepsENS0_5StageEiiPPKc"};
  for (size_t i = 0; i < sizeof(kHidden) / sizeof(kHidden[0]); ++i) {
    if (dlsym(handle, kHidden[i]) != NULL) {
      (void)fprintf(stderr, "internal symbol exported: %s\n", kHidden[i]);
      ++failures;
    }
  }
  if (dlclose(handle) != 0) {
    (void)fprintf(stderr, "dlclose failed: %s\n", dlerror());
    ++failures;
  }
  if (cycle_check) failures += CheckLoginCycles(argv[1]);
  if (failures == 0) printf("dlopen(RTLD_NOW) of %s: ok\n", argv[1]);
  return failures == 0 ? 0 : 1;
}
