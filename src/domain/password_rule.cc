#include "domain/password_rule.h"

#include <algorithm>

#include "crypto/random.h"
#include "domain/names.h"

namespace psafe::domain {

namespace {

constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kDigits = "0123456789";

std::string Without(std::string_view set, std::string_view excluded) {
  std::string out;
  for (char c : set) {
    if (excluded.find(c) == std::string_view::npos) out += c;
  }
  return out;
}

bool HasAny(std::string_view s, std::string_view set) {
  return s.find_first_of(set) != std::string_view::npos;
}

}  // namespace

Status ValidatePasswordRule(const PasswordRule& r) {
  PSAFE_RETURN_IF_ERROR(ValidateName("Name", r.name));
  if (r.minimum_length < 8 || r.minimum_length > 256) {
    return Status::InvalidArgument("MinimumLength must be between 8 and 256");
  }
  if (r.maximum_length < r.minimum_length || r.maximum_length > 256) {
    return Status::InvalidArgument("MaximumLength must be between MinimumLength and 256");
  }
  struct Class {
    bool required;
    std::string_view set;
    const char* name;
  };
  const Class classes[] = {{r.require_lowercase, kLower, "lowercase"},
                           {r.require_uppercase, kUpper, "uppercase"},
                           {r.require_numeric, kDigits, "numeric"},
                           {r.require_symbol, r.symbols, "symbol"}};
  int usable = 0;
  for (const Class& c : classes) {
    bool left = !Without(c.set, r.excluded_characters).empty();
    if (c.required && !left) {
      return Status::InvalidArgument(std::string("ExcludedCharacters leave no ") + c.name +
                                     " character");
    }
    usable += left ? 1 : 0;
  }
  if (usable == 0) return Status::InvalidArgument("the rule allows no characters");
  return Status::OK();
}

crypto::SecretString GeneratePassword(const PasswordRule& r) {
  const std::string lower = Without(kLower, r.excluded_characters);
  const std::string upper = Without(kUpper, r.excluded_characters);
  const std::string digits = Without(kDigits, r.excluded_characters);
  const std::string symbols = Without(r.symbols, r.excluded_characters);
  const std::string all = lower + upper + digits + symbols;
  std::string out;
  out.reserve(static_cast<size_t>(r.maximum_length));
  auto pick = [&](const std::string& set) { out += set[crypto::RandomUniform(static_cast<uint32_t>(set.size()))]; };
  if (r.require_lowercase) pick(lower);
  if (r.require_uppercase) pick(upper);
  if (r.require_numeric) pick(digits);
  if (r.require_symbol) pick(symbols);
  while (out.size() < static_cast<size_t>(r.maximum_length)) pick(all);
  for (size_t i = out.size() - 1; i > 0; --i) {  // Fisher-Yates
    std::swap(out[i], out[crypto::RandomUniform(static_cast<uint32_t>(i + 1))]);
  }
  return crypto::SecretString(std::move(out));
}

bool SatisfiesRule(const PasswordRule& r, std::string_view pw) {
  if (pw.size() < static_cast<size_t>(r.minimum_length) ||
      pw.size() > static_cast<size_t>(r.maximum_length)) {
    return false;
  }
  if (HasAny(pw, r.excluded_characters) && !r.excluded_characters.empty()) return false;
  return (!r.require_lowercase || HasAny(pw, kLower)) && (!r.require_uppercase || HasAny(pw, kUpper)) &&
         (!r.require_numeric || HasAny(pw, kDigits)) && (!r.require_symbol || HasAny(pw, r.symbols));
}

}  // namespace psafe::domain
