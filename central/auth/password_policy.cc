#include "central/auth/password_policy.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pwquality.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <vector>

namespace staffgate::central {

using common::ErrorKind;
using common::Fail;

namespace {

std::mutex& CracklibMutex() {
  static std::mutex mu;
  return mu;
}

struct SettingsDeleter {
  void operator()(pwquality_settings_t* s) const { pwquality_free_settings(s); }
};

// No 0/O, 1/l/I: read aloud or copied from a screen without mistakes.
constexpr std::string_view kAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
constexpr std::size_t kMinGroups = 4, kGroupLength = 5;

}  // namespace

std::optional<std::string> PasswordPolicy::Refusal(std::string_view password,
                                                   std::string_view old_password,
                                                   std::string_view account) const {
  if (password.find('\0') != std::string_view::npos) return "The password contains a NUL byte.";
  std::unique_ptr<pwquality_settings_t, SettingsDeleter> settings(pwquality_default_settings());
  if (!settings) return "The password policy cannot be loaded.";
  pwquality_set_int_value(settings.get(), PWQ_SETTING_MIN_LENGTH, static_cast<int>(min_length_));
  // NUL-terminated copies for the C API, wiped before they are freed.
  std::string pw(password);
  std::string old(old_password);
  const std::string user(account);
  class Wiper {
   public:
    Wiper(std::string& a, std::string& b) : a_(a), b_(b) {}
    Wiper(const Wiper&) = delete;
    Wiper& operator=(const Wiper&) = delete;
    ~Wiper() {
      OPENSSL_cleanse(a_.data(), a_.size());
      OPENSSL_cleanse(b_.data(), b_.size());
    }

   private:
    std::string& a_;
    std::string& b_;
  } wiper{pw, old};
  std::lock_guard<std::mutex> lock(CracklibMutex());
  void* aux = nullptr;
  const int rc = pwquality_check(settings.get(), pw.c_str(), old.empty() ? nullptr : old.c_str(),
                                 user.empty() ? nullptr : user.c_str(), &aux);
  if (rc >= 0) return std::nullopt;
  std::array<char, 512> buf{};
  const char* text = pwquality_strerror(buf.data(), buf.size(), rc, aux);
  std::string sentence = text != nullptr ? text : "The password does not meet the password policy";
  if (!sentence.empty() && sentence.back() != '.') sentence += '.';
  return sentence;
}

common::Result<std::string> PasswordPolicy::Generate() const {
  for (int attempt = 0; attempt < 16; ++attempt) {
    // At least 20 random characters, and never shorter than the policy asks.
    const std::size_t groups =
        std::max(kMinGroups, (min_length_ + kGroupLength - 1) / kGroupLength);
    std::vector<unsigned char> random(groups * kGroupLength);
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
      return Fail(ErrorKind::kInternal, "no randomness for a one-time password");
    }
    std::string out;
    for (std::size_t i = 0; i < random.size(); ++i) {
      if (i > 0 && i % kGroupLength == 0) out += '-';
      // 256 % 57 != 0: a slight bias (under 0.2 bits in all), no matter here.
      out += kAlphabet[random[i] % kAlphabet.size()];
    }
    if (!Refusal(out, "", "")) return out;
  }
  return Fail(ErrorKind::kInternal, "cannot generate a password that meets the password policy");
}

}  // namespace staffgate::central
