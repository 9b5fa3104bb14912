// Password rules and generation. Generation draws every character with
// randombytes_uniform (no modulo bias), places one character of each required class,
// and shuffles with Fisher-Yates driven by the same generator.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "crypto/secret_string.h"

namespace psafe::domain {

struct PasswordRule {
  int64_t id = 0;  // 0 = the built-in default
  std::string name = "Default";
  std::string description;
  int64_t minimum_length = 24;
  int64_t maximum_length = 24;
  bool require_lowercase = true;
  bool require_uppercase = true;
  bool require_numeric = true;
  bool require_symbol = true;
  std::string symbols = "!#$%&()*+,-.:;<=>?@[]^_{|}~";
  std::string excluded_characters;
};

Status ValidatePasswordRule(const PasswordRule& rule);
// A new password of maximum_length characters satisfying `rule`.
crypto::SecretString GeneratePassword(const PasswordRule& rule);
// Whether `password` satisfies `rule` (length, required classes, exclusions).
bool SatisfiesRule(const PasswordRule& rule, std::string_view password);

}  // namespace psafe::domain
