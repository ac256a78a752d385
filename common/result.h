// Errors as values. Every fallible staffgate function returns Result<T>;
// the ErrorKind tells the caller what to do next, the message is for humans
// (logs, one-line CLI errors) and never carries secrets.
#ifndef STAFFGATE_COMMON_RESULT_H_
#define STAFFGATE_COMMON_RESULT_H_

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace staffgate::common {

enum class ErrorKind {
  kInvalidInput,   // The input is malformed or violates a rule: reject it, keep state.
  kTooLarge,       // The input exceeds a size or depth cap: reject it, keep state.
  kBadSignature,   // No valid signature from a trusted key: reject, audit.
  kExpired,        // Signed data whose validity has ended: reject (or go offline).
  kRollback,       // Older than what we already trust: reject, audit.
  kNotFound,       // The thing does not exist: often a normal answer.
  kForbidden,      // The caller may not do this: answer "forbidden".
  kUnavailable,    // A peer cannot be reached (socket, network): retry later.
  kTimeout,        // The deadline passed: treat as unavailable.
  kPermission,     // An OS permission or ownership check failed: do not trust the peer.
  kIo,             // A local I/O error (disk full, EIO): keep the old state, log.
  kConfig,         // Bad configuration: refuse to start.
  kInternal,       // A bug or an impossible state: log loudly.
};

// A short stable name for the kind ("invalid_input", "timeout", ...).
std::string_view ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;

  std::string ToString() const;
};

// [[nodiscard]]: a dropped Result is a dropped error. A caller that really
// has nothing to do with one says so, with the reason, e.g.
// `(void)Remove(path);  // Best effort: the file may already be gone.`
// A thin subclass rather than an alias because an alias cannot carry the
// attribute; it converts to and from tl::expected<T, Error> implicitly.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using Base = tl::expected<T, Error>;
  using Base::Base;
  using Base::operator=;
  Result() = default;
  Result(const Base& other) : Base(other) {}        // NOLINT(google-explicit-constructor)
  Result(Base&& other) : Base(std::move(other)) {}  // NOLINT(google-explicit-constructor)
};

// An error value for a Result of any type: `return Fail(kIo, "...")`.
inline tl::unexpected<Error> Fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(message)});
}

// Shorthand for a Result<void> success.
inline Result<void> Ok() { return {}; }

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_RESULT_H_
