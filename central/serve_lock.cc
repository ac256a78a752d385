#include "central/serve_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "central/database.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;

// Opens the lock file without trusting what is already there: the
// directory belongs to the service user, and root may run migrate in it.
// Only a file this call created is given its mode; an existing one must be
// a plain file (not a link, FIFO or device) and is not changed.
common::Result<common::UniqueFd> OpenLockFile(const std::string& path) {
  constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
  common::UniqueFd fd(open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0644));
  if (fd) {
    (void)fchmod(fd.get(), 0644);  // Whatever the umask: the service user opens root's.
    return fd;
  }
  if (errno == EEXIST) fd.Reset(open(path.c_str(), kFlags));
  if (!fd) {
    if (errno == ELOOP) {
      return Fail(ErrorKind::kIo, path + " is a symbolic link; remove it (it holds nothing)");
    }
    return Fail(ErrorKind::kIo, "cannot open the lock file " + path + ": " + strerror(errno));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Fail(ErrorKind::kIo, path + " is not a plain file; remove it (it holds nothing)");
  }
  return fd;
}

}  // namespace

common::Result<ServeLock> ServeLock::Take(const std::string& db_path) {
  const std::string path = PathFor(db_path);
  auto fd = OpenLockFile(path);
  if (!fd) return tl::unexpected(fd.error());
  while (flock(fd->get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      std::string message = "another staffgate-central process is using ";
      message.append(db_path).append(" (it holds ").append(path).append("); stop it first");
      return Fail(ErrorKind::kUnavailable, message);
    }
    return Fail(ErrorKind::kIo, "cannot lock " + path + ": " + strerror(errno));
  }
  return ServeLock(std::move(*fd));
}

common::Result<std::optional<ServeLock>> ServeLock::TakeIfSqlite(const std::string& location) {
  if (IsPostgresUri(location)) return std::optional<ServeLock>();
  auto taken = Take(location);
  if (!taken) return tl::unexpected(taken.error());
  return std::optional<ServeLock>(std::move(*taken));
}

}  // namespace staffgate::central
