#include "central/pg_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "common/thread.h"

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;
using common::Result;

namespace {

// How long a wait lasts before the connection is looked at again, and the
// pause between two attempts to reach a database that is away.
constexpr int kTickMs = 1000;
// Quiet ticks before a re-read all the same: a notice can be lost without
// the connection looking broken (a silently dropped connection, until the
// keepalives notice), and a central must not serve a stale roster then.
constexpr int kRereadTicks = 2;

}  // namespace

Result<std::unique_ptr<PgListener>> PgListener::Start(std::string uri,
                                                      std::vector<std::string> channels,
                                                      Handler on_notice, common::LogFn log) {
  std::unique_ptr<PgListener> listener(
      new PgListener(std::move(uri), std::move(channels), std::move(on_notice), std::move(log)));
  int fds[2] = {-1, -1};
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Fail(ErrorKind::kIo, "cannot create the database listener's pipe");
  }
  listener->stop_read_.Reset(fds[0]);
  listener->stop_write_.Reset(fds[1]);
  PgListener* self = listener.get();
  listener->thread_ =
      common::StartGuardedThread("pg-listen", listener->log_, [self] { self->Run(); });
  return listener;
}

PgListener::PgListener(std::string uri, std::vector<std::string> channels, Handler on_notice,
                       common::LogFn log)
    : uri_(std::move(uri)),
      channels_(std::move(channels)),
      on_notice_(std::move(on_notice)),
      log_(std::move(log)) {}

PgListener::~PgListener() {
  stopping_ = true;
  const char byte = 1;
  // Wakes the thread's poll (a full pipe has woken it already).
  const ssize_t written = write(stop_write_.get(), &byte, 1);
  static_cast<void>(written);
  if (thread_.joinable()) thread_.join();
}

bool PgListener::Listen() {
  if (!conn_) {
    auto conn = PgConnection::Connect(uri_);
    if (!conn) return false;
    conn_ = std::move(*conn);
  } else if (auto ok = conn_->Reconnect(); !ok) {
    return false;
  }
  // Channel names are the callers' constants (store.h), never outside input.
  return std::all_of(channels_.begin(), channels_.end(), [this](const std::string& channel) {
    return conn_->Run("LISTEN " + channel, {}).has_value();
  });
}

bool PgListener::Wait(int ms, bool on_socket) {
  // poll(2) skips a negative fd: the pause alone, or the stop pipe.
  const int socket = on_socket && conn_ ? conn_->Socket() : -1;
  pollfd fds[2] = {{stop_read_.get(), POLLIN, 0}, {socket, POLLIN, 0}};
  const int n = poll(fds, 2, ms);
  return n > 0 && !stopping_ && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
}

void PgListener::Run() {
  bool listening = false;
  bool said_away = false;
  bool reread = false;  // A re-read of everything is owed.
  int quiet_ticks = 0;
  while (!stopping_) {
    if (reread && listening) reread = !on_notice_("");
    if (!listening) {
      listening = Listen();
      if (!listening) {
        if (!said_away) log_(LOG_WARNING, "database listener: the database is away; retrying");
        said_away = true;
        (void)Wait(kTickMs, /*on_socket=*/false);
        continue;
      }
      said_away = false;
      reread = !on_notice_("");  // Whatever was sent while away is lost.
    }
    if (!Wait(kTickMs, /*on_socket=*/true)) {
      if (!conn_->Up()) listening = false;
      if (++quiet_ticks >= kRereadTicks) {
        quiet_ticks = 0;
        reread = true;
      }
      continue;
    }
    quiet_ticks = 0;
    auto channels = conn_->TakeNotifications();
    if (!channels) {
      log_(LOG_WARNING, "database listener: " + channels.error().message);
      listening = false;
      continue;
    }
    for (const std::string& channel : *channels) {
      if (!on_notice_(channel)) reread = true;
    }
  }
}

}  // namespace staffgate::central
