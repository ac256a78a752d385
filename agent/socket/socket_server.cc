#include "agent/socket/socket_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/socket/socket_loop.h"

namespace staffgate::agent {
namespace {

using common::ErrorKind;

std::string Errno(const std::string& what) { return what + ": " + strerror(errno); }

void MakeParentDirs(const std::string& path) {
  for (std::size_t pos = path.find('/', 1); pos != std::string::npos;
       pos = path.find('/', pos + 1)) {
    mkdir(path.substr(0, pos).c_str(), 0755);  // EEXIST is fine.
  }
}

// True when something accepts connections on `addr`.
bool SomeoneListens(const sockaddr_un& addr) {
  common::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  return connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

}  // namespace

SocketServer::SocketServer(SocketServerOptions options, Handler handler, common::LogFn log)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      log_(std::move(log)),
      quota_(ConnectionLimits{options_.max_connections, options_.root_reserve,
                              options_.per_uid_connections}) {}

SocketServer::~SocketServer() { Stop(); }

common::Result<void> SocketServer::Start() {
  const std::string& path = options_.path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return common::Fail(ErrorKind::kInvalidInput, "socket path is empty or too long: " + path);
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  MakeParentDirs(path);

  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return common::Fail(ErrorKind::kIo, path + " exists and is not a socket; not touching it");
    }
    if (SomeoneListens(addr)) {
      return common::Fail(ErrorKind::kUnavailable,
                          "another process is already answering on " + path);
    }
    unlink(path.c_str());  // Stale, left by a crash.
  }

  listen_fd_.Reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listen_fd_) return common::Fail(ErrorKind::kIo, Errno("socket"));
  if (bind(listen_fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    auto err = common::Fail(ErrorKind::kIo, Errno("bind " + path));
    listen_fd_.Reset();
    return err;
  }
  // Mode after bind: until then the umask made it only stricter.
  if (chmod(path.c_str(), options_.mode) != 0 || lstat(path.c_str(), &st) != 0 ||
      listen(listen_fd_.get(), 512) != 0) {
    auto err = common::Fail(ErrorKind::kIo, Errno("setting up " + path));
    Stop();
    return err;
  }
  socket_inode_ = st.st_ino;

  slow_.Start(log_);
  passwords_.Start(log_, options_.password_pool);
  const int threads = options_.threads < 1 ? 1 : options_.threads;
  for (int i = 0; i < threads; ++i) {
    loops_.push_back(std::make_unique<SocketLoop>(listen_fd_.get(), options_, handler_, log_,
                                                  quota_, slow_, passwords_));
    if (auto started = loops_.back()->Start(); !started) {
      Stop();
      return started;
    }
  }
  return common::Ok();
}

void SocketServer::Stop() {
  slow_.Stop();  // First: their tasks post into the loops.
  passwords_.Stop();
  for (auto& loop : loops_) loop->Stop();
  loops_.clear();
  if (listen_fd_) {
    listen_fd_.Reset();
    // Remove the file only if it is still the one we bound: a newer agent
    // may have replaced it.
    struct stat st {};
    if (lstat(options_.path.c_str(), &st) == 0 && st.st_ino == socket_inode_) {
      unlink(options_.path.c_str());
    }
  }
}

}  // namespace staffgate::agent
