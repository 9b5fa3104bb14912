// KeepCallerSignedIn: an administrator's change must not lock out the very caller making it
// (disable or unlink the registration the call signs in with, remove themselves from the
// group that admits them to it, disable or delete themselves). psafed has no side door to
// recover from that, so such a change is refused with 409 instead. Called inside the change's
// transaction, after the change: a Conflict rolls it back.
#pragma once

#include <string_view>

#include "common/status.h"
#include "domain/principal.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

inline constexpr std::string_view kLocksOutCaller =
    "that change would lock out the registration or user this call is signed in with";

inline Status KeepCallerSignedIn(const Ports& ports, const Principal& p) {
  auto reg = ports.registrations.FindRegistrationById(p.registration_id);
  if (!reg.ok() && reg.status().code() != StatusCode::kNotFound) return reg.status();
  auto user = ports.identity.FindUserById(p.user.id);
  if (!user.ok() && user.status().code() != StatusCode::kNotFound) return user.status();
  if (!reg.ok() || !reg->enabled || !user.ok() || !user->enabled) return Status::Conflict(std::string(kLocksOutCaller));
  PSAFE_ASSIGN_OR_RETURN(bool admitted, ports.registrations.IsUserAllowedForRegistration(p.registration_id, p.user.id));
  return admitted ? Status::OK() : Status::Conflict(std::string(kLocksOutCaller));
}

}  // namespace psafe::domain
