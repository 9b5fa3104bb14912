#include <boost/json/array.hpp>

#include "api/access_json.h"
#include "api/handlers.h"
#include "common/strings.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

// A credential as a bare JSON string (contract §0 rule 8); wiped after it is written.
http::Response SecretResponse(const crypto::SecretString& secret) {
  http::Response res = JsonResponse(200, json::string(secret.view()));
  res.sensitive = true;
  return res;
}

Result<std::string> OptionalReason(const ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  std::string reason;
  PSAFE_RETURN_IF_ERROR(body.Read("Reason", &reason, 1000));
  return reason;
}

Result<http::Response> RequestObject(ApiCall& c, int64_t id, int status) {
  PSAFE_ASSIGN_OR_RETURN(auto r, c.ctx.requests.Get(*c.principal, id));
  return JsonResponse(status, RequestJson(r, c.ctx.requests.Now(), c.dialect));
}

}  // namespace

// POST Requests (product: bare id, 201 new / 200 reused) and POST /requests (document:
// the Request object). This is the dialect's one structural difference on requests.
Result<http::Response> CreateRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::NewRequest nr;
  PSAFE_RETURN_IF_ERROR(ReadNewRequest(body, &nr));
  PSAFE_ASSIGN_OR_RETURN(auto created, c.ctx.requests.Create(*c.principal, nr));
  const int status = created.reused ? 200 : 201;
  if (c.dialect == Dialect::kDocument) return RequestObject(c, created.id, status);
  return JsonResponse(status, created.id);
}

Result<http::Response> ListRequests(ApiCall& c) {
  domain::RequestFilter f;
  auto status = c.req.query.Get("status");
  if (status && EqualsIgnoreCase(*status, "active")) f.which = domain::RequestFilter::Which::kActive;
  else if (status && EqualsIgnoreCase(*status, "pending")) f.which = domain::RequestFilter::Which::kPending;
  else if (status && !status->empty() && !EqualsIgnoreCase(*status, "all")) {
    return Status::InvalidArgument("status must be all, active or pending");
  }
  auto queue = c.req.query.Get("queue");
  if (queue && EqualsIgnoreCase(*queue, "app")) f.approver_queue = true;
  else if (queue && !queue->empty() && !EqualsIgnoreCase(*queue, "req")) {
    return Status::InvalidArgument("queue must be req or app");
  }
  PSAFE_ASSIGN_OR_RETURN(auto list, c.ctx.requests.List(*c.principal, f));
  json::array out;
  const int64_t now = c.ctx.requests.Now();
  for (const auto& r : list) out.push_back(RequestJson(r, now, c.dialect));
  return JsonResponse(200, out);
}

Result<http::Response> GetRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  return RequestObject(c, id, 200);
}

// PUT /requests/{id} {"Action":"Approve|Deny|Cancel","Reason":...} → 200 Request.
Result<http::Response> UpdateRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("Action"));
  std::string action, reason;
  PSAFE_RETURN_IF_ERROR(body.Read("Action", &action, 16));
  PSAFE_RETURN_IF_ERROR(body.Read("Reason", &reason, 1000));
  using Fn = Status (domain::RequestService::*)(const domain::Principal&, int64_t, std::string_view);
  struct ActionRow { std::string_view name; Fn fn; };
  static constexpr ActionRow kActions[] = {{"Approve", &domain::RequestService::Approve},
                                           {"Deny", &domain::RequestService::Deny},
                                           {"Cancel", &domain::RequestService::Cancel}};
  for (const ActionRow& a : kActions) {
    if (EqualsIgnoreCase(action, a.name)) {
      PSAFE_RETURN_IF_ERROR((c.ctx.requests.*a.fn)(*c.principal, id, reason));
      return RequestObject(c, id, 200);
    }
  }
  return Status::InvalidArgument("Action must be Approve, Deny or Cancel");
}

Result<http::Response> DeleteRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.Cancel(*c.principal, id, "deleted"));
  return http::Response::Empty(200);
}

Result<http::Response> ApproveRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_ASSIGN_OR_RETURN(std::string reason, OptionalReason(c));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.Approve(*c.principal, id, reason));
  return http::Response::Empty(204);
}

Result<http::Response> DenyRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_ASSIGN_OR_RETURN(std::string reason, OptionalReason(c));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.Deny(*c.principal, id, reason));
  return http::Response::Empty(204);
}

Result<http::Response> CheckinRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_ASSIGN_OR_RETURN(std::string reason, OptionalReason(c));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.Checkin(*c.principal, id, reason));
  return http::Response::Empty(204);
}

Result<http::Response> RotateOnCheckin(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.SetRotateOnCheckin(*c.principal, id));
  return http::Response::Empty(204);
}

Result<http::Response> GetCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_ASSIGN_OR_RETURN(auto type, ReadCredentialType(c.req));
  PSAFE_ASSIGN_OR_RETURN(auto secret, c.ctx.requests.Retrieve(*c.principal, id, type));
  return SecretResponse(secret);
}

// GET ManagedAccounts/{id}/Credentials?type= → a bare JSON string, like Credentials/{id}.
Result<http::Response> GetAccountCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  if (auto type = c.req.query.Get("type"); type && EqualsIgnoreCase(*type, "totp")) {
    return Status::InvalidArgument("type totp is not supported: psafe keeps no TOTP seeds");
  }
  PSAFE_ASSIGN_OR_RETURN(auto type, ReadCredentialType(c.req));
  PSAFE_ASSIGN_OR_RETURN(auto secret, c.ctx.requests.RetrieveForAccount(*c.principal, id, type));
  return SecretResponse(secret);
}

namespace {

Result<http::Response> Terminate(ApiCall& c, domain::RequestScope::Of of, std::string_view what) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, what));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.Terminate(*c.principal, {of, id}));
  return http::Response::Empty(204);
}

}  // namespace

Result<http::Response> TerminateAccountRequests(ApiCall& c) {
  return Terminate(c, domain::RequestScope::Of::kAccount, "managed account id");
}
Result<http::Response> TerminateSystemRequests(ApiCall& c) {
  return Terminate(c, domain::RequestScope::Of::kSystem, "managed system id");
}
Result<http::Response> TerminateUserRequests(ApiCall& c) {
  return Terminate(c, domain::RequestScope::Of::kUser, "user id");
}

// GET /requests/{id}/credentials → {"Password":..., "PrivateKey":...} (document).
Result<http::Response> GetRequestCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "request id"));
  PSAFE_ASSIGN_OR_RETURN(auto password, c.ctx.requests.Retrieve(*c.principal, id, domain::CredentialType::kPassword));
  auto key = c.ctx.requests.Retrieve(*c.principal, id, domain::CredentialType::kDssKey);
  if (!key.ok() && key.status().code() != StatusCode::kNotFound) return key.status();
  json::object body{{"Password", password.view()},
                    {"PrivateKey", key.ok() ? json::value(json::string(key->view())) : json::value(nullptr)}};
  http::Response res = JsonResponse(200, body);
  res.sensitive = true;
  return res;
}

Result<http::Response> IsaRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto type, ReadCredentialType(c.req));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::NewRequest nr;
  PSAFE_RETURN_IF_ERROR(ReadNewRequest(body, &nr));
  PSAFE_ASSIGN_OR_RETURN(auto secret, c.ctx.requests.IsaRetrieve(*c.principal, nr, type));
  return SecretResponse(secret);
}

}  // namespace psafe::api
