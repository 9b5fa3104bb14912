// Credential changes on targets, credential tests and SSH host-key pins
// (docs/ROTATION.md). Administrators only; the domain checks it.
#include <boost/json/object.hpp>

#include "api/handlers.h"
#include "api/json_body.h"

namespace psafe::api {

namespace {

// {Password, PublicKey, PrivateKey, Passphrase, UpdateSystem}: PublicKey is accepted and
// not stored (a key's public half is derived from the private key).
Status ReadNewCredentials(const JsonBody& body, domain::NewCredentials* creds, bool* update_system) {
  PSAFE_RETURN_IF_ERROR(body.Read("Password", &creds->password, 1024));
  PSAFE_RETURN_IF_ERROR(body.Read("PrivateKey", &creds->private_key, 16384));
  PSAFE_RETURN_IF_ERROR(body.Read("Passphrase", &creds->passphrase, 1024));
  return body.Read("UpdateSystem", update_system);
}

}  // namespace

// PUT ManagedAccounts/{id}/Credentials (ForceReset): now, and on the target with UpdateSystem.
Result<http::Response> ForceReset(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::NewCredentials creds;
  bool update_system = true;
  PSAFE_RETURN_IF_ERROR(ReadNewCredentials(body, &creds, &update_system));
  PSAFE_RETURN_IF_ERROR(c.ctx.requests.ForceReset(*c.principal, id, std::move(creds), update_system));
  return http::Response::Empty(204);
}

// POST ManagedAccounts/{id}/Credentials/Change {..., UpdateSystem, Queue}: with Queue the
// change is left to the rotation worker; without, it is made before the answer.
Result<http::Response> ChangeAccountCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::NewCredentials creds;
  bool update_system = true;
  bool queue = false;
  PSAFE_RETURN_IF_ERROR(ReadNewCredentials(body, &creds, &update_system));
  PSAFE_RETURN_IF_ERROR(body.Read("Queue", &queue));
  PSAFE_RETURN_IF_ERROR(c.ctx.rotation.Change(*c.principal, id, std::move(creds), update_system, queue, "change"));
  return http::Response::Empty(204);
}

// POST ManagedSystems/{id}/ManagedAccounts/Credentials/Change: queues every account.
Result<http::Response> ChangeSystemCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.rotation.ChangeSystem(*c.principal, id));
  return http::Response::Empty(204);
}

// POST ManagedAccounts/{id}/Credentials/Test: {"Success": true|false}; a stored credential
// the target refuses (or a target out of reach) answers false, never a 5xx. An account
// psafe cannot reach at all (no connector, no address) is a 400 naming why.
Result<http::Response> TestAccountCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_ASSIGN_OR_RETURN(bool success, c.ctx.rotation.Test(*c.principal, id));
  return JsonResponse(200, boost::json::object{{"Success", success}});
}

// PUT ManagedSystems/{id}/HostKey {Fingerprint}: pins the SSH host key psafe accepts.
Result<http::Response> PinHostKey(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("Fingerprint"));
  std::string fingerprint;
  PSAFE_RETURN_IF_ERROR(body.Read("Fingerprint", &fingerprint, 128));
  if (fingerprint.empty()) return Status::InvalidArgument("Fingerprint is required");
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.PinHostKey(*c.principal, id, fingerprint));
  return http::Response::Empty(204);
}

// DELETE ManagedSystems/{id}/HostKey: forgets the pin (mode 1 pins again on next contact).
Result<http::Response> ClearHostKey(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.PinHostKey(*c.principal, id, ""));
  return http::Response::Empty(204);
}

}  // namespace psafe::api
