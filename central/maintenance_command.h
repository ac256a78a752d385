// Maintenance of an initialised central's directory (docs/design.md §5):
//   staffgate-central cert renew [--dir DIR] [--san NAME ...]
//   staffgate-central token rotate [--dir DIR]
// Both work on the files `init` made, whether or not the central runs.
// Run as root on a directory owned by the service user, the files written
// are handed to that user, as `init` made them.
#ifndef STAFFGATE_CENTRAL_MAINTENANCE_COMMAND_H_
#define STAFFGATE_CENTRAL_MAINTENANCE_COMMAND_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace staffgate::central {

inline constexpr char kDefaultCentralDir[] = "/var/lib/staffgate-central";

// Writes DIR/`name` atomically with `mode` and, when run as root on a DIR
// that belongs to another user (the service user), gives the file to DIR's
// owner, as `init` made it. Errors: kIo.
common::Result<void> WriteOwnedFile(const std::string& dir, const char* name,
                                    const std::string& data, mode_t mode);

// Issues a new server key and certificate (tls.key, tls.crt) under the
// CA in DIR (ca.pem, ca.key), so every workstation keeps trusting the
// central. Names: localhost, 127.0.0.1 and `sans`, or, when `sans` is
// empty, the names of the current tls.crt. The running central serves the
// new certificate after a restart. Returns the names certified.
// Errors: kInvalidInput (no ca.key: a central initialised before it was
// kept; a bad SAN), kIo, kInternal. Nothing is written on error.
common::Result<std::vector<std::string>> RenewCertificate(const std::string& dir,
                                                          const std::vector<std::string>& sans);

// Replaces the admin token: a new one in DIR/admin.token (0600) and its
// hash in the database named by DIR/central.conf. A running central keeps
// the hash in memory: it takes the new one (and refuses the old) on SIGHUP
// (`systemctl reload staffgate-central`) or at restart.
// Errors: kConfig (central.conf), kIo, kInternal; on a database error the
// old token file is put back.
common::Result<void> RotateAdminToken(const std::string& dir);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_MAINTENANCE_COMMAND_H_
