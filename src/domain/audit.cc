#include "domain/audit.h"

namespace psafe::domain {

namespace {

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
  }
  if (n == 3 && ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))) return 0;
  if (n == 4 && ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))) return 0;
  return n;
}

}  // namespace

std::string AuditQuote(std::string_view text, size_t max_bytes) {
  std::string out = "\"";
  size_t taken = 0;
  while (!text.empty()) {
    const size_t n = Utf8SequenceLength(text);
    if (n == 0) {  // not UTF-8: dropped
      text.remove_prefix(1);
      continue;
    }
    if (taken + n > max_bytes) break;
    taken += n;
    const unsigned char c = static_cast<unsigned char>(text[0]);
    if (n > 1 || (c >= 0x20 && c != 0x7f)) {
      if (c == '"' || c == '\\') out += '\\';
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out + "\"";
}

std::string CanonicalAuditRecord(const AuditRecord& r) {
  // Unit-separator-joined fields; lengths prefixed so no field can spill into the next.
  std::string out = "psafe-audit-v1";
  auto add = [&out](const std::string& field) {
    out += '\x1f';
    out += std::to_string(field.size());
    out += ':';
    out += field;
  };
  add(std::to_string(r.id));
  add(std::to_string(r.at));
  add(std::to_string(r.event.user_id));
  add(r.event.user_name);
  add(r.event.action);
  add(r.event.object_type);
  add(r.event.object_id);
  add(std::to_string(r.event.account_id));
  add(r.event.detail);
  return out;
}

}  // namespace psafe::domain
