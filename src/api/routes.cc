#include "api/routes.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

#include "api/authenticate.h"
#include "api/error_map.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "common/strings.h"

#ifndef PSAFE_VERSION
#define PSAFE_VERSION "dev"
#endif

namespace psafe::api {

namespace {

enum class Access { kPublic, kSignedIn };
// The media type a route's body must declare (a request with a body and any other, or
// none, gets 415): a body is never parsed as something it did not say it is.
enum class Body { kJson, kForm, kMultipart };
// kBlocking: the route hashes a password or calls a managed system, so it runs on the
// server's worker pool with each write durable before the next step (http/router.h);
// the rest run where the request was read.
enum class Runs { kAnywhere, kBlocking };

// The route table. `document` marks paths spelled exactly as in the OpenAPI document:
// a request that spells such a path byte for byte is answered in the document's dialect,
// any other spelling (matched case-insensitively) in the product's.
struct RouteDef {
  std::string_view method;
  std::string_view path;  // relative to kBasePath
  bool document;
  Access access;
  ApiHandler handler;
  Body body = Body::kJson;
  Runs runs = Runs::kAnywhere;
};

constexpr RouteDef kRoutes[] = {
    // Authentication
    {"POST", "auth/signappin", true, Access::kPublic, SignAppIn},
    {"POST", "auth/signappout", true, Access::kSignedIn, SignOut},
    {"POST", "Auth/Signout", false, Access::kSignedIn, SignOut},
    {"DELETE", "Auth/Signout", false, Access::kSignedIn, SignOut},
    {"POST", "Auth/connect/token", false, Access::kPublic, IssueOAuthToken, Body::kForm},
    // Workgroups and assets
    {"GET", "Workgroups", false, Access::kSignedIn, ListWorkgroups},
    {"POST", "Workgroups", false, Access::kSignedIn, CreateWorkgroup},
    {"GET", "Workgroups/{workgroup}", false, Access::kSignedIn, GetWorkgroup},
    {"GET", "Workgroups/{workgroup}/Assets", false, Access::kSignedIn, ListAssets},
    {"POST", "Workgroups/{workgroup}/Assets", false, Access::kSignedIn, CreateAsset},
    {"GET", "Workgroups/{workgroup}/Assets/{assetName}", false, Access::kSignedIn, GetAssetByName},
    {"GET", "Workgroups/{workgroup}/ManagedSystems", false, Access::kSignedIn, ListSystemsOfWorkgroup},
    {"GET", "Assets/{id}/ManagedSystems", false, Access::kSignedIn, ListSystemsOfAsset},
    {"GET", "EntityTypes", false, Access::kSignedIn, ListEntityTypes},
    {"GET", "OperatingSystems", false, Access::kSignedIn, ListOperatingSystems},
    {"GET", "Assets/{id}", false, Access::kSignedIn, GetAsset},
    {"DELETE", "Assets/{id}", false, Access::kSignedIn, DeleteAsset},
    // Platforms, functional accounts, databases
    {"GET", "Platforms", false, Access::kSignedIn, ListPlatforms},
    {"GET", "Platforms/{id}", false, Access::kSignedIn, GetPlatform},
    {"GET", "FunctionalAccounts", false, Access::kSignedIn, ListFunctionalAccounts},
    {"POST", "FunctionalAccounts", false, Access::kSignedIn, CreateFunctionalAccount},
    {"GET", "FunctionalAccounts/{id}", false, Access::kSignedIn, GetFunctionalAccount},
    {"DELETE", "FunctionalAccounts/{id}", false, Access::kSignedIn, DeleteFunctionalAccount},
    {"POST", "Assets/{id}/Databases", false, Access::kSignedIn, CreateDatabase},
    {"GET", "Assets/{id}/Databases", false, Access::kSignedIn, ListDatabasesOfAsset},
    {"GET", "Databases", false, Access::kSignedIn, ListDatabases},
    {"GET", "Databases/{id}", false, Access::kSignedIn, GetDatabase},
    {"PUT", "Databases/{id}", false, Access::kSignedIn, UpdateDatabase},
    {"DELETE", "Databases/{id}", false, Access::kSignedIn, DeleteDatabase},
    {"POST", "Databases/{id}/ManagedSystems", false, Access::kSignedIn, CreateSystemOnDatabase},
    // Managed systems
    {"POST", "Assets/{id}/ManagedSystems", false, Access::kSignedIn, CreateSystemOnAsset},
    {"POST", "Workgroups/{workgroup}/ManagedSystems", false, Access::kSignedIn, CreateSystemInWorkgroup},
    {"GET", "managedsystems", true, Access::kSignedIn, ListManagedSystems},
    {"GET", "ManagedSystems/{id}", false, Access::kSignedIn, GetManagedSystem},
    {"PUT", "ManagedSystems/{id}", false, Access::kSignedIn, UpdateManagedSystem},
    {"DELETE", "ManagedSystems/{id}", false, Access::kSignedIn, DeleteManagedSystem},
    {"PUT", "ManagedSystems/{id}/HostKey", false, Access::kSignedIn, PinHostKey},
    {"DELETE", "ManagedSystems/{id}/HostKey", false, Access::kSignedIn, ClearHostKey},
    {"POST", "ManagedSystems/{id}/ManagedAccounts/Credentials/Change", false, Access::kSignedIn, ChangeSystemCredentials},
    // Managed accounts
    {"POST", "ManagedSystems/{id}/ManagedAccounts", false, Access::kSignedIn, CreateManagedAccount},
    {"GET", "ManagedSystems/{id}/ManagedAccounts", false, Access::kSignedIn, ListAccountsOfSystem},
    {"GET", "managedaccounts", true, Access::kSignedIn, ListManagedAccounts},
    {"GET", "ManagedAccounts/{id}", false, Access::kSignedIn, GetManagedAccount},
    {"PUT", "ManagedAccounts/{id}", false, Access::kSignedIn, UpdateManagedAccount},
    {"DELETE", "ManagedAccounts/{id}", false, Access::kSignedIn, DeleteManagedAccount},
    {"PUT", "ManagedAccounts/{id}/Credentials", false, Access::kSignedIn, ForceReset, Body::kJson, Runs::kBlocking},
    {"GET", "ManagedAccounts/{id}/Credentials", false, Access::kSignedIn, GetAccountCredentials},
    {"POST", "ManagedAccounts/{id}/Requests/Terminate", false, Access::kSignedIn, TerminateAccountRequests},
    {"POST", "ManagedSystems/{id}/Requests/Terminate", false, Access::kSignedIn, TerminateSystemRequests},
    {"POST", "Users/{id}/Requests/Terminate", false, Access::kSignedIn, TerminateUserRequests},
    {"POST", "ManagedAccounts/{id}/Credentials/Change", false, Access::kSignedIn, ChangeAccountCredentials, Body::kJson, Runs::kBlocking},
    {"POST", "ManagedAccounts/{id}/Credentials/Test", false, Access::kSignedIn, TestAccountCredentials, Body::kJson, Runs::kBlocking},
    // Permission model
    {"GET", "Users", false, Access::kSignedIn, ListUsers},
    {"POST", "Users", false, Access::kSignedIn, CreateUser, Body::kJson, Runs::kBlocking},
    {"GET", "Users/{id}", false, Access::kSignedIn, GetUser},
    {"PUT", "Users/{id}", false, Access::kSignedIn, UpdateUser, Body::kJson, Runs::kBlocking},
    {"DELETE", "Users/{id}", false, Access::kSignedIn, DeleteUser},
    {"POST", "Users/{userId}/UserGroups/{groupId}", false, Access::kSignedIn, AddUserToGroup},
    {"DELETE", "Users/{userId}/UserGroups/{groupId}", false, Access::kSignedIn, RemoveUserFromGroup},
    {"GET", "UserGroups", false, Access::kSignedIn, ListUserGroups},
    {"POST", "UserGroups", false, Access::kSignedIn, CreateUserGroup},
    {"DELETE", "UserGroups", false, Access::kSignedIn, DeleteUserGroup},
    {"GET", "UserGroups/{group}", false, Access::kSignedIn, GetUserGroup},
    {"DELETE", "UserGroups/{group}", false, Access::kSignedIn, DeleteUserGroup},
    {"GET", "UserGroups/{id}/Users", false, Access::kSignedIn, ListGroupMembers},
    {"POST", "UserGroups/{id}/Users/{userId}", false, Access::kSignedIn, AddGroupMember},
    {"DELETE", "UserGroups/{id}/Users/{userId}", false, Access::kSignedIn, RemoveGroupMember},
    {"POST", "UserGroups/{id}/SmartRules/{ruleId}/Roles", false, Access::kSignedIn, AssignRoles},
    {"DELETE", "UserGroups/{id}/SmartRules/{ruleId}/Roles", false, Access::kSignedIn, RemoveRoles},
    {"GET", "Roles", false, Access::kSignedIn, ListRoles},
    {"GET", "AccessLevels", false, Access::kSignedIn, ListAccessLevels},
    {"GET", "SmartRules", false, Access::kSignedIn, ListSmartRules},
    {"POST", "SmartRules", false, Access::kSignedIn, CreateSmartRule},
    {"GET", "SmartRules/{id}", false, Access::kSignedIn, GetSmartRule},
    {"GET", "UserGroups/{id}/SmartRules", false, Access::kSignedIn, ListGroupSmartRules},
    {"GET", "AccessPolicies", false, Access::kSignedIn, ListAccessPolicies},
    {"POST", "AccessPolicies", false, Access::kSignedIn, CreateAccessPolicy},
    {"GET", "PasswordRules", false, Access::kSignedIn, ListPasswordRules},
    {"POST", "PasswordRules", false, Access::kSignedIn, CreatePasswordRule},
    {"GET", "PasswordRules/{id}", false, Access::kSignedIn, GetPasswordRule},
    {"GET", "DSSKeyRules", false, Access::kSignedIn, ListDssKeyRules},
    {"GET", "DSSKeyRules/{id}", false, Access::kSignedIn, GetDssKeyRule},
    {"GET", "Audit", false, Access::kSignedIn, ListAudit},
    {"GET", "UserAudits", false, Access::kSignedIn, ListUserAudits},
    {"GET", "ApiRegistrations", false, Access::kSignedIn, ListApiRegistrations},
    {"POST", "ApiRegistrations", false, Access::kSignedIn, CreateApiRegistration},
    {"GET", "ApiRegistrations/{id}", false, Access::kSignedIn, GetApiRegistration},
    {"PUT", "ApiRegistrations/{id}", false, Access::kSignedIn, UpdateApiRegistration},
    {"DELETE", "ApiRegistrations/{id}", false, Access::kSignedIn, DeleteApiRegistration},
    {"GET", "ApiRegistrations/{id}/Users", false, Access::kSignedIn, ListRegistrationUsers},
    {"POST", "ApiRegistrations/{id}/Users/{userId}", false, Access::kSignedIn, LinkRegistrationUser},
    {"DELETE", "ApiRegistrations/{id}/Users/{userId}", false, Access::kSignedIn, UnlinkRegistrationUser},
    {"GET", "ApiRegistrations/{id}/UserGroups", false, Access::kSignedIn, ListRegistrationGroups},
    {"POST", "ApiRegistrations/{id}/UserGroups/{groupId}", false, Access::kSignedIn, LinkRegistrationGroup},
    {"DELETE", "ApiRegistrations/{id}/UserGroups/{groupId}", false, Access::kSignedIn, UnlinkRegistrationGroup},
    // Requests and credentials
    {"POST", "requests", true, Access::kSignedIn, CreateRequest},
    {"GET", "requests", true, Access::kSignedIn, ListRequests},
    {"GET", "requests/{id}", true, Access::kSignedIn, GetRequest},
    {"PUT", "requests/{id}", true, Access::kSignedIn, UpdateRequest},
    {"DELETE", "requests/{id}", true, Access::kSignedIn, DeleteRequest},
    {"GET", "requests/{id}/credentials", true, Access::kSignedIn, GetRequestCredentials},
    {"PUT", "Requests/{id}/Approve", false, Access::kSignedIn, ApproveRequest},
    {"PUT", "Requests/{id}/Deny", false, Access::kSignedIn, DenyRequest},
    {"PUT", "Requests/{id}/Checkin", false, Access::kSignedIn, CheckinRequest},
    {"PUT", "Requests/{id}/RotateOnCheckin", false, Access::kSignedIn, RotateOnCheckin},
    {"GET", "Credentials/{id}", false, Access::kSignedIn, GetCredentials},
    {"POST", "ISARequests", false, Access::kSignedIn, IsaRequest},
    // Aliases
    {"GET", "Aliases", false, Access::kSignedIn, ListAliases},
    {"POST", "Aliases", false, Access::kSignedIn, CreateAlias},
    {"GET", "Aliases/{alias}", false, Access::kSignedIn, GetAlias},
    {"PUT", "Aliases/{id}", false, Access::kSignedIn, UpdateAlias},
    {"DELETE", "Aliases/{id}", false, Access::kSignedIn, DeleteAlias},
    {"POST", "Aliases/{id}/Requests", false, Access::kSignedIn, CreateAliasRequest},
    {"GET", "Aliases/{id}/Credentials/{requestId}", false, Access::kSignedIn, GetAliasCredentials},
    // Secrets Safe: safes and folders
    {"GET", "secrets-safe/safes", false, Access::kSignedIn, ListSafes},
    {"POST", "secrets-safe/safes", false, Access::kSignedIn, CreateSafe},
    {"DELETE", "secrets-safe/safes/{id}", false, Access::kSignedIn, DeleteSecretFolder},
    {"GET", "secrets-safe/folders", false, Access::kSignedIn, ListSecretFolders},
    {"POST", "secrets-safe/folders", false, Access::kSignedIn, CreateSecretFolder},
    {"GET", "secrets-safe/folders/{id}", false, Access::kSignedIn, GetSecretFolder},
    {"DELETE", "secrets-safe/folders/{id}", false, Access::kSignedIn, DeleteSecretFolder},
    {"POST", "secrets-safe/folders/{id}/grants", false, Access::kSignedIn, GrantSecretFolder},
    {"DELETE", "secrets-safe/folders/{id}/grants/{groupId}", false, Access::kSignedIn, RevokeSecretFolderGrant},
    {"GET", "secrets-safe/folders/{id}/secrets", false, Access::kSignedIn, ListFolderSecrets},
    {"POST", "secrets-safe/folders/{id}/secrets", false, Access::kSignedIn, CreateCredentialSecret},
    {"POST", "secrets-safe/folders/{id}/secrets/text", false, Access::kSignedIn, CreateTextSecret},
    {"POST", "secrets-safe/folders/{id}/secrets/file", false, Access::kSignedIn, CreateFileSecret, Body::kMultipart},
    // Secrets Safe: secrets. The document's four operations answer both names on any
    // spelling (api/secrets_json.h), so their dialect changes only the error body.
    {"GET", "secrets-safe/secrets", true, Access::kSignedIn, SearchSecrets},
    {"POST", "secrets-safe/secrets", true, Access::kSignedIn, CreateSecretAtPath},
    {"GET", "secrets-safe/secrets/{id}", true, Access::kSignedIn, GetSecret},
    {"DELETE", "secrets-safe/secrets/{id}", true, Access::kSignedIn, DeleteSecret},
    {"PUT", "secrets-safe/secrets/{id}", false, Access::kSignedIn, UpdateCredentialSecret},
    {"PUT", "secrets-safe/secrets/{id}/text", false, Access::kSignedIn, UpdateTextSecret},
    {"PUT", "secrets-safe/secrets/{id}/file", false, Access::kSignedIn, UpdateFileSecret, Body::kMultipart},
    {"GET", "secrets-safe/secrets/{id}/file/download", false, Access::kSignedIn, DownloadSecretFile},
};

struct BodyRule {
  Body body;
  std::string_view media_type;  // JSON also takes its other spellings (IsJsonContentType)
};
constexpr BodyRule kBodyRules[] = {
    {Body::kJson, "application/json"},
    {Body::kForm, "application/x-www-form-urlencoded"},
    {Body::kMultipart, "multipart/form-data"},
};

// OK when a request without a body, or one whose Content-Type is the route's; else 415.
Status CheckBody(Body body, const http::Request& req) {
  if (req.body.empty()) return Status::OK();
  const BodyRule& rule = *std::find_if(std::begin(kBodyRules), std::end(kBodyRules),
                                       [body](const BodyRule& r) { return r.body == body; });
  auto header = req.headers.Get("Content-Type");
  const bool declared = header && (body == Body::kJson ? IsJsonContentType(*header)
                                                       : EqualsIgnoreCase(TrimWhitespace(header->substr(
                                                                              0, header->find(';'))),
                                                                          rule.media_type));
  if (declared) return Status::OK();
  return Status::UnsupportedMedia("Content-Type must be " + std::string(rule.media_type));
}

// CSRF (docs/SECURITY.md, "Cookies and CSRF"). A browser attaches the session cookie to a
// cross-site request, and announces itself by Origin or Sec-Fetch-Site; programmatic
// clients send neither and are not at risk. A cookie-authenticated state change with such
// signals must come from psafed's own origin and echo the session's CSRF token.
Status CheckCsrf(ApiContext& ctx, const http::Request& req) {
  if (req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS") return Status::OK();
  auto origin = req.headers.Get("Origin");
  auto site = req.headers.Get("Sec-Fetch-Site");
  if (!origin && !site) return Status::OK();
  const Status refused = Status::PermissionDenied("cross-site request refused");
  if (site && !EqualsIgnoreCase(TrimWhitespace(*site), "same-origin")) return refused;
  if (origin) {
    auto host = req.headers.Get("Host");
    const std::string own = std::string(ctx.secure_cookies ? "https://" : "http://") + std::string(host.value_or(""));
    if (!host || !EqualsIgnoreCase(TrimWhitespace(*origin), own)) return refused;
  }
  auto cookies = req.headers.Get("Cookie");
  auto sid = cookies ? http::FindCookie(*cookies, "ASP.NET_SessionId") : std::nullopt;
  auto cookie_token = cookies ? http::FindCookie(*cookies, kCsrfCookie) : std::nullopt;
  auto header_token = req.headers.Get("RequestVerificationToken");
  if (!sid || !cookie_token || !header_token) return refused;
  const bool cookie_ok = ctx.auth.CsrfTokenMatches(*sid, *cookie_token);
  const bool header_ok = ctx.auth.CsrfTokenMatches(*sid, TrimWhitespace(*header_token));
  return cookie_ok && header_ok ? Status::OK() : refused;
}

http::Response Invoke(const RouteDef& def, ApiContext& ctx, http::Request& req) {
  const Dialect dialect = def.document && req.exact_spelling ? Dialect::kDocument : Dialect::kProduct;
  // Sign-in calls (the public routes) and all others have their own buckets per client.
  if (http::RateLimiter* limiter = def.access == Access::kPublic ? ctx.signin_limiter : ctx.request_limiter) {
    if (const int64_t wait = limiter->Take(req.remote_address); wait > 0) {
      http::Response res = ErrorResponse(429, "too many requests; retry later", dialect);
      res.headers.Add("Retry-After", std::to_string(wait));
      return res;
    }
  }
  std::optional<domain::Principal> principal;
  if (def.access == Access::kSignedIn) {
    auto p = Authenticate(ctx, req);
    if (!p.ok()) return ErrorResponse(p.status(), dialect);
    if (p->via_cookie) {
      if (Status csrf = CheckCsrf(ctx, req); !csrf.ok()) return ErrorResponse(csrf, dialect);
    }
    principal = std::move(p).value();
  }
  // After sign-in, so an unauthenticated caller learns nothing of the route.
  if (Status body = CheckBody(def.body, req); !body.ok()) return ErrorResponse(body, dialect);
  ApiCall call{req, dialect, principal ? &*principal : nullptr, ctx};
  Result<http::Response> res = def.handler(call);
  http::Response out = res.ok() ? std::move(res).value() : ErrorResponse(res.status(), dialect);
  if (principal && out.log_principal.empty()) {
    out.log_principal = "user:" + std::to_string(principal->user.id);
  }
  return out;
}

http::Response Health(ApiContext& ctx) {
  // A load balancer takes a node out when its store is unreachable or refuses writes.
  Result<bool> writable = ctx.store_health.Writable();
  const bool ok = writable.ok() && *writable;
  boost::json::object body{
      {"status", ok ? "ok" : "degraded"},
      {"version", PSAFE_VERSION},
      {"store", boost::json::object{{"backend", ctx.store_health.BackendName()},
                                    {"status", writable.ok() ? "ok" : "unavailable"},
                                    {"writable", writable.ok() && *writable}}}};
  return JsonResponse(ok ? 200 : 503, body);
}

}  // namespace

http::Response JsonResponse(int status, const boost::json::value& v) {
  return http::Response::Json(status, ToJson(v));
}

Result<int64_t> PathId(const ApiCall& c, size_t index, std::string_view what) {
  const std::string& s = c.req.path_params.at(index);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) {
    return Status::InvalidArgument(std::string(what) + " must be a positive integer");
  }
  return v;
}

Result<std::optional<int64_t>> QueryInt(const ApiCall& c, std::string_view name) {
  auto raw = c.req.query.Get(name);
  if (!raw || raw->empty()) return std::optional<int64_t>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || end != raw->data() + raw->size()) {
    return Status::InvalidArgument(std::string(name) + " must be an integer");
  }
  return std::optional<int64_t>(v);
}

Result<domain::Page> ReadPage(const ApiCall& c) {
  domain::Page page;
  PSAFE_ASSIGN_OR_RETURN(auto limit, QueryInt(c, "limit"));
  PSAFE_ASSIGN_OR_RETURN(auto offset, QueryInt(c, "offset"));
  if (limit) {
    if (*limit < 1 || *limit > 100000) return Status::InvalidArgument("limit must be between 1 and 100000");
    page.limit = *limit;
  }
  if (offset) {
    if (*offset < 0) return Status::InvalidArgument("offset must not be negative");
    page.offset = *offset;
  }
  return page;
}

http::Response TransportError(int status, std::string_view message) {
  return ErrorResponse(status, message, Dialect::kProduct);
}

namespace {

bool AlwaysBlocks(const http::Request&) { return true; }

// A password in PS-Auth (pwd=[...]) is verified with Argon2id on whichever route it comes.
// Any "pwd" in the header counts: a false positive only moves the call to the pool.
bool CarriesPassword(const http::Request& req) {
  auto header = req.headers.Get("Authorization");
  if (!header) return false;
  const std::string_view h = *header;
  for (size_t i = 0; i + 3 <= h.size(); ++i) {
    if (EqualsIgnoreCase(h.substr(i, 3), "pwd")) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<http::Router> BuildRouter(ApiContext& ctx) {
  auto router = std::make_unique<http::Router>(TransportError);
  for (const RouteDef& def : kRoutes) {
    router->Add(std::string(def.method), std::string(kBasePath) + "/" + std::string(def.path),
                [&ctx, &def](http::Request& req) { return Invoke(def, ctx, req); },
                def.runs == Runs::kBlocking ? AlwaysBlocks : CarriesPassword);
  }
  router->Add("GET", "/health", [&ctx](http::Request&) { return Health(ctx); });
  if (!ctx.ca_crl.empty()) {
    router->Add("GET", std::string(kCaCrlPath), [&ctx](http::Request&) {
      http::Response r;
      r.content_type = "application/pkix-crl";
      r.body = ctx.ca_crl;
      return r;
    });
  }
  return router;
}

}  // namespace psafe::api
