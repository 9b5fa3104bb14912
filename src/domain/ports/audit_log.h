// The audit log: one chain of MAC-linked records, appended in the transaction of the change
// each describes.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/audit.h"
#include "domain/paging.h"

namespace psafe::domain {

// MAC of one audit record given the previous record's MAC (empty for the first).
using AuditMacFn = std::function<std::string(std::string_view previous_mac, std::string_view record)>;

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Must be set (after the keyring opens) before AppendAudit is used.
  virtual void SetAuditMac(AuditMacFn mac) = 0;
  // Appends one chained record; call inside Atomically with the change it describes.
  virtual Status AppendAudit(const AuditEvent& event, int64_t at) = 0;
  virtual Result<Paged<AuditRecord>> ListAudit(const AuditFilter& f) = 0;
  // Visits every record in chain order (for verification).
  virtual Status ForEachAudit(const std::function<Status(const AuditRecord&)>& fn) = 0;
};

}  // namespace psafe::domain
