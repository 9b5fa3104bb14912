#include "domain/audit.h"

#include "common/utf8.h"

namespace psafe::domain {

std::string AuditQuote(std::string_view text, size_t max_bytes) {
  std::string out = "\"";
  size_t taken = 0;
  while (!text.empty()) {
    const Utf8Sequence seq = DecodeUtf8(text);
    const size_t n = seq.length;
    if (!seq.valid) {  // not UTF-8: dropped
      text.remove_prefix(n);
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
  // Records from before addresses were kept (schema v10) have none, and their canonical
  // form, which the chain covers, stays what it was.
  if (!r.event.address.empty()) add(r.event.address);
  return out;
}

}  // namespace psafe::domain
