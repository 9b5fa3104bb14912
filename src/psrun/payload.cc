#include "psrun/payload.h"

#include <boost/json/parse.hpp>

#include <charconv>

#include "common/strings.h"

namespace psafe::psrun {

namespace json = boost::json;

namespace {

bool IsInteger(std::string_view s, int64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0') || (s.size() > 2 && s[0] == '-' && s[1] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// A decimal that JSON would print back the same: no leading zeros ("00.5") and no
// trailing zeros ("1.10"), which would otherwise change on the way.
bool IsDecimal(std::string_view s, double* out) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size() || s.back() == '0') return false;
  const size_t digits = s[0] == '-' ? 1 : 0;
  if (dot - digits > 1 && s[digits] == '0') return false;
  for (size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i) {
    if (i != dot && (s[i] < '0' || s[i] > '9')) return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Secrets stay strings whatever they look like: "Password=123456" is a password, not a number.
bool IsSecretField(std::string_view key) {
  for (std::string_view f : {"password", "passphrase", "privatekey", "publickey", "key", "secret", "clientsecret",
                             "text"}) {
    if (EqualsIgnoreCase(key, f)) return true;
  }
  return false;
}

json::value FieldValue(std::string_view key, std::string_view raw) {
  if (IsSecretField(key) && !(raw.size() >= 2 && raw.front() == '"' && raw.back() == '"')) return json::string(raw);
  return TypedValue(raw);
}

Status SplitPair(std::string_view word, std::string_view* key, std::string_view* value) {
  size_t eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("payload item '" + std::string(word) + "' is not key=value");
  }
  *key = word.substr(0, eq);
  *value = word.substr(eq + 1);
  return Status::OK();
}

}  // namespace

json::value TypedValue(std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') return json::string(raw.substr(1, raw.size() - 2));
  if (raw == "true") return true;
  if (raw == "false") return false;
  int64_t i = 0;
  if (IsInteger(raw, &i)) return i;
  double d = 0;
  if (IsDecimal(raw, &d)) return d;
  return json::string(raw);
}

Result<json::value> ParsePayload(const std::vector<std::string>& words) {
  if (words.empty()) return json::value(nullptr);
  const std::string& first = words[0];
  if (words.size() == 1 && !first.empty() && (first[0] == '{' || (first[0] == '[' && first.size() > 1))) {
    boost::system::error_code ec;
    json::value v = json::parse(first, ec);
    if (ec) return Status::InvalidArgument("payload is not valid JSON");
    return v;
  }
  if (first == "[") {
    if (words.back() != "]") return Status::InvalidArgument("payload array must end with ]");
    json::array out;
    json::object current;
    for (size_t i = 1; i + 1 < words.size(); ++i) {
      std::string_view key, value;
      PSAFE_RETURN_IF_ERROR(SplitPair(words[i], &key, &value));
      if (current.contains(key)) out.push_back(std::exchange(current, json::object()));
      current[key] = FieldValue(key, value);
    }
    if (!current.empty()) out.push_back(std::move(current));
    return json::value(std::move(out));
  }
  json::object out;
  for (const std::string& w : words) {
    std::string_view key, value;
    PSAFE_RETURN_IF_ERROR(SplitPair(w, &key, &value));
    out[key] = FieldValue(key, value);
  }
  return json::value(std::move(out));
}

}  // namespace psafe::psrun
