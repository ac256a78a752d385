#include "common/ed25519.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/file_util.h"

namespace staffgate::common {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 16 * 1024;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using CtxPtr = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string ToHex(const unsigned char* data, std::size_t len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (std::size_t i = 0; i < len; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string RawPublic(EVP_PKEY* pkey) {
  unsigned char raw[32];
  std::size_t len = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != 32) return {};
  return std::string(reinterpret_cast<char*>(raw), len);
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return ToHex(digest, len);
}

Result<PublicKey> PublicKey::FromRaw(std::string_view raw32) {
  if (raw32.size() != 32) return Fail(ErrorKind::kInvalidInput, "Ed25519 public key must be 32 bytes");
  PublicKey key;
  key.raw_ = std::string(raw32);
  key.keyid_ = Sha256Hex(key.raw_);
  return key;
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Fail(ErrorKind::kInternal, "out of memory");
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return Fail(ErrorKind::kInvalidInput, "not a PEM public key");
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Fail(ErrorKind::kInvalidInput, "public key is not Ed25519");
  }
  return FromRaw(RawPublic(pkey.get()));
}

Result<PublicKey> PublicKey::FromPemFile(const std::string& path) {
  auto pem = ReadFileCapped(path, kMaxKeyFileBytes);
  if (!pem) return tl::unexpected(pem.error());
  auto key = FromPem(*pem);
  if (!key) return Fail(key.error().kind, path + ": " + key.error().message);
  return key;
}

std::string PublicKey::ToPem() const {
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                              reinterpret_cast<const unsigned char*>(raw_.data()),
                                              raw_.size()));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!pkey || !bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) return {};
  return BioToString(bio.get());
}

bool PublicKey::Verify(std::string_view message, std::string_view sig) const {
  if (sig.size() != 64 || raw_.size() != 32) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                              reinterpret_cast<const unsigned char*>(raw_.data()),
                                              raw_.size()));
  CtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx) return false;
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey.get(),
                              nullptr) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                          sig.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

struct PrivateKey::Impl {
  PkeyPtr pkey;
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::Generate() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "ED25519", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return Fail(ErrorKind::kInternal, "Ed25519 key generation failed");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  return PrivateKey(std::move(impl));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Fail(ErrorKind::kInternal, "out of memory");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return Fail(ErrorKind::kInvalidInput, "not a PEM private key");
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Fail(ErrorKind::kInvalidInput, "private key is not Ed25519");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  return PrivateKey(std::move(impl));
}

Result<PrivateKey> PrivateKey::FromPemFile(const std::string& path) {
  auto pem = ReadFileCapped(path, kMaxKeyFileBytes);
  if (!pem) return tl::unexpected(pem.error());
  auto key = FromPem(*pem);
  if (!key) return Fail(key.error().kind, path + ": " + key.error().message);
  return key;
}

std::string PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                       nullptr, nullptr) != 1) {
    return {};
  }
  return BioToString(bio.get());
}

PublicKey PrivateKey::Public() const {
  auto key = PublicKey::FromRaw(RawPublic(impl_->pkey.get()));
  return key ? *key : PublicKey();
}

Result<std::string> PrivateKey::Sign(std::string_view message) const {
  CtxPtr ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  std::size_t len = sizeof(sig);
  if (!ctx ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, impl_->pkey.get(),
                            nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return Fail(ErrorKind::kInternal, "Ed25519 signing failed");
  }
  return std::string(reinterpret_cast<char*>(sig), len);
}

}  // namespace staffgate::common
