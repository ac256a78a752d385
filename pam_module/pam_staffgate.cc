// pam_staffgate.so: the C ABI libpam calls. Each entry point only adapts to
// module_core and makes sure no C++ exception ever crosses extern "C" (one
// escaping would abort the login process: sshd, gdm, su).
#include <security/pam_modules.h>

#include <cstdlib>

#include "pam_module/module_core.h"
#include "pam_module/pam_context.h"

// The static C++ runtime's default terminate handler prints the pending
// exception's demangled type on stderr, which here is the host's (sshd's, a
// display manager's); it also brings the demangler and stdio into every
// login process (docs/performance.md, "Where the module's cost goes").
// Defining it here keeps libstdc++'s own out of the link. Nothing reaches
// std::terminate but a broken invariant (each entry point catches
// everything), so this copy aborts without a word, as terminate must.
namespace __gnu_cxx {
void __verbose_terminate_handler() { std::abort(); }
}  // namespace __gnu_cxx

namespace {

using staffgate::pam::Stage;

int Run(pam_handle_t* pamh, Stage stage, int flags, int argc, const char** argv) {
  try {
    staffgate::pam::LibPamContext ctx(pamh);
    return staffgate::pam::RunStage(ctx, staffgate::pam::RealDeps(), stage, flags, argc, argv);
  } catch (...) {
    return PAM_SYSTEM_ERR;
  }
}

}  // namespace

extern "C" {

PAM_EXTERN __attribute__((visibility("default"))) int pam_sm_authenticate(pam_handle_t* pamh,
                                                                          int flags, int argc,
                                                                          const char** argv) {
  return Run(pamh, Stage::kAuth, flags, argc, argv);
}

// Credentials are not ours to set: the account check happens in acct_mgmt.
PAM_EXTERN __attribute__((visibility("default"))) int pam_sm_setcred(pam_handle_t* /*pamh*/,
                                                                     int /*flags*/, int /*argc*/,
                                                                     const char** /*argv*/) {
  return PAM_IGNORE;
}

PAM_EXTERN __attribute__((visibility("default"))) int pam_sm_acct_mgmt(pam_handle_t* pamh,
                                                                       int flags, int argc,
                                                                       const char** argv) {
  return Run(pamh, Stage::kAccount, flags, argc, argv);
}

PAM_EXTERN __attribute__((visibility("default"))) int pam_sm_open_session(pam_handle_t* pamh,
                                                                          int flags, int argc,
                                                                          const char** argv) {
  return Run(pamh, Stage::kSessionOpen, flags, argc, argv);
}

PAM_EXTERN __attribute__((visibility("default"))) int pam_sm_close_session(pam_handle_t* pamh,
                                                                           int flags, int argc,
                                                                           const char** argv) {
  return Run(pamh, Stage::kSessionClose, flags, argc, argv);
}

// Staffgate passwords change at the central (docs/design.md §10); an
// account staffgate does not manage answers PAM_USER_UNKNOWN (pam_unix's).
PAM_EXTERN __attribute__((visibility("default"))) int pam_sm_chauthtok(pam_handle_t* pamh,
                                                                       int flags, int argc,
                                                                       const char** argv) {
  return Run(pamh, Stage::kPassword, flags, argc, argv);
}

}  // extern "C"
