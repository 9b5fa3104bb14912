// The permission model (smart rules, access policies, roles) and password rules.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "domain/access.h"
#include "domain/password_rule.h"

namespace psafe::domain {

class PermissionStore {
 public:
  virtual ~PermissionStore() = default;

  virtual Result<int64_t> CreateSmartRule(const SmartRule& rule) = 0;
  virtual Result<std::vector<SmartRule>> ListSmartRules() = 0;
  virtual Result<SmartRule> FindSmartRule(int64_t id) = 0;
  // The rules on which the group holds any role.
  virtual Result<std::vector<SmartRule>> ListSmartRulesOfGroup(int64_t group_id) = 0;
  virtual Result<int64_t> CreateAccessPolicy(const AccessPolicy& policy) = 0;
  virtual Result<std::vector<AccessPolicy>> ListAccessPolicies() = 0;
  virtual Result<AccessPolicy> FindAccessPolicy(int64_t id) = 0;
  virtual Status AssignRole(int64_t group_id, int64_t rule_id, Role role,
                            std::optional<int64_t> policy_id) = 0;
  // Removes every role the group holds on the rule; NotFound when it held none.
  virtual Status RemoveRoles(int64_t group_id, int64_t rule_id) = 0;
  // The roles `user_id` holds on `account_id` through active groups, with their policies.
  virtual Result<std::vector<Grant>> GrantsFor(int64_t user_id, int64_t account_id) = 0;
  // Users other than `except_user` who may approve requests for `account_id`.
  virtual Result<int64_t> CountApprovers(int64_t account_id, int64_t except_user) = 0;
  // Whether `user_id` holds `role` on any smart rule.
  virtual Result<bool> HoldsRole(int64_t user_id, Role role) = 0;
  virtual Result<int64_t> CreatePasswordRule(const PasswordRule& rule) = 0;
  virtual Result<std::vector<PasswordRule>> ListPasswordRules() = 0;
  virtual Result<PasswordRule> FindPasswordRule(int64_t id) = 0;
};

}  // namespace psafe::domain
