// Wire shapes of the permission model, password rules, requests and audit records.
#pragma once

#include <boost/json/object.hpp>

#include "api/dialect.h"
#include "api/json_body.h"
#include "domain/access.h"
#include "domain/access_service.h"
#include "domain/audit.h"
#include "domain/identity.h"
#include "domain/password_rule.h"
#include "domain/request.h"
#include "domain/request_service.h"

namespace psafe::api {

boost::json::object UserJson(const domain::User& u);
boost::json::object UserGroupJson(const domain::UserGroup& g);
boost::json::object SmartRuleJson(const domain::SmartRule& r);
boost::json::object AccessPolicyJson(const domain::AccessPolicy& p);
boost::json::object RoleJson(const domain::RoleInfo& r);
boost::json::object PasswordRuleJson(const domain::PasswordRule& r);
boost::json::object DssKeyRuleJson();
boost::json::object AuditJson(const domain::AuditRecord& r);
// GET UserAudits: the product's shape (contract: AuditID, ActionType, Section, UserID,
// UserName, IPAddress, CreateDate), plus our Action and ObjectID.
boost::json::object UserAuditJson(const domain::AuditRecord& r);
// The request as of `now` (expired requests read as Expired). The document's Status enum
// has no Released: its dialect reports a checked-in request as Expired (no longer usable).
boost::json::object RequestJson(const domain::Request& r, int64_t now, Dialect dialect);

Status ReadUser(const JsonBody& b, domain::User* u, std::optional<crypto::SecretString>* password);
Status ReadUserGroup(const JsonBody& b, domain::UserGroup* g);
Status ReadUserChange(const JsonBody& b, domain::UserChange* change);
// An array of ids, given as integers or as objects holding `key`; appended to `out`.
Status ReadIdArray(const JsonBody& b, std::string_view name, std::string_view key, std::vector<int64_t>* out);
Status ReadSmartRule(const JsonBody& b, domain::SmartRule* r);
Status ReadAccessPolicy(const JsonBody& b, domain::AccessPolicy* p);
Status ReadPasswordRule(const JsonBody& b, domain::PasswordRule* r);
Status ReadNewRequest(const JsonBody& b, domain::NewRequest* r);
// The `type` query parameter of a credential call (password when absent).
Result<domain::CredentialType> ReadCredentialType(const http::Request& req);
// Everything of a POST Requests body but the system and the account (POST Aliases/{id}/Requests).
Status ReadRequestTerms(const JsonBody& b, domain::NewRequest* r);

}  // namespace psafe::api
