// Ed25519 keys, signatures and key ids on OpenSSL 3 EVP (one-shot
// EVP_DigestSign/Verify with a NULL digest, as Ed25519 requires).
// Linked by the agent and the central, never by the PAM module.
#ifndef STAFFGATE_COMMON_ED25519_H_
#define STAFFGATE_COMMON_ED25519_H_

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace staffgate::common {

// A trusted public key. Immutable and safe to share between threads.
class PublicKey {
 public:
  // Parses a PEM SubjectPublicKeyInfo (`openssl pkey -pubout`).
  // Errors: kInvalidInput (not PEM, not Ed25519).
  static Result<PublicKey> FromPem(std::string_view pem);
  // Reads and parses a PEM file. Errors: kIo, kInvalidInput (names the file).
  static Result<PublicKey> FromPemFile(const std::string& path);
  static Result<PublicKey> FromRaw(std::string_view raw32);

  // Hex SHA-256 of the raw 32-byte key: the DSSE keyid.
  const std::string& keyid() const { return keyid_; }
  const std::string& raw() const { return raw_; }
  std::string ToPem() const;

  // True iff `sig` is a valid Ed25519 signature of `message`.
  bool Verify(std::string_view message, std::string_view sig) const;

 private:
  std::string raw_;
  std::string keyid_;
};

// A signing key (central only). Move-only; owns the OpenSSL key.
class PrivateKey {
 public:
  static Result<PrivateKey> Generate();
  // Parses PKCS#8 PEM. Errors: kInvalidInput, kIo for the file variant.
  static Result<PrivateKey> FromPem(std::string_view pem);
  static Result<PrivateKey> FromPemFile(const std::string& path);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey();

  // PKCS#8 PEM; treat as secret.
  std::string ToPem() const;
  PublicKey Public() const;
  // 64-byte signature. Errors: kInternal (OpenSSL failure).
  Result<std::string> Sign(std::string_view message) const;

 private:
  struct Impl;
  explicit PrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Lowercase hex of SHA-256(bytes).
std::string Sha256Hex(std::string_view bytes);

}  // namespace staffgate::common

#endif  // STAFFGATE_COMMON_ED25519_H_
