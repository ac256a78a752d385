// Internal to the server (includes Asio; never include from elsewhere).
// One TLS connection over a TCP socket for Beast, with OpenSSL reading and
// writing the socket itself (SSL_set_fd) instead of Asio's ssl::stream.
//
// Why: asio::ssl::stream keeps two 17 KiB buffers and a BIO pair of two
// more in every connection, about 68 KiB whatever the traffic, and the
// central holds thousands of idle long-polls. Here OpenSSL's own record
// buffers are released while a connection is idle (SSL_MODE_RELEASE_BUFFERS
// on the context), so a held long-poll costs a few KiB
// (docs/performance.md, "Central: long-poll fan-out").
//
// It models Beast's AsyncReadStream and AsyncWriteStream (any completion
// token), adds the handshake and shutdown, and one deadline in the manner
// of beast::tcp_stream: expires_after() bounds the operations in progress
// and those started before the next call; when it passes, they complete
// with beast::error::timeout. Completions never run inside the initiating
// call. Not thread-safe: use it from one strand (the socket's executor).
#ifndef STAFFGATE_CENTRAL_HTTP_TLS_SOCKET_H_
#define STAFFGATE_CENTRAL_HTTP_TLS_SOCKET_H_

#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>  // Boost 1.74 Asio uses std::exchange without it (C++20).

// clang-format off: <utility> must come before Boost (above), not sorted in.
#include <boost/asio.hpp>
#include <boost/beast/core/error.hpp>
// clang-format on

namespace staffgate::central {

class TlsSocket {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  // Takes `socket` (made non-blocking) and a new SSL object from `ctx` in
  // server mode. When OpenSSL cannot make one, every operation fails.
  TlsSocket(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx);
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;
  ~TlsSocket();

  executor_type get_executor() { return impl_->socket.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return impl_->socket; }

  void expires_after(std::chrono::steady_clock::duration timeout);
  void expires_never();

  // void(error_code)
  template <class Token>
  auto async_handshake(Token&& token) {
    return Start<void(boost::beast::error_code)>(Op(impl_, Kind::kHandshake, nullptr, 0),
                                                 std::forward<Token>(token));
  }
  // Sends close_notify and ends sending, then reads and drops what the
  // peer still sends until it closes (bounded by the deadline).
  // void(error_code)
  template <class Token>
  auto async_shutdown(Token&& token) {
    return Start<void(boost::beast::error_code)>(Op(impl_, Kind::kShutdown, nullptr, 0),
                                                 std::forward<Token>(token));
  }
  // void(error_code, std::size_t). Reads into the first non-empty buffer;
  // the peer's close_notify is net::error::eof, a close without it
  // net::ssl::error::stream_truncated.
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    boost::asio::mutable_buffer first;
    // An iterator or a pointer, by the buffer sequence's type.
    // NOLINTNEXTLINE(readability-qualified-auto)
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && first.size() == 0; ++it) {
      first = *it;
    }
    return Start<void(boost::beast::error_code, std::size_t)>(
        Op(impl_, Kind::kRead, first.data(), first.size()), std::forward<Token>(token));
  }
  // void(error_code, std::size_t). Small buffers (an HTTP header is a dozen
  // of them) are gathered into one TLS record of up to kGatherBytes; a
  // large first buffer is written from where it is.
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    Op op(impl_, Kind::kWrite, nullptr, 0);
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b = *it;
      if (b.size() == 0) continue;
      if (op.gathered.empty() && b.size() >= kGatherBytes) {
        op.data = const_cast<void*>(b.data());  // NOLINT: SSL_write only reads it.
        op.size = b.size();
        break;
      }
      const std::size_t take = std::min(b.size(), kGatherBytes - op.gathered.size());
      op.gathered.append(static_cast<const char*>(b.data()), take);
      if (op.gathered.size() == kGatherBytes) break;
    }
    return Start<void(boost::beast::error_code, std::size_t)>(std::move(op),
                                                              std::forward<Token>(token));
  }

 private:
  static constexpr std::size_t kGatherBytes = std::size_t{16} * 1024;
  enum class Kind { kHandshake, kRead, kWrite, kShutdown };
  enum class Want { kNothing, kRead, kWrite };
  // Shared with pending handlers, so a late timer or wait never touches a
  // destroyed socket.
  struct Impl {
    Impl(boost::asio::ip::tcp::socket s, SSL_CTX* ctx);
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl();
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    SSL* ssl = nullptr;
    unsigned deadline = 0;  // Which expires_after the timer serves.
    bool timed_out = false;
    bool close_notify_sent = false;
    bool send_shut = false;
  };
  // One OpenSSL call: done (ec, bytes) or what to wait for.
  struct Attempt {
    Want want = Want::kNothing;
    boost::beast::error_code ec;
    std::size_t bytes = 0;
  };
  static Attempt Try(Impl& impl, Kind kind, void* data, std::size_t size);
  static Attempt Drain(Impl& impl);

  // The composed operation: try; on "want", wait for the socket and try
  // again; a result on the first try is posted, never run inline.
  struct Op {
    Op(std::shared_ptr<Impl> i, Kind k, void* d, std::size_t n)
        : impl(std::move(i)), kind(k), data(d), size(n) {}
    std::shared_ptr<Impl> impl;
    Kind kind;
    void* data;  // Into the caller's buffers, unless `gathered` holds the bytes.
    std::size_t size;
    std::string gathered;  // A write's small buffers, copied (moves with the op).
    enum class Stage { kFirst, kWaited, kPosted } stage = Stage::kFirst;
    Attempt result;

    template <class Self>
    void operator()(Self& self, boost::beast::error_code ec = {}) {
      if (stage == Stage::kPosted) return Finish(self);
      if (stage == Stage::kWaited && ec) {
        result.ec = impl->timed_out ? boost::beast::error::timeout : ec;
        return Finish(self);
      }
      result = gathered.empty() ? Try(*impl, kind, data, size)
                                : Try(*impl, kind, gathered.data(), gathered.size());
      if (result.want != Want::kNothing) {
        stage = Stage::kWaited;
        return impl->socket.async_wait(result.want == Want::kRead
                                           ? boost::asio::ip::tcp::socket::wait_read
                                           : boost::asio::ip::tcp::socket::wait_write,
                                       std::move(self));
      }
      if (stage == Stage::kFirst) {
        stage = Stage::kPosted;
        auto ex = impl->socket.get_executor();
        return boost::asio::post(ex, std::move(self));
      }
      Finish(self);
    }
    template <class Self>
    void Finish(Self& self) {
      Complete(self, result.ec, result.bytes);
    }
  };

  // Completes with the operation's signature: (ec, bytes) or (ec).
  template <class Self>
  static auto Complete(Self& self, boost::beast::error_code ec, std::size_t bytes)
      -> decltype(self.complete(ec, bytes)) {
    return self.complete(ec, bytes);
  }
  template <class Self>
  static auto Complete(Self& self, boost::beast::error_code ec, std::size_t /*bytes*/)
      -> decltype(self.complete(ec)) {
    return self.complete(ec);
  }

  template <class Signature, class Token>
  auto Start(Op op, Token&& token) {
    return boost::asio::async_compose<Token, Signature>(std::move(op), token, impl_->socket);
  }

  std::shared_ptr<Impl> impl_;
};

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_HTTP_TLS_SOCKET_H_
