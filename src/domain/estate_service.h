// EstateService: workgroups, assets, managed systems and managed accounts.
// Only administrators create or delete. Reading the administrative views (workgroups,
// assets, systems, an account's settings) needs administration too; the "requestable
// accounts" view (FindRequestableAccounts) lists the accounts the caller holds a
// Requestor, RequestorApprover or ISA role on (docs/REQUESTS.md). Changes are audited.
// Plaintext credentials pass through here only on their way into the keyring.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/assets.h"
#include "domain/audit_service.h"
#include "domain/principal.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

struct NewCredentials {
  std::optional<crypto::SecretString> password;
  std::optional<crypto::SecretString> private_key;
  std::optional<crypto::SecretString> passphrase;
};

// Context strings bound into each credential's ciphertext.
std::string CredentialContext(int64_t account_id, std::string_view field);
std::string FunctionalContext(int64_t functional_account_id, std::string_view field);

// ElevationCommand (e.g. "sudo") is run on targets: letters, digits, space and -_./ only.
Status ValidateElevationCommand(std::string_view command);

class EstateService {
 public:
  EstateService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
                AuditTrail& audit);

  Result<std::vector<Workgroup>> ListWorkgroups(const Principal& p);
  Result<Workgroup> CreateWorkgroup(const Principal& p, Workgroup wg);
  // "12" is an id, anything else a name (as the product's {id|name} routes).
  Result<Workgroup> ResolveWorkgroup(const Principal& p, std::string_view id_or_name);

  Result<Asset> CreateAsset(const Principal& p, std::string_view workgroup, Asset asset);
  Result<Paged<Asset>> ListAssets(const Principal& p, std::string_view workgroup, Page page);
  Result<Asset> FindAsset(const Principal& p, int64_t id);
  Result<Asset> FindAssetByName(const Principal& p, std::string_view workgroup, std::string_view name);
  Status DeleteAsset(const Principal& p, int64_t id);

  // Creates a system in a workgroup, or on an asset (which fixes the workgroup).
  Result<ManagedSystem> CreateSystemInWorkgroup(const Principal& p, int64_t workgroup_id,
                                                ManagedSystem system);
  Result<ManagedSystem> CreateSystemOnAsset(const Principal& p, int64_t asset_id,
                                            ManagedSystem system);
  Result<ManagedSystem> CreateSystemOnDatabase(const Principal& p, int64_t database_id, ManagedSystem system);
  // Replaces the system's settings (the caller starts from the stored system).
  Result<ManagedSystem> UpdateSystem(const Principal& p, const ManagedSystem& system);
  // Pins an SSH host key for the system; an empty fingerprint clears the pin.
  Status PinHostKey(const Principal& p, int64_t system_id, std::string_view fingerprint);
  // NotFound when the filter's workgroup or asset does not exist.
  Result<Paged<ManagedSystem>> ListSystems(const Principal& p, const SystemFilter& filter);
  Result<ManagedSystem> GetSystem(const Principal& p, int64_t id);
  Status DeleteSystem(const Principal& p, int64_t id);

  // Functional accounts: their secrets go in, never out.
  Result<std::vector<FunctionalAccount>> ListFunctionalAccounts(const Principal& p);
  Result<FunctionalAccount> GetFunctionalAccount(const Principal& p, int64_t id);
  Result<FunctionalAccount> CreateFunctionalAccount(const Principal& p, FunctionalAccount account,
                                                    NewCredentials credentials);
  Status DeleteFunctionalAccount(const Principal& p, int64_t id);

  Result<Database> CreateDatabase(const Principal& p, int64_t asset_id, Database db);
  Result<std::vector<Database>> ListDatabases(const Principal& p, std::optional<int64_t> asset_id);
  Result<Database> GetDatabase(const Principal& p, int64_t id);
  Result<Database> UpdateDatabase(const Principal& p, const Database& db);
  Status DeleteDatabase(const Principal& p, int64_t id);

  // A new account of the system, with the system's change policy as its default.
  Result<ManagedAccount> NewAccountDefaults(const Principal& p, int64_t system_id);
  // Replaces the account's settings (the caller starts from the stored account).
  Result<AccountView> UpdateAccount(const Principal& p, ManagedAccount account);
  Result<AccountView> CreateAccount(const Principal& p, int64_t system_id, ManagedAccount account,
                                    NewCredentials credentials);
  Result<Paged<AccountView>> ListAccountsOfSystem(const Principal& p, int64_t system_id, Page page);
  Result<Paged<AccountView>> FindRequestableAccounts(const Principal& p, AccountFilter filter);
  Result<AccountView> GetAccount(const Principal& p, int64_t id);
  Status DeleteAccount(const Principal& p, int64_t id);

 private:
  Result<ManagedSystem> CreateSystem(const Principal& p, ManagedSystem system);
  Status ValidateSystem(const ManagedSystem& system);
  Status ValidateAccount(const ManagedAccount& account);
  static Status ValidateDatabase(const Database& db);

  Ports ports_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
  AuditTrail& audit_;
};

}  // namespace psafe::domain
