// The central's own small PKI, made with the OpenSSL 3 API at `init`: a
// self-signed CA (ECDSA P-256, 10 years) whose certificate every agent
// trusts, and a server certificate it signs (2 years) for localhost,
// 127.0.0.1 and the extra names given. The CA private key is not kept: a
// new server certificate means a new `init` (or your own PKI).
#ifndef STAFFGATE_CENTRAL_TLS_CERTS_H_
#define STAFFGATE_CENTRAL_TLS_CERTS_H_

#include <string>
#include <vector>

#include "common/result.h"

namespace staffgate::central {

struct TlsMaterial {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;  // PKCS#8; secret.
};

// `sans` are DNS names or IP addresses (IPv4/IPv6 literals become IP SANs).
// Errors: kInvalidInput (a SAN that is neither), kInternal (OpenSSL).
common::Result<TlsMaterial> MakeTlsMaterial(const std::string& organization,
                                            const std::vector<std::string>& sans);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_TLS_CERTS_H_
