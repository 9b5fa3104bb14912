// Principal: who is calling, once authentication has succeeded.
#pragma once

#include <cstdint>

#include "domain/identity.h"

namespace psafe::domain {

struct Principal {
  User user;
  int64_t registration_id = 0;
  bool is_administrator() const { return user.is_administrator; }
};

}  // namespace psafe::domain
