// The managed estate: workgroups, assets, managed systems, functional accounts, databases and
// managed accounts with their sealed credentials.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/assets.h"

namespace psafe::domain {

// Seals an account's credentials once its id is known, so the id can be bound into
// the ciphertext (rows cannot be swapped). Runs inside the creating transaction.
using SealCredentialsFn = std::function<SealedCredentials(int64_t account_id)>;

class EstateStore {
 public:
  virtual ~EstateStore() = default;

  virtual Result<int64_t> CreateWorkgroup(const Workgroup& wg) = 0;
  virtual Result<std::vector<Workgroup>> ListWorkgroups() = 0;
  virtual Result<Workgroup> FindWorkgroupById(int64_t id) = 0;
  virtual Result<Workgroup> FindWorkgroupByName(std::string_view name) = 0;
  virtual Result<int64_t> CreateAsset(const Asset& asset) = 0;
  virtual Result<Asset> FindAsset(int64_t id) = 0;
  // The first (oldest) asset of that name in the workgroup: asset names need not be unique.
  virtual Result<Asset> FindAssetByName(int64_t workgroup_id, std::string_view name) = 0;
  virtual Result<Paged<Asset>> ListAssets(int64_t workgroup_id,
                                                          const Page& page) = 0;
  virtual Status DeleteAsset(int64_t id) = 0;
  virtual Result<int64_t> CreateManagedSystem(const ManagedSystem& system) = 0;
  virtual Result<ManagedSystem> FindManagedSystem(int64_t id) = 0;
  virtual Result<Paged<ManagedSystem>> ListManagedSystems(
      const SystemFilter& filter) = 0;
  virtual Status DeleteManagedSystem(int64_t id) = 0;
  // Replaces every setting of the system (not its id, workgroup, asset or pinned host key).
  virtual Status UpdateManagedSystem(const ManagedSystem& system) = 0;
  // The pinned SSH host key and the last one a target offered that was refused.
  virtual Status SetSystemHostKey(int64_t system_id, std::string_view pinned, std::string_view offered) = 0;
  virtual Result<int64_t> CreateFunctionalAccount(const FunctionalAccount& account,
                                                  const SealCredentialsFn& seal) = 0;
  virtual Result<FunctionalAccount> FindFunctionalAccount(int64_t id) = 0;
  virtual Result<std::vector<FunctionalAccount>> ListFunctionalAccounts() = 0;
  virtual Result<SealedCredentials> GetFunctionalAccountSecrets(int64_t id) = 0;
  virtual Status DeleteFunctionalAccount(int64_t id) = 0;  // Conflict while a system uses it
  virtual Result<int64_t> CreateDatabase(const Database& db) = 0;
  virtual Result<Database> FindDatabase(int64_t id) = 0;
  virtual Result<std::vector<Database>> ListDatabases(std::optional<int64_t> asset_id) = 0;
  virtual Status UpdateDatabase(const Database& db) = 0;
  virtual Status DeleteDatabase(int64_t id) = 0;  // Conflict while a system uses it
  virtual Result<int64_t> CreateManagedAccount(const ManagedAccount& account,
                                               const SealCredentialsFn& seal) = 0;
  virtual Result<AccountView> FindManagedAccount(int64_t id) = 0;
  virtual Result<Paged<AccountView>> ListManagedAccounts(
      const AccountFilter& filter) = 0;
  virtual Result<SealedCredentials> GetSealedCredentials(int64_t account_id) = 0;
  // Replaces the account's credentials (fields left empty keep their value); the old
  // password ciphertext moves to the credential history; LastChangeDate becomes `now` and
  // NextChangeDate `next_change_at`.
  virtual Status ReplaceCredentials(int64_t account_id, const SealedCredentials& creds,
                                    int64_t now, std::optional<int64_t> next_change_at) = 0;
  virtual Status DeleteManagedAccount(int64_t id) = 0;
  // Replaces every setting of the account (not its id, system or credentials).
  virtual Status UpdateManagedAccount(const ManagedAccount& account) = 0;
};

}  // namespace psafe::domain
