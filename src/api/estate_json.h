// Wire shapes of the managed estate, both directions. Field names and types follow
// shared/compat/real-api-contract.md §2.1-2.2 (integers never null) plus the OpenAPI
// document's ManagedAccount / ManagedSystem fields; names that differ are emitted twice
// through PutField (api/dialect.h).
#pragma once

#include <boost/json/object.hpp>

#include "api/json_body.h"
#include "domain/assets.h"
#include "domain/estate_service.h"
#include "domain/platforms.h"

namespace psafe::api {

boost::json::object WorkgroupJson(const domain::Workgroup& wg);
boost::json::object AssetJson(const domain::Asset& a);
boost::json::object ManagedSystemJson(const domain::ManagedSystem& s);
// GET ManagedAccounts: the "requestable account" shape.
boost::json::object RequestableAccountJson(const domain::AccountView& v);
// GET ManagedAccounts/{id}, ManagedSystems/{id}/ManagedAccounts: the administrative shape.
boost::json::object ManagedAccountJson(const domain::AccountView& v);
boost::json::object PlatformJson(const domain::Platform& p);
// Never a secret: functional accounts' credentials go in, never out.
boost::json::object FunctionalAccountJson(const domain::FunctionalAccount& f);
boost::json::object DatabaseJson(const domain::Database& d);

Status ReadWorkgroup(const JsonBody& b, domain::Workgroup* wg);
Status ReadAsset(const JsonBody& b, domain::Asset* a);
Status ReadManagedSystem(const JsonBody& b, domain::ManagedSystem* s, bool require_platform = true);
// `creds` null: an update (PUT), which takes no credentials and requires no field.
Status ReadManagedAccount(const JsonBody& b, domain::ManagedAccount* a, domain::NewCredentials* creds);
Status ReadFunctionalAccount(const JsonBody& b, domain::FunctionalAccount* f, domain::NewCredentials* creds);
// `create`: PlatformID, InstanceName and Port are required.
Status ReadDatabase(const JsonBody& b, domain::Database* d, bool create);

}  // namespace psafe::api
