#include "central/serve_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;

common::Result<ServeLock> ServeLock::Take(const std::string& db_path) {
  const std::string path = PathFor(db_path);
  // O_NOFOLLOW: the directory belongs to the service user, and root may
  // run migrate in it.
  common::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) {
    return Fail(ErrorKind::kIo, "cannot open the lock file " + path + ": " + strerror(errno));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 0777) != 0644) {
    (void)fchmod(fd.get(), 0644);  // A umask of 077 would leave it root's alone.
  }
  while (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return Fail(ErrorKind::kUnavailable,
                  "another staffgate-central is using " + db_path + " (it holds " + path +
                      "): stop it first; two on one SQLite database would publish the same "
                      "serials");
    }
    return Fail(ErrorKind::kIo, "cannot lock " + path + ": " + strerror(errno));
  }
  return ServeLock(std::move(fd));
}

}  // namespace staffgate::central
