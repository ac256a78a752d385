// Small, careful file helpers: bounded reads and crash-safe replacement.
#ifndef STAFFGATE_COMMON_FILE_UTIL_H_
#define STAFFGATE_COMMON_FILE_UTIL_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::common {

// Reads a whole file of at most `max_bytes`.
// Errors: kNotFound (ENOENT), kTooLarge, kIo (anything else, with errno text).
Result<std::string> ReadFileCapped(const std::string& path, std::size_t max_bytes);

// Like ReadFileCapped, for a path someone else named (staffgatectl roster
// install) or in a directory others might plant files in: opened
// non-blocking, so a FIFO or a device never blocks the caller, and refused
// unless it is a regular file. With `no_follow`, a symlink as the last
// component is refused too. Errors: as ReadFileCapped, and kInvalidInput
// "FILE is not a regular file".
Result<std::string> ReadRegularFile(const std::string& path, std::size_t max_bytes,
                                    bool no_follow = false);

// Like ReadRegularFile for a file holding a secret (a token): refused, as
// ssh refuses a private key, when group or others may read or write it.
// The checks are made on the opened file, so it cannot be swapped between
// check and read. Errors: as ReadRegularFile, and kPermission
// "permissions 0644 for FILE are too open ...".
Result<std::string> ReadSecretFile(const std::string& path, std::size_t max_bytes);

// Replaces `path` atomically: writes a temp file in the same directory,
// fsyncs it, renames it over `path` and fsyncs the directory. On any error
// the old file is untouched and the temp file removed. Errors: kIo.
Result<void> WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_FILE_UTIL_H_
