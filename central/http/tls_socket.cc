#include "central/http/tls_socket.h"

#include <openssl/err.h>
#include <sys/socket.h>

#include <boost/asio/ssl/error.hpp>
#include <cerrno>

namespace staffgate::central {

namespace net = boost::asio;
using boost::beast::error_code;

TlsSocket::Impl::Impl(net::ip::tcp::socket s, SSL_CTX* ctx)
    : socket(std::move(s)), timer(socket.get_executor()), ssl(SSL_new(ctx)) {
  error_code ignored;
  socket.non_blocking(true, ignored);
  if (ssl == nullptr) return;
  if (SSL_set_fd(ssl, socket.native_handle()) != 1) {
    SSL_free(ssl);
    ssl = nullptr;
    return;
  }
  SSL_set_accept_state(ssl);
}

TlsSocket::Impl::~Impl() {
  if (ssl != nullptr) SSL_free(ssl);
}

TlsSocket::TlsSocket(net::ip::tcp::socket socket, SSL_CTX* ctx)
    : impl_(std::make_shared<Impl>(std::move(socket), ctx)) {}

TlsSocket::~TlsSocket() {
  // Pending handlers keep impl_ alive; they must not wait on a socket the
  // owner has given up.
  error_code ignored;
  try {
    impl_->timer.cancel();  // Throws only when the OS refuses (Boost 1.74).
  } catch (...) {
  }
  impl_->socket.close(ignored);
}

void TlsSocket::expires_after(std::chrono::steady_clock::duration timeout) {
  const unsigned deadline = ++impl_->deadline;
  impl_->timed_out = false;
  impl_->timer.expires_after(timeout);
  impl_->timer.async_wait([impl = impl_, deadline](error_code ec) {
    if (ec || deadline != impl->deadline) return;  // Cancelled or superseded.
    impl->timed_out = true;
    error_code ignored;
    impl->socket.cancel(ignored);  // Pending waits end with operation_aborted.
  });
}

void TlsSocket::expires_never() {
  ++impl_->deadline;
  impl_->timed_out = false;
  impl_->timer.cancel();
}

// After close_notify: no more sending (FIN), then whatever the peer still
// sends is read and dropped until it closes. Closing with unread bytes
// would send a reset, and the peer could lose the answer just written
// (a 413 for a body it is still sending).
TlsSocket::Attempt TlsSocket::Drain(Impl& impl) {
  Attempt out;
  const int fd = impl.socket.native_handle();
  if (!impl.send_shut) {
    ::shutdown(fd, SHUT_WR);
    impl.send_shut = true;
  }
  char sink[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) out.want = Want::kRead;
    return out;  // 0: the peer closed; another error: nothing left to wait for.
  }
}

TlsSocket::Attempt TlsSocket::Try(Impl& impl, Kind kind, void* data, std::size_t size) {
  Attempt out;
  if (impl.ssl == nullptr) {
    out.ec = net::error::no_memory;
    return out;
  }
  if (impl.timed_out) {
    out.ec = boost::beast::error::timeout;
    return out;
  }
  const int len = static_cast<int>(std::min<std::size_t>(size, 1U << 30));
  ERR_clear_error();
  errno = 0;
  int rc = 0;
  switch (kind) {
    case Kind::kHandshake:
      rc = SSL_do_handshake(impl.ssl);
      break;
    case Kind::kRead:
      if (len == 0) return out;
      rc = SSL_read(impl.ssl, data, len);
      break;
    case Kind::kWrite:
      if (len == 0) return out;
      rc = SSL_write(impl.ssl, data, len);
      break;
    case Kind::kShutdown:
      if (!impl.close_notify_sent) {
        rc = SSL_shutdown(impl.ssl);
        if (rc < 0 && SSL_get_error(impl.ssl, rc) == SSL_ERROR_WANT_WRITE) {
          out.want = Want::kWrite;
          return out;
        }
        impl.close_notify_sent = true;
      }
      return Drain(impl);
  }
  if (rc > 0) {
    out.bytes = kind == Kind::kRead || kind == Kind::kWrite ? static_cast<std::size_t>(rc) : 0;
    return out;
  }
  const int saved_errno = errno;
  switch (SSL_get_error(impl.ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      out.want = Want::kRead;
      break;
    case SSL_ERROR_WANT_WRITE:
      out.want = Want::kWrite;
      break;
    case SSL_ERROR_ZERO_RETURN:
      out.ec = net::error::eof;
      break;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0 && saved_errno == 0) {
        out.ec = net::ssl::error::stream_truncated;  // The peer closed without close_notify.
      } else if (saved_errno != 0) {
        out.ec = error_code(saved_errno, boost::system::system_category());
      } else {
        out.ec = error_code(static_cast<int>(ERR_get_error()), net::error::get_ssl_category());
      }
      break;
    default:
      out.ec = error_code(static_cast<int>(ERR_get_error()), net::error::get_ssl_category());
      break;
  }
  ERR_clear_error();
  return out;
}

}  // namespace staffgate::central
