// Creating and opening a data directory: `psafed init`, `psafed keys rotate`, and the
// key/store opening that `psafed serve` shares with them.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"
#include "crypto/secret_string.h"
#include "domain/audit_service.h"
#include "server/config.h"
#include "store/store.h"
#include "store/store_copy.h"

namespace psafe::server {

// What `psafed init` prints once and never stores in plaintext.
struct InitResult {
  std::string url;
  std::string user;
  crypto::SecretString password;
  crypto::SecretString api_key;
  std::string client_id;
  crypto::SecretString client_secret;
  std::string ca_cert;  // empty when the operator supplied their own certificate
};

// Creates the store, keyring, master key (unless PSAFE_MASTER_KEY is set), TLS material
// (unless configured), the administrator and one API registration. Refuses a directory
// that already holds a store.
// With `demo`, also a demo system/account and an auto-approve RequestorApprover
// assignment for the administrators (docs/REQUESTS.md, "Secure by default").
Result<InitResult> InitDataDir(const Config& config, bool demo);

// The configured store: PostgreSQL when store.url is set, else <data>/psafe.db. Creates or
// upgrades the schema.
Result<store::StorePtr> OpenStore(const Config& config);
// `psafed store copy --from sqlite:DIR --to postgresql://...`: every row of DIR's SQLite
// store into an empty PostgreSQL database (store/store_copy.h); the password as OpenStore
// reads it, from `password_file` or PSAFE_STORE_PASSWORD, never from the URL.
Result<store::StoreCopyReport> CopyStore(std::string_view from, std::string_view to,
                                         const std::filesystem::path& password_file);
// OpenStore for an initialised installation: NotFound ("run psafed init") otherwise.
Result<store::StorePtr> OpenInitialisedStore(const Config& config);
// PSAFE_MASTER_KEY (64 hex) if set, else the configured key file.
Result<std::unique_ptr<crypto::MasterKey>> OpenMasterKey(const Config& config);
Result<std::unique_ptr<crypto::Keyring>> OpenKeyring(store::Store& store,
                                                     const crypto::MasterKey& master);
// Adds a new data-key version; returns it.
Result<int> RotateDataKey(const Config& config);
// Walks the audit chain (`psafed audit verify`).
Result<domain::AuditVerification> VerifyAuditChain(const Config& config);
// Generates the self-signed TLS files when the configuration uses the default paths and
// they are missing (first start); renews them when psafed generated them and the server
// certificate expires within 30 days or no longer matches its key or CA file.
Status EnsureTlsMaterial(const Config& config);

}  // namespace psafe::server
