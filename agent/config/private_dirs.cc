#include "agent/config/private_dirs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace staffgate::agent {

using common::ErrorKind;
using common::Fail;

std::string ParentDir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

common::Result<void> CheckPrivateDir(const std::string& dir, const std::string& key) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return common::Ok();
    return Fail(ErrorKind::kIo, key + " " + dir + " cannot be checked: " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Fail(ErrorKind::kPermission, key + " " + dir + " is not a directory; refusing to start");
  }
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return Fail(ErrorKind::kPermission, key + " " + dir + " is owned by uid " +
                                            std::to_string(st.st_uid) + ", not by root or uid " +
                                            std::to_string(geteuid()) +
                                            " that the agent runs as; refusing to start");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    (void)std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorKind::kPermission, key + " " + dir +
                                            " is writable by its group or others (mode " + mode +
                                            "); refusing to start (chmod go-w " + dir + ")");
  }
  return common::Ok();
}

}  // namespace staffgate::agent
