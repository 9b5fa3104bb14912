#include <boost/json/array.hpp>

#include "api/estate_json.h"
#include "api/handlers.h"
#include "common/strings.h"

namespace psafe::api {

namespace json = boost::json;

namespace {

struct AccountTypeName {
  std::string_view name;
  domain::AccountType type;
};
constexpr AccountTypeName kAccountTypes[] = {
    {"system", domain::AccountType::kAny},         {"recent", domain::AccountType::kAny},
    {"domainlinked", domain::AccountType::kDomainLinked},
    {"database", domain::AccountType::kNone},      {"cloud", domain::AccountType::kNone},
    {"application", domain::AccountType::kNone},
};

Result<domain::AccountType> ParseAccountType(const std::optional<std::string>& raw) {
  if (!raw || raw->empty()) return domain::AccountType::kAny;
  for (const auto& t : kAccountTypes) {
    if (EqualsIgnoreCase(*raw, t.name)) return t.type;
  }
  return Status::InvalidArgument(
      "type must be one of system, recent, domainlinked, database, cloud, application");
}

// The product pages with limit/offset and then wraps the list (contract §2.2).
template <typename T, typename ToJson>
json::value MaybePaged(const ApiCall& c, const domain::Paged<T>& page, ToJson to_json) {
  json::array items = ArrayOf(page.items, to_json);
  if (!c.req.query.Has("limit")) return items;
  return json::object{{"TotalCount", page.total}, {"Data", std::move(items)}};
}

}  // namespace

// --- Workgroups ---------------------------------------------------------------------

Result<http::Response> ListWorkgroups(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto wgs, c.ctx.estate.ListWorkgroups(*c.principal));
  return JsonResponse(200, ArrayOf(wgs, WorkgroupJson));
}

Result<http::Response> CreateWorkgroup(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::Workgroup wg;
  PSAFE_RETURN_IF_ERROR(ReadWorkgroup(body, &wg));
  PSAFE_ASSIGN_OR_RETURN(wg, c.ctx.estate.CreateWorkgroup(*c.principal, std::move(wg)));
  return JsonResponse(201, WorkgroupJson(wg));
}

Result<http::Response> GetWorkgroup(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto wg, c.ctx.estate.ResolveWorkgroup(*c.principal, c.req.path_params[0]));
  return JsonResponse(200, WorkgroupJson(wg));
}

// --- Assets -------------------------------------------------------------------------

Result<http::Response> ListAssets(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(domain::Page page, ReadPage(c));
  PSAFE_ASSIGN_OR_RETURN(auto assets,
                         c.ctx.estate.ListAssets(*c.principal, c.req.path_params[0], page));
  return JsonResponse(200, MaybePaged(c, assets, AssetJson));
}

Result<http::Response> CreateAsset(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::Asset asset;
  PSAFE_RETURN_IF_ERROR(ReadAsset(body, &asset));
  PSAFE_ASSIGN_OR_RETURN(asset, c.ctx.estate.CreateAsset(*c.principal, c.req.path_params[0],
                                                         std::move(asset)));
  return JsonResponse(201, AssetJson(asset));
}

Result<http::Response> GetAsset(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "asset id"));
  PSAFE_RETURN_IF_ERROR(domain::RequireAdministrator(*c.principal));
  PSAFE_ASSIGN_OR_RETURN(auto asset, c.ctx.store.FindAsset(id));
  return JsonResponse(200, AssetJson(asset));
}

Result<http::Response> DeleteAsset(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "asset id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.DeleteAsset(*c.principal, id));
  return http::Response::Empty(204);
}

// --- Managed systems ----------------------------------------------------------------

Result<http::Response> CreateSystemOnAsset(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t asset_id, PathId(c, 0, "asset id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::ManagedSystem sys;
  PSAFE_RETURN_IF_ERROR(ReadManagedSystem(body, &sys));
  PSAFE_ASSIGN_OR_RETURN(sys, c.ctx.estate.CreateSystemOnAsset(*c.principal, asset_id, std::move(sys)));
  return JsonResponse(201, ManagedSystemJson(sys));
}

Result<http::Response> CreateSystemInWorkgroup(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto wg, c.ctx.estate.ResolveWorkgroup(*c.principal, c.req.path_params[0]));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::ManagedSystem sys;
  PSAFE_RETURN_IF_ERROR(ReadManagedSystem(body, &sys));
  PSAFE_ASSIGN_OR_RETURN(sys, c.ctx.estate.CreateSystemInWorkgroup(*c.principal, wg.id, std::move(sys)));
  return JsonResponse(201, ManagedSystemJson(sys));
}

Result<http::Response> ListManagedSystems(ApiCall& c) {
  domain::SystemFilter filter;
  filter.name = c.req.query.Get("name");
  PSAFE_ASSIGN_OR_RETURN(filter.page, ReadPage(c));
  PSAFE_ASSIGN_OR_RETURN(auto systems, c.ctx.estate.ListSystems(*c.principal, filter));
  return JsonResponse(200, MaybePaged(c, systems, ManagedSystemJson));
}

Result<http::Response> GetManagedSystem(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_ASSIGN_OR_RETURN(auto sys, c.ctx.estate.GetSystem(*c.principal, id));
  return JsonResponse(200, ManagedSystemJson(sys));
}

Result<http::Response> DeleteManagedSystem(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.DeleteSystem(*c.principal, id));
  return http::Response::Empty(204);
}

// --- Managed accounts ---------------------------------------------------------------

Result<http::Response> CreateManagedAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t system_id, PathId(c, 0, "managed system id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::ManagedAccount account;
  domain::NewCredentials creds;
  PSAFE_RETURN_IF_ERROR(ReadManagedAccount(body, &account, &creds));
  PSAFE_ASSIGN_OR_RETURN(auto view, c.ctx.estate.CreateAccount(*c.principal, system_id,
                                                               std::move(account), std::move(creds)));
  return JsonResponse(201, ManagedAccountJson(view));
}

Result<http::Response> ListAccountsOfSystem(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t system_id, PathId(c, 0, "managed system id"));
  PSAFE_ASSIGN_OR_RETURN(domain::Page page, ReadPage(c));
  PSAFE_ASSIGN_OR_RETURN(auto accounts, c.ctx.estate.ListAccountsOfSystem(*c.principal, system_id, page));
  return JsonResponse(200, MaybePaged(c, accounts, ManagedAccountJson));
}

// GET ManagedAccounts: the accounts the caller may request. With both systemName and
// accountName the product answers one object (404 when there is none); the OpenAPI
// document's /managedaccounts always answers an array. That is the one structural
// difference between the dialects on this call.
Result<http::Response> ListManagedAccounts(ApiCall& c) {
  const auto& q = c.req.query;
  domain::AccountFilter f;
  f.system_name = q.Get("systemName");
  f.account_name = q.Get("accountName");
  f.workgroup_name = q.Get("workgroupName");
  f.ip_address = q.Get("ipAddress");
  PSAFE_ASSIGN_OR_RETURN(f.system_id, QueryInt(c, "systemID"));
  PSAFE_ASSIGN_OR_RETURN(f.type, ParseAccountType(q.Get("type")));
  PSAFE_ASSIGN_OR_RETURN(f.page, ReadPage(c));
  const bool single = c.dialect == Dialect::kProduct && f.system_name && f.account_name;
  PSAFE_ASSIGN_OR_RETURN(auto found, c.ctx.estate.FindRequestableAccounts(*c.principal, f));
  if (single) {
    if (found.items.empty()) return Status::NotFound("Managed Account not found");
    return JsonResponse(200, RequestableAccountJson(found.items.front()));
  }
  return JsonResponse(200, ArrayOf(found.items, RequestableAccountJson));
}

Result<http::Response> GetManagedAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_ASSIGN_OR_RETURN(auto view, c.ctx.estate.GetAccount(*c.principal, id));
  return JsonResponse(200, ManagedAccountJson(view));
}

Result<http::Response> DeleteManagedAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.DeleteAccount(*c.principal, id));
  return http::Response::Empty(204);
}

}  // namespace psafe::api
