// Permission model: smart rules select accounts; a user group holds a role on a smart
// rule, optionally under an access policy. See docs/REQUESTS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psafe::domain {

enum class Role : int64_t {
  kRequestor = 1,
  kApprover = 2,
  kRequestorApprover = 3,
  kIsa = 4,
  kAuditor = 5,
};

struct RoleInfo {
  Role role;
  std::string_view name;
  bool may_request;
  bool may_approve;
};

inline constexpr RoleInfo kRoles[] = {
    {Role::kRequestor, "Requestor", true, false},
    {Role::kApprover, "Approver", false, true},
    {Role::kRequestorApprover, "RequestorApprover", true, true},
    {Role::kIsa, "ISA", false, false},
    {Role::kAuditor, "Auditor", false, false},
};

inline const RoleInfo* FindRole(int64_t id) {
  for (const RoleInfo& r : kRoles) {
    if (static_cast<int64_t>(r.role) == id) return &r;
  }
  return nullptr;
}

struct SmartRule {
  int64_t id = 0;
  std::string title;
  std::string description;
  std::optional<std::string> workgroup_name;
  std::optional<std::string> system_pattern;   // glob: * and ?
  std::optional<std::string> account_pattern;  // glob: * and ?
  std::vector<int64_t> account_ids;            // explicit list; empty = not used
  int64_t created_at = 0;
};

struct AccessPolicy {
  int64_t id = 0;  // 0 = the built-in default
  std::string name = "Default";
  std::string description;
  int64_t required_approvals = 1;
  int64_t default_duration_minutes = 120;
  int64_t max_duration_minutes = 525600;
  std::vector<std::string> access_types = {"View", "RDP", "SSH", "App"};
  bool rotate_on_checkin = false;
  bool allow_reuse = true;
};

// One role a user holds on an account, through one of their groups.
struct Grant {
  Role role;
  AccessPolicy policy;
};


}  // namespace psafe::domain
