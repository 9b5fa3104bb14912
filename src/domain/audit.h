// Audit trail records. Appended by the store inside the transaction of the change they
// describe; chained by a keyed MAC (Keyring::AuditMac) over the previous record's MAC
// and this record's canonical form. Details never hold secret values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psafe::domain {

struct AuditEvent {
  int64_t user_id = 0;
  std::string user_name;
  std::string action;       // e.g. "request.create", "credential.release"
  std::string object_type;  // e.g. "Request", "ManagedAccount"
  std::string object_id;
  int64_t account_id = 0;   // the managed account concerned, if any
  std::string detail;       // short JSON, never a secret
  std::string address;      // the caller's network address; empty for psafed's own work
};

struct AuditRecord {
  int64_t id = 0;
  int64_t at = 0;
  AuditEvent event;
  std::string mac;
};

// `text` as a quoted string for an audit detail: at most `max_bytes` of it (cut on a
// character boundary), quotes and backslashes escaped, control characters and bytes that
// are not UTF-8 dropped, so a detail is always valid JSON whatever a caller sent.
std::string AuditQuote(std::string_view text, size_t max_bytes = 1000);

// The bytes the chain MAC covers (besides the previous MAC).
std::string CanonicalAuditRecord(const AuditRecord& r);

struct AuditFilter {
  std::optional<int64_t> user_id;
  std::optional<int64_t> account_id;
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  int64_t limit = 100;
  int64_t offset = 0;
};

}  // namespace psafe::domain
