#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "common/unique_fd.h"

namespace staffgate::common {
namespace {

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + strerror(errno);
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> ReadAll(int fd, const std::string& path, std::size_t max_bytes) {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorKind::kIo, ErrnoText("cannot read", path));
    }
    if (n == 0) break;
    if (data.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Fail(ErrorKind::kTooLarge,
                  path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

Result<UniqueFd> OpenRegular(const std::string& path, bool no_follow, struct stat* st) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (no_follow ? O_NOFOLLOW : 0);
  UniqueFd fd(open(path.c_str(), flags));
  if (!fd) {
    if (errno == ELOOP && no_follow) {
      return Fail(ErrorKind::kInvalidInput,
                  path + " is a symbolic link, which is not accepted here");
    }
    ErrorKind kind = errno == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo;
    return Fail(kind, ErrnoText("cannot open", path));
  }
  if (fstat(fd.get(), st) != 0) return Fail(ErrorKind::kIo, ErrnoText("cannot stat", path));
  if (!S_ISREG(st->st_mode)) {
    return Fail(ErrorKind::kInvalidInput, path + " is not a regular file");
  }
  return fd;
}

}  // namespace

Result<std::string> ReadFileCapped(const std::string& path, std::size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    ErrorKind kind = errno == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo;
    return Fail(kind, ErrnoText("cannot open", path));
  }
  return ReadAll(fd.get(), path, max_bytes);
}

Result<std::string> ReadRegularFile(const std::string& path, std::size_t max_bytes,
                                    bool no_follow) {
  struct stat st {};
  auto fd = OpenRegular(path, no_follow, &st);
  if (!fd) return tl::unexpected(fd.error());
  return ReadAll(fd->get(), path, max_bytes);
}

Result<std::string> ReadSecretFile(const std::string& path, std::size_t max_bytes) {
  struct stat st {};
  auto fd = OpenRegular(path, false, &st);
  if (!fd) {
    if (fd.error().kind == ErrorKind::kInvalidInput) {
      return Fail(ErrorKind::kPermission, fd.error().message);
    }
    return tl::unexpected(fd.error());
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    (void)std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorKind::kPermission, std::string("permissions ") + mode + " for " + path +
                                            " are too open: it holds a secret (chmod 600 " + path +
                                            ")");
  }
  return ReadAll(fd->get(), path, max_bytes);
}

Result<void> WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  std::random_device rd;
  std::string tmp = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(rd());
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) return Fail(ErrorKind::kIo, ErrnoText("cannot create", tmp));
  auto fail = [&](const char* what) {
    auto err = Fail(ErrorKind::kIo, ErrnoText(what, tmp));
    fd.Reset();
    unlink(tmp.c_str());
    return err;
  };
  std::size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (fchmod(fd.get(), mode) != 0) return fail("cannot chmod");
  if (fsync(fd.get()) != 0) return fail("cannot fsync");
  if (fd.Close() != 0) {
    unlink(tmp.c_str());
    return Fail(ErrorKind::kIo, ErrnoText("cannot close", tmp));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = Fail(ErrorKind::kIo, ErrnoText("cannot rename onto", path));
    unlink(tmp.c_str());
    return err;
  }
  UniqueFd dir(open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) {
    // The rename is only durable once the directory entry is on disk.
    int rc = fsync(dir.get());
    if (rc != 0) return Fail(ErrorKind::kIo, ErrnoText("cannot fsync directory of", path));
  }
  return Ok();
}

}  // namespace staffgate::common
