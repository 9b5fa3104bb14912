// Principal: who is calling, once authentication has succeeded.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "domain/identity.h"

namespace psafe::domain {

struct Principal {
  User user;
  int64_t registration_id = 0;
  bool is_administrator() const { return user.is_administrator; }
};

inline Status RequireAdministrator(const Principal& p) {
  if (!p.is_administrator()) return Status::PermissionDenied("Administrator role required");
  return Status::OK();
}

}  // namespace psafe::domain
