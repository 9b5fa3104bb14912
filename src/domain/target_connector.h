// TargetConnector: pushes a new credential to the system that uses it (SSH, LDAP, ...).
// ForceReset with UpdateSystem and rotation call it; connectors for real targets come in a
// later issue. NoopTargetConnector records nothing and succeeds.
#pragma once

#include <string_view>

#include "common/status.h"
#include "domain/assets.h"

namespace psafe::domain {

class TargetConnector {
 public:
  virtual ~TargetConnector() = default;
  virtual Status SetPassword(const AccountView& account, std::string_view new_password) = 0;
};

class NoopTargetConnector final : public TargetConnector {
 public:
  Status SetPassword(const AccountView&, std::string_view) override { return Status::OK(); }
};

}  // namespace psafe::domain
