#include "domain/api_registration_service.h"

#include <algorithm>

#include "common/strings.h"
#include "crypto/random.h"
#include "domain/client_rules.h"
#include "domain/lockout_guard.h"
#include "domain/names.h"

namespace psafe::domain {

namespace {

// `check_name` false: an unchanged name stored before the name rules stays editable.
Status Validate(const ApiRegistration& r, bool check_name = true) {
  if (check_name) PSAFE_RETURN_IF_ERROR(ValidateName("Name", r.name, {.kind = NameKind::kIdentity}));
  for (const IpRule& rule : r.ip_rules) PSAFE_RETURN_IF_ERROR(ValidateIpRule(rule));
  for (const PsrunRule& rule : r.psrun_rules) PSAFE_RETURN_IF_ERROR(ValidatePsrunRule(rule));
  if (r.ip_rules.size() > 100 || r.psrun_rules.size() > 100) return Status::InvalidArgument("at most 100 rules of each kind");
  return Status::OK();
}

// Audit detail: what the rules and links are now, never a key.
std::string Detail(const ApiRegistration& r, const RegistrationChange& c) {
  const auto ids = [](const std::vector<int64_t>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
    return out + "]";
  };
  return "{\"IPRules\":" + std::to_string(r.ip_rules.size()) + ",\"PSRUNRules\":" + std::to_string(r.psrun_rules.size()) +
         ",\"VerifyPsrunSignature\":" + (r.verify_psrun_signature ? "true" : "false") +
         ",\"ClientCertificateRequired\":" + (r.client_certificate_required ? "true" : "false") +
         ",\"UserPasswordRequired\":" + (r.user_password_required ? "true" : "false") +
         ",\"Active\":" + (r.enabled ? "true" : "false") + ",\"OAuthUserID\":" + std::to_string(r.oauth_user_id) +
         ",\"UserIDs\":" + ids(c.add.user_ids) + ",\"UserGroupIDs\":" + ids(c.add.group_ids) + "}";
}

Status NamedConflict(Status s, const ApiRegistration& r) {
  if (s.code() == StatusCode::kAlreadyExists) return Status::Conflict("a registration named '" + r.name + "' exists");
  return s;
}

}  // namespace

ApiRegistrationService::ApiRegistrationService(const Ports& ports, const crypto::Keyring& keyring,
                                               AuditTrail& audit, const Clock& clock)
    : ports_(ports), keyring_(keyring), audit_(audit), clock_(clock) {}

Result<std::vector<ApiRegistration>> ApiRegistrationService::List(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.registrations.ListApiRegistrations();
}

Result<ApiRegistration> ApiRegistrationService::Get(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.registrations.FindRegistrationById(id);
}

Status ApiRegistrationService::ApplyChange(const ApiRegistration& r, const RegistrationChange& change,
                                           bool check_oauth_user) {
  for (int64_t user : change.add.user_ids) {
    PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserById(user).status());
    PSAFE_RETURN_IF_ERROR(ports_.registrations.AllowUserForRegistration(r.id, user));
  }
  for (int64_t group : change.add.group_ids) {
    PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserGroupById(group).status());
    PSAFE_RETURN_IF_ERROR(ports_.registrations.AllowGroupForRegistration(r.id, group));
  }
  if (!check_oauth_user) return Status::OK();
  PSAFE_ASSIGN_OR_RETURN(bool admitted, ports_.registrations.IsUserAllowedForRegistration(r.id, r.oauth_user_id));
  if (!admitted) {
    return Status::InvalidArgument("OAuthUserID must name a user the registration admits (UserIDs or UserGroupIDs)");
  }
  return Status::OK();
}

Result<CreatedRegistration> ApiRegistrationService::Create(const Principal& p, ApiRegistration r,
                                                           RegistrationChange change) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(Validate(r));
  CreatedRegistration out{{}, crypto::SecretString(crypto::RandomHex(64)), crypto::SecretString(crypto::RandomHex(24))};
  r.key_hash = keyring_.TokenHash(out.api_key.view());
  r.client_id = crypto::RandomGuid();
  r.client_secret_hash = keyring_.TokenHash(out.client_secret.view());
  Status s = audit_.Record(AuditTrail::By(p, "registration.create", "ApiRegistration", r.name, 0, Detail(r, change)),
                           [&]() -> Status {
                             if (change.oauth_user_id) {
                               r.oauth_user_id = *change.oauth_user_id;
                             } else {
                               // The client's own identity: no group, so no rights until an
                               // administrator grants them to it by name.
                               User app;
                               app.user_name = "oauth-" + ToLowerAscii(r.client_id);
                               app.name = "OAuth client of " + r.name;
                               app.created_at = clock_.NowSeconds();
                               app.application = true;
                               PSAFE_ASSIGN_OR_RETURN(r.oauth_user_id, ports_.identity.CreateUser(app));
                               change.add.user_ids.push_back(r.oauth_user_id);
                             }
                             PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserById(r.oauth_user_id).status());
                             PSAFE_ASSIGN_OR_RETURN(r.id, ports_.registrations.CreateApiRegistration(r));
                             return ApplyChange(r, change, true);
                           });
  PSAFE_RETURN_IF_ERROR(NamedConflict(s, r));
  out.registration = std::move(r);
  return out;
}

Result<ApiRegistration> ApiRegistrationService::Update(const Principal& p, int64_t id, ApiRegistration r,
                                                       RegistrationChange change) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(ApiRegistration before, ports_.registrations.FindRegistrationById(id));
  PSAFE_RETURN_IF_ERROR(Validate(r, r.name != before.name));
  r.id = id;
  if (change.oauth_user_id) r.oauth_user_id = *change.oauth_user_id;
  Status s = audit_.Record(
      AuditTrail::By(p, "registration.update", "ApiRegistration", std::to_string(id), 0, Detail(r, change)),
      [&]() -> Status {
        if (change.oauth_user_id) PSAFE_RETURN_IF_ERROR(ports_.identity.FindUserById(r.oauth_user_id).status());
        PSAFE_RETURN_IF_ERROR(ports_.registrations.UpdateApiRegistration(r));
        // An OAuth user unlinked on purpose (to stop the client) does not block other edits.
        PSAFE_RETURN_IF_ERROR(ApplyChange(r, change, change.oauth_user_id.has_value()));
        // What stood on the old settings ends with them: a disabled registration's sessions
        // do not come back when it is enabled again; tokens of a rebound client go.
        if (!r.enabled) {
          PSAFE_RETURN_IF_ERROR(ports_.sessions.DeleteSessions({.registration_id = id}));
        } else if (r.user_password_required && !before.user_password_required) {
          PSAFE_RETURN_IF_ERROR(ports_.sessions.DeleteSessions({.registration_id = id, .only_without_password = true}));
        }
        if (r.oauth_user_id != before.oauth_user_id) {
          PSAFE_RETURN_IF_ERROR(ports_.sessions.DeleteSessions({.user_id = before.oauth_user_id, .registration_id = id,
                                                       .only_bearer = true}));
        }
        return KeepCallerSignedIn(ports_, p);
      });
  PSAFE_RETURN_IF_ERROR(NamedConflict(s, r));
  return ports_.registrations.FindRegistrationById(id);
}

Status ApiRegistrationService::Delete(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  if (id == p.registration_id) return Status::Conflict(std::string(kLocksOutCaller));
  PSAFE_ASSIGN_OR_RETURN(ApiRegistration r, ports_.registrations.FindRegistrationById(id));
  return audit_.Record(AuditTrail::By(p, "registration.delete", "ApiRegistration", std::to_string(id)), [&]() -> Status {
    PSAFE_RETURN_IF_ERROR(ports_.registrations.DeleteApiRegistration(id));
    auto app = ports_.identity.FindUserById(r.oauth_user_id);
    if (app.ok() && app->application) return ports_.identity.DeleteUser(app->id);
    return app.ok() || app.status().code() == StatusCode::kNotFound ? Status::OK() : app.status();
  });
}

namespace {

// The rows `ids` name, each looked up with `find`; any failure is the answer.
template <typename T, typename Find>
Result<std::vector<T>> LoadEach(const std::vector<int64_t>& ids, Find find) {
  std::vector<T> out;
  for (int64_t id : ids) {
    PSAFE_ASSIGN_OR_RETURN(T row, find(id));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

Result<std::vector<User>> ApiRegistrationService::LinkedUsers(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.registrations.FindRegistrationById(id).status());
  PSAFE_ASSIGN_OR_RETURN(RegistrationLinks links, ports_.registrations.RegistrationLinksOf(id));
  return LoadEach<User>(links.user_ids, [this](int64_t user) { return ports_.identity.FindUserById(user); });
}

Result<std::vector<UserGroup>> ApiRegistrationService::LinkedGroups(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.registrations.FindRegistrationById(id).status());
  PSAFE_ASSIGN_OR_RETURN(RegistrationLinks links, ports_.registrations.RegistrationLinksOf(id));
  return LoadEach<UserGroup>(links.group_ids, [this](int64_t group) { return ports_.identity.FindUserGroupById(group); });
}

Status ApiRegistrationService::ChangeLink(const Principal& p, int64_t id, std::string action, std::string detail,
                                          const std::function<Status(const ApiRegistration&)>& change) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(ApiRegistration r, ports_.registrations.FindRegistrationById(id));
  return audit_.Record(AuditTrail::By(p, std::move(action), "ApiRegistration", std::to_string(id), 0, std::move(detail)),
                       [&] { return change(r); });
}

Status ApiRegistrationService::LinkUser(const Principal& p, int64_t id, int64_t user_id) {
  RegistrationChange c;
  c.add.user_ids = {user_id};
  return ChangeLink(p, id, "registration.user.link", "{\"UserID\":" + std::to_string(user_id) + "}",
                    [&](const ApiRegistration& r) { return ApplyChange(r, c, false); });
}

Status ApiRegistrationService::LinkGroup(const Principal& p, int64_t id, int64_t group_id) {
  RegistrationChange c;
  c.add.group_ids = {group_id};
  return ChangeLink(p, id, "registration.group.link", "{\"GroupID\":" + std::to_string(group_id) + "}",
                    [&](const ApiRegistration& r) { return ApplyChange(r, c, false); });
}

// The user's sessions on it end with the link, so linking again revives none. (A group
// unlinked needs no sweep: every call re-checks that its user is still admitted.)
Status ApiRegistrationService::UnlinkUser(const Principal& p, int64_t id, int64_t user_id) {
  return ChangeLink(p, id, "registration.user.unlink", "{\"UserID\":" + std::to_string(user_id) + "}",
                    [&](const ApiRegistration&) -> Status {
                      PSAFE_RETURN_IF_ERROR(ports_.registrations.DisallowUserForRegistration(id, user_id));
                      PSAFE_RETURN_IF_ERROR(ports_.sessions.DeleteSessions({.user_id = user_id, .registration_id = id}));
                      return KeepCallerSignedIn(ports_, p);
                    });
}

Status ApiRegistrationService::UnlinkGroup(const Principal& p, int64_t id, int64_t group_id) {
  return ChangeLink(p, id, "registration.group.unlink", "{\"GroupID\":" + std::to_string(group_id) + "}",
                    [&](const ApiRegistration&) -> Status {
                      PSAFE_RETURN_IF_ERROR(ports_.registrations.DisallowGroupForRegistration(id, group_id));
                      return KeepCallerSignedIn(ports_, p);
                    });
}

}  // namespace psafe::domain
