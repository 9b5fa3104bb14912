// API registrations (keys, OAuth clients, their rules) and who may use them.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/identity.h"

namespace psafe::domain {

class RegistrationStore {
 public:
  virtual ~RegistrationStore() = default;

  virtual Result<int64_t> CreateApiRegistration(const ApiRegistration& reg) = 0;
  virtual Status AllowUserForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Status AllowGroupForRegistration(int64_t registration_id, int64_t group_id) = 0;
  // NotFound when there was no such link.
  virtual Status DisallowUserForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Status DisallowGroupForRegistration(int64_t registration_id, int64_t group_id) = 0;
  virtual Result<RegistrationLinks> RegistrationLinksOf(int64_t registration_id) = 0;
  virtual Status DeleteApiRegistration(int64_t id) = 0;  // its sessions and links go with it
  virtual Result<ApiRegistration> FindRegistrationByKeyHash(std::string_view key_hash) = 0;
  virtual Result<ApiRegistration> FindRegistrationByClientId(std::string_view client_id) = 0;
  virtual Result<ApiRegistration> FindRegistrationById(int64_t id) = 0;
  virtual Result<bool> IsUserAllowedForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Result<std::vector<ApiRegistration>> ListApiRegistrations() = 0;
  // Name, flags, OAuth user and rules (the rules are replaced); keys and client id stay.
  virtual Status UpdateApiRegistration(const ApiRegistration& reg) = 0;
};

}  // namespace psafe::domain
