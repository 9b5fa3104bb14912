#include "domain/api_registration_service.h"

#include "crypto/random.h"
#include "domain/client_rules.h"
#include "domain/names.h"

namespace psafe::domain {

namespace {

Status Validate(const ApiRegistration& r) {
  PSAFE_RETURN_IF_ERROR(ValidateName("Name", r.name, {.kind = NameKind::kIdentity}));
  for (const IpRule& rule : r.ip_rules) PSAFE_RETURN_IF_ERROR(ValidateIpRule(rule));
  for (const PsrunRule& rule : r.psrun_rules) PSAFE_RETURN_IF_ERROR(ValidatePsrunRule(rule));
  if (r.ip_rules.size() > 100 || r.psrun_rules.size() > 100) return Status::InvalidArgument("at most 100 rules of each kind");
  return Status::OK();
}

// Audit detail: what the rules are now, never a key.
std::string Detail(const ApiRegistration& r) {
  return "{\"IPRules\":" + std::to_string(r.ip_rules.size()) + ",\"PSRUNRules\":" + std::to_string(r.psrun_rules.size()) +
         ",\"VerifyPsrunSignature\":" + (r.verify_psrun_signature ? "true" : "false") +
         ",\"ClientCertificateRequired\":" + (r.client_certificate_required ? "true" : "false") +
         ",\"UserPasswordRequired\":" + (r.user_password_required ? "true" : "false") + "}";
}

}  // namespace

ApiRegistrationService::ApiRegistrationService(store::Store& store, const crypto::Keyring& keyring,
                                               AuditTrail& audit)
    : store_(store), keyring_(keyring), audit_(audit) {}

Result<std::vector<ApiRegistration>> ApiRegistrationService::List(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return store_.ListApiRegistrations();
}

Result<ApiRegistration> ApiRegistrationService::Get(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return store_.FindRegistrationById(id);
}

Result<CreatedRegistration> ApiRegistrationService::Create(const Principal& p, ApiRegistration r) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(Validate(r));
  CreatedRegistration out{{}, crypto::SecretString(crypto::RandomHex(64)), crypto::SecretString(crypto::RandomHex(24))};
  r.key_hash = keyring_.TokenHash(out.api_key.view());
  r.client_id = crypto::RandomGuid();
  r.client_secret_hash = keyring_.TokenHash(out.client_secret.view());
  r.oauth_user_id = p.user.id;
  Status s = audit_.Record(AuditTrail::By(p, "registration.create", "ApiRegistration", r.name, 0, Detail(r)),
                           [&]() -> Status {
                             PSAFE_ASSIGN_OR_RETURN(r.id, store_.CreateApiRegistration(r));
                             return store_.AllowUserForRegistration(r.id, p.user.id);
                           });
  if (s.code() == StatusCode::kConflict) return Status::Conflict("a registration named '" + r.name + "' exists");
  PSAFE_RETURN_IF_ERROR(s);
  out.registration = std::move(r);
  return out;
}

Result<ApiRegistration> ApiRegistrationService::Update(const Principal& p, int64_t id, ApiRegistration r) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(Validate(r));
  r.id = id;
  Status s = audit_.Record(AuditTrail::By(p, "registration.update", "ApiRegistration", std::to_string(id), 0, Detail(r)),
                           [&] { return store_.UpdateApiRegistration(r); });
  if (s.code() == StatusCode::kConflict) return Status::Conflict("a registration named '" + r.name + "' exists");
  PSAFE_RETURN_IF_ERROR(s);
  return store_.FindRegistrationById(id);
}

}  // namespace psafe::domain
