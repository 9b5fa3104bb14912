// SecretString: a std::string that is wiped when destroyed. Holds plaintext passwords,
// API keys and session tokens for as short a time as a request takes.
// Moves leave the source empty; copies are explicit (Clone) so a secret is never
// duplicated by accident.
#pragma once

#include <string>
#include <string_view>

namespace psafe::crypto {

// Overwrites n bytes at p in a way the compiler may not elide.
void SecureWipe(void* p, size_t n);

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string s) : s_(std::move(s)) {}
  explicit SecretString(std::string_view s) : s_(s) {}
  SecretString(SecretString&& o) noexcept : s_(std::move(o.s_)) { o.Wipe(); }
  SecretString& operator=(SecretString&& o) noexcept {
    if (this != &o) { Wipe(); s_ = std::move(o.s_); o.Wipe(); }
    return *this;
  }
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString() { Wipe(); }

  SecretString Clone() const { return SecretString(std::string_view(s_)); }
  std::string_view view() const { return s_; }
  const std::string& str() const { return s_; }
  bool empty() const { return s_.empty(); }
  size_t size() const { return s_.size(); }

 private:
  void Wipe() { SecureWipe(s_.data(), s_.size()); s_.clear(); }
  std::string s_;
};

}  // namespace psafe::crypto
