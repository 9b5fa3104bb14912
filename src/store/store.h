// Store: the persistence interface the domain uses. SQLite implements it today
// (store/sqlite_store.h); a PostgreSQL implementation can follow without touching the
// domain, because nothing here mentions SQL, connections or dialects.
//
// Contracts every implementation keeps:
//  - Each method is atomic: it commits fully or not at all.
//  - Names (users, workgroups, systems, accounts) compare case-insensitively.
//  - Unique-name clashes return Conflict; a missing parent returns NotFound.
//  - The store never sees plaintext secrets: credentials arrive sealed by the keyring.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/keyring.h"
#include "domain/access.h"
#include "domain/assets.h"
#include "domain/audit.h"
#include "domain/identity.h"
#include "domain/password_rule.h"
#include "domain/request.h"
#include "domain/rotation.h"
#include "domain/secrets.h"

namespace psafe::store {

// Seals an account's credentials once its id is known, so the id can be bound into
// the ciphertext (rows cannot be swapped). Runs inside the creating transaction.
using SealCredentialsFn = std::function<domain::SealedCredentials(int64_t account_id)>;
// MAC of one audit record given the previous record's MAC (empty for the first).
using AuditMacFn = std::function<std::string(std::string_view previous_mac, std::string_view record)>;

struct CreateRequestOutcome {
  int64_t id = 0;
  bool reused = false;
  std::optional<int64_t> renewed_id;  // the open request `renew` cancelled
};

class Store {
 public:
  virtual ~Store() = default;

  // --- Transactions and audit ----------------------------------------------------
  // Runs `fn` in one transaction: every store call it makes joins it, and nothing it
  // wrote stays unless it returns OK. Nested calls join the outer transaction.
  virtual Status Atomically(const std::function<Status()>& fn) = 0;
  // Must be set (after the keyring opens) before AppendAudit is used.
  virtual void SetAuditMac(AuditMacFn mac) = 0;
  // Appends one chained record; call inside Atomically with the change it describes.
  virtual Status AppendAudit(const domain::AuditEvent& event, int64_t at) = 0;
  virtual Result<domain::Paged<domain::AuditRecord>> ListAudit(const domain::AuditFilter& f) = 0;
  // Visits every record in chain order (for verification).
  virtual Status ForEachAudit(const std::function<Status(const domain::AuditRecord&)>& fn) = 0;

  // --- Keyring ------------------------------------------------------------------
  virtual Result<std::vector<crypto::SealedKey>> LoadSealedKeys() = 0;
  virtual Status AddSealedKey(const crypto::SealedKey& key) = 0;

  // --- Users and groups ---------------------------------------------------------
  virtual Result<int64_t> CreateUser(const domain::User& user) = 0;
  virtual Result<domain::User> FindUserById(int64_t id) = 0;
  virtual Result<domain::User> FindUserByName(std::string_view user_name) = 0;
  virtual Result<int64_t> CreateUserGroup(const domain::UserGroup& group) = 0;
  virtual Status AddUserToGroup(int64_t group_id, int64_t user_id) = 0;
  virtual Result<std::vector<domain::User>> ListUsers() = 0;
  virtual Result<std::vector<domain::UserGroup>> ListUserGroups() = 0;
  virtual Result<domain::UserGroup> FindUserGroupById(int64_t id) = 0;
  virtual Result<domain::UserGroup> FindUserGroupByName(std::string_view name) = 0;
  virtual Result<std::vector<domain::User>> ListGroupMembers(int64_t group_id) = 0;
  // Names, e-mail, password hash and enabled flag (not the application flag).
  virtual Status UpdateUser(const domain::User& user) = 0;
  // Removes a user: memberships, registration links and sessions go at once. A user named by
  // requests or approvals stays as a disabled tombstone (its name freed, hidden from every
  // look-up) so that history keeps its owner; any other is deleted.
  virtual Status DeleteUser(int64_t id) = 0;
  virtual Status RemoveUserFromGroup(int64_t group_id, int64_t user_id) = 0;  // NotFound if not a member
  virtual Status DeleteUserGroup(int64_t id) = 0;
  // Enabled users who are members of an administrators' group.
  virtual Result<int64_t> CountAdministrators() = 0;

  // --- Permission model ---------------------------------------------------------
  virtual Result<int64_t> CreateSmartRule(const domain::SmartRule& rule) = 0;
  virtual Result<std::vector<domain::SmartRule>> ListSmartRules() = 0;
  virtual Result<domain::SmartRule> FindSmartRule(int64_t id) = 0;
  virtual Result<int64_t> CreateAccessPolicy(const domain::AccessPolicy& policy) = 0;
  virtual Result<std::vector<domain::AccessPolicy>> ListAccessPolicies() = 0;
  virtual Result<domain::AccessPolicy> FindAccessPolicy(int64_t id) = 0;
  virtual Status AssignRole(int64_t group_id, int64_t rule_id, domain::Role role,
                            std::optional<int64_t> policy_id) = 0;
  // Removes every role the group holds on the rule; NotFound when it held none.
  virtual Status RemoveRoles(int64_t group_id, int64_t rule_id) = 0;
  // The roles `user_id` holds on `account_id` through active groups, with their policies.
  virtual Result<std::vector<domain::Grant>> GrantsFor(int64_t user_id, int64_t account_id) = 0;
  // Users other than `except_user` who may approve requests for `account_id`.
  virtual Result<int64_t> CountApprovers(int64_t account_id, int64_t except_user) = 0;
  // Whether `user_id` holds `role` on any smart rule.
  virtual Result<bool> HoldsRole(int64_t user_id, domain::Role role) = 0;

  // --- Password rules -----------------------------------------------------------
  virtual Result<int64_t> CreatePasswordRule(const domain::PasswordRule& rule) = 0;
  virtual Result<std::vector<domain::PasswordRule>> ListPasswordRules() = 0;
  virtual Result<domain::PasswordRule> FindPasswordRule(int64_t id) = 0;

  // --- Requests -----------------------------------------------------------------
  // Inserts `r` unless the user has an open request (of the same kind, ISA or not) for the
  // account: then Conflict
  // (kNone), the open id (kReuse), or it is cancelled and `r` inserted (kRenew). With
  // `max_open` > 0, Conflict too when the account already has that many open requests of
  // anyone's. The checks and the insert are one transaction.
  virtual Result<CreateRequestOutcome> CreateRequest(const domain::Request& r,
                                                     domain::ConflictOption option, int64_t now,
                                                     int64_t max_open = 0) = 0;
  virtual Result<domain::Request> FindRequest(int64_t id) = 0;
  virtual Result<std::vector<domain::Request>> ListRequests(const domain::RequestFilter& f,
                                                            int64_t now) = 0;
  // Persists status, timestamps and the rotate flag: a compare-and-set on `r.version` (as
  // read). Conflict when the request changed since, so of two racing transitions one wins.
  virtual Status UpdateRequest(const domain::Request& r) = 0;
  // Conflict if this user already decided on this request.
  virtual Status AddApproval(int64_t request_id, int64_t user_id, bool approve,
                             std::string_view reason, int64_t at) = 0;
  virtual Result<std::vector<domain::Request>> ListOpenRequestsExpiredBy(int64_t now) = 0;

  // --- API registrations --------------------------------------------------------
  virtual Result<int64_t> CreateApiRegistration(const domain::ApiRegistration& reg) = 0;
  virtual Status AllowUserForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Status AllowGroupForRegistration(int64_t registration_id, int64_t group_id) = 0;
  // NotFound when there was no such link.
  virtual Status DisallowUserForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Status DisallowGroupForRegistration(int64_t registration_id, int64_t group_id) = 0;
  virtual Result<domain::RegistrationLinks> RegistrationLinksOf(int64_t registration_id) = 0;
  virtual Status DeleteApiRegistration(int64_t id) = 0;  // its sessions and links go with it
  virtual Result<domain::ApiRegistration> FindRegistrationByKeyHash(std::string_view key_hash) = 0;
  virtual Result<domain::ApiRegistration> FindRegistrationByClientId(std::string_view client_id) = 0;
  virtual Result<domain::ApiRegistration> FindRegistrationById(int64_t id) = 0;
  virtual Result<bool> IsUserAllowedForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Result<std::vector<domain::ApiRegistration>> ListApiRegistrations() = 0;
  // Name, flags, OAuth user and rules (the rules are replaced); keys and client id stay.
  virtual Status UpdateApiRegistration(const domain::ApiRegistration& reg) = 0;

  // --- Sessions -----------------------------------------------------------------
  virtual Status CreateSession(const domain::Session& session) = 0;
  virtual Result<domain::Session> FindSession(std::string_view token_hash) = 0;
  virtual Status TouchSession(std::string_view token_hash, int64_t now) = 0;
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Deletes cookie sessions idle since before `idle_cutoff` and anything past its absolute expiry.
  virtual Status DeleteExpiredSessions(int64_t now, int64_t idle_cutoff) = 0;
  // Ends the sessions and tokens that stood on something that changed.
  virtual Status DeleteSessions(const domain::SessionScope& scope) = 0;
  // Cancels every open request of `user_id` (a removed user's requests must not hold the
  // account); returns them as they were.
  virtual Result<std::vector<domain::Request>> CancelOpenRequestsOf(int64_t user_id, int64_t now) = 0;
  // Forgets failure counts last bumped before `cutoff` that hold no lock in force at `now`.
  virtual Status DeleteStaleAuthFailures(int64_t cutoff, int64_t now) = 0;

  // --- Sign-in failures (lockout) -----------------------------------------------
  virtual Result<domain::AuthFailureRecord> GetAuthFailures(std::string_view subject) = 0;
  virtual Status PutAuthFailures(std::string_view subject, const domain::AuthFailureRecord& r) = 0;
  virtual Status ClearAuthFailures(std::string_view subject) = 0;

  // --- Workgroups and assets ----------------------------------------------------
  virtual Result<int64_t> CreateWorkgroup(const domain::Workgroup& wg) = 0;
  virtual Result<std::vector<domain::Workgroup>> ListWorkgroups() = 0;
  virtual Result<domain::Workgroup> FindWorkgroupById(int64_t id) = 0;
  virtual Result<domain::Workgroup> FindWorkgroupByName(std::string_view name) = 0;
  virtual Result<int64_t> CreateAsset(const domain::Asset& asset) = 0;
  virtual Result<domain::Asset> FindAsset(int64_t id) = 0;
  virtual Result<domain::Paged<domain::Asset>> ListAssets(int64_t workgroup_id,
                                                          const domain::Page& page) = 0;
  virtual Status DeleteAsset(int64_t id) = 0;

  // --- Managed systems ----------------------------------------------------------
  virtual Result<int64_t> CreateManagedSystem(const domain::ManagedSystem& system) = 0;
  virtual Result<domain::ManagedSystem> FindManagedSystem(int64_t id) = 0;
  virtual Result<domain::Paged<domain::ManagedSystem>> ListManagedSystems(
      const domain::SystemFilter& filter) = 0;
  virtual Status DeleteManagedSystem(int64_t id) = 0;
  // Replaces every setting of the system (not its id, workgroup, asset or pinned host key).
  virtual Status UpdateManagedSystem(const domain::ManagedSystem& system) = 0;
  // The pinned SSH host key and the last one a target offered that was refused.
  virtual Status SetSystemHostKey(int64_t system_id, std::string_view pinned, std::string_view offered) = 0;

  // --- Functional accounts and databases ----------------------------------------
  virtual Result<int64_t> CreateFunctionalAccount(const domain::FunctionalAccount& account,
                                                  const SealCredentialsFn& seal) = 0;
  virtual Result<domain::FunctionalAccount> FindFunctionalAccount(int64_t id) = 0;
  virtual Result<std::vector<domain::FunctionalAccount>> ListFunctionalAccounts() = 0;
  virtual Result<domain::SealedCredentials> GetFunctionalAccountSecrets(int64_t id) = 0;
  virtual Status DeleteFunctionalAccount(int64_t id) = 0;  // Conflict while a system uses it
  virtual Result<int64_t> CreateDatabase(const domain::Database& db) = 0;
  virtual Result<domain::Database> FindDatabase(int64_t id) = 0;
  virtual Result<std::vector<domain::Database>> ListDatabases(std::optional<int64_t> asset_id) = 0;
  virtual Status UpdateDatabase(const domain::Database& db) = 0;
  virtual Status DeleteDatabase(int64_t id) = 0;  // Conflict while a system uses it

  // --- Managed accounts ---------------------------------------------------------
  virtual Result<int64_t> CreateManagedAccount(const domain::ManagedAccount& account,
                                               const SealCredentialsFn& seal) = 0;
  virtual Result<domain::AccountView> FindManagedAccount(int64_t id) = 0;
  virtual Result<domain::Paged<domain::AccountView>> ListManagedAccounts(
      const domain::AccountFilter& filter) = 0;
  virtual Result<domain::SealedCredentials> GetSealedCredentials(int64_t account_id) = 0;
  // Replaces the account's credentials (fields left empty keep their value); the old
  // password ciphertext moves to the credential history; LastChangeDate becomes `now` and
  // NextChangeDate `next_change_at`.
  virtual Status ReplaceCredentials(int64_t account_id, const domain::SealedCredentials& creds,
                                    int64_t now, std::optional<int64_t> next_change_at) = 0;
  virtual Status DeleteManagedAccount(int64_t id) = 0;
  // Replaces every setting of the account (not its id, system or credentials).
  virtual Status UpdateManagedAccount(const domain::ManagedAccount& account) = 0;

  // --- Rotations (docs/ROTATION.md) ---------------------------------------------
  virtual Result<std::optional<domain::Rotation>> FindRotation(int64_t account_id) = 0;
  // Compare-and-set: inserts when `r.version` is 0 and no row exists, else updates the row
  // whose version is `r.version`; the stored version becomes r.version + 1. Conflict when
  // the row changed (or exists) meanwhile.
  virtual Status PutRotation(const domain::Rotation& r) = 0;
  // Commits the rotation at `version`: its pending credentials replace the account's (as
  // ReplaceCredentials does) and the row is deleted, in one transaction.
  virtual Status CommitRotation(int64_t account_id, int64_t version, int64_t now,
                                std::optional<int64_t> next_change_at) = 0;
  virtual Status DeleteRotation(int64_t account_id, int64_t version) = 0;  // compare-and-set
  // Rotations whose next try is due (failed ones included: they are retried), oldest first.
  virtual Result<std::vector<domain::Rotation>> ListRotationsDue(int64_t now, int64_t limit) = 0;
  // Auto-managed accounts whose scheduled change is due, with no rotation row and not
  // checked out (no Approved request open at `now`).
  virtual Result<std::vector<int64_t>> ListAccountsDueForChange(int64_t now, int64_t limit) = 0;
  // Accounts with CheckPasswordFlag not checked since `checked_before`.
  virtual Result<std::vector<int64_t>> ListAccountsDueForCheck(int64_t checked_before, int64_t limit) = 0;
  virtual Status SetAccountCheckedAt(int64_t account_id, int64_t now) = 0;

  // --- Secrets Safe -------------------------------------------------------------
  virtual Status CreateFolder(const domain::SecretFolder& folder) = 0;  // Conflict on a sibling's name
  virtual Result<domain::SecretFolder> FindFolder(std::string_view id) = 0;
  virtual Result<domain::SecretFolder> FindFolderByPath(std::string_view path) = 0;
  // Folders `visible_to_user` may read (all when empty); safes only when `safes_only`.
  virtual Result<std::vector<domain::SecretFolder>> ListFolders(std::optional<int64_t> visible_to_user,
                                                                bool safes_only) = 0;
  // Conflict while it holds secrets or folders, unless `force` removes the whole subtree.
  virtual Status DeleteFolder(std::string_view id, bool force) = 0;
  virtual Status GrantFolder(std::string_view folder_id, int64_t group_id, domain::FolderAccess access) = 0;
  virtual Status RevokeFolderGrant(std::string_view folder_id, int64_t group_id) = 0;  // NotFound if none
  // The highest access `user_id` holds on the folder through grants on it or an ancestor.
  virtual Result<domain::FolderAccess> FolderAccessFor(int64_t user_id, std::string_view folder_id) = 0;
  virtual Status CreateSecret(const domain::Secret& secret, std::string_view sealed_value) = 0;
  virtual Result<domain::Secret> FindSecret(std::string_view id) = 0;
  virtual Result<domain::Paged<domain::Secret>> ListSecrets(const domain::SecretFilter& filter) = 0;
  // Updates metadata; replaces the sealed value when given.
  virtual Status UpdateSecret(const domain::Secret& secret, const std::optional<std::string>& sealed_value) = 0;
  virtual Status DeleteSecret(std::string_view id) = 0;
  virtual Result<std::string> GetSealedSecretValue(std::string_view id) = 0;

  // --- Health -------------------------------------------------------------------
  virtual Status Ping() = 0;
  virtual std::string BackendName() const = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace psafe::store
