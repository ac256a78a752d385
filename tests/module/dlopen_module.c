/* Loads pam_staffgate.so the way libpam does (dlopen RTLD_NOW, libpam's
 * pam_dynamic.c), so an unresolved symbol or a missing NEEDED library fails
 * here instead of locking people out. Also checks each pam_sm_* entry point
 * resolves and that internal symbols do not. Exit 0 on success. */
#include <dlfcn.h>
#include <stdio.h>

#include <security/pam_modules.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODULE.so\n", argv[0]);
    return 2;
  }
  /* Make sure libpam is linked into this program, as in every PAM host. */
  if (pam_get_item == NULL) return 2;
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    fprintf(stderr, "dlopen failed: %s\n", dlerror());
    return 1;
  }
  static const char* const kEntryPoints[] = {
      "pam_sm_authenticate", "pam_sm_setcred",       "pam_sm_acct_mgmt",
      "pam_sm_open_session", "pam_sm_close_session", "pam_sm_chauthtok"};
  int failures = 0;
  for (size_t i = 0; i < sizeof(kEntryPoints) / sizeof(kEntryPoints[0]); ++i) {
    if (dlsym(handle, kEntryPoints[i]) == NULL) {
      fprintf(stderr, "missing entry point %s\n", kEntryPoints[i]);
      ++failures;
    }
  }
  /* Internal C++ symbols must stay local (version script). */
  static const char* const kHidden[] = {"_ZN9staffgate6common9CallAgentERKNS0_13ClientOptionsERKNS0_7RequestE",
                                        "_ZN9staffgate3pam8RunStageERNS0_10PamContextERKNS0_8CoreDepsENS0_5StageEiiPPKc"};
  for (size_t i = 0; i < sizeof(kHidden) / sizeof(kHidden[0]); ++i) {
    if (dlsym(handle, kHidden[i]) != NULL) {
      fprintf(stderr, "internal symbol exported: %s\n", kHidden[i]);
      ++failures;
    }
  }
  if (dlclose(handle) != 0) {
    fprintf(stderr, "dlclose failed: %s\n", dlerror());
    ++failures;
  }
  if (failures == 0) printf("dlopen(RTLD_NOW) of %s: ok\n", argv[1]);
  return failures == 0 ? 0 : 1;
}
