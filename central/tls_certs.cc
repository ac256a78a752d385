#include "central/tls_certs.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace staffgate::central {
namespace {

using common::ErrorKind;
using common::Fail;
using common::Result;

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;

auto OsslFail(const char* what) {
  return Fail(ErrorKind::kInternal, std::string("OpenSSL: ") + what);
}

Ptr<EVP_PKEY> NewP256() { return Ptr<EVP_PKEY>(EVP_EC_gen("P-256")); }

std::string Drain(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool AddSans(X509* cert, const std::vector<std::string>& sans, std::string* bad) {
  Ptr<GENERAL_NAMES> names(GENERAL_NAMES_new());
  if (!names) return false;
  for (const std::string& san : sans) {
    GENERAL_NAME* gn = nullptr;
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(san.c_str())) {
      gn = GENERAL_NAME_new();
      if (gn == nullptr) return ASN1_OCTET_STRING_free(ip), false;
      GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
    } else {
      bool ok = !san.empty() && san.size() <= 253;
      for (char ch : san) {
        ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '*');
      }
      if (!ok) {
        *bad = san;
        return false;
      }
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if ((dns == nullptr) ||
          (ASN1_STRING_set(dns, san.data(), static_cast<int>(san.size())) == 0)) {
        ASN1_IA5STRING_free(dns);
        return false;
      }
      gn = GENERAL_NAME_new();
      if (gn == nullptr) return ASN1_IA5STRING_free(dns), false;
      GENERAL_NAME_set0_value(gn, GEN_DNS, dns);
    }
    if (!sk_GENERAL_NAME_push(names.get(), gn)) return GENERAL_NAME_free(gn), false;
  }
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

Ptr<X509> NewCert(EVP_PKEY* subject_key, const std::string& cn, const std::string& org, long days) {
  Ptr<X509> cert(X509_new());
  if (!cert || (X509_set_version(cert.get(), 2) == 0)) return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return nullptr;
  serial[0] &= 0x7f;  // Positive.
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  bool ok =
      (bn != nullptr) && (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr);
  BN_free(bn);
  if (!ok) return nullptr;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // Tolerate clock skew.
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  if (!org.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  if (X509_set_pubkey(cert.get(), subject_key) == 0) return nullptr;
  return cert;
}

Result<std::string> CertPem(X509* cert) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || (PEM_write_bio_X509(bio.get(), cert) == 0))
    return OsslFail("cannot write certificate");
  return Drain(bio.get());
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 0)) {
    return OsslFail("cannot write a private key");
  }
  return Drain(bio.get());
}

// The server half: a new key and a certificate `ca_key` signs.
Result<TlsMaterial> IssueServer(X509* ca, EVP_PKEY* ca_key, const std::string& org,
                                const std::vector<std::string>& sans) {
  Ptr<EVP_PKEY> server_key = NewP256();
  if (!server_key) return OsslFail("cannot generate a P-256 key");
  Ptr<X509> server = NewCert(server_key.get(), "staffgate-central", org, 825);
  if (!server) return OsslFail("cannot build the server certificate");
  std::vector<std::string> all{"localhost", "127.0.0.1"};
  for (const std::string& s : sans) {
    if (std::find(all.begin(), all.end(), s) == all.end()) all.push_back(s);
  }
  std::string bad;
  if ((X509_set_issuer_name(server.get(), X509_get_subject_name(ca)) == 0) ||
      !AddExt(server.get(), ca, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExt(server.get(), ca, NID_key_usage, "critical,digitalSignature") ||
      !AddExt(server.get(), ca, NID_ext_key_usage, "serverAuth") ||
      !AddExt(server.get(), ca, NID_authority_key_identifier, "keyid:always") ||
      !AddSans(server.get(), all, &bad)) {
    if (!bad.empty()) {
      return Fail(ErrorKind::kInvalidInput,
                  "'" + bad + "' is neither a DNS name nor an IP address");
    }
    return OsslFail("cannot add server certificate extensions");
  }
  if (X509_sign(server.get(), ca_key, EVP_sha256()) <= 0) {
    return OsslFail("cannot sign the server certificate");
  }
  TlsMaterial out;
  auto ca_pem = CertPem(ca);
  auto server_pem = CertPem(server.get());
  auto key_pem = KeyPem(server_key.get());
  if (!ca_pem || !server_pem || !key_pem) return OsslFail("cannot write certificates");
  out.ca_cert_pem = *ca_pem;
  out.server_cert_pem = *server_pem;
  out.server_key_pem = *key_pem;
  return out;
}

Ptr<X509> ReadCert(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Ptr<X509>(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

}  // namespace

Result<TlsMaterial> MakeTlsMaterial(const std::string& organization,
                                    const std::vector<std::string>& sans) {
  Ptr<EVP_PKEY> ca_key = NewP256();
  if (!ca_key) return OsslFail("cannot generate a P-256 key");
  std::string org = organization.empty() ? "staffgate" : organization;
  Ptr<X509> ca = NewCert(ca_key.get(), org + " staffgate central CA", org, 3650);
  if (!ca) return OsslFail("cannot build the CA certificate");
  if ((X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())) == 0) ||
      !AddExt(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !AddExt(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExt(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), ca_key.get(), EVP_sha256()) <= 0) {
    return OsslFail("cannot sign the CA certificate");
  }
  auto out = IssueServer(ca.get(), ca_key.get(), org, sans);
  if (!out) return out;
  auto ca_key_pem = KeyPem(ca_key.get());
  if (!ca_key_pem) return tl::unexpected(ca_key_pem.error());
  out->ca_key_pem = *ca_key_pem;
  return out;
}

Result<TlsMaterial> RenewServerCert(const std::string& ca_cert_pem, const std::string& ca_key_pem,
                                    const std::vector<std::string>& sans) {
  Ptr<X509> ca = ReadCert(ca_cert_pem);
  if (!ca) return Fail(ErrorKind::kInvalidInput, "the CA certificate does not parse as PEM");
  Ptr<BIO> bio(BIO_new_mem_buf(ca_key_pem.data(), static_cast<int>(ca_key_pem.size())));
  Ptr<EVP_PKEY> ca_key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                           : nullptr);
  if (!ca_key) return Fail(ErrorKind::kInvalidInput, "the CA key does not parse as PEM");
  if (X509_check_private_key(ca.get(), ca_key.get()) != 1) {
    return Fail(ErrorKind::kInvalidInput, "the CA key is not the key of the CA certificate");
  }
  std::string org = "staffgate";
  X509_NAME* subject = X509_get_subject_name(ca.get());
  int at = X509_NAME_get_index_by_NID(subject, NID_organizationName, -1);
  if (at >= 0) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
    if (n > 0) org.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  return IssueServer(ca.get(), ca_key.get(), org, sans);
}

Result<std::vector<std::string>> CertSans(const std::string& cert_pem) {
  Ptr<X509> cert = ReadCert(cert_pem);
  if (!cert) return Fail(ErrorKind::kInvalidInput, "the certificate does not parse as PEM");
  Ptr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type == GEN_DNS) {
      const ASN1_STRING* dns = gn->d.dNSName;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                       static_cast<std::size_t>(ASN1_STRING_length(dns)));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
      const int len = ASN1_STRING_length(ip);
      char text[INET6_ADDRSTRLEN] = {};
      if ((len == 4 || len == 16) &&
          inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text, sizeof(text)) !=
              nullptr) {
        out.emplace_back(text);
      }
    }
  }
  return out;
}

}  // namespace staffgate::central
