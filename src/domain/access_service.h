// AccessService: the administrator's view of the permission model (docs/REQUESTS.md):
// users, user groups and their API registrations, smart rules, access policies, role
// assignments and password rules. Every change is audited.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/secret_string.h"
#include "domain/access.h"
#include "domain/audit_service.h"
#include "domain/password_rule.h"
#include "domain/principal.h"
#include "store/store.h"

namespace psafe::domain {

class AccessService {
 public:
  AccessService(store::Store& store, AuditTrail& audit, const Clock& clock);

  Result<User> CreateUser(const Principal& p, User user, std::optional<crypto::SecretString> password);
  Result<std::vector<User>> ListUsers(const Principal& p);

  Result<UserGroup> CreateGroup(const Principal& p, UserGroup group);
  Result<std::vector<UserGroup>> ListGroups(const Principal& p);
  Result<UserGroup> GetGroup(const Principal& p, std::string_view id_or_name);
  Result<std::vector<User>> ListMembers(const Principal& p, int64_t group_id);
  Status AddMember(const Principal& p, int64_t group_id, int64_t user_id);

  Result<SmartRule> CreateSmartRule(const Principal& p, SmartRule rule);
  Result<std::vector<SmartRule>> ListSmartRules(const Principal& p);
  Result<AccessPolicy> CreatePolicy(const Principal& p, AccessPolicy policy);
  Result<std::vector<AccessPolicy>> ListPolicies(const Principal& p);
  Status AssignRoles(const Principal& p, int64_t group_id, int64_t rule_id,
                     const std::vector<int64_t>& role_ids, std::optional<int64_t> policy_id);

  Result<PasswordRule> CreatePasswordRule(const Principal& p, PasswordRule rule);
  Result<std::vector<PasswordRule>> ListPasswordRules(const Principal& p);

 private:
  store::Store& store_;
  AuditTrail& audit_;
  const Clock& clock_;
};

// The access types a request may name, in the product's spelling.
inline constexpr std::string_view kAccessTypes[] = {"View", "RDP", "SSH", "App"};
// The canonical spelling of `type` (case-insensitive), or nullopt.
std::optional<std::string> NormalizeAccessType(std::string_view type);

}  // namespace psafe::domain
