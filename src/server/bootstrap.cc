#include "server/bootstrap.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include <spdlog/spdlog.h>

#include "api/routes.h"
#include "common/clock.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "crypto/tls_certificate.h"
#include "domain/access_service.h"
#include "domain/estate_service.h"
#include "store/open_store.h"
#include "store/postgres_connection.h"

namespace psafe::server {

namespace {

constexpr const char* kMasterKeyEnv = "PSAFE_MASTER_KEY";
constexpr const char* kStorePasswordEnv = "PSAFE_STORE_PASSWORD";
constexpr int kRenewWithinDays = 30;

}  // namespace

Result<std::unique_ptr<crypto::MasterKey>> OpenMasterKey(const Config& config) {
  if (const char* env = std::getenv(kMasterKeyEnv); env != nullptr && *env != '\0') {
    return crypto::MasterKey::FromHex(env);
  }
  return crypto::MasterKey::LoadFile(config.master_key_file);
}

namespace {

// The database password: the first line of `file` if one is named, else PSAFE_STORE_PASSWORD
// (else empty, and libpq looks in PGPASSFILE). Never a command-line argument.
Result<std::string> StorePassword(const std::filesystem::path& file) {
  std::string password;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return Status::NotFound("cannot read the store password file " + file.string());
    std::getline(in, password);
  } else if (const char* env = std::getenv(kStorePasswordEnv); env != nullptr) {
    password = env;
  }
  return password;
}

}  // namespace

Result<store::StorePtr> OpenStore(const Config& config) {
  if (!config.uses_postgres()) return store::OpenSqliteStore(config.database());
  store::PostgresOptions options;
  options.url = config.store_url;
  options.statement_timeout_ms = config.store_statement_timeout_ms;
  PSAFE_ASSIGN_OR_RETURN(options.password, StorePassword(config.store_password_file));
  return store::OpenPostgresStore(options, static_cast<size_t>(config.store_pool_size));
}

Result<store::StoreCopyReport> CopyStore(std::string_view from, std::string_view to,
                                         const std::filesystem::path& password_file) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (from.substr(0, kSqlite.size()) != kSqlite || from.size() == kSqlite.size()) {
    return Status::InvalidArgument("--from must be sqlite:<data directory>");
  }
  if (to.rfind("postgresql://", 0) != 0 && to.rfind("postgres://", 0) != 0) {
    return Status::InvalidArgument("--to must be a postgresql:// URL");
  }
  if (store::RedactedUrl(to) != to) {
    return Status::InvalidArgument("--to must not hold the password (a command line is visible to every user): "
                                   "use --password-file or PSAFE_STORE_PASSWORD");
  }
  store::PostgresOptions target;
  target.url = std::string(to);
  target.statement_timeout_ms = 0;  // one long transaction; each statement is small
  PSAFE_ASSIGN_OR_RETURN(target.password, StorePassword(password_file));
  Config source;
  source.data_dir = std::filesystem::path(from.substr(kSqlite.size()));
  return store::CopySqliteToPostgres(source.database(), target);
}

Result<store::StorePtr> OpenInitialisedStore(const Config& config) {
  std::error_code ec;
  if (!config.uses_postgres() && !std::filesystem::exists(config.database(), ec)) {
    return Status::NotFound(config.data_dir.string() + " is not initialised (run psafed init)");
  }
  PSAFE_ASSIGN_OR_RETURN(store::StorePtr store, OpenStore(config));
  PSAFE_ASSIGN_OR_RETURN(auto keys, store->LoadSealedKeys());
  if (keys.empty()) {
    return Status::NotFound("the database " + config.store_description() + " is not initialised (run psafed init)");
  }
  return store;
}

Result<std::unique_ptr<crypto::Keyring>> OpenKeyring(store::Store& store,
                                                     const crypto::MasterKey& master) {
  PSAFE_ASSIGN_OR_RETURN(auto sealed, store.LoadSealedKeys());
  return crypto::Keyring::Open(master, sealed);
}

Status EnsureTlsMaterial(const Config& config) {
  if (!config.tls_enabled || !config.uses_generated_tls()) return Status::OK();
  const crypto::TlsFiles files{config.tls_ca, config.tls_cert, config.tls_key, config.tls_crl};
  const std::string crl_uri = config.origin() + std::string(api::kCaCrlPath);
  const crypto::GeneratedTlsState state = crypto::InspectGeneratedTls(files, kRenewWithinDays);
  switch (state.verdict) {
    case crypto::GeneratedTlsState::kNotGenerated:
      return Status::OK();  // the operator's certificate at the default paths
    case crypto::GeneratedTlsState::kCurrent:
      // The certificate names the CRL at the address configured when it was made.
      if (config.listen_port != 0 && !state.crl_uri.empty() && state.crl_uri != crl_uri) {
        spdlog::warn("the generated TLS certificate names its CRL at {}, not at {}: clients that check "
                     "revocation will not find it there", state.crl_uri, crl_uri);
      }
      return Status::OK();
    case crypto::GeneratedTlsState::kRenew:
      // A generated CA has no key left to sign with, so renewal is a new CA that clients
      // must trust again.
      spdlog::warn("{}: generating a new CA and certificate; clients must trust the new {}", state.reason,
                   config.tls_ca.string());
      break;
    case crypto::GeneratedTlsState::kGenerate:
      break;
  }
  std::error_code ec;
  std::filesystem::create_directories(config.tls_cert.parent_path(), ec);
  if (ec) return Status::IOError("cannot create " + config.tls_cert.parent_path().string());
  crypto::GeneratedTlsOptions options;
  // An ephemeral port (tests) names no address: keep the one the certificate had.
  options.crl_uri = config.listen_port != 0 ? crl_uri : state.crl_uri;
  return crypto::GenerateSelfSignedTls(files, options);
}

namespace {

// The demo estate and grant, created through the services so they are audited and
// validated like any administrator's change.
Status CreateDemo(store::Store& store, const crypto::Keyring& keyring, const Clock& clock,
                  domain::AuditTrail& audit, const domain::Principal& admin, int64_t admins_group) {
  domain::EstateService estate(store.ports(), keyring, clock, audit);
  domain::AccessService access(store.ports(), audit, clock);
  PSAFE_ASSIGN_OR_RETURN(auto wg, estate.CreateWorkgroup(admin, {0, "", "demo", "Demo estate"}));
  domain::ManagedSystem sys;
  sys.name = "demo-linux";
  sys.platform_id = 2;
  sys.ip_address = "127.0.0.1";
  sys.description = "Demo system created by psafed init --demo";
  PSAFE_ASSIGN_OR_RETURN(sys, estate.CreateSystemInWorkgroup(admin, wg.id, sys));
  domain::ManagedAccount acct;
  acct.name = "demo-root";
  acct.description = "Demo account: its password is random and encrypted like any other";
  domain::NewCredentials creds;
  creds.password = domain::GeneratePassword(domain::PasswordRule{});
  PSAFE_RETURN_IF_ERROR(estate.CreateAccount(admin, sys.id, acct, std::move(creds)).status());
  domain::SmartRule rule;
  rule.title = "All managed accounts";
  rule.description = "Every account (psafed init --demo)";
  PSAFE_ASSIGN_OR_RETURN(rule, access.CreateSmartRule(admin, rule));
  domain::AccessPolicy policy;
  policy.name = "Auto-approve";
  policy.description = "No approval needed, at most 60 minutes (psafed init --demo)";
  policy.required_approvals = 0;
  policy.default_duration_minutes = 10;
  policy.max_duration_minutes = 60;
  PSAFE_ASSIGN_OR_RETURN(policy, access.CreatePolicy(admin, policy));
  return access.AssignRoles(admin, admins_group, rule.id,
                            {static_cast<int64_t>(domain::Role::kRequestorApprover)}, policy.id);
}

}  // namespace

Result<InitResult> InitDataDir(const Config& config, bool demo) {
  std::error_code ec;
  if (std::filesystem::exists(config.master_key_file, ec) ||
      (!config.uses_postgres() && std::filesystem::exists(config.database(), ec))) {
    return Status::Conflict(config.data_dir.string() + " is already initialised");
  }
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::IOError("cannot create " + config.data_dir.string() + ": " + ec.message());
  ::chmod(config.data_dir.c_str(), 0700);

  // PostgreSQL: the schema, keyring and administrator go to the shared database, once; the
  // data directory keeps only what is per node (master key file, TLS material, config). A
  // database someone already initialised is refused before this node writes a file.
  std::unique_ptr<crypto::MasterKey> master;
  if (const char* env = std::getenv(kMasterKeyEnv); env != nullptr && *env != '\0') {
    PSAFE_ASSIGN_OR_RETURN(master, crypto::MasterKey::FromHex(env));
  }
  PSAFE_ASSIGN_OR_RETURN(store::StorePtr store, OpenStore(config));
  PSAFE_ASSIGN_OR_RETURN(auto existing, store->LoadSealedKeys());
  if (!existing.empty()) return Status::Conflict("the database " + config.store_description() + " is already initialised");

  if (!master) {
    PSAFE_ASSIGN_OR_RETURN(master, crypto::MasterKey::CreateFile(config.master_key_file));
  }
  PSAFE_RETURN_IF_ERROR(WriteDefaultConfigFile(config.data_dir));
  PSAFE_RETURN_IF_ERROR(EnsureTlsMaterial(config));

  PSAFE_RETURN_IF_ERROR(store->AddSealedKey(
      crypto::Keyring::CreateKey(*master, 1, crypto::SealedKey::Purpose::kData)));
  PSAFE_RETURN_IF_ERROR(store->AddSealedKey(
      crypto::Keyring::CreateKey(*master, 1, crypto::SealedKey::Purpose::kPepper)));
  PSAFE_ASSIGN_OR_RETURN(auto keyring, OpenKeyring(*store, *master));

  InitResult out;
  out.url = config.base_url();
  out.user = "admin";
  out.password = crypto::SecretString(crypto::RandomHex(12));
  out.api_key = crypto::SecretString(crypto::RandomHex(64));       // 128 characters
  out.client_id = crypto::RandomGuid();                            // 36 characters
  out.client_secret = crypto::SecretString(crypto::RandomHex(24)); // 48 characters
  if (config.tls_enabled && config.uses_generated_tls()) out.ca_cert = config.tls_ca.string();

  SystemClock clock;
  domain::User admin;
  admin.user_name = out.user;
  admin.name = "Administrator";
  admin.email = "admin@localhost";
  admin.password_hash = crypto::HashPassword(out.password.view());
  admin.created_at = clock.NowSeconds();
  PSAFE_ASSIGN_OR_RETURN(int64_t admin_id, store->CreateUser(admin));
  domain::UserGroup admins;
  admins.name = "Administrators";
  admins.description = "Full administration";
  admins.is_administrator = true;
  admins.registration_ids = {};
  PSAFE_ASSIGN_OR_RETURN(int64_t group_id, store->CreateUserGroup(admins));
  PSAFE_RETURN_IF_ERROR(store->AddUserToGroup(group_id, admin_id));

  domain::ApiRegistration reg;
  reg.name = "default";
  reg.key_hash = keyring->TokenHash(out.api_key.view());
  reg.client_id = out.client_id;
  reg.client_secret_hash = keyring->TokenHash(out.client_secret.view());
  reg.oauth_user_id = admin_id;
  PSAFE_ASSIGN_OR_RETURN(int64_t reg_id, store->CreateApiRegistration(reg));
  PSAFE_RETURN_IF_ERROR(store->AllowUserForRegistration(reg_id, admin_id));

  domain::AuditTrail audit(store->ports(), *keyring, clock);
  PSAFE_ASSIGN_OR_RETURN(domain::User admin_user, store->FindUserById(admin_id));
  domain::Principal admin_principal{admin_user, reg_id};
  PSAFE_RETURN_IF_ERROR(audit.Record(
      domain::AuditTrail::By(admin_principal, "system.init", "System", "psafed", 0,
                             demo ? "{\"Demo\":true}" : "{\"Demo\":false}"),
      [] { return Status::OK(); }));
  if (demo) PSAFE_RETURN_IF_ERROR(CreateDemo(*store, *keyring, clock, audit, admin_principal, group_id));
  return out;
}

Result<domain::AuditVerification> VerifyAuditChain(const Config& config) {
  PSAFE_ASSIGN_OR_RETURN(auto master, OpenMasterKey(config));
  PSAFE_ASSIGN_OR_RETURN(store::StorePtr store, OpenInitialisedStore(config));
  PSAFE_ASSIGN_OR_RETURN(auto keyring, OpenKeyring(*store, *master));
  SystemClock clock;
  domain::AuditTrail audit(store->ports(), *keyring, clock);
  return audit.Verify();
}

Result<int> RotateDataKey(const Config& config) {
  PSAFE_ASSIGN_OR_RETURN(auto master, OpenMasterKey(config));
  PSAFE_ASSIGN_OR_RETURN(store::StorePtr store, OpenInitialisedStore(config));
  PSAFE_ASSIGN_OR_RETURN(auto keyring, OpenKeyring(*store, *master));  // proves the master key
  const int next = keyring->current_version() + 1;
  PSAFE_RETURN_IF_ERROR(store->AddSealedKey(
      crypto::Keyring::CreateKey(*master, next, crypto::SealedKey::Purpose::kData)));
  return next;
}

}  // namespace psafe::server
