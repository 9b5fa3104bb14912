// AccessService: the administrator's view of the permission model (docs/REQUESTS.md):
// users, user groups and their API registrations, smart rules, access policies, role
// assignments and password rules. Every change is audited.
#pragma once

#include <functional>
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
#include "domain/ports/ports.h"

namespace psafe::domain {

// PUT Users/{id}: what is given replaces, what is absent stays.
struct UserChange {
  std::optional<std::string> user_name, first_name, last_name, email, name;
  std::optional<crypto::SecretString> password;
  std::optional<bool> enabled;
};

class AccessService {
 public:
  AccessService(const Ports& ports, AuditTrail& audit, const Clock& clock);

  Result<User> CreateUser(const Principal& p, User user, std::optional<crypto::SecretString> password);
  Result<std::vector<User>> ListUsers(const Principal& p);
  Result<User> GetUser(const Principal& p, int64_t id);
  // Applies `change` (fields given replace; a password given is rehashed). Disabling a
  // user ends its sessions and tokens at once.
  Result<User> UpdateUser(const Principal& p, int64_t id, const UserChange& change);
  Status DeleteUser(const Principal& p, int64_t id);

  Result<UserGroup> CreateGroup(const Principal& p, UserGroup group);
  Result<std::vector<UserGroup>> ListGroups(const Principal& p);
  Result<UserGroup> GetGroup(const Principal& p, std::string_view id_or_name);
  Result<UserGroup> GetGroupByName(const Principal& p, std::string_view name);
  Result<std::vector<User>> ListMembers(const Principal& p, int64_t group_id);
  Status AddMember(const Principal& p, int64_t group_id, int64_t user_id);
  Status RemoveMember(const Principal& p, int64_t group_id, int64_t user_id);
  Status DeleteGroup(const Principal& p, int64_t group_id);

  Result<SmartRule> CreateSmartRule(const Principal& p, SmartRule rule);
  Result<std::vector<SmartRule>> ListSmartRules(const Principal& p);
  Result<SmartRule> GetSmartRule(const Principal& p, int64_t id);
  // The rules on which the group holds a role (NotFound for an unknown group).
  Result<std::vector<SmartRule>> ListGroupSmartRules(const Principal& p, int64_t group_id);
  Result<AccessPolicy> CreatePolicy(const Principal& p, AccessPolicy policy);
  Result<std::vector<AccessPolicy>> ListPolicies(const Principal& p);
  Status AssignRoles(const Principal& p, int64_t group_id, int64_t rule_id,
                     const std::vector<int64_t>& role_ids, std::optional<int64_t> policy_id);
  Status RemoveRoles(const Principal& p, int64_t group_id, int64_t rule_id);

  Result<PasswordRule> CreatePasswordRule(const Principal& p, PasswordRule rule);
  Result<std::vector<PasswordRule>> ListPasswordRules(const Principal& p);
  Result<PasswordRule> GetPasswordRule(const Principal& p, int64_t id);

 private:
  // Conflict when what `change` does would leave no enabled administrator.
  Status KeepAnAdministrator(const std::function<Status()>& change);
  Status CloseRequestsOf(const Principal& p, int64_t user_id, std::string_view why);

  Ports ports_;
  AuditTrail& audit_;
  const Clock& clock_;
};

// The access types a request may name, in the product's spelling.
inline constexpr std::string_view kAccessTypes[] = {"View", "RDP", "SSH", "App"};
// The canonical spelling of `type` (case-insensitive), or nullopt.
std::optional<std::string> NormalizeAccessType(std::string_view type);

}  // namespace psafe::domain
