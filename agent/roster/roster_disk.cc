#include "agent/roster/roster_disk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "common/file_util.h"
#include "common/unique_fd.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;
using common::Fail;

constexpr std::size_t kFloorBytes = 21;  // 20 digits and a newline.
constexpr std::size_t kMinReserve = 1 << 20;
constexpr int kOpenFlags = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;

common::Result<void> IoError(const std::string& what, const std::string& path, int err) {
  return Fail(ErrorKind::kIo, "cannot " + what + " " + path + ": " + std::strerror(err));
}

bool WriteAllAt(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

common::Result<void> RosterDisk::Allocate(std::size_t bytes, const std::string& what) const {
  if (!allocate_) return common::Ok();
  if (int err = allocate_(bytes); err != 0) return IoError("write", what, err);
  return common::Ok();
}

void RosterDisk::SyncDir() const {
  common::UniqueFd dir(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) (void)fsync(dir.get());
}

common::Result<std::optional<std::uint64_t>> RosterDisk::ReadFloor() const {
  auto text = common::ReadRegularFile(FloorPath(), 64, /*no_follow=*/true);
  if (!text) {
    if (text.error().kind == ErrorKind::kNotFound) return std::optional<std::uint64_t>();
    return tl::unexpected(text.error());
  }
  std::uint64_t serial = 0;
  bool ok = text->size() == kFloorBytes && text->back() == '\n';
  if (ok) {
    const char* last = text->data() + text->size() - 1;
    auto [end, ec] = std::from_chars(text->data(), last, serial);
    ok = ec == std::errc() && end == last;
  }
  if (!ok) {
    return Fail(ErrorKind::kInvalidInput, FloorPath() + " does not hold a serial");
  }
  return std::optional<std::uint64_t>(serial);
}

common::Result<void> RosterDisk::RecordFloor(std::uint64_t serial) {
  char record[kFloorBytes + 1];
  (void)std::snprintf(record, sizeof(record), "%020" PRIu64 "\n", serial);
  const std::string path = FloorPath();
  common::UniqueFd fd(open(path.c_str(), O_WRONLY | kOpenFlags));
  bool created = false;
  if (!fd && errno == ENOENT) {
    if (auto ok = Allocate(kFloorBytes, path); !ok) return ok;
    fd.Reset(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | kOpenFlags, 0644));
    created = true;
  }
  if (!fd) return IoError("open", path, errno);
  // Same length every time: an overwrite in place, no new blocks.
  if (!WriteAllAt(fd.get(), std::string_view(record, kFloorBytes))) {
    return IoError("write", path, errno ? errno : ENOSPC);
  }
  if (fdatasync(fd.get()) != 0) return IoError("sync", path, errno);
  if (created) SyncDir();
  return common::Ok();
}

common::Result<bool> RosterDisk::SaveThroughReserve(std::string_view envelope) {
  const std::string reserve = ReservePath();
  common::UniqueFd fd(open(reserve.c_str(), O_WRONLY | kOpenFlags));
  struct stat st {};
  if (!fd || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::size_t>(st.st_size) < envelope.size()) {
    return false;  // No reserve, or too small: write the usual way.
  }
  if (!WriteAllAt(fd.get(), envelope) ||
      ftruncate(fd.get(), static_cast<off_t>(envelope.size())) != 0 ||
      fchmod(fd.get(), 0644) != 0 || fsync(fd.get()) != 0) {
    int err = errno;
    unlink(reserve.c_str());  // Half written: never a roster.
    return tl::unexpected(IoError("write", reserve, err).error());
  }
  fd.Reset();
  if (rename(reserve.c_str(), RosterPath().c_str()) != 0) {
    return tl::unexpected(IoError("rename onto", RosterPath(), errno).error());
  }
  SyncDir();
  return true;
}

common::Result<void> RosterDisk::SaveRoster(std::string_view envelope) {
  auto through = SaveThroughReserve(envelope);
  if (!through) return tl::unexpected(through.error());
  if (!*through) {
    if (auto ok = Allocate(envelope.size(), RosterPath()); !ok) return ok;
    if (auto ok = common::WriteFileAtomic(RosterPath(), envelope, 0644); !ok) return ok;
  }
  return common::Ok();
}

common::Result<void> RosterDisk::Reserve(std::size_t roster_bytes) {
  const std::size_t want = std::max(kMinReserve, 2 * roster_bytes);
  const std::string path = ReservePath();
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::size_t>(st.st_size) >= want) {
    return common::Ok();
  }
  if (auto ok = Allocate(want, path); !ok) return ok;
  common::UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | kOpenFlags, 0644));
  if (!fd) return IoError("create", path, errno);
  if (int err = posix_fallocate(fd.get(), 0, static_cast<off_t>(want)); err != 0) {
    unlink(path.c_str());
    return IoError("reserve space in", path, err);
  }
  if (fsync(fd.get()) != 0) return IoError("sync", path, errno);
  SyncDir();
  return common::Ok();
}

}  // namespace staffgate::agent
