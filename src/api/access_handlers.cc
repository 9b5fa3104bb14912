#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/access_json.h"
#include "api/handlers.h"
#include "common/strings.h"

namespace psafe::api {

namespace json = boost::json;

Result<http::Response> ListUsers(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto users, c.ctx.access.ListUsers(*c.principal));
  return JsonResponse(200, ArrayOf(users, UserJson));
}

Result<http::Response> CreateUser(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::User user;
  std::optional<crypto::SecretString> password;
  PSAFE_RETURN_IF_ERROR(ReadUser(body, &user, &password));
  PSAFE_ASSIGN_OR_RETURN(user, c.ctx.access.CreateUser(*c.principal, std::move(user), std::move(password)));
  return JsonResponse(201, UserJson(user));
}

Result<http::Response> GetUser(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "user id"));
  PSAFE_ASSIGN_OR_RETURN(auto user, c.ctx.access.GetUser(*c.principal, id));
  return JsonResponse(200, UserJson(user));
}

Result<http::Response> UpdateUser(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "user id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::UserChange change;
  PSAFE_RETURN_IF_ERROR(ReadUserChange(body, &change));
  PSAFE_ASSIGN_OR_RETURN(auto user, c.ctx.access.UpdateUser(*c.principal, id, change));
  return JsonResponse(200, UserJson(user));
}

Result<http::Response> DeleteUser(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "user id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.access.DeleteUser(*c.principal, id));
  return http::Response::Empty(204);
}

Result<http::Response> ListUserGroups(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto groups, c.ctx.access.ListGroups(*c.principal));
  return JsonResponse(200, ArrayOf(groups, UserGroupJson));
}

Result<http::Response> CreateUserGroup(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::UserGroup group;
  PSAFE_RETURN_IF_ERROR(ReadUserGroup(body, &group));
  PSAFE_ASSIGN_OR_RETURN(group, c.ctx.access.CreateGroup(*c.principal, std::move(group)));
  return JsonResponse(201, UserGroupJson(group));
}

Result<http::Response> GetUserGroup(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto group, c.ctx.access.GetGroup(*c.principal, c.req.path_params[0]));
  return JsonResponse(200, UserGroupJson(group));
}

Result<http::Response> ListGroupMembers(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t group_id, PathId(c, 0, "user group id"));
  PSAFE_ASSIGN_OR_RETURN(auto users, c.ctx.access.ListMembers(*c.principal, group_id));
  return JsonResponse(200, ArrayOf(users, UserJson));
}

namespace {

// Membership routes name the pair either way round: UserGroups/{id}/Users/{userId} (ours)
// and Users/{userId}/UserGroups/{groupId} (the product's).
Result<http::Response> ChangeMembership(ApiCall& c, size_t group_param, bool add) {
  PSAFE_ASSIGN_OR_RETURN(int64_t group_id, PathId(c, group_param, "user group id"));
  PSAFE_ASSIGN_OR_RETURN(int64_t user_id, PathId(c, 1 - group_param, "user id"));
  if (add) {
    PSAFE_RETURN_IF_ERROR(c.ctx.access.AddMember(*c.principal, group_id, user_id));
    return http::Response::Empty(201);
  }
  PSAFE_RETURN_IF_ERROR(c.ctx.access.RemoveMember(*c.principal, group_id, user_id));
  return http::Response::Empty(204);
}

}  // namespace

Result<http::Response> AddGroupMember(ApiCall& c) { return ChangeMembership(c, 0, true); }
Result<http::Response> RemoveGroupMember(ApiCall& c) { return ChangeMembership(c, 0, false); }
Result<http::Response> AddUserToGroup(ApiCall& c) { return ChangeMembership(c, 1, true); }
Result<http::Response> RemoveUserFromGroup(ApiCall& c) { return ChangeMembership(c, 1, false); }

// DELETE UserGroups/{id} (204, as the product's deletes by id) and the product's
// DELETE UserGroups?name= (200: not a delete by id; the compat notes do not name its code).
Result<http::Response> DeleteUserGroup(ApiCall& c) {
  Result<domain::UserGroup> group = Status::InvalidArgument("name is required");
  if (!c.req.path_params.empty()) {
    group = c.ctx.access.GetGroup(*c.principal, c.req.path_params[0]);
  } else if (auto name = c.req.query.Get("name"); name && !name->empty()) {
    group = c.ctx.access.GetGroupByName(*c.principal, *name);  // "?name=4" names a group, never id 4
  }
  PSAFE_RETURN_IF_ERROR(group.status());
  PSAFE_RETURN_IF_ERROR(c.ctx.access.DeleteGroup(*c.principal, group->id));
  return http::Response::Empty(c.req.path_params.empty() ? 200 : 204);
}

Result<http::Response> RemoveRoles(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t group_id, PathId(c, 0, "user group id"));
  PSAFE_ASSIGN_OR_RETURN(int64_t rule_id, PathId(c, 1, "smart rule id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.access.RemoveRoles(*c.principal, group_id, rule_id));
  return http::Response::Empty(204);
}


Result<http::Response> ListRoles(ApiCall&) {
  json::array roles;
  for (const auto& r : domain::kRoles) roles.push_back(RoleJson(r));
  return JsonResponse(200, roles);
}

// The product's permission access levels (GET AccessLevels, the PSRUN guide's example).
Result<http::Response> ListAccessLevels(ApiCall&) {
  struct Level {
    int64_t id;
    std::string_view name;
  };
  static constexpr Level kLevels[] = {{0, "None"}, {1, "Read"}, {2, "Read/Write"}};
  json::array out;
  for (const Level& l : kLevels) out.push_back(json::object{{"AccessLevelID", l.id}, {"Name", l.name}});
  return JsonResponse(200, out);
}

Result<http::Response> ListSmartRules(ApiCall& c) {
  auto type = c.req.query.Get("type");
  if (type && !type->empty() && !EqualsIgnoreCase(*type, "ManagedAccount")) {
    return JsonResponse(200, json::array());  // psafed has managed-account rules only
  }
  PSAFE_ASSIGN_OR_RETURN(auto rules, c.ctx.access.ListSmartRules(*c.principal));
  return JsonResponse(200, ArrayOf(rules, SmartRuleJson));
}

Result<http::Response> GetSmartRule(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "smart rule id"));
  PSAFE_ASSIGN_OR_RETURN(auto rule, c.ctx.access.GetSmartRule(*c.principal, id));
  return JsonResponse(200, SmartRuleJson(rule));
}

Result<http::Response> ListGroupSmartRules(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "user group id"));
  PSAFE_ASSIGN_OR_RETURN(auto rules, c.ctx.access.ListGroupSmartRules(*c.principal, id));
  return JsonResponse(200, ArrayOf(rules, SmartRuleJson));
}

Result<http::Response> CreateSmartRule(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::SmartRule rule;
  PSAFE_RETURN_IF_ERROR(ReadSmartRule(body, &rule));
  PSAFE_ASSIGN_OR_RETURN(rule, c.ctx.access.CreateSmartRule(*c.principal, std::move(rule)));
  return JsonResponse(201, SmartRuleJson(rule));
}

// POST UserGroups/{id}/SmartRules/{ruleId}/Roles {"Roles":[{"RoleID":1}], "AccessPolicyID":2}
Result<http::Response> AssignRoles(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t group_id, PathId(c, 0, "user group id"));
  PSAFE_ASSIGN_OR_RETURN(int64_t rule_id, PathId(c, 1, "smart rule id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("Roles"));
  const json::value* roles = body.Find("Roles");
  if (!roles->is_array()) return Status::InvalidArgument("Roles must be an array of {RoleID}");
  std::vector<int64_t> role_ids;
  for (const json::value& r : roles->get_array()) {
    if (r.is_int64()) {
      role_ids.push_back(r.get_int64());
      continue;
    }
    auto item = r.is_object() ? JsonBody::ParseText(json::serialize(r)) : Result<JsonBody>(Status::InvalidArgument(""));
    int64_t id = 0;
    if (!item.ok() || item->Find("RoleID") == nullptr || !item->Read("RoleID", &id).ok()) {
      return Status::InvalidArgument("Roles must be an array of {RoleID}");
    }
    role_ids.push_back(id);
  }
  std::optional<int64_t> policy;
  PSAFE_RETURN_IF_ERROR(body.Read("AccessPolicyID", &policy));
  PSAFE_RETURN_IF_ERROR(c.ctx.access.AssignRoles(*c.principal, group_id, rule_id, role_ids, policy));
  return http::Response::Empty(204);
}

Result<http::Response> ListAccessPolicies(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto policies, c.ctx.access.ListPolicies(*c.principal));
  return JsonResponse(200, ArrayOf(policies, AccessPolicyJson));
}

Result<http::Response> CreateAccessPolicy(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::AccessPolicy policy;
  PSAFE_RETURN_IF_ERROR(ReadAccessPolicy(body, &policy));
  PSAFE_ASSIGN_OR_RETURN(policy, c.ctx.access.CreatePolicy(*c.principal, std::move(policy)));
  return JsonResponse(201, AccessPolicyJson(policy));
}

Result<http::Response> ListPasswordRules(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto rules, c.ctx.access.ListPasswordRules(*c.principal));
  return JsonResponse(200, ArrayOf(rules, PasswordRuleJson));
}

Result<http::Response> GetPasswordRule(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "password rule id"));
  PSAFE_ASSIGN_OR_RETURN(auto rule, c.ctx.access.GetPasswordRule(*c.principal, id));
  return JsonResponse(200, PasswordRuleJson(rule));
}

// The one rule psafe generates SSH keys by (docs/ROTATION.md): Ed25519, OpenSSH format,
// no passphrase, under the default password rule.
Result<http::Response> ListDssKeyRules(ApiCall& c) {
  PSAFE_RETURN_IF_ERROR(domain::RequireAdministrator(*c.principal));
  return JsonResponse(200, json::array{DssKeyRuleJson()});
}

Result<http::Response> GetDssKeyRule(ApiCall& c) {
  PSAFE_RETURN_IF_ERROR(domain::RequireAdministrator(*c.principal));
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "DSS key rule id"));
  if (id != 1) return Status::NotFound("DSS key rule not found");
  return JsonResponse(200, DssKeyRuleJson());
}

Result<http::Response> CreatePasswordRule(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::PasswordRule rule;
  PSAFE_RETURN_IF_ERROR(ReadPasswordRule(body, &rule));
  PSAFE_ASSIGN_OR_RETURN(rule, c.ctx.access.CreatePasswordRule(*c.principal, std::move(rule)));
  return JsonResponse(201, PasswordRuleJson(rule));
}

// GET Audit?userId=&accountId=&from=&to=&limit=&offset=  (from/to: Unix seconds)
Result<http::Response> ListAudit(ApiCall& c) {
  domain::AuditFilter f;
  PSAFE_ASSIGN_OR_RETURN(f.user_id, QueryInt(c, "userId"));
  PSAFE_ASSIGN_OR_RETURN(f.account_id, QueryInt(c, "accountId"));
  PSAFE_ASSIGN_OR_RETURN(f.from, QueryInt(c, "from"));
  PSAFE_ASSIGN_OR_RETURN(f.to, QueryInt(c, "to"));
  PSAFE_ASSIGN_OR_RETURN(domain::Page page, ReadPage(c));
  if (page.limit > 0) f.limit = page.limit;
  f.offset = page.offset;
  PSAFE_ASSIGN_OR_RETURN(auto records, c.ctx.audit.List(*c.principal, f));
  return JsonResponse(200, json::object{{"TotalCount", records.total},
                                        {"Data", ArrayOf(records.items, AuditJson)}});
}

// GET UserAudits?limit&startdate&enddate (RFC 3339, both inclusive), newest first: what
// Elastic's integration pages through, moving enddate to the last CreateDate it got.
Result<http::Response> ListUserAudits(ApiCall& c) {
  domain::AuditFilter f;
  for (auto [name, bound] : {std::pair{"startdate", &f.from}, std::pair{"enddate", &f.to}}) {
    auto raw = c.req.query.Get(name);
    if (!raw || raw->empty()) continue;
    *bound = ParseTimestamp(*raw);
    if (!*bound) return Status::InvalidArgument(std::string(name) + " must be an RFC 3339 date-time");
  }
  PSAFE_ASSIGN_OR_RETURN(domain::Page page, ReadPage(c));
  if (page.limit > 0) f.limit = page.limit;
  f.offset = page.offset;
  PSAFE_ASSIGN_OR_RETURN(auto records, c.ctx.audit.List(*c.principal, f));
  return JsonResponse(200, json::object{{"TotalCount", records.total},
                                        {"Data", ArrayOf(records.items, UserAuditJson)}});
}

}  // namespace psafe::api
