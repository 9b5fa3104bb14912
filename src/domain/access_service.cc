#include "domain/access_service.h"

#include <charconv>

#include "common/strings.h"
#include "crypto/password_hash.h"
#include "domain/lockout_guard.h"
#include "domain/names.h"

namespace psafe::domain {

namespace {

// Unique-name clashes read better with the name in them.
Status NamedConflict(Status s, std::string_view what, std::string_view name) {
  if (s.code() == StatusCode::kAlreadyExists) return Status::Conflict(std::string(what) + " '" + std::string(name) + "' already exists");
  return s;
}
template <typename T>
Result<T> NamedConflict(Result<T> r, std::string_view what, std::string_view name) {
  if (r.ok()) return r;
  return NamedConflict(r.status(), what, name);
}

// One field of a user as it is given (a name stored before a rule existed stays
// editable: only what a change sets is checked).
Status ValidateUserField(std::string_view field, std::string_view value) {
  if (field != "UserName") return ValidateName(field, value, {.required = false});
  PSAFE_RETURN_IF_ERROR(ValidateName(field, value, {.kind = NameKind::kIdentity}));
  if (value.find_first_of("\\;[]\"") != std::string::npos) {
    return Status::InvalidArgument("UserName must not contain \\ ; [ ] or \"");
  }
  return Status::OK();
}

Result<std::string> HashNewPassword(const crypto::SecretString& password) {
  if (password.size() < 8) return Status::InvalidArgument("Password must be at least 8 characters");
  return crypto::HashPassword(password.view());
}

}  // namespace

std::optional<std::string> NormalizeAccessType(std::string_view type) {
  for (std::string_view t : kAccessTypes) {
    if (EqualsIgnoreCase(t, type)) return std::string(t);
  }
  return std::nullopt;
}

AccessService::AccessService(const Ports& ports, AuditTrail& audit, const Clock& clock)
    : ports_(ports), audit_(audit), clock_(clock) {}

Result<User> AccessService::CreateUser(const Principal& p, User u,
                                       std::optional<crypto::SecretString> password) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  for (const auto& [field, value] : {std::pair<std::string_view, std::string_view>{"UserName", u.user_name},
                                     {"FirstName", u.first_name}, {"LastName", u.last_name}, {"Name", u.name}}) {
    PSAFE_RETURN_IF_ERROR(ValidateUserField(field, value));
  }
  if (password) {
    PSAFE_ASSIGN_OR_RETURN(u.password_hash, HashNewPassword(*password));
  }
  if (u.name.empty()) {
    const std::string full(TrimWhitespace(u.first_name + " " + u.last_name));
    u.name = full.empty() ? u.user_name : full;
  }
  u.created_at = clock_.NowSeconds();
  int64_t id = 0;
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "user.create", "User", u.user_name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(id, NamedConflict(ports_.identity.CreateUser(u), "user", u.user_name));
    return Status::OK();
  }));
  return ports_.identity.FindUserById(id);
}

Result<std::vector<User>> AccessService::ListUsers(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.identity.ListUsers();
}

Result<User> AccessService::GetUser(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.identity.FindUserById(id);
}

// Inside the change's transaction: each open request of the user is cancelled and audited.
Status AccessService::CloseRequestsOf(const Principal& p, int64_t user_id, std::string_view why) {
  const int64_t now = clock_.NowSeconds();
  PSAFE_ASSIGN_OR_RETURN(auto open, ports_.requests.CancelOpenRequestsOf(user_id, now));
  for (const Request& r : open) {
    PSAFE_RETURN_IF_ERROR(ports_.audit_log.AppendAudit(AuditTrail::By(p, "request.cancel", "Request", std::to_string(r.id),
                                                            r.account_id, "{\"Reason\":" + AuditQuote(why) + "}"),
                                             now));
  }
  return Status::OK();
}

Status AccessService::KeepAnAdministrator(const std::function<Status()>& change) {
  PSAFE_RETURN_IF_ERROR(change());
  PSAFE_ASSIGN_OR_RETURN(int64_t admins, ports_.identity.CountAdministrators());
  if (admins == 0) return Status::Conflict("that would leave no enabled administrator");
  return Status::OK();
}

Result<User> AccessService::UpdateUser(const Principal& p, int64_t id, const UserChange& c) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(User u, ports_.identity.FindUserById(id));
  struct Field {
    std::string_view name;
    std::string* stored;
    const std::optional<std::string>* given;
  };
  for (const Field& f : {Field{"UserName", &u.user_name, &c.user_name}, Field{"FirstName", &u.first_name, &c.first_name},
                         Field{"LastName", &u.last_name, &c.last_name}, Field{"EmailAddress", &u.email, &c.email},
                         Field{"Name", &u.name, &c.name}}) {
    if (!*f.given) continue;
    if (f.name != "EmailAddress") PSAFE_RETURN_IF_ERROR(ValidateUserField(f.name, **f.given));
    *f.stored = **f.given;
  }
  if (c.password) {
    PSAFE_ASSIGN_OR_RETURN(u.password_hash, HashNewPassword(*c.password));
  }
  const bool disabling = c.enabled && !*c.enabled && u.enabled;
  if (c.enabled) u.enabled = *c.enabled;
  std::string detail = std::string("{\"IsActive\":") + (u.enabled ? "true" : "false") +
                       ",\"PasswordChanged\":" + (c.password ? "true" : "false") +
                       ",\"UserName\":" + AuditQuote(u.user_name) + "}";
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "user.update", "User", std::to_string(id), 0, detail),
                                      [&] {
                                        return KeepAnAdministrator([&]() -> Status {
                                          PSAFE_RETURN_IF_ERROR(NamedConflict(ports_.identity.UpdateUser(u), "user", u.user_name));
                                          // A new password or a disabled user: what signed in before ends.
                                          if (disabling || c.password) {
                                            PSAFE_RETURN_IF_ERROR(ports_.sessions.DeleteSessions({.user_id = id}));
                                          }
                                          if (disabling) PSAFE_RETURN_IF_ERROR(CloseRequestsOf(p, id, "user disabled"));
                                          return KeepCallerSignedIn(ports_, p);
                                        });
                                      }));
  return ports_.identity.FindUserById(id);
}

Status AccessService::DeleteUser(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(User u, ports_.identity.FindUserById(id));
  return audit_.Record(AuditTrail::By(p, "user.delete", "User", std::to_string(id), 0,
                                      "{\"UserName\":" + AuditQuote(u.user_name) + "}"),
                       [&] {
                         return KeepAnAdministrator([&]() -> Status {
                           // Its open requests close with it: they would hold the account.
                           PSAFE_RETURN_IF_ERROR(CloseRequestsOf(p, id, "user removed"));
                           PSAFE_RETURN_IF_ERROR(ports_.identity.DeleteUser(id));
                           return KeepCallerSignedIn(ports_, p);
                         });
                       });
}

Result<UserGroup> AccessService::CreateGroup(const Principal& p, UserGroup g) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateName("groupName", g.name, {.kind = NameKind::kIdentity}));
  g.is_administrator = false;  // administration is granted only by psafed init
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "usergroup.create", "UserGroup", g.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(g.id, NamedConflict(ports_.identity.CreateUserGroup(g), "user group", g.name));
    return Status::OK();
  }));
  return ports_.identity.FindUserGroupById(g.id);
}

Result<std::vector<UserGroup>> AccessService::ListGroups(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.identity.ListUserGroups();
}

Result<UserGroup> AccessService::GetGroup(const Principal& p, std::string_view id_or_name) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_or_name.data(), id_or_name.data() + id_or_name.size(), id);
  if (ec == std::errc() && end == id_or_name.data() + id_or_name.size()) return ports_.identity.FindUserGroupById(id);
  return ports_.identity.FindUserGroupByName(id_or_name);
}

Result<UserGroup> AccessService::GetGroupByName(const Principal& p, std::string_view name) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.identity.FindUserGroupByName(name);
}

Result<std::vector<User>> AccessService::ListMembers(const Principal& p, int64_t group_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  return ports_.identity.ListGroupMembers(group_id);
}

Status AccessService::AddMember(const Principal& p, int64_t group_id, int64_t user_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserById(user_id).status());
  return audit_.Record(AuditTrail::By(p, "usergroup.member.add", "UserGroup", std::to_string(group_id), 0,
                                      "{\"UserID\":" + std::to_string(user_id) + "}"),
                       [&] { return ports_.identity.AddUserToGroup(group_id, user_id); });
}

Status AccessService::RemoveMember(const Principal& p, int64_t group_id, int64_t user_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  return audit_.Record(AuditTrail::By(p, "usergroup.member.remove", "UserGroup", std::to_string(group_id), 0,
                                      "{\"UserID\":" + std::to_string(user_id) + "}"),
                       [&] {
                         return KeepAnAdministrator([&]() -> Status {
                           PSAFE_RETURN_IF_ERROR(ports_.identity.RemoveUserFromGroup(group_id, user_id));
                           return KeepCallerSignedIn(ports_, p);
                         });
                       });
}

Status AccessService::DeleteGroup(const Principal& p, int64_t group_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(UserGroup g, ports_.identity.FindUserGroupById(group_id));
  if (g.is_administrator) return Status::Conflict("the administrators' group cannot be deleted");
  return audit_.Record(AuditTrail::By(p, "usergroup.delete", "UserGroup", std::to_string(group_id), 0,
                                      "{\"Name\":" + AuditQuote(g.name) + "}"),
                       [&]() -> Status {
                         PSAFE_RETURN_IF_ERROR(ports_.identity.DeleteUserGroup(group_id));
                         return KeepCallerSignedIn(ports_, p);
                       });
}

Result<SmartRule> AccessService::CreateSmartRule(const Principal& p, SmartRule r) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateName("Title", r.title));
  if (r.workgroup_name) PSAFE_RETURN_IF_ERROR(ports_.estate.FindWorkgroupByName(*r.workgroup_name).status());
  r.created_at = clock_.NowSeconds();
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "smartrule.create", "SmartRule", r.title), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(r.id, NamedConflict(ports_.permissions.CreateSmartRule(r), "smart rule", r.title));
    return Status::OK();
  }));
  return ports_.permissions.FindSmartRule(r.id);
}

Result<std::vector<SmartRule>> AccessService::ListSmartRules(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.permissions.ListSmartRules();
}

Result<SmartRule> AccessService::GetSmartRule(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.permissions.FindSmartRule(id);
}

Result<std::vector<SmartRule>> AccessService::ListGroupSmartRules(const Principal& p, int64_t group_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  return ports_.permissions.ListSmartRulesOfGroup(group_id);
}

Result<AccessPolicy> AccessService::CreatePolicy(const Principal& p, AccessPolicy policy) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateName("Name", policy.name));
  if (policy.required_approvals < 0 || policy.required_approvals > 10) {
    return Status::InvalidArgument("RequiredApprovals must be between 0 and 10");
  }
  if (policy.max_duration_minutes < 1 || policy.max_duration_minutes > 525600) {
    return Status::InvalidArgument("MaxDurationMinutes must be between 1 and 525600");
  }
  if (policy.default_duration_minutes < 1 || policy.default_duration_minutes > policy.max_duration_minutes) {
    policy.default_duration_minutes = std::min<int64_t>(120, policy.max_duration_minutes);
  }
  if (policy.access_types.empty()) return Status::InvalidArgument("AccessTypes must not be empty");
  for (auto& t : policy.access_types) {
    auto n = NormalizeAccessType(t);
    if (!n) return Status::InvalidArgument("AccessTypes: '" + t + "' is not View, RDP, SSH or App");
    t = *n;
  }
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "accesspolicy.create", "AccessPolicy", policy.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(policy.id, NamedConflict(ports_.permissions.CreateAccessPolicy(policy), "access policy", policy.name));
    return Status::OK();
  }));
  return policy;
}

Result<std::vector<AccessPolicy>> AccessService::ListPolicies(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.permissions.ListAccessPolicies();
}

Status AccessService::AssignRoles(const Principal& p, int64_t group_id, int64_t rule_id,
                                  const std::vector<int64_t>& role_ids, std::optional<int64_t> policy_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  PSAFE_RETURN_IF_ERROR(ports_.permissions.FindSmartRule(rule_id).status());
  if (policy_id) PSAFE_RETURN_IF_ERROR(ports_.permissions.FindAccessPolicy(*policy_id).status());
  if (role_ids.empty()) return Status::InvalidArgument("Roles must name at least one RoleID");
  for (int64_t id : role_ids) {
    if (FindRole(id) == nullptr) return Status::InvalidArgument("RoleID " + std::to_string(id) + " is not known");
  }
  std::string detail = "{\"SmartRuleID\":" + std::to_string(rule_id) + ",\"Roles\":[";
  for (size_t i = 0; i < role_ids.size(); ++i) detail += (i ? "," : "") + std::to_string(role_ids[i]);
  detail += "]}";
  return audit_.Record(AuditTrail::By(p, "role.assign", "UserGroup", std::to_string(group_id), 0, detail),
                       [&]() -> Status {
                         for (int64_t id : role_ids) {
                           PSAFE_RETURN_IF_ERROR(ports_.permissions.AssignRole(group_id, rule_id, static_cast<Role>(id), policy_id));
                         }
                         return Status::OK();
                       });
}

Status AccessService::RemoveRoles(const Principal& p, int64_t group_id, int64_t rule_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group_id).status());
  return audit_.Record(AuditTrail::By(p, "role.remove", "UserGroup", std::to_string(group_id), 0,
                                      "{\"SmartRuleID\":" + std::to_string(rule_id) + "}"),
                       [&] { return ports_.permissions.RemoveRoles(group_id, rule_id); });
}

Result<PasswordRule> AccessService::CreatePasswordRule(const Principal& p, PasswordRule rule) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidatePasswordRule(rule));
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "passwordrule.create", "PasswordRule", rule.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(rule.id, NamedConflict(ports_.permissions.CreatePasswordRule(rule), "password rule", rule.name));
    return Status::OK();
  }));
  return rule;
}

Result<std::vector<PasswordRule>> AccessService::ListPasswordRules(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.permissions.ListPasswordRules();
}

Result<PasswordRule> AccessService::GetPasswordRule(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.permissions.FindPasswordRule(id);
}

}  // namespace psafe::domain
