// `staffgate-central sign`: offline publishing of a roster payload file.
#ifndef STAFFGATE_CENTRAL_SIGN_COMMAND_H_
#define STAFFGATE_CENTRAL_SIGN_COMMAND_H_

#include <string>

#include "common/result.h"

namespace staffgate::central {

// Signs the bytes of `payload_path` exactly as they are (no re-serialisation)
// into a DSSE roster envelope written atomically to `out_path` (0644).
// The payload must parse as a staffgate.roster.v1 roster, so a typo is caught
// here rather than on every workstation.
// Errors: kIo/kNotFound (files), kInvalidInput (key or payload), kTooLarge.
common::Result<void> SignRosterFile(const std::string& key_path, const std::string& payload_path,
                                    const std::string& out_path);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_SIGN_COMMAND_H_
