// Every API handler, named after the call it serves. The route table (routes.cc) binds
// them to paths; nothing else calls them.
#pragma once

#include "api/api_call.h"

namespace psafe::api {

// Authentication (auth_handlers.cc)
Result<http::Response> SignAppIn(ApiCall& c);
Result<http::Response> SignOut(ApiCall& c);
Result<http::Response> IssueOAuthToken(ApiCall& c);

// Managed estate (estate_handlers.cc)
Result<http::Response> ListWorkgroups(ApiCall& c);
Result<http::Response> CreateWorkgroup(ApiCall& c);
Result<http::Response> GetWorkgroup(ApiCall& c);
Result<http::Response> ListAssets(ApiCall& c);
Result<http::Response> CreateAsset(ApiCall& c);
Result<http::Response> GetAsset(ApiCall& c);
Result<http::Response> DeleteAsset(ApiCall& c);
Result<http::Response> CreateSystemOnAsset(ApiCall& c);
Result<http::Response> CreateSystemInWorkgroup(ApiCall& c);
Result<http::Response> ListManagedSystems(ApiCall& c);
Result<http::Response> GetManagedSystem(ApiCall& c);
Result<http::Response> DeleteManagedSystem(ApiCall& c);
Result<http::Response> CreateManagedAccount(ApiCall& c);
Result<http::Response> ListAccountsOfSystem(ApiCall& c);
Result<http::Response> ListManagedAccounts(ApiCall& c);
Result<http::Response> GetManagedAccount(ApiCall& c);
Result<http::Response> DeleteManagedAccount(ApiCall& c);

}  // namespace psafe::api
