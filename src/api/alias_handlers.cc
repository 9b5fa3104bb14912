// Aliases (docs/REQUESTS.md, "Aliases"): the product's shapes; the OpenAPI document has no alias path.
#include <boost/json/array.hpp>

#include "api/access_json.h"
#include "api/estate_json.h"
#include "api/handlers.h"
#include "common/strings.h"
#include "domain/alias_service.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

// The alias with its current account's fields (null when none is mapped), as the product
// lists it, and every mapped account.
json::object AliasJson(const domain::AliasView& v) {
  const domain::Alias& a = v.alias;
  json::object o{{"AliasID", a.id}, {"AliasName", a.name}, {"AliasState", static_cast<int>(a.state())}};
  static constexpr std::string_view kAccountFields[] = {
      "SystemId", "SystemName", "AccountId", "AccountName", "DomainName", "InstanceName",
      "DefaultReleaseDuration", "MaximumReleaseDuration", "LastChangeDate", "NextChangeDate",
      "IsChanging", "ChangeState"};
  const json::object current = v.current() != nullptr ? RequestableAccountJson(*v.current()) : json::object();
  for (std::string_view f : kAccountFields) {
    auto it = current.find(f);
    o[f] = it != current.end() ? it->value() : json::value(nullptr);
  }
  json::array mapped;
  for (const domain::AccountView& m : v.accounts) {
    mapped.push_back(json::object{{"AliasID", a.id}, {"ManagedSystemID", m.system.id},
                                  {"ManagedAccountID", m.account.id}, {"SystemName", m.system.name},
                                  {"AccountName", m.account.name},
                                  {"Status", &m == v.current() ? "Active" : "Standby"}});
  }
  o["MappedAccounts"] = std::move(mapped);
  return o;
}

// {AliasName, AliasState, MappedAccounts:[{SystemID, AccountID}]}; `update`: every field optional,
// the stored value kept for what is absent.
Status ReadAlias(const JsonBody& b, const domain::AliasView* stored, domain::AliasInput* in) {
  if (stored == nullptr) PSAFE_RETURN_IF_ERROR(b.Require("AliasName"));
  in->name = stored != nullptr ? stored->alias.name : "";
  PSAFE_RETURN_IF_ERROR(b.Read("AliasName", &in->name, 256));
  std::optional<int64_t> state;
  PSAFE_RETURN_IF_ERROR(b.Read("AliasState", &state));
  if (state && (*state < 0 || *state > 2)) return Status::InvalidArgument("AliasState must be 0, 1 or 2");
  if (state) in->state = static_cast<domain::AliasState>(*state);
  const json::value* mapped = b.Find("MappedAccounts");
  if (mapped == nullptr) {
    if (stored != nullptr) {
      for (const domain::AccountView& m : stored->accounts) in->accounts.push_back({m.system.id, m.account.id});
    }
    return Status::OK();
  }
  if (!mapped->is_array()) return Status::InvalidArgument("MappedAccounts must be an array of {SystemID, AccountID}");
  for (size_t i = 0; i < mapped->get_array().size(); ++i) {
    const json::value& item = mapped->get_array()[i];
    const std::string field = "MappedAccounts[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::InvalidArgument(field + " must be an object {SystemID, AccountID}");
    const JsonBody m = JsonBody::Of(item.get_object());
    domain::AliasMapping mapping;
    // The product's own mapped-account objects say ManagedSystemID / ManagedAccountID.
    for (auto [name, out] : {std::pair{"SystemID", &mapping.system_id}, std::pair{"ManagedSystemID", &mapping.system_id},
                             std::pair{"AccountID", &mapping.account_id}, std::pair{"ManagedAccountID", &mapping.account_id}}) {
      Status s = m.Read(name, out);
      if (!s.ok()) return Status::InvalidArgument(field + "." + std::string(s.message()));
    }
    in->accounts.push_back(mapping);
  }
  return Status::OK();
}

Result<domain::AliasFilter> ReadAliasFilter(const ApiCall& c) {
  domain::AliasFilter f;
  if (auto states = c.req.query.Get("state"); states && !states->empty()) {
    f.states.clear();
    std::string_view rest = *states;
    for (;;) {
      const size_t comma = rest.find(',');
      const std::string_view part = TrimWhitespace(rest.substr(0, comma));
      if (part == "0") f.states.push_back(domain::AliasState::kUnmapped);
      else if (part == "1") f.states.push_back(domain::AliasState::kMapped);
      else if (part == "2") f.states.push_back(domain::AliasState::kHighAvailability);
      else return Status::InvalidArgument("state must be a comma-separated list of 0, 1 and 2");
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (auto name = c.req.query.Get("name"); name && !name->empty()) f.name = std::string(*name);
  return f;
}

}  // namespace

Result<http::Response> ListAliases(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(domain::AliasFilter filter, ReadAliasFilter(c));
  PSAFE_ASSIGN_OR_RETURN(auto aliases, c.ctx.aliases.List(*c.principal, filter));
  return JsonResponse(200, ArrayOf(aliases, AliasJson));
}

Result<http::Response> GetAlias(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto alias, c.ctx.aliases.Get(*c.principal, c.req.path_params[0]));
  return JsonResponse(200, AliasJson(alias));
}

Result<http::Response> CreateAlias(ApiCall& c) {
  PSAFE_RETURN_IF_ERROR(domain::RequireAdministrator(*c.principal));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::AliasInput in;
  PSAFE_RETURN_IF_ERROR(ReadAlias(body, nullptr, &in));
  PSAFE_ASSIGN_OR_RETURN(auto alias, c.ctx.aliases.Create(*c.principal, in));
  return JsonResponse(201, AliasJson(alias));
}

Result<http::Response> UpdateAlias(ApiCall& c) {
  PSAFE_RETURN_IF_ERROR(domain::RequireAdministrator(*c.principal));
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "alias id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_ASSIGN_OR_RETURN(auto stored, c.ctx.aliases.Get(*c.principal, c.req.path_params[0]));
  domain::AliasInput in;
  PSAFE_RETURN_IF_ERROR(ReadAlias(body, &stored, &in));
  PSAFE_ASSIGN_OR_RETURN(auto alias, c.ctx.aliases.Update(*c.principal, id, stored.alias.version, in));
  return JsonResponse(200, AliasJson(alias));
}

Result<http::Response> DeleteAlias(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "alias id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.aliases.Delete(*c.principal, id));
  return http::Response::Empty(204);
}

// The POST Requests body without SystemID/AccountID; answers the bare id like POST Requests.
Result<http::Response> CreateAliasRequest(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "alias id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::NewRequest nr;
  PSAFE_RETURN_IF_ERROR(ReadRequestTerms(body, &nr));
  PSAFE_ASSIGN_OR_RETURN(auto created, c.ctx.aliases.Request(*c.principal, id, nr));
  return JsonResponse(created.reused ? 200 : 201, created.id);
}

// An object naming the alias and the account, with the credential asked for (the others null).
Result<http::Response> GetAliasCredentials(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "alias id"));
  PSAFE_ASSIGN_OR_RETURN(int64_t request_id, PathId(c, 1, "request id"));
  PSAFE_ASSIGN_OR_RETURN(auto type, ReadCredentialType(c.req));
  PSAFE_ASSIGN_OR_RETURN(auto release, c.ctx.aliases.Retrieve(*c.principal, id, request_id, type));
  const auto value_if = [&](domain::CredentialType t) {
    return release.type == t ? json::value(json::string(release.value.view())) : json::value(nullptr);
  };
  json::object o{{"AliasID", release.alias.id},
                 {"AliasName", release.alias.name},
                 {"SystemID", release.account.system.id},
                 {"SystemName", release.account.system.name},
                 {"AccountID", release.account.account.id},
                 {"AccountName", release.account.account.name},
                 {"DomainName", release.account.account.domain_name.empty()
                                    ? json::value(nullptr) : json::value(release.account.account.domain_name)},
                 {"Password", value_if(domain::CredentialType::kPassword)},
                 {"PrivateKey", value_if(domain::CredentialType::kDssKey)},
                 {"Passphrase", value_if(domain::CredentialType::kPassphrase)}};
  http::Response res = JsonResponse(200, o);
  res.sensitive = true;
  return res;
}

}  // namespace psafe::api
