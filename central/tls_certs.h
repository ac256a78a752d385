// The central's own small PKI, made with the OpenSSL 3 API at `init`: a
// self-signed CA (ECDSA P-256, 10 years) whose certificate every agent
// trusts, and a server certificate it signs (825 days) for localhost,
// 127.0.0.1 and the extra names given. The CA key is kept beside them
// (ca.key, 0600) so `staffgate-central cert renew` can issue the next
// server certificate under the same CA and no workstation has to be
// touched; whoever holds tls.key can already impersonate the central.
#ifndef STAFFGATE_CENTRAL_TLS_CERTS_H_
#define STAFFGATE_CENTRAL_TLS_CERTS_H_

#include <string>
#include <vector>

#include "common/result.h"

namespace staffgate::central {

struct TlsMaterial {
  std::string ca_cert_pem;
  std::string ca_key_pem;  // PKCS#8; secret. Empty from RenewServerCert.
  std::string server_cert_pem;
  std::string server_key_pem;  // PKCS#8; secret.
};

// `sans` are DNS names or IP addresses (IPv4/IPv6 literals become IP SANs).
// Errors: kInvalidInput (a SAN that is neither), kInternal (OpenSSL).
common::Result<TlsMaterial> MakeTlsMaterial(const std::string& organization,
                                            const std::vector<std::string>& sans);

// A new server key and certificate signed by the CA given (its PEM
// certificate and key), for localhost, 127.0.0.1 and `sans`; the
// organisation comes from the CA. Errors: kInvalidInput (a bad SAN, a CA
// that does not parse, a key that is not the CA's), kInternal (OpenSSL).
common::Result<TlsMaterial> RenewServerCert(const std::string& ca_cert_pem,
                                            const std::string& ca_key_pem,
                                            const std::vector<std::string>& sans);

// The DNS and IP subject alternative names of a PEM certificate, in order
// (the first certificate of a chain). Errors: kInvalidInput.
common::Result<std::vector<std::string>> CertSans(const std::string& cert_pem);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_TLS_CERTS_H_
