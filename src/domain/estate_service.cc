#include "domain/estate_service.h"

#include <charconv>

#include "crypto/random.h"
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

std::optional<int64_t> ParseId(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

std::string CredentialContext(int64_t account_id, std::string_view field) {
  return "managed_accounts/" + std::to_string(account_id) + "/" + std::string(field);
}

EstateService::EstateService(store::Store& store, const crypto::Keyring& keyring,
                             const Clock& clock, AuditTrail& audit)
    : store_(store), keyring_(keyring), clock_(clock), audit_(audit) {}

Result<std::vector<Workgroup>> EstateService::ListWorkgroups(const Principal& p) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return store_.ListWorkgroups();
}

Result<Workgroup> EstateService::CreateWorkgroup(const Principal& p, Workgroup wg) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ValidateName("Name", wg.name));
  if (wg.organization_id.empty()) wg.organization_id = crypto::RandomGuid();
  Status s = audit_.Record(AuditTrail::By(p, "workgroup.create", "Workgroup", wg.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(wg.id, store_.CreateWorkgroup(wg));
    return Status::OK();
  });
  if (s.code() == StatusCode::kConflict) return Status::Conflict("a workgroup named '" + wg.name + "' already exists");
  PSAFE_RETURN_IF_ERROR(s);
  return wg;
}

Result<Workgroup> EstateService::ResolveWorkgroup(const Principal& p, std::string_view id_or_name) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  if (auto id = ParseId(id_or_name)) return store_.FindWorkgroupById(*id);
  return store_.FindWorkgroupByName(id_or_name);
}

Result<Asset> EstateService::CreateAsset(const Principal& p, std::string_view workgroup, Asset a) {
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, ResolveWorkgroup(p, workgroup));
  PSAFE_RETURN_IF_ERROR(ValidateName("AssetName", a.name));
  a.workgroup_id = wg.id;
  a.created_at = a.updated_at = clock_.NowSeconds();
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "asset.create", "Asset", a.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(a.id, store_.CreateAsset(a));
    return Status::OK();
  }));
  return a;
}

Result<Paged<Asset>> EstateService::ListAssets(const Principal& p, std::string_view workgroup,
                                               Page page) {
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, ResolveWorkgroup(p, workgroup));
  return store_.ListAssets(wg.id, page);
}

Status EstateService::DeleteAsset(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "asset.delete", "Asset", std::to_string(id)),
                       [&] { return store_.DeleteAsset(id); });
}

Result<ManagedSystem> EstateService::CreateSystem(const Principal& p, ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(ValidateName("SystemName", m.name));
  if (FindPlatform(m.platform_id) == nullptr) {
    return Status::InvalidArgument("PlatformID " + std::to_string(m.platform_id) + " is not known");
  }
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ReleaseDuration", m.release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("MaxReleaseDuration", m.max_release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ISAReleaseDuration", m.isa_release_duration));
  if (m.port < 0 || m.port > 65535) return Status::InvalidArgument("Port must be 0-65535");
  m.created_at = clock_.NowSeconds();
  Status s = audit_.Record(AuditTrail::By(p, "managedsystem.create", "ManagedSystem", m.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(m.id, store_.CreateManagedSystem(m));
    return Status::OK();
  });
  if (s.code() == StatusCode::kConflict) {
    return Status::Conflict("a managed system named '" + m.name + "' already exists");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return m;
}

Result<ManagedSystem> EstateService::CreateSystemInWorkgroup(const Principal& p,
                                                             int64_t workgroup_id,
                                                             ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Workgroup wg, store_.FindWorkgroupById(workgroup_id));
  m.workgroup_id = wg.id;
  m.asset_id.reset();
  return CreateSystem(p, std::move(m));
}

Result<ManagedSystem> EstateService::CreateSystemOnAsset(const Principal& p, int64_t asset_id,
                                                         ManagedSystem m) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Asset asset, store_.FindAsset(asset_id));
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
  return store_.ListManagedSystems(filter);
}

Result<ManagedSystem> EstateService::GetSystem(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return store_.FindManagedSystem(id);
}

Status EstateService::DeleteSystem(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "managedsystem.delete", "ManagedSystem", std::to_string(id)),
                       [&] { return store_.DeleteManagedSystem(id); });
}

Result<AccountView> EstateService::CreateAccount(const Principal& p, int64_t system_id,
                                                 ManagedAccount a, NewCredentials creds) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(ManagedSystem sys, store_.FindManagedSystem(system_id));
  PSAFE_RETURN_IF_ERROR(ValidateName("AccountName", a.name));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ReleaseDuration", a.release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("MaxReleaseDuration", a.max_release_duration));
  PSAFE_RETURN_IF_ERROR(ValidateDuration("ISAReleaseDuration", a.isa_release_duration));
  if (a.max_concurrent_requests < 0) {
    return Status::InvalidArgument("MaxConcurrentRequests must not be negative");
  }
  a.system_id = sys.id;
  a.created_at = clock_.NowSeconds();
  if (creds.password || creds.private_key) {
    a.last_change_at = a.created_at;
    a.next_change_at = NextChangeAt(a, a.created_at);
  }
  auto seal = [&](int64_t id) {
    SealedCredentials out;
    if (creds.password) out.password = keyring_.Seal(creds.password->view(), CredentialContext(id, "password"));
    if (creds.private_key) out.private_key = keyring_.Seal(creds.private_key->view(), CredentialContext(id, "private_key"));
    if (creds.passphrase) out.passphrase = keyring_.Seal(creds.passphrase->view(), CredentialContext(id, "passphrase"));
    return out;
  };
  int64_t id = 0;
  Status s = audit_.Record(AuditTrail::By(p, "managedaccount.create", "ManagedAccount", a.name), [&]() -> Status {
    PSAFE_ASSIGN_OR_RETURN(id, store_.CreateManagedAccount(a, seal));
    return Status::OK();
  });
  if (s.code() == StatusCode::kConflict) {
    return Status::Conflict("account '" + a.name + "' already exists on system '" + sys.name + "'");
  }
  PSAFE_RETURN_IF_ERROR(s);
  return store_.FindManagedAccount(id);
}

Result<Paged<AccountView>> EstateService::ListAccountsOfSystem(const Principal& p,
                                                               int64_t system_id, Page page) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(store_.FindManagedSystem(system_id).status());
  AccountFilter f;
  f.system_id = system_id;
  f.page = page;
  return store_.ListManagedAccounts(f);
}

Result<Paged<AccountView>> EstateService::FindRequestableAccounts(const Principal& p,
                                                                  AccountFilter filter) {
  filter.visible_to_user = p.user.id;
  filter.api_enabled_only = true;  // an account without API access cannot be requested
  return store_.ListManagedAccounts(filter);
}

Result<AccountView> EstateService::GetAccount(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return store_.FindManagedAccount(id);
}

Status EstateService::DeleteAccount(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "managedaccount.delete", "ManagedAccount", std::to_string(id), id),
                       [&] { return store_.DeleteManagedAccount(id); });
}

}  // namespace psafe::domain
