#include "central/maintenance_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "central/central_config.h"
#include "central/store.h"
#include "central/tls_certs.h"
#include "central/tokens.h"
#include "common/file_util.h"

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

std::string At(const std::string& dir, const char* name) { return dir + "/" + name; }

}  // namespace

// Writes `data` atomically and, when we are root and DIR belongs to
// another user (the service user), gives the file to DIR's owner.
Result<void> WriteOwnedFile(const std::string& dir, const char* name, const std::string& data,
                            mode_t mode) {
  const std::string path = At(dir, name);
  if (auto ok = common::WriteFileAtomic(path, data, mode); !ok) return ok;
  struct stat st {};
  if (geteuid() == 0 && stat(dir.c_str(), &st) == 0 && st.st_uid != 0 &&
      chown(path.c_str(), st.st_uid, st.st_gid) != 0) {
    return Fail(ErrorKind::kIo,
                "cannot give " + path + " to its directory's owner: " + std::strerror(errno));
  }
  return common::Ok();
}

Result<std::vector<std::string>> RenewCertificate(const std::string& dir,
                                                  const std::vector<std::string>& sans) {
  auto ca = common::ReadFileCapped(At(dir, "ca.pem"), 64UL * 1024);
  if (!ca) return tl::unexpected(ca.error());
  auto ca_key = common::ReadFileCapped(At(dir, "ca.key"), 64UL * 1024);
  if (!ca_key) {
    return Fail(ErrorKind::kInvalidInput,
                At(dir, "ca.key") + " cannot be read (" + ca_key.error().message +
                    "): a central initialised before the CA key was kept cannot renew under "
                    "the same CA; issue tls.crt from your own PKI instead");
  }
  std::vector<std::string> names = sans;
  if (names.empty()) {
    auto current = common::ReadFileCapped(At(dir, "tls.crt"), 64UL * 1024);
    if (!current) return tl::unexpected(current.error());
    auto kept = CertSans(*current);
    if (!kept)
      return Fail(ErrorKind::kInvalidInput, At(dir, "tls.crt") + ": " + kept.error().message);
    names = std::move(*kept);
  }
  auto tls = RenewServerCert(*ca, *ca_key, names);
  if (!tls) return tl::unexpected(tls.error());
  // The key first: a crash between the two leaves the old certificate with
  // a key it does not match, which the central refuses at start with a
  // clear error, rather than a new certificate served with the old key.
  if (auto ok = WriteOwnedFile(dir, "tls.key", tls->server_key_pem, 0600); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = WriteOwnedFile(dir, "tls.crt", tls->server_cert_pem + tls->ca_cert_pem, 0644);
      !ok) {
    return tl::unexpected(ok.error());
  }
  auto certified = CertSans(tls->server_cert_pem);
  if (!certified) return tl::unexpected(certified.error());
  return certified;
}

Result<void> RotateAdminToken(const std::string& dir) {
  auto config = LoadCentralConfig(At(dir, "central.conf"));
  if (!config) return tl::unexpected(config.error());
  auto token = NewToken();
  if (!token) return tl::unexpected(token.error());
  auto old_file = common::ReadFileCapped(At(dir, "admin.token"), 4096);
  auto store = Store::Open(config->StoreLocation());
  if (!store) return tl::unexpected(store.error());
  if (auto ok = WriteOwnedFile(dir, "admin.token", *token + "\n", 0600); !ok) return ok;
  auto set = (*store)->SetMeta("admin_token_sha256", TokenHash(*token));
  if (!set) {
    if (old_file) (void)WriteOwnedFile(dir, "admin.token", *old_file, 0600);  // Best effort.
    return set;
  }
  return common::Ok();
}

}  // namespace staffgate::central
