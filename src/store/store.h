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
#include "domain/assets.h"
#include "domain/identity.h"

namespace psafe::store {

// Seals an account's credentials once its id is known, so the id can be bound into
// the ciphertext (rows cannot be swapped). Runs inside the creating transaction.
using SealCredentialsFn = std::function<domain::SealedCredentials(int64_t account_id)>;

class Store {
 public:
  virtual ~Store() = default;

  // --- Keyring ------------------------------------------------------------------
  virtual Result<std::vector<crypto::SealedKey>> LoadSealedKeys() = 0;
  virtual Status AddSealedKey(const crypto::SealedKey& key) = 0;

  // --- Users and groups ---------------------------------------------------------
  virtual Result<int64_t> CreateUser(const domain::User& user) = 0;
  virtual Result<domain::User> FindUserById(int64_t id) = 0;
  virtual Result<domain::User> FindUserByName(std::string_view user_name) = 0;
  virtual Result<int64_t> CreateUserGroup(const domain::UserGroup& group) = 0;
  virtual Status AddUserToGroup(int64_t group_id, int64_t user_id) = 0;

  // --- API registrations --------------------------------------------------------
  virtual Result<int64_t> CreateApiRegistration(const domain::ApiRegistration& reg) = 0;
  virtual Status AllowUserForRegistration(int64_t registration_id, int64_t user_id) = 0;
  virtual Result<domain::ApiRegistration> FindRegistrationByKeyHash(std::string_view key_hash) = 0;
  virtual Result<domain::ApiRegistration> FindRegistrationByClientId(std::string_view client_id) = 0;
  virtual Result<domain::ApiRegistration> FindRegistrationById(int64_t id) = 0;
  virtual Result<bool> IsUserAllowedForRegistration(int64_t registration_id, int64_t user_id) = 0;

  // --- Sessions -----------------------------------------------------------------
  virtual Status CreateSession(const domain::Session& session) = 0;
  virtual Result<domain::Session> FindSession(std::string_view token_hash) = 0;
  virtual Status TouchSession(std::string_view token_hash, int64_t now) = 0;
  virtual Status DeleteSession(std::string_view token_hash) = 0;
  // Deletes sessions idle since before `idle_cutoff` or past their absolute expiry.
  virtual Status DeleteExpiredSessions(int64_t now, int64_t idle_cutoff) = 0;

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

  // --- Managed accounts ---------------------------------------------------------
  virtual Result<int64_t> CreateManagedAccount(const domain::ManagedAccount& account,
                                               const SealCredentialsFn& seal) = 0;
  virtual Result<domain::AccountView> FindManagedAccount(int64_t id) = 0;
  virtual Result<domain::Paged<domain::AccountView>> ListManagedAccounts(
      const domain::AccountFilter& filter) = 0;
  virtual Result<domain::SealedCredentials> GetSealedCredentials(int64_t account_id) = 0;
  virtual Status DeleteManagedAccount(int64_t id) = 0;

  // --- Health -------------------------------------------------------------------
  virtual Status Ping() = 0;
  virtual std::string BackendName() const = 0;
};

using StorePtr = std::unique_ptr<Store>;

}  // namespace psafe::store
