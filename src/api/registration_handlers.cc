// API registrations (GET/POST ApiRegistrations, GET/PUT ApiRegistrations/{id}), with the
// product's field names (contract §4): IPAuthenticationRules, PSRUNRules,
// VerifyPsrunSignature, ClientCertificateRequired, UserPasswordRequired.
#include <boost/json/array.hpp>

#include "api/access_json.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "common/strings.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

json::object RegistrationJson(const domain::ApiRegistration& r) {
  json::array ip;
  for (const auto& rule : r.ip_rules) {
    ip.push_back(json::object{{"Type", rule.type}, {"Value", rule.value}, {"Description", rule.description}});
  }
  json::array psrun;
  for (size_t i = 0; i < r.psrun_rules.size(); ++i) {
    json::object o{{"Id", static_cast<int64_t>(i + 1)}};
    for (const PsrunFactorInfo& info : kPsrunFactors) {
      o[info.name] = r.psrun_rules[i].expected[static_cast<size_t>(info.factor)];
    }
    psrun.push_back(std::move(o));
  }
  return json::object{{"Id", r.id},
                      {"Name", r.name},
                      {"RegistrationType", "ApiKeyPolicy"},
                      {"Active", r.enabled},
                      {"Visible", true},
                      {"ClientId", r.client_id},
                      {"OAuthUserID", r.oauth_user_id},
                      {"UserPasswordRequired", r.user_password_required},
                      {"VerifyPsrunSignature", r.verify_psrun_signature},
                      {"ClientCertificateRequired", r.client_certificate_required},
                      {"MultiFactorAuthenticationEnforced", false},
                      {"IPAuthenticationRules", std::move(ip)},
                      {"PSRUNRules", std::move(psrun)},
                      {"XForwardedForAuthenticationRules", json::array()}};
}

Status ReadStringField(const json::object& o, std::string_view name, std::string* out, std::string_view what) {
  for (const auto& kv : o) {
    if (!EqualsIgnoreCase(kv.key(), name) || kv.value().is_null()) continue;
    if (!kv.value().is_string()) return Status::InvalidArgument(std::string(what) + "." + std::string(name) + " must be a string");
    *out = std::string(kv.value().get_string());
  }
  return Status::OK();
}

Result<const json::array*> ArrayField(const JsonBody& b, std::string_view name) {
  const json::value* v = b.Find(name);
  if (v == nullptr) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return Status::InvalidArgument(std::string(name) + " must be an array");
  for (const auto& item : v->get_array()) {
    if (!item.is_object()) return Status::InvalidArgument(std::string(name) + " must hold objects");
  }
  return &v->get_array();
}

// Applies a create/update body over `r`: absent fields keep their value, a rules array
// given replaces the rules.
Status ReadRegistration(const JsonBody& b, domain::ApiRegistration* r) {
  PSAFE_RETURN_IF_ERROR(b.Read("Name", &r->name, 256));
  PSAFE_RETURN_IF_ERROR(b.Read("Active", &r->enabled));
  PSAFE_RETURN_IF_ERROR(b.Read("UserPasswordRequired", &r->user_password_required));
  PSAFE_RETURN_IF_ERROR(b.Read("VerifyPsrunSignature", &r->verify_psrun_signature));
  PSAFE_RETURN_IF_ERROR(b.Read("ClientCertificateRequired", &r->client_certificate_required));
  PSAFE_ASSIGN_OR_RETURN(const json::array* ip, ArrayField(b, "IPAuthenticationRules"));
  if (ip != nullptr) {
    r->ip_rules.clear();
    for (const auto& item : *ip) {
      domain::IpRule rule;
      PSAFE_RETURN_IF_ERROR(ReadStringField(item.get_object(), "Type", &rule.type, "IPAuthenticationRules"));
      PSAFE_RETURN_IF_ERROR(ReadStringField(item.get_object(), "Value", &rule.value, "IPAuthenticationRules"));
      PSAFE_RETURN_IF_ERROR(ReadStringField(item.get_object(), "Description", &rule.description, "IPAuthenticationRules"));
      r->ip_rules.push_back(std::move(rule));
    }
  }
  PSAFE_ASSIGN_OR_RETURN(const json::array* psrun, ArrayField(b, "PSRUNRules"));
  if (psrun != nullptr) {
    r->psrun_rules.clear();
    for (const auto& item : *psrun) {
      domain::PsrunRule rule;
      for (const PsrunFactorInfo& info : kPsrunFactors) {
        PSAFE_RETURN_IF_ERROR(ReadStringField(item.get_object(), info.name,
                                              &rule.expected[static_cast<size_t>(info.factor)], "PSRUNRules"));
      }
      r->psrun_rules.push_back(std::move(rule));
    }
  }
  return Status::OK();
}

// The links and OAuth binding a create or update names: UserIDs and UserGroupIDs add links
// (create: the only links there are), OAuthUserID binds the OAuth client.
Status ReadRegistrationChange(const JsonBody& b, domain::RegistrationChange* c) {
  PSAFE_RETURN_IF_ERROR(ReadIdArray(b, "UserIDs", "UserID", &c->add.user_ids));
  PSAFE_RETURN_IF_ERROR(ReadIdArray(b, "UserGroupIDs", "GroupID", &c->add.group_ids));
  if (b.Find("OAuthUserID") != nullptr) {
    int64_t id = 0;
    PSAFE_RETURN_IF_ERROR(b.Read("OAuthUserID", &id));
    c->oauth_user_id = id;
  }
  return Status::OK();
}

Result<http::Response> ChangeLink(ApiCall& c, std::string_view what,
                                  Status (domain::ApiRegistrationService::*change)(const domain::Principal&, int64_t, int64_t),
                                  int success) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "registration id"));
  PSAFE_ASSIGN_OR_RETURN(int64_t other, PathId(c, 1, what));
  PSAFE_RETURN_IF_ERROR((c.ctx.registrations.*change)(*c.principal, id, other));
  return http::Response::Empty(success);
}

}  // namespace

Result<http::Response> ListApiRegistrations(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto regs, c.ctx.registrations.List(*c.principal));
  return JsonResponse(200, ArrayOf(regs, RegistrationJson));
}

Result<http::Response> GetApiRegistration(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "registration id"));
  PSAFE_ASSIGN_OR_RETURN(auto reg, c.ctx.registrations.Get(*c.principal, id));
  return JsonResponse(200, RegistrationJson(reg));
}

// The new key and OAuth secret appear in this answer only.
Result<http::Response> CreateApiRegistration(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_RETURN_IF_ERROR(body.Require("Name"));
  domain::ApiRegistration settings;
  PSAFE_RETURN_IF_ERROR(ReadRegistration(body, &settings));
  domain::RegistrationChange change;
  PSAFE_RETURN_IF_ERROR(ReadRegistrationChange(body, &change));
  PSAFE_ASSIGN_OR_RETURN(auto created, c.ctx.registrations.Create(*c.principal, std::move(settings), std::move(change)));
  json::object o = RegistrationJson(created.registration);
  o["Key"] = created.api_key.view();
  o["ClientSecret"] = created.client_secret.view();
  http::Response res = JsonResponse(201, o);
  res.sensitive = true;
  return res;
}

Result<http::Response> UpdateApiRegistration(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "registration id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_ASSIGN_OR_RETURN(domain::ApiRegistration current, c.ctx.registrations.Get(*c.principal, id));
  PSAFE_RETURN_IF_ERROR(ReadRegistration(body, &current));
  domain::RegistrationChange change;
  PSAFE_RETURN_IF_ERROR(ReadRegistrationChange(body, &change));
  PSAFE_ASSIGN_OR_RETURN(auto updated, c.ctx.registrations.Update(*c.principal, id, std::move(current), std::move(change)));
  return JsonResponse(200, RegistrationJson(updated));
}

Result<http::Response> DeleteApiRegistration(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "registration id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.registrations.Delete(*c.principal, id));
  return http::Response::Empty(204);
}

Result<http::Response> ListRegistrationUsers(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "registration id"));
  PSAFE_ASSIGN_OR_RETURN(auto users, c.ctx.registrations.LinkedUsers(*c.principal, id));
  return JsonResponse(200, ArrayOf(users, UserJson));
}

Result<http::Response> ListRegistrationGroups(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "registration id"));
  PSAFE_ASSIGN_OR_RETURN(auto groups, c.ctx.registrations.LinkedGroups(*c.principal, id));
  return JsonResponse(200, ArrayOf(groups, UserGroupJson));
}

Result<http::Response> LinkRegistrationUser(ApiCall& c) {
  return ChangeLink(c, "user id", &domain::ApiRegistrationService::LinkUser, 201);
}
Result<http::Response> UnlinkRegistrationUser(ApiCall& c) {
  return ChangeLink(c, "user id", &domain::ApiRegistrationService::UnlinkUser, 204);
}
Result<http::Response> LinkRegistrationGroup(ApiCall& c) {
  return ChangeLink(c, "user group id", &domain::ApiRegistrationService::LinkGroup, 201);
}
Result<http::Response> UnlinkRegistrationGroup(ApiCall& c) {
  return ChangeLink(c, "user group id", &domain::ApiRegistrationService::UnlinkGroup, 204);
}

}  // namespace psafe::api
