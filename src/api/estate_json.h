// Wire shapes of the managed estate, both directions. Field names and types follow
// shared/compat/real-api-contract.md §2.1-2.2 (integers never null) plus the OpenAPI
// document's ManagedAccount / ManagedSystem fields; names that differ are emitted twice
// through PutField (api/dialect.h).
#pragma once

#include <boost/json/object.hpp>

#include "api/json_body.h"
#include "domain/assets.h"
#include "domain/estate_service.h"

namespace psafe::api {

boost::json::object WorkgroupJson(const domain::Workgroup& wg);
boost::json::object AssetJson(const domain::Asset& a);
boost::json::object ManagedSystemJson(const domain::ManagedSystem& s);
// GET ManagedAccounts: the "requestable account" shape.
boost::json::object RequestableAccountJson(const domain::AccountView& v);
// GET ManagedAccounts/{id}, ManagedSystems/{id}/ManagedAccounts: the administrative shape.
boost::json::object ManagedAccountJson(const domain::AccountView& v);

Status ReadWorkgroup(const JsonBody& b, domain::Workgroup* wg);
Status ReadAsset(const JsonBody& b, domain::Asset* a);
Status ReadManagedSystem(const JsonBody& b, domain::ManagedSystem* s);
Status ReadManagedAccount(const JsonBody& b, domain::ManagedAccount* a, domain::NewCredentials* creds);

}  // namespace psafe::api
