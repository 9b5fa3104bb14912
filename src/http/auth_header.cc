#include "http/auth_header.h"

#include "common/strings.h"
#include "common/utf8.h"

namespace psafe::http {

namespace {

std::string_view StripQuotes(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

bool StartsWithScheme(std::string_view h, std::string_view scheme, std::string_view* rest) {
  if (h.size() < scheme.size() || !EqualsIgnoreCase(h.substr(0, scheme.size()), scheme)) {
    return false;
  }
  std::string_view tail = h.substr(scheme.size());
  if (!tail.empty() && tail.front() != ' ' && tail.front() != '\t') return false;
  *rest = TrimWhitespace(tail);
  return true;
}

Authorization ParsePsAuth(std::string_view s) {
  PsAuth out;
  bool have_key = false;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ';' || s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    size_t eq = s.find('=', i);
    if (eq == std::string_view::npos) return MalformedAuth{"PS-Auth item without '='"};
    std::string name = ToLowerAscii(TrimWhitespace(s.substr(i, eq - i)));
    i = eq + 1;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::string_view value;
    if (name == "pwd" && i < s.size() && s[i] == '[') {
      size_t close = s.rfind(']');
      if (close == std::string_view::npos || close < i) return MalformedAuth{"pwd=[ without ]"};
      value = s.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      size_t semi = s.find(';', i);
      if (semi == std::string_view::npos) semi = s.size();
      value = StripQuotes(TrimWhitespace(s.substr(i, semi - i)));
      i = semi;
    }
    if (name == "key" && !have_key) {
      out.key = std::string(value);
      have_key = true;
    } else if (name == "runas" && out.runas.empty()) {
      out.runas = std::string(value);
    } else if (name == "pwd" && !out.pwd) {
      out.pwd = std::string(value);
    }
  }
  if (!have_key || out.key.empty()) return MalformedAuth{"PS-Auth without key"};
  if (!IsValidUtf8(out.runas)) return MalformedAuth{"runas is not valid UTF-8", true};
  if (out.pwd && !IsValidUtf8(*out.pwd)) return MalformedAuth{"pwd is not valid UTF-8", true};
  return out;
}

}  // namespace

Authorization ParseAuthorization(std::optional<std::string_view> header) {
  if (!header) return NoAuth{};
  std::string_view h = TrimWhitespace(*header);
  if (h.empty()) return NoAuth{};
  if (h.size() > kMaxAuthorizationLength) return MalformedAuth{"Authorization header too long"};
  std::string_view rest;
  if (StartsWithScheme(h, "PS-Auth", &rest)) return ParsePsAuth(rest);
  if (StartsWithScheme(h, "Bearer", &rest)) {
    if (rest.empty() || rest.find_first_of(" \t,;") != std::string_view::npos) {
      return MalformedAuth{"malformed Bearer token"};
    }
    return BearerAuth{std::string(rest)};
  }
  return MalformedAuth{"unsupported Authorization scheme"};
}

std::optional<std::string> FindCookie(std::string_view header, std::string_view name) {
  size_t i = 0;
  while (i < header.size()) {
    size_t semi = header.find(';', i);
    if (semi == std::string_view::npos) semi = header.size();
    std::string_view item = TrimWhitespace(header.substr(i, semi - i));
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && TrimWhitespace(item.substr(0, eq)) == name) {
      return std::string(StripQuotes(TrimWhitespace(item.substr(eq + 1))));
    }
    i = semi + 1;
  }
  return std::nullopt;
}

}  // namespace psafe::http
