#include "domain/estate_service.h"

#include "crypto/random.h"
#include "domain/audit.h"
#include "domain/names.h"
#include "domain/platforms.h"

namespace psafe::domain {

namespace {

constexpr int64_t kMaxDurationMinutes = 525600;  // one year, the product's ceiling

Status ValidateDuration(std::string_view field, int64_t minutes) {
  if (minutes < 1 || minutes > kMaxDurationMinutes) {
    return Status::InvalidArgument(std::string(field) + " must be between 1 and 525600");
  }
  return Status::OK();
}

}  // namespace

std::string CredentialContext(int64_t account_id, std::string_view field) {
  return "managed_accounts/" + std::to_string(account_id) + "/" + std::string(field);
}

std::string FunctionalContext(int64_t functional_account_id, std::string_view field) {
  return "functional_accounts/" + std::to_string(functional_account_id) + "/" + std::string(field);
}

Status ValidateElevationCommand(std::string_view command) {
  // It is run as the first word(s) of a remote command line: no shell syntax gets in.
  if (command.size() > 64) return Status::InvalidArgument("ElevationCommand is longer than 64 characters");
  for (char c : command) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ' ' || c == '-' || c == '_' || c == '.' || c == '/';
    if (!ok) return Status::InvalidArgument("ElevationCommand may hold only letters, digits, space and -_./");
  }
  return Status::OK();
}

EstateService::EstateService(const Ports& ports, const crypto::Keyring& keyring,
                             const Clock& clock, AuditTrail& audit)
    : ports_(ports), keyring_(keyring), clock_(clock), audit_(audit) {}

Result<std::vector<Workgroup>> EstateService::ListWorkgroups(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.ListWorkgroups();
}

Result<Workgroup> EstateService::CreateWorkgroup(const Principal& p, Workgroup wg) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateName("Name", wg.name));
  if (wg.organization_id.empty()) wg.organization_id = crypto::RandomGuid();
  Status s = audit_.Record(AuditTrail::By(p, "workgroup.create", "Workgroup", wg.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(wg.id, ports_.estate.CreateWorkgroup(wg));
    return Status::OK();
  });
  if (s.code() == StatusCode::kAlreadyExists) return Status::Conflict("a workgroup named '" + wg.name + "' already exists");
  PSAFE_RETURN_IF_ERROR(s);
  return wg;
}

Result<Workgroup> EstateService::ResolveWorkgroup(const Principal& p, std::string_view id_or_name) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  if (auto id = ParseId(id_or_name)) return ports_.estate.FindWorkgroupById(*id);
  return ports_.estate.FindWorkgroupByName(id_or_name);
}

Result<Asset> EstateService::CreateAsset(const Principal& p, std::string_view workgroup, Asset a) {
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, ResolveWorkgroup(p, workgroup));
  PSAFE_RETURN_IF_ERROR(ValidateName("AssetName", a.name));
  a.workgroup_id = wg.id;
  a.created_at = a.updated_at = clock_.NowSeconds();
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "asset.create", "Asset", a.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(a.id, ports_.estate.CreateAsset(a));
    return Status::OK();
  }));
  return a;
}

Result<Paged<Asset>> EstateService::ListAssets(const Principal& p, std::string_view workgroup,
                                               Page page) {
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, ResolveWorkgroup(p, workgroup));
  return ports_.estate.ListAssets(wg.id, page);
}

Result<Asset> EstateService::FindAsset(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.FindAsset(id);
}

Result<Asset> EstateService::FindAssetByName(const Principal& p, std::string_view workgroup, std::string_view name) {
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, ResolveWorkgroup(p, workgroup));
  return ports_.estate.FindAssetByName(wg.id, name);
}

Status EstateService::DeleteAsset(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "asset.delete", "Asset", std::to_string(id)),
                       [&] { return ports_.estate.DeleteAsset(id); });
}

Status EstateService::ValidateSystem(const ManagedSystem& m) {
  PSAFE_RETURN_IF_ERROR(ValidateName("SystemName", m.name));
  if (FindPlatform(m.platform_id) == nullptr) {
    return Status::InvalidArgument("PlatformID " + std::to_string(m.platform_id) + " is not known");
  }
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ReleaseDuration", m.release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("MaxReleaseDuration", m.max_release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ISAReleaseDuration", m.isa_release_duration));
  if (m.port < 0 || m.port > 65535) return Status::InvalidArgument("Port must be 0-65535");
  if (m.timeout_seconds < 1 || m.timeout_seconds > 3600) return Status::InvalidArgument("Timeout must be 1-3600");
  if (m.ssh_key_enforcement_mode < 0 || m.ssh_key_enforcement_mode > 2) {
    return Status::InvalidArgument("SshKeyEnforcementMode must be 0, 1 or 2");
  }
  if (m.account_name_format < 0 || m.account_name_format > 2) {
    return Status::InvalidArgument("AccountNameFormat must be 0, 1 or 2");
  }
  if (m.remote_client_type != "None" && m.remote_client_type != "EPM") {
    return Status::InvalidArgument("RemoteClientType must be None or EPM");
  }
  PSAFE_RETURN_IF_ERROR(ValidateElevationCommand(m.elevation_command));
  PSAFE_RETURN_IF_ERROR(ValidateChangePolicy(m.change));
  for (auto [field, id] : {std::pair{"FunctionalAccountID", m.functional_account_id},
                           std::pair{"LoginAccountID", m.login_account_id}}) {
    if (id == 0) continue;
    auto fa = ports_.estate.FindFunctionalAccount(id);
    if (fa.ok()) continue;
    if (fa.status().code() != StatusCode::kNotFound) return fa.status();
    return Status::InvalidArgument(std::string(field) + " " + std::to_string(id) + " is not a functional account");
  }
  return Status::OK();
}

Result<ManagedSystem> EstateService::CreateSystem(const Principal& p, ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(ValidateSystem(m));
  m.created_at = clock_.NowSeconds();
  Status s = audit_.Record(AuditTrail::By(p, "managedsystem.create", "ManagedSystem", m.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(m.id, ports_.estate.CreateManagedSystem(m));
    return Status::OK();
  });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("a managed system named '" + m.name + "' already exists");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return m;
}

Result<ManagedSystem> EstateService::CreateSystemInWorkgroup(const Principal& p,
                                                             int64_t workgroup_id,
                                                             ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, ports_.estate.FindWorkgroupById(workgroup_id));
  m.workgroup_id = wg.id;
  m.asset_id.reset();
  return CreateSystem(p, std::move(m));
}

Result<ManagedSystem> EstateService::CreateSystemOnAsset(const Principal& p, int64_t asset_id,
                                                         ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Asset asset, ports_.estate.FindAsset(asset_id));
  m.workgroup_id = asset.workgroup_id;
  m.asset_id = asset.id;
  // A system on an asset inherits the asset's addresses unless given its own.
  if (m.name.empty()) m.name = asset.name;
  if (m.dns_name.empty()) m.dns_name = asset.dns_name;
  if (m.ip_address.empty()) m.ip_address = asset.ip_address;
  return CreateSystem(p, std::move(m));
}

Result<Paged<ManagedSystem>> EstateService::ListSystems(const Principal& p,
                                                        const SystemFilter& filter) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  // An empty list would hide a mistyped id.
  if (filter.asset_id) PSAFE_RETURN_IF_ERROR(ports_.estate.FindAsset(*filter.asset_id).status());
  if (filter.workgroup_id) PSAFE_RETURN_IF_ERROR(ports_.estate.FindWorkgroupById(*filter.workgroup_id).status());
  return ports_.estate.ListManagedSystems(filter);
}

Result<ManagedSystem> EstateService::GetSystem(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.FindManagedSystem(id);
}

Result<ManagedSystem> EstateService::CreateSystemOnDatabase(const Principal& p, int64_t database_id,
                                                            ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Database db, ports_.estate.FindDatabase(database_id));
  PSAFE_ASSIGN_OR_RETURN(Asset asset, ports_.estate.FindAsset(db.asset_id));
  // A database's system is reached at its asset's address, on the database's port.
  m.database_id = db.id;
  m.platform_id = db.platform_id;
  m.instance_name = db.instance_name;
  if (m.port == 0) m.port = db.port;
  if (m.name.empty()) m.name = asset.name + "/" + db.instance_name;
  return CreateSystemOnAsset(p, asset.id, std::move(m));
}

Result<ManagedSystem> EstateService::UpdateSystem(const Principal& p, const ManagedSystem& m) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateSystem(m));
  Status s = audit_.Record(AuditTrail::By(p, "managedsystem.update", "ManagedSystem", std::to_string(m.id)),
                           [&] { return ports_.estate.UpdateManagedSystem(m); });
  if (s.code() == StatusCode::kAlreadyExists) return Status::Conflict("a managed system named '" + m.name + "' already exists");
  PSAFE_RETURN_IF_ERROR(s);
  return ports_.estate.FindManagedSystem(m.id);
}

Status EstateService::PinHostKey(const Principal& p, int64_t system_id, std::string_view fingerprint) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  if (!fingerprint.empty() && (!fingerprint.starts_with("SHA256:") || fingerprint.size() > 100 ||
                               fingerprint.find_first_of(" \t\r\n\"") != std::string_view::npos)) {
    return Status::InvalidArgument("Fingerprint must be an SSH SHA256 fingerprint (SHA256:...)");
  }
  PSAFE_ASSIGN_OR_RETURN(ManagedSystem m, ports_.estate.FindManagedSystem(system_id));
  // A new pin clears the refused offer; an empty one lets mode 1 pin on the next contact.
  return audit_.Record(AuditTrail::By(p, fingerprint.empty() ? "managedsystem.hostkey.clear" : "managedsystem.hostkey.pin",
                                      "ManagedSystem", std::to_string(system_id), 0,
                                      "{\"Fingerprint\":" + AuditQuote(fingerprint) + "}"),
                       [&] { return ports_.estate.SetSystemHostKey(m.id, fingerprint, ""); });
}

// --- Functional accounts and databases --------------------------------------------

Result<std::vector<FunctionalAccount>> EstateService::ListFunctionalAccounts(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.ListFunctionalAccounts();
}

Result<FunctionalAccount> EstateService::GetFunctionalAccount(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.FindFunctionalAccount(id);
}

Result<FunctionalAccount> EstateService::CreateFunctionalAccount(const Principal& p, FunctionalAccount f,
                                                                 NewCredentials creds) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  if (FindPlatform(f.platform_id) == nullptr) {
    return Status::InvalidArgument("PlatformID " + std::to_string(f.platform_id) + " is not known");
  }
  PSAFE_RETURN_IF_ERROR(ValidateName("AccountName", f.account_name));
  if (f.display_name.empty()) f.display_name = f.account_name;
  PSAFE_RETURN_IF_ERROR(ValidateName("DisplayName", f.display_name));
  PSAFE_RETURN_IF_ERROR(ValidateElevationCommand(f.elevation_command));
  const bool has_password = creds.password && !creds.password->empty();
  const bool has_key = creds.private_key && !creds.private_key->empty();
  if (!has_password && !has_key) return Status::InvalidArgument("Password or PrivateKey is required");
  f.created_at = clock_.NowSeconds();
  auto seal = [&](int64_t id) {
    SealedCredentials out;
    if (has_password) out.password = keyring_.Seal(creds.password->view(), FunctionalContext(id, "password"));
    if (has_key) out.private_key = keyring_.Seal(creds.private_key->view(), FunctionalContext(id, "private_key"));
    if (creds.passphrase && !creds.passphrase->empty()) {
      out.passphrase = keyring_.Seal(creds.passphrase->view(), FunctionalContext(id, "passphrase"));
    }
    return out;
  };
  Status s = audit_.Record(AuditTrail::By(p, "functionalaccount.create", "FunctionalAccount", f.display_name),
                           [&]() -> Status {
                             PSAFE_ASSIGN_OR_RETURN(f.id, ports_.estate.CreateFunctionalAccount(f, seal));
                             return Status::OK();
                           });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("a functional account named '" + f.display_name + "' already exists");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return ports_.estate.FindFunctionalAccount(f.id);
}

Status EstateService::DeleteFunctionalAccount(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "functionalaccount.delete", "FunctionalAccount", std::to_string(id)),
                       [&] { return ports_.estate.DeleteFunctionalAccount(id); });
}

Status EstateService::ValidateDatabase(const Database& d) {
  const Platform* platform = FindPlatform(d.platform_id);
  if (platform == nullptr || platform->target != TargetKind::kDatabase) {
    return Status::InvalidArgument("PlatformID " + std::to_string(d.platform_id) + " is not a database platform");
  }
  if (d.instance_name.empty() || d.instance_name.size() > 100) {
    return Status::InvalidArgument("InstanceName is required (at most 100 characters)");
  }
  PSAFE_RETURN_IF_ERROR(ValidateName("InstanceName", d.instance_name));
  if (d.port < 1 || d.port > 65535) return Status::InvalidArgument("Port must be 1-65535");
  if (d.version.size() > 20) return Status::InvalidArgument("Version is longer than 20 characters");
  if (d.template_name.size() > 256) return Status::InvalidArgument("Template is longer than 256 characters");
  return Status::OK();
}

Result<Database> EstateService::CreateDatabase(const Principal& p, int64_t asset_id, Database d) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Asset asset, ports_.estate.FindAsset(asset_id));
  d.asset_id = asset.id;
  PSAFE_RETURN_IF_ERROR(ValidateDatabase(d));
  Status s = audit_.Record(AuditTrail::By(p, "database.create", "Database", d.instance_name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(d.id, ports_.estate.CreateDatabase(d));
    return Status::OK();
  });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("asset " + std::to_string(asset.id) + " already has a database '" + d.instance_name + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return d;
}

Result<std::vector<Database>> EstateService::ListDatabases(const Principal& p, std::optional<int64_t> asset_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  if (asset_id) PSAFE_RETURN_IF_ERROR(ports_.estate.FindAsset(*asset_id).status());
  return ports_.estate.ListDatabases(asset_id);
}

Result<Database> EstateService::GetDatabase(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.FindDatabase(id);
}

Result<Database> EstateService::UpdateDatabase(const Principal& p, const Database& d) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateDatabase(d));
  Status s = audit_.Record(AuditTrail::By(p, "database.update", "Database", std::to_string(d.id)),
                           [&] { return ports_.estate.UpdateDatabase(d); });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("asset " + std::to_string(d.asset_id) + " already has a database '" + d.instance_name + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return d;
}

Status EstateService::DeleteDatabase(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "database.delete", "Database", std::to_string(id)),
                       [&] { return ports_.estate.DeleteDatabase(id); });
}

Status EstateService::DeleteSystem(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "managedsystem.delete", "ManagedSystem", std::to_string(id)),
                       [&] { return ports_.estate.DeleteManagedSystem(id); });
}

Result<ManagedAccount> EstateService::NewAccountDefaults(const Principal& p, int64_t system_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(ManagedSystem sys, ports_.estate.FindManagedSystem(system_id));
  ManagedAccount a;
  a.system_id = sys.id;
  a.change = sys.change;  // a system's policy is its new accounts' default
  return a;
}

Status EstateService::ValidateAccount(const ManagedAccount& a) {
  PSAFE_RETURN_IF_ERROR(ValidateName("AccountName", a.name));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ReleaseDuration", a.release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("MaxReleaseDuration", a.max_release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ISAReleaseDuration", a.isa_release_duration));
  if (a.max_concurrent_requests < 0) {
    return Status::InvalidArgument("MaxConcurrentRequests must not be negative");
  }
  return ValidateChangePolicy(a.change);
}

Result<AccountView> EstateService::UpdateAccount(const Principal& p, ManagedAccount a) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(AccountView before, ports_.estate.FindManagedAccount(a.id));
  PSAFE_RETURN_IF_ERROR(ValidateAccount(a));
  // A new schedule (or turning management on or off) moves NextChangeDate.
  a.next_change_at = NextChangeAt(a, before.account.last_change_at.value_or(clock_.NowSeconds()));
  Status s = audit_.Record(AuditTrail::By(p, "managedaccount.update", "ManagedAccount", std::to_string(a.id), a.id),
                           [&] { return ports_.estate.UpdateManagedAccount(a); });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("account '" + a.name + "' already exists on system '" + before.system.name + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return ports_.estate.FindManagedAccount(a.id);
}

Result<AccountView> EstateService::CreateAccount(const Principal& p, int64_t system_id,
                                                 ManagedAccount a, NewCredentials creds) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(ManagedSystem sys, ports_.estate.FindManagedSystem(system_id));
  PSAFE_RETURN_IF_ERROR(ValidateAccount(a));
  a.system_id = sys.id;
  a.created_at = clock_.NowSeconds();
  if (creds.password || creds.private_key) a.last_change_at = a.created_at;
  a.next_change_at = NextChangeAt(a, a.created_at);
  auto seal = [&](int64_t id) {
    SealedCredentials out;
    if (creds.password) out.password = keyring_.Seal(creds.password->view(), CredentialContext(id, "password"));
    if (creds.private_key) out.private_key = keyring_.Seal(creds.private_key->view(), CredentialContext(id, "private_key"));
    if (creds.passphrase) out.passphrase = keyring_.Seal(creds.passphrase->view(), CredentialContext(id, "passphrase"));
    return out;
  };
  int64_t id = 0;
  Status s = audit_.Record(AuditTrail::By(p, "managedaccount.create", "ManagedAccount", a.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(id, ports_.estate.CreateManagedAccount(a, seal));
    return Status::OK();
  });
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::Conflict("account '" + a.name + "' already exists on system '" + sys.name + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return ports_.estate.FindManagedAccount(id);
}

Result<Paged<AccountView>> EstateService::ListAccountsOfSystem(const Principal& p,
                                                               int64_t system_id, Page page) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.estate.FindManagedSystem(system_id).status());
  AccountFilter f;
  f.system_id = system_id;
  f.page = page;
  return ports_.estate.ListManagedAccounts(f);
}

Result<Paged<AccountView>> EstateService::FindRequestableAccounts(const Principal& p,
                                                                  AccountFilter filter) {
  filter.visible_to_user = p.user.id;
  filter.api_enabled_only = true;  // an account without API access cannot be requested
  return ports_.estate.ListManagedAccounts(filter);
}

Result<AccountView> EstateService::GetAccount(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return ports_.estate.FindManagedAccount(id);
}

Status EstateService::DeleteAccount(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "managedaccount.delete", "ManagedAccount", std::to_string(id), id),
                       [&] { return ports_.estate.DeleteManagedAccount(id); });
}

}  // namespace psafe::domain
