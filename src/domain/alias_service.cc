#include "domain/alias_service.h"

#include <algorithm>

#include "common/strings.h"
#include "domain/access.h"
#include "domain/names.h"

namespace psafe::domain {

namespace {

constexpr size_t kMaxAliasName = 256;
constexpr size_t kMaxMappedAccounts = 64;
constexpr const char* kAliasNotFound = "alias not found";

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether `grants` let their holder request the account, or retrieve it through ISA.
bool MayRequest(const std::vector<Grant>& grants) {
  return std::any_of(grants.begin(), grants.end(), [](const Grant& g) {
    const RoleInfo* info = FindRole(static_cast<int64_t>(g.role));
    return g.role == Role::kIsa || (info != nullptr && info->may_request);
  });
}

}  // namespace

AliasService::AliasService(const Ports& ports, AuditTrail& audit, RequestService& requests)
    : ports_(ports), audit_(audit), requests_(requests) {}

Result<AliasView> AliasService::ViewOf(Alias alias) {
  AliasView v;
  v.accounts.reserve(alias.account_ids.size());
  std::vector<int64_t> mapped;
  for (int64_t id : alias.account_ids) {
    auto a = ports_.estate.FindManagedAccount(id);
    // Deleted since the alias was read: unmapped by then, as the next read will show.
    if (!a.ok() && a.status().code() == StatusCode::kNotFound) continue;
    PSAFE_RETURN_IF_ERROR(a.status());
    mapped.push_back(id);
    v.accounts.push_back(std::move(a).value());
  }
  alias.account_ids = std::move(mapped);
  v.alias = std::move(alias);
  return v;
}

Result<bool> AliasService::MayUse(const Principal& p, const AccountView& a) {
  if (!a.account.api_enabled) return false;  // as GET ManagedAccounts hides it
  PSAFE_ASSIGN_OR_RETURN(auto grants, ports_.permissions.GrantsFor(p.user.id, a.account.id));
  return MayRequest(grants);
}

Result<bool> AliasService::Visible(const Principal& p, AliasView& v) {
  if (p.is_administrator()) return true;
  if (v.current() == nullptr) return false;
  PSAFE_ASSIGN_OR_RETURN(bool current, MayUse(p, *v.current()));
  if (!current) return false;
  // The standby accounts the caller could not request themselves are not theirs to see.
  std::vector<AccountView> shown{v.accounts.front()};
  for (size_t i = 1; i < v.accounts.size(); ++i) {
    PSAFE_ASSIGN_OR_RETURN(bool usable, MayUse(p, v.accounts[i]));
    if (usable) shown.push_back(std::move(v.accounts[i]));
  }
  v.accounts = std::move(shown);
  return true;
}

Result<std::vector<AliasView>> AliasService::List(const Principal& p, const AliasFilter& filter) {
  PSAFE_ASSIGN_OR_RETURN(auto all, ports_.aliases.ListAliases());
  std::vector<AliasView> out;
  for (Alias& a : all) {
    if (std::find(filter.states.begin(), filter.states.end(), a.state()) == filter.states.end()) continue;
    if (filter.name && !EqualsIgnoreCase(*filter.name, a.name)) continue;
    PSAFE_ASSIGN_OR_RETURN(AliasView v, ViewOf(std::move(a)));
    PSAFE_ASSIGN_OR_RETURN(bool visible, Visible(p, v));
    if (visible) out.push_back(std::move(v));
  }
  return out;
}

Result<AliasView> AliasService::Find(const Principal& p, int64_t id) {
  PSAFE_ASSIGN_OR_RETURN(Alias a, ports_.aliases.FindAlias(id));
  return Shown(p, std::move(a));
}

Result<AliasView> AliasService::Shown(const Principal& p, Alias a) {
  PSAFE_ASSIGN_OR_RETURN(AliasView v, ViewOf(std::move(a)));
  PSAFE_ASSIGN_OR_RETURN(bool visible, Visible(p, v));
  // One the caller may not see reads as one that is not there: names are not probed.
  if (!visible) return Status::NotFound(kAliasNotFound);
  return v;
}

Result<AliasView> AliasService::Get(const Principal& p, std::string_view id_or_name) {
  if (auto id = ParseId(id_or_name)) return Find(p, *id);
  // An all-digit string that is no id (0, or past int64) matches no name either: 404.
  PSAFE_ASSIGN_OR_RETURN(Alias a, ports_.aliases.FindAliasByName(id_or_name));
  return Shown(p, std::move(a));
}

Result<Alias> AliasService::Validated(const AliasInput& in) {
  PSAFE_RETURN_IF_ERROR(ValidateName("AliasName", in.name, {.max_chars = kMaxAliasName}));
  if (AllDigits(in.name)) return Status::InvalidArgument("AliasName must not be all digits (Aliases/{id} reads it as an id)");
  if (in.accounts.size() > kMaxMappedAccounts) return Status::InvalidArgument("MappedAccounts holds more than 64 accounts");
  Alias a;
  a.name = in.name;
  for (size_t i = 0; i < in.accounts.size(); ++i) {
    const AliasMapping& m = in.accounts[i];
    const std::string field = "MappedAccounts[" + std::to_string(i) + "]";
    if (m.account_id <= 0) return Status::InvalidArgument(field + ".AccountID is required");
    auto account = ports_.estate.FindManagedAccount(m.account_id);
    if (!account.ok() && account.status().code() != StatusCode::kNotFound) return account.status();
    if (!account.ok()) return Status::InvalidArgument(field + ".AccountID: no such managed account");
    if (m.system_id != 0 && m.system_id != account->system.id) {
      return Status::InvalidArgument(field + ".SystemID is not the account's system");
    }
    if (std::find(a.account_ids.begin(), a.account_ids.end(), m.account_id) != a.account_ids.end()) {
      return Status::InvalidArgument(field + ".AccountID is mapped twice");
    }
    a.account_ids.push_back(m.account_id);
  }
  if (in.state && *in.state != a.state()) {
    return Status::InvalidArgument("AliasState must be 0 with no account mapped, 1 with one, 2 with several");
  }
  return a;
}

Result<AliasView> AliasService::Create(const Principal& p, const AliasInput& in) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Alias a, Validated(in));
  Result<int64_t> id = Status::Internal("not created");
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "alias.create", "Alias", a.name), [&] {
    id = ports_.aliases.CreateAlias(a);
    return id.status();
  }));
  return Find(p, *id);
}

Result<AliasView> AliasService::Update(const Principal& p, int64_t id, int64_t read_version, const AliasInput& in) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(Alias a, Validated(in));
  a.id = id;
  // The compare-and-set on the version the caller's input was built from: a change made
  // since (another administrator's remap) wins, and this one is 409.
  a.version = read_version;
  PSAFE_RETURN_IF_ERROR(audit_.Record(AuditTrail::By(p, "alias.update", "Alias", std::to_string(id)),
                                      [&] { return ports_.aliases.UpdateAlias(a); }));
  return Find(p, id);
}

Status AliasService::Delete(const Principal& p, int64_t id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  return audit_.Record(AuditTrail::By(p, "alias.delete", "Alias", std::to_string(id)),
                       [&] { return ports_.aliases.DeleteAlias(id); });
}

Result<CreatedRequest> AliasService::Request(const Principal& p, int64_t id, NewRequest nr) {
  PSAFE_ASSIGN_OR_RETURN(AliasView v, Find(p, id));
  if (v.current() == nullptr) return Status::Conflict("the alias maps no account");
  nr.system_id = v.current()->system.id;
  nr.account_id = v.current()->account.id;
  return requests_.Create(p, nr);
}

Result<AliasRelease> AliasService::Retrieve(const Principal& p, int64_t id, int64_t request_id, CredentialType type) {
  PSAFE_ASSIGN_OR_RETURN(AliasView v, Find(p, id));
  PSAFE_ASSIGN_OR_RETURN(domain::Request r, requests_.Get(p, request_id));
  auto mapped = std::find_if(v.accounts.begin(), v.accounts.end(),
                             [&](const AccountView& a) { return a.account.id == r.account_id; });
  if (mapped == v.accounts.end()) return Status::NotFound("the request is not for an account of this alias");
  PSAFE_ASSIGN_OR_RETURN(crypto::SecretString value, requests_.Retrieve(p, request_id, type));
  return AliasRelease{std::move(v.alias), *mapped, type, std::move(value)};
}

}  // namespace psafe::domain
