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

Result<http::Response> GetAssetByName(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto asset, c.ctx.estate.FindAssetByName(*c.principal, c.req.path_params[0],
                                                                 c.req.path_params[1]));
  return JsonResponse(200, AssetJson(asset));
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
  PSAFE_ASSIGN_OR_RETURN(auto asset, c.ctx.estate.FindAsset(*c.principal, id));
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

Result<http::Response> ListSystemsOfAsset(ApiCall& c) {
  domain::SystemFilter filter;
  PSAFE_ASSIGN_OR_RETURN(filter.asset_id, PathId(c, 0, "asset id"));
  PSAFE_ASSIGN_OR_RETURN(filter.page, ReadPage(c));
  PSAFE_ASSIGN_OR_RETURN(auto systems, c.ctx.estate.ListSystems(*c.principal, filter));
  return JsonResponse(200, MaybePaged(c, systems, ManagedSystemJson));
}

Result<http::Response> ListSystemsOfWorkgroup(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto wg, c.ctx.estate.ResolveWorkgroup(*c.principal, c.req.path_params[0]));
  domain::SystemFilter filter;
  filter.workgroup_id = wg.id;
  PSAFE_ASSIGN_OR_RETURN(filter.page, ReadPage(c));
  PSAFE_ASSIGN_OR_RETURN(auto systems, c.ctx.estate.ListSystems(*c.principal, filter));
  return JsonResponse(200, MaybePaged(c, systems, ManagedSystemJson));
}

// What psafe manages, as the product numbers its entity types.
Result<http::Response> ListEntityTypes(ApiCall&) {
  struct Row { int id; std::string_view name, description; };
  static constexpr Row kTypes[] = {{1, "Asset", "Hosts reached over SSH"},
                                   {2, "Database", "PostgreSQL instances on an asset"},
                                   {3, "Directory", "LDAP directories"}};
  json::array out;
  for (const Row& t : kTypes) out.push_back({{"EntityTypeID", t.id}, {"Name", t.name}, {"Description", t.description}});
  return JsonResponse(200, out);
}

// The host platforms (domain/platforms.h), by their platform id.
Result<http::Response> ListOperatingSystems(ApiCall&) {
  json::array out;
  for (const domain::Platform& p : domain::kPlatforms) {
    if (p.target == domain::TargetKind::kHost) out.push_back({{"OperatingSystemID", p.id}, {"Name", p.name}});
  }
  return JsonResponse(200, out);
}

Result<http::Response> GetManagedSystem(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_ASSIGN_OR_RETURN(auto sys, c.ctx.estate.GetSystem(*c.principal, id));
  return JsonResponse(200, ManagedSystemJson(sys));
}

// PUT ManagedSystems/{id}: the settings given replace the stored ones; the others stay.
Result<http::Response> UpdateManagedSystem(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed system id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_ASSIGN_OR_RETURN(domain::ManagedSystem sys, c.ctx.estate.GetSystem(*c.principal, id));
  PSAFE_RETURN_IF_ERROR(ReadManagedSystem(body, &sys, /*require_platform=*/false));
  PSAFE_ASSIGN_OR_RETURN(sys, c.ctx.estate.UpdateSystem(*c.principal, sys));
  return JsonResponse(200, ManagedSystemJson(sys));
}

Result<http::Response> CreateSystemOnDatabase(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t database_id, PathId(c, 0, "database id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::ManagedSystem sys;
  // The database fixes the platform: PlatformID is not required here.
  PSAFE_RETURN_IF_ERROR(ReadManagedSystem(body, &sys, /*require_platform=*/false));
  PSAFE_ASSIGN_OR_RETURN(sys, c.ctx.estate.CreateSystemOnDatabase(*c.principal, database_id, std::move(sys)));
  return JsonResponse(201, ManagedSystemJson(sys));
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
  PSAFE_ASSIGN_OR_RETURN(domain::ManagedAccount account, c.ctx.estate.NewAccountDefaults(*c.principal, system_id));
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

// PUT ManagedAccounts/{id}: the settings given replace the stored ones; credentials are
// changed through Credentials, never here.
Result<http::Response> UpdateManagedAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  for (std::string_view secret : {"Password", "PrivateKey", "Passphrase"}) {
    if (body.Find(secret) != nullptr) {
      return Status::InvalidArgument(std::string(secret) + " cannot be set here: use PUT ManagedAccounts/" +
                                     std::to_string(id) + "/Credentials");
    }
  }
  PSAFE_ASSIGN_OR_RETURN(auto view, c.ctx.estate.GetAccount(*c.principal, id));
  PSAFE_RETURN_IF_ERROR(ReadManagedAccount(body, &view.account, nullptr));
  PSAFE_ASSIGN_OR_RETURN(view, c.ctx.estate.UpdateAccount(*c.principal, std::move(view.account)));
  return JsonResponse(200, ManagedAccountJson(view));
}

// --- Platforms, functional accounts, databases ----------------------------------------

Result<http::Response> ListPlatforms(ApiCall& c) {
  (void)c;
  json::array out;
  for (const domain::Platform& p : domain::kPlatforms) out.push_back(PlatformJson(p));
  return JsonResponse(200, out);
}

Result<http::Response> GetPlatform(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "platform id"));
  const domain::Platform* p = domain::FindPlatform(id);
  if (p == nullptr) return Status::NotFound("platform not found");
  return JsonResponse(200, PlatformJson(*p));
}

Result<http::Response> ListFunctionalAccounts(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto all, c.ctx.estate.ListFunctionalAccounts(*c.principal));
  return JsonResponse(200, ArrayOf(all, FunctionalAccountJson));
}

Result<http::Response> GetFunctionalAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "functional account id"));
  PSAFE_ASSIGN_OR_RETURN(auto f, c.ctx.estate.GetFunctionalAccount(*c.principal, id));
  return JsonResponse(200, FunctionalAccountJson(f));
}

Result<http::Response> CreateFunctionalAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::FunctionalAccount f;
  domain::NewCredentials creds;
  PSAFE_RETURN_IF_ERROR(ReadFunctionalAccount(body, &f, &creds));
  PSAFE_ASSIGN_OR_RETURN(f, c.ctx.estate.CreateFunctionalAccount(*c.principal, std::move(f), std::move(creds)));
  return JsonResponse(201, FunctionalAccountJson(f));
}

Result<http::Response> DeleteFunctionalAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "functional account id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.DeleteFunctionalAccount(*c.principal, id));
  return http::Response::Empty(204);
}

Result<http::Response> CreateDatabase(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t asset_id, PathId(c, 0, "asset id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  domain::Database d;
  PSAFE_RETURN_IF_ERROR(ReadDatabase(body, &d, /*create=*/true));
  PSAFE_ASSIGN_OR_RETURN(d, c.ctx.estate.CreateDatabase(*c.principal, asset_id, std::move(d)));
  return JsonResponse(201, DatabaseJson(d));
}

Result<http::Response> ListDatabases(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(auto all, c.ctx.estate.ListDatabases(*c.principal, std::nullopt));
  return JsonResponse(200, ArrayOf(all, DatabaseJson));
}

Result<http::Response> ListDatabasesOfAsset(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t asset_id, PathId(c, 0, "asset id"));
  PSAFE_ASSIGN_OR_RETURN(auto all, c.ctx.estate.ListDatabases(*c.principal, asset_id));
  return JsonResponse(200, ArrayOf(all, DatabaseJson));
}

Result<http::Response> GetDatabase(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "database id"));
  PSAFE_ASSIGN_OR_RETURN(auto d, c.ctx.estate.GetDatabase(*c.principal, id));
  return JsonResponse(200, DatabaseJson(d));
}

Result<http::Response> UpdateDatabase(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "database id"));
  PSAFE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(c.req));
  PSAFE_ASSIGN_OR_RETURN(auto d, c.ctx.estate.GetDatabase(*c.principal, id));
  PSAFE_RETURN_IF_ERROR(ReadDatabase(body, &d, /*create=*/false));
  PSAFE_ASSIGN_OR_RETURN(d, c.ctx.estate.UpdateDatabase(*c.principal, d));
  return JsonResponse(200, DatabaseJson(d));
}

// The product answers 200 here (not 204): PyLib checks it.
Result<http::Response> DeleteDatabase(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "database id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.DeleteDatabase(*c.principal, id));
  return http::Response::Empty(200);
}

Result<http::Response> DeleteManagedAccount(ApiCall& c) {
  PSAFE_ASSIGN_OR_RETURN(int64_t id, PathId(c, 0, "managed account id"));
  PSAFE_RETURN_IF_ERROR(c.ctx.estate.DeleteAccount(*c.principal, id));
  return http::Response::Empty(204);
}

}  // namespace psafe::api
