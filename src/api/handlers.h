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
Result<http::Response> GetAssetByName(ApiCall& c);
Result<http::Response> ListSystemsOfAsset(ApiCall& c);
Result<http::Response> ListSystemsOfWorkgroup(ApiCall& c);
Result<http::Response> ListEntityTypes(ApiCall& c);
Result<http::Response> ListOperatingSystems(ApiCall& c);
Result<http::Response> GetSmartRule(ApiCall& c);
Result<http::Response> ListGroupSmartRules(ApiCall& c);
Result<http::Response> GetPasswordRule(ApiCall& c);
Result<http::Response> ListDssKeyRules(ApiCall& c);
Result<http::Response> GetDssKeyRule(ApiCall& c);
Result<http::Response> GetAsset(ApiCall& c);
Result<http::Response> DeleteAsset(ApiCall& c);
Result<http::Response> CreateSystemOnAsset(ApiCall& c);
Result<http::Response> CreateSystemInWorkgroup(ApiCall& c);
Result<http::Response> ListManagedSystems(ApiCall& c);
Result<http::Response> GetManagedSystem(ApiCall& c);
Result<http::Response> DeleteManagedSystem(ApiCall& c);
Result<http::Response> UpdateManagedSystem(ApiCall& c);
Result<http::Response> CreateSystemOnDatabase(ApiCall& c);
Result<http::Response> ListPlatforms(ApiCall& c);
Result<http::Response> GetPlatform(ApiCall& c);
Result<http::Response> ListFunctionalAccounts(ApiCall& c);
Result<http::Response> GetFunctionalAccount(ApiCall& c);
Result<http::Response> CreateFunctionalAccount(ApiCall& c);
Result<http::Response> DeleteFunctionalAccount(ApiCall& c);
Result<http::Response> CreateDatabase(ApiCall& c);
Result<http::Response> ListDatabases(ApiCall& c);
Result<http::Response> ListDatabasesOfAsset(ApiCall& c);
Result<http::Response> GetDatabase(ApiCall& c);
Result<http::Response> UpdateDatabase(ApiCall& c);
Result<http::Response> DeleteDatabase(ApiCall& c);
Result<http::Response> CreateManagedAccount(ApiCall& c);
Result<http::Response> ListAccountsOfSystem(ApiCall& c);
Result<http::Response> ListManagedAccounts(ApiCall& c);
Result<http::Response> GetManagedAccount(ApiCall& c);
Result<http::Response> DeleteManagedAccount(ApiCall& c);
Result<http::Response> UpdateManagedAccount(ApiCall& c);
// api/rotation_handlers.cc
Result<http::Response> ChangeAccountCredentials(ApiCall& c);
Result<http::Response> ChangeSystemCredentials(ApiCall& c);
Result<http::Response> TestAccountCredentials(ApiCall& c);
Result<http::Response> PinHostKey(ApiCall& c);
Result<http::Response> ClearHostKey(ApiCall& c);

// Permission model and password rules (access_handlers.cc)
Result<http::Response> ListUsers(ApiCall& c);
Result<http::Response> CreateUser(ApiCall& c);
Result<http::Response> ListUserGroups(ApiCall& c);
Result<http::Response> CreateUserGroup(ApiCall& c);
Result<http::Response> GetUserGroup(ApiCall& c);
Result<http::Response> ListGroupMembers(ApiCall& c);
Result<http::Response> AddGroupMember(ApiCall& c);
Result<http::Response> RemoveGroupMember(ApiCall& c);
Result<http::Response> AddUserToGroup(ApiCall& c);
Result<http::Response> RemoveUserFromGroup(ApiCall& c);
Result<http::Response> DeleteUserGroup(ApiCall& c);
Result<http::Response> RemoveRoles(ApiCall& c);
Result<http::Response> GetUser(ApiCall& c);
Result<http::Response> UpdateUser(ApiCall& c);
Result<http::Response> DeleteUser(ApiCall& c);
Result<http::Response> ListRoles(ApiCall& c);
Result<http::Response> ListAccessLevels(ApiCall& c);
Result<http::Response> ListSmartRules(ApiCall& c);
Result<http::Response> CreateSmartRule(ApiCall& c);
Result<http::Response> AssignRoles(ApiCall& c);
Result<http::Response> ListAccessPolicies(ApiCall& c);
Result<http::Response> CreateAccessPolicy(ApiCall& c);
Result<http::Response> ListPasswordRules(ApiCall& c);
Result<http::Response> CreatePasswordRule(ApiCall& c);
Result<http::Response> ListAudit(ApiCall& c);
Result<http::Response> ListUserAudits(ApiCall& c);

// Requests and credentials (request_handlers.cc)
Result<http::Response> CreateRequest(ApiCall& c);
Result<http::Response> GetAccountCredentials(ApiCall& c);
Result<http::Response> TerminateAccountRequests(ApiCall& c);
Result<http::Response> TerminateSystemRequests(ApiCall& c);
Result<http::Response> TerminateUserRequests(ApiCall& c);
Result<http::Response> ListRequests(ApiCall& c);
Result<http::Response> GetRequest(ApiCall& c);
Result<http::Response> UpdateRequest(ApiCall& c);
Result<http::Response> DeleteRequest(ApiCall& c);
Result<http::Response> ApproveRequest(ApiCall& c);
Result<http::Response> DenyRequest(ApiCall& c);
Result<http::Response> CheckinRequest(ApiCall& c);
Result<http::Response> RotateOnCheckin(ApiCall& c);
Result<http::Response> GetCredentials(ApiCall& c);
Result<http::Response> GetRequestCredentials(ApiCall& c);
Result<http::Response> IsaRequest(ApiCall& c);
Result<http::Response> ForceReset(ApiCall& c);

// API registrations and their rules (registration_handlers.cc)
Result<http::Response> ListApiRegistrations(ApiCall& c);
Result<http::Response> GetApiRegistration(ApiCall& c);
Result<http::Response> CreateApiRegistration(ApiCall& c);
Result<http::Response> UpdateApiRegistration(ApiCall& c);
Result<http::Response> DeleteApiRegistration(ApiCall& c);
Result<http::Response> ListRegistrationUsers(ApiCall& c);
Result<http::Response> ListRegistrationGroups(ApiCall& c);
Result<http::Response> LinkRegistrationUser(ApiCall& c);
Result<http::Response> UnlinkRegistrationUser(ApiCall& c);
Result<http::Response> LinkRegistrationGroup(ApiCall& c);
Result<http::Response> UnlinkRegistrationGroup(ApiCall& c);

// Aliases (alias_handlers.cc)
Result<http::Response> ListAliases(ApiCall& c);
Result<http::Response> GetAlias(ApiCall& c);
Result<http::Response> CreateAlias(ApiCall& c);
Result<http::Response> UpdateAlias(ApiCall& c);
Result<http::Response> DeleteAlias(ApiCall& c);
Result<http::Response> CreateAliasRequest(ApiCall& c);
Result<http::Response> GetAliasCredentials(ApiCall& c);

// Secrets Safe (secret_handlers.cc)
Result<http::Response> CreateSafe(ApiCall& c);
Result<http::Response> CreateSecretFolder(ApiCall& c);
Result<http::Response> ListSafes(ApiCall& c);
Result<http::Response> ListSecretFolders(ApiCall& c);
Result<http::Response> GetSecretFolder(ApiCall& c);
Result<http::Response> DeleteSecretFolder(ApiCall& c);
Result<http::Response> GrantSecretFolder(ApiCall& c);
Result<http::Response> RevokeSecretFolderGrant(ApiCall& c);
Result<http::Response> ListFolderSecrets(ApiCall& c);
Result<http::Response> CreateCredentialSecret(ApiCall& c);
Result<http::Response> CreateTextSecret(ApiCall& c);
Result<http::Response> CreateFileSecret(ApiCall& c);
Result<http::Response> CreateSecretAtPath(ApiCall& c);
Result<http::Response> SearchSecrets(ApiCall& c);
Result<http::Response> GetSecret(ApiCall& c);
Result<http::Response> DownloadSecretFile(ApiCall& c);
Result<http::Response> UpdateCredentialSecret(ApiCall& c);
Result<http::Response> UpdateTextSecret(ApiCall& c);
Result<http::Response> UpdateFileSecret(ApiCall& c);
Result<http::Response> DeleteSecret(ApiCall& c);

}  // namespace psafe::api
