// UniqueFd: sole ownership of one file descriptor, closed exactly once (by
// the destructor, Reset or Close) unless Release hands it back to the
// caller. Move-only; a moved-from or default UniqueFd holds -1 and closes
// nothing. Header-only and allocation-free, so the PAM module (via
// staffgate_proto) uses it at no cost. Thread-compatible.
#ifndef STAFFGATE_COMMON_UNIQUE_FD_H_
#define STAFFGATE_COMMON_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace staffgate::common {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership: the caller now closes the returned fd (or -1).
  [[nodiscard]] int Release() { return std::exchange(fd_, -1); }

  // Closes the held fd (if any) and takes `fd`. Errors of close(2) are
  // ignored: the fd is released by the kernel either way.
  void Reset(int fd = -1) {
    int old = std::exchange(fd_, fd);
    if (old >= 0) ::close(old);
  }

  // Closes now and returns close(2)'s result (0, or -1 with errno), for the
  // callers to whom a failed close means lost data (a written file).
  int Close() {
    int old = std::exchange(fd_, -1);
    return old >= 0 ? ::close(old) : 0;
  }

 private:
  int fd_ = -1;
};

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_UNIQUE_FD_H_
