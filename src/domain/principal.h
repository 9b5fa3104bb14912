// Principal: who is calling, once authentication has succeeded.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "domain/identity.h"

namespace psafe::domain {

struct Principal {
  User user;
  int64_t registration_id = 0;
  // What the call was authenticated by, so what is derived from it (a cookie session made
  // from a bearer token) never outlives or outranks it.
  int64_t expires_at = 0;          // absolute end of the session or token; 0 = none
  bool password_verified = false;  // the user's password was checked at sign-in
  bool via_cookie = false;         // a browser-style cookie session (CSRF rules apply)
  std::string remote_address;      // where the call came from (the audit trail's IPAddress)
  bool is_administrator() const { return user.is_administrator; }
};

inline Status RequireAdministrator(const Principal& p) {
  if (!p.is_administrator()) return Status::PermissionDenied("Administrator role required");
  return Status::OK();
}

}  // namespace psafe::domain
