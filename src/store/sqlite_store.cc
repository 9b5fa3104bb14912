#include "store/sqlite_store.h"

#include <mutex>

#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace psafe::store {

namespace {

using domain::AccountView;
using domain::ApiRegistration;
using domain::Asset;
using domain::ManagedAccount;
using domain::ManagedSystem;
using domain::Workgroup;

// Column lists and row readers, kept side by side so they cannot drift apart.
constexpr std::string_view kUserCols =
    "u.id, u.user_name, u.name, u.email, u.password_hash, u.created_at, "
    "EXISTS(SELECT 1 FROM user_group_members m JOIN user_groups g ON g.id = m.group_id "
    "WHERE m.user_id = u.id AND g.is_administrator = 1)";
domain::User ReadUser(const Statement& s) {
  domain::User u;
  u.id = s.Int(0);
  u.user_name = s.Text(1);
  u.name = s.Text(2);
  u.email = s.Text(3);
  if (!s.IsNull(4)) u.password_hash = s.Text(4);
  u.created_at = s.Int(5);
  u.is_administrator = s.Int(6) != 0;
  return u;
}

constexpr std::string_view kRegCols =
    "id, name, key_hash, client_id, client_secret_hash, oauth_user_id, user_password_required, "
    "enabled";
ApiRegistration ReadRegistration(const Statement& s) {
  ApiRegistration r;
  r.id = s.Int(0);
  r.name = s.Text(1);
  r.key_hash = s.Blob(2);
  r.client_id = s.Text(3);
  r.client_secret_hash = s.Blob(4);
  r.oauth_user_id = s.Int(5);
  r.user_password_required = s.Int(6) != 0;
  r.enabled = s.Int(7) != 0;
  return r;
}

constexpr std::string_view kAssetCols =
    "id, workgroup_id, name, asset_type, dns_name, domain_name, ip_address, mac_address, "
    "operating_system, description, created_at, updated_at";
Asset ReadAsset(const Statement& s) {
  Asset a;
  a.id = s.Int(0);
  a.workgroup_id = s.Int(1);
  a.name = s.Text(2);
  a.asset_type = s.Text(3);
  a.dns_name = s.Text(4);
  a.domain_name = s.Text(5);
  a.ip_address = s.Text(6);
  a.mac_address = s.Text(7);
  a.operating_system = s.Text(8);
  a.description = s.Text(9);
  a.created_at = s.Int(10);
  a.updated_at = s.Int(11);
  return a;
}

constexpr std::string_view kSystemCols =
    "s.id, s.workgroup_id, s.asset_id, s.name, s.platform_id, s.host_name, s.dns_name, "
    "s.ip_address, s.net_bios_name, s.description, s.contact_email, s.port, s.timeout_seconds, "
    "s.password_rule_id, s.release_duration, s.max_release_duration, s.isa_release_duration, "
    "s.auto_management, s.created_at";
constexpr int kSystemColCount = 19;
ManagedSystem ReadSystem(const Statement& s, int o = 0) {
  ManagedSystem m;
  m.id = s.Int(o + 0);
  m.workgroup_id = s.Int(o + 1);
  m.asset_id = s.OptInt(o + 2);
  m.name = s.Text(o + 3);
  m.platform_id = s.Int(o + 4);
  m.host_name = s.Text(o + 5);
  m.dns_name = s.Text(o + 6);
  m.ip_address = s.Text(o + 7);
  m.net_bios_name = s.Text(o + 8);
  m.description = s.Text(o + 9);
  m.contact_email = s.Text(o + 10);
  m.port = s.Int(o + 11);
  m.timeout_seconds = s.Int(o + 12);
  m.password_rule_id = s.Int(o + 13);
  m.release_duration = s.Int(o + 14);
  m.max_release_duration = s.Int(o + 15);
  m.isa_release_duration = s.Int(o + 16);
  m.auto_management = s.Int(o + 17) != 0;
  m.created_at = s.Int(o + 18);
  return m;
}

constexpr std::string_view kAccountCols =
    "a.id, a.system_id, a.name, a.domain_name, a.description, a.user_principal_name, "
    "a.sam_account_name, a.distinguished_name, a.password_rule_id, a.release_duration, "
    "a.max_release_duration, a.isa_release_duration, a.max_concurrent_requests, a.api_enabled, "
    "a.auto_management, a.password_fallback, a.last_change_at, a.next_change_at, a.created_at, "
    "a.password_ct IS NOT NULL, a.private_key_ct IS NOT NULL";
constexpr int kAccountColCount = 21;
ManagedAccount ReadAccount(const Statement& s) {
  ManagedAccount a;
  a.id = s.Int(0);
  a.system_id = s.Int(1);
  a.name = s.Text(2);
  a.domain_name = s.Text(3);
  a.description = s.Text(4);
  a.user_principal_name = s.Text(5);
  a.sam_account_name = s.Text(6);
  a.distinguished_name = s.Text(7);
  a.password_rule_id = s.Int(8);
  a.release_duration = s.Int(9);
  a.max_release_duration = s.Int(10);
  a.isa_release_duration = s.Int(11);
  a.max_concurrent_requests = s.Int(12);
  a.api_enabled = s.Int(13) != 0;
  a.auto_management = s.Int(14) != 0;
  a.password_fallback = s.Int(15) != 0;
  a.last_change_at = s.OptInt(16);
  a.next_change_at = s.OptInt(17);
  a.created_at = s.Int(18);
  a.has_password = s.Int(19) != 0;
  a.has_private_key = s.Int(20) != 0;
  return a;
}

// Account joined with its system and workgroup name.
std::string AccountViewSelect() {
  return "SELECT " + std::string(kAccountCols) + ", " + std::string(kSystemCols) +
         ", w.name FROM managed_accounts a JOIN managed_systems s ON s.id = a.system_id "
         "JOIN workgroups w ON w.id = s.workgroup_id";
}
AccountView ReadAccountView(const Statement& s) {
  AccountView v;
  v.account = ReadAccount(s);
  v.system = ReadSystem(s, kAccountColCount);
  v.workgroup_name = s.Text(kAccountColCount + kSystemColCount);
  return v;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  Status Migrate() {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare("PRAGMA user_version"));
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    int64_t version = row ? st.Int(0) : 0;
    auto steps = SqliteMigrations();
    if (version > static_cast<int64_t>(steps.size())) {
      return Status::Corruption("database schema version " + std::to_string(version) +
                                " is newer than this psafed understands");
    }
    for (size_t i = static_cast<size_t>(version); i < steps.size(); ++i) {
      Transaction tx(*db_);
      PSAFE_RETURN_IF_ERROR(tx.begin_status());
      PSAFE_RETURN_IF_ERROR(db_->Exec(steps[i]));
      PSAFE_RETURN_IF_ERROR(db_->Exec("PRAGMA user_version = " + std::to_string(i + 1)));
      PSAFE_RETURN_IF_ERROR(tx.Commit());
    }
    return Status::OK();
  }

  // --- Keyring ---
  Result<std::vector<crypto::SealedKey>> LoadSealedKeys() override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT version, purpose, sealed FROM keyring"));
    std::vector<crypto::SealedKey> keys;
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      crypto::SealedKey k;
      k.version = static_cast<int>(st.Int(0));
      k.purpose = st.Text(1) == "pepper" ? crypto::SealedKey::Purpose::kPepper
                                         : crypto::SealedKey::Purpose::kData;
      k.sealed = st.Blob(2);
      keys.push_back(std::move(k));
    }
    return keys;
  }

  Status AddSealedKey(const crypto::SealedKey& key) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st,
                           db_->Prepare("INSERT INTO keyring(version, purpose, sealed) VALUES (?,?,?)"));
    st.Bind(1, static_cast<int64_t>(key.version))
        .Bind(2, key.purpose == crypto::SealedKey::Purpose::kPepper ? "pepper" : "data")
        .BindBlob(3, key.sealed);
    return st.Run();
  }

  // --- Users ---
  Result<int64_t> CreateUser(const domain::User& u) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO users(user_name, name, email, password_hash, created_at) VALUES (?,?,?,?,?)"));
    st.Bind(1, u.user_name).Bind(2, u.name).Bind(3, u.email).Bind(5, u.created_at);
    if (u.password_hash) st.Bind(4, std::string_view(*u.password_hash)); else st.BindNull(4);
    return Insert(st);
  }

  Result<domain::User> FindUserById(int64_t id) override {
    std::lock_guard lock(mu_);
    return FindOne<domain::User>("SELECT " + std::string(kUserCols) + " FROM users u WHERE u.id = ?",
                                 id, ReadUser, "user");
  }

  Result<domain::User> FindUserByName(std::string_view name) override {
    std::lock_guard lock(mu_);
    return FindOne<domain::User>(
        "SELECT " + std::string(kUserCols) + " FROM users u WHERE u.user_name = ?", name, ReadUser,
        "user");
  }

  Result<int64_t> CreateUserGroup(const domain::UserGroup& g) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO user_groups(name, description, is_administrator) VALUES (?,?,?)"));
    st.Bind(1, g.name).Bind(2, g.description).Bind(3, g.is_administrator);
    return Insert(st);
  }

  Status AddUserToGroup(int64_t group_id, int64_t user_id) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT OR IGNORE INTO user_group_members(group_id, user_id) VALUES (?,?)"));
    st.Bind(1, group_id).Bind(2, user_id);
    return st.Run();
  }

  // --- Registrations ---
  Result<int64_t> CreateApiRegistration(const ApiRegistration& r) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO api_registrations(name, key_hash, client_id, client_secret_hash, "
        "oauth_user_id, user_password_required, enabled) VALUES (?,?,?,?,?,?,?)"));
    st.Bind(1, r.name).BindBlob(2, r.key_hash).Bind(3, r.client_id).BindBlob(4, r.client_secret_hash)
        .Bind(5, r.oauth_user_id).Bind(6, r.user_password_required).Bind(7, r.enabled);
    return Insert(st);
  }

  Status AllowUserForRegistration(int64_t reg_id, int64_t user_id) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT OR IGNORE INTO api_registration_users(registration_id, user_id) VALUES (?,?)"));
    st.Bind(1, reg_id).Bind(2, user_id);
    return st.Run();
  }

  Result<ApiRegistration> FindRegistrationByKeyHash(std::string_view key_hash) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "SELECT " + std::string(kRegCols) + " FROM api_registrations WHERE key_hash = ?"));
    st.BindBlob(1, key_hash);
    return One<ApiRegistration>(st, ReadRegistration, "API registration");
  }

  Result<ApiRegistration> FindRegistrationByClientId(std::string_view client_id) override {
    std::lock_guard lock(mu_);
    return FindOne<ApiRegistration>(
        "SELECT " + std::string(kRegCols) + " FROM api_registrations WHERE client_id = ?", client_id,
        ReadRegistration, "API registration");
  }

  Result<ApiRegistration> FindRegistrationById(int64_t id) override {
    std::lock_guard lock(mu_);
    return FindOne<ApiRegistration>(
        "SELECT " + std::string(kRegCols) + " FROM api_registrations WHERE id = ?", id,
        ReadRegistration, "API registration");
  }

  Result<bool> IsUserAllowedForRegistration(int64_t reg_id, int64_t user_id) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "SELECT 1 FROM api_registration_users WHERE registration_id = ? AND user_id = ?"));
    st.Bind(1, reg_id).Bind(2, user_id);
    return st.Step();
  }

  // --- Sessions ---
  Status CreateSession(const domain::Session& s) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO sessions(token_hash, kind, user_id, registration_id, created_at, "
        "last_seen_at, expires_at) VALUES (?,?,?,?,?,?,?)"));
    st.BindBlob(1, s.token_hash)
        .Bind(2, s.kind == domain::SessionKind::kBearer ? "bearer" : "cookie")
        .Bind(3, s.user_id).Bind(4, s.registration_id).Bind(5, s.created_at)
        .Bind(6, s.last_seen_at).Bind(7, s.expires_at);
    return st.Run();
  }

  Result<domain::Session> FindSession(std::string_view token_hash) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "SELECT token_hash, kind, user_id, registration_id, created_at, last_seen_at, expires_at "
        "FROM sessions WHERE token_hash = ?"));
    st.BindBlob(1, token_hash);
    return One<domain::Session>(st, [](const Statement& r) {
      domain::Session s;
      s.token_hash = r.Blob(0);
      s.kind = r.Text(1) == "bearer" ? domain::SessionKind::kBearer : domain::SessionKind::kCookie;
      s.user_id = r.Int(2);
      s.registration_id = r.Int(3);
      s.created_at = r.Int(4);
      s.last_seen_at = r.Int(5);
      s.expires_at = r.Int(6);
      return s;
    }, "session");
  }

  Status TouchSession(std::string_view token_hash, int64_t now) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st,
                           db_->Prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?"));
    st.Bind(1, now).BindBlob(2, token_hash);
    return st.Run();
  }

  Status DeleteSession(std::string_view token_hash) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare("DELETE FROM sessions WHERE token_hash = ?"));
    st.BindBlob(1, token_hash);
    return st.Run();
  }

  Status DeleteExpiredSessions(int64_t now, int64_t idle_cutoff) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "DELETE FROM sessions WHERE (expires_at = 0 AND last_seen_at < ?) "
        "OR (expires_at <> 0 AND expires_at <= ?)"));
    st.Bind(1, idle_cutoff).Bind(2, now);
    return st.Run();
  }

  // --- Lockout ---
  Result<domain::AuthFailureRecord> GetAuthFailures(std::string_view subject) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "SELECT failures, last_failure_at, locked_until FROM auth_failures WHERE subject = ?"));
    st.Bind(1, subject);
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    domain::AuthFailureRecord r;
    if (row) {
      r.failures = static_cast<int>(st.Int(0));
      r.last_failure_at = st.Int(1);
      r.locked_until = st.Int(2);
    }
    return r;
  }

  Status PutAuthFailures(std::string_view subject, const domain::AuthFailureRecord& r) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO auth_failures(subject, failures, last_failure_at, locked_until) "
        "VALUES (?,?,?,?) ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, "
        "last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until"));
    st.Bind(1, subject).Bind(2, static_cast<int64_t>(r.failures)).Bind(3, r.last_failure_at)
        .Bind(4, r.locked_until);
    return st.Run();
  }

  Status ClearAuthFailures(std::string_view subject) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare("DELETE FROM auth_failures WHERE subject = ?"));
    st.Bind(1, subject);
    return st.Run();
  }

  // --- Workgroups ---
  Result<int64_t> CreateWorkgroup(const Workgroup& wg) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO workgroups(organization_id, name, description) VALUES (?,?,?)"));
    st.Bind(1, wg.organization_id).Bind(2, wg.name).Bind(3, wg.description);
    return Insert(st);
  }

  static Workgroup ReadWorkgroup(const Statement& s) {
    return Workgroup{s.Int(0), s.Text(1), s.Text(2), s.Text(3)};
  }

  Result<std::vector<Workgroup>> ListWorkgroups() override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "SELECT id, organization_id, name, description FROM workgroups ORDER BY id"));
    return All<Workgroup>(st, ReadWorkgroup);
  }

  Result<Workgroup> FindWorkgroupById(int64_t id) override {
    std::lock_guard lock(mu_);
    return FindOne<Workgroup>(
        "SELECT id, organization_id, name, description FROM workgroups WHERE id = ?", id,
        ReadWorkgroup, "workgroup");
  }

  Result<Workgroup> FindWorkgroupByName(std::string_view name) override {
    std::lock_guard lock(mu_);
    return FindOne<Workgroup>(
        "SELECT id, organization_id, name, description FROM workgroups WHERE name = ?", name,
        ReadWorkgroup, "workgroup");
  }

  // --- Assets ---
  Result<int64_t> CreateAsset(const Asset& a) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO assets(workgroup_id, name, asset_type, dns_name, domain_name, ip_address, "
        "mac_address, operating_system, description, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, a.workgroup_id).Bind(2, a.name).Bind(3, a.asset_type).Bind(4, a.dns_name)
        .Bind(5, a.domain_name).Bind(6, a.ip_address).Bind(7, a.mac_address)
        .Bind(8, a.operating_system).Bind(9, a.description).Bind(10, a.created_at)
        .Bind(11, a.updated_at);
    return Insert(st);
  }

  Result<Asset> FindAsset(int64_t id) override {
    std::lock_guard lock(mu_);
    return FindOne<Asset>("SELECT " + std::string(kAssetCols) + " FROM assets WHERE id = ?", id,
                          ReadAsset, "asset");
  }

  Result<domain::Paged<Asset>> ListAssets(int64_t workgroup_id, const domain::Page& page) override {
    std::lock_guard lock(mu_);
    domain::Paged<Asset> out;
    PSAFE_ASSIGN_OR_RETURN(auto count,
                           db_->Prepare("SELECT count(*) FROM assets WHERE workgroup_id = ?"));
    count.Bind(1, workgroup_id);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "SELECT " + std::string(kAssetCols) +
        " FROM assets WHERE workgroup_id = ? ORDER BY id LIMIT ? OFFSET ?"));
    st.Bind(1, workgroup_id).Bind(2, LimitOf(page)).Bind(3, page.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items, All<Asset>(st, ReadAsset));
    return out;
  }

  Status DeleteAsset(int64_t id) override {
    std::lock_guard lock(mu_);
    return DeleteById("DELETE FROM assets WHERE id = ?", id, "asset");
  }

  // --- Systems ---
  Result<int64_t> CreateManagedSystem(const ManagedSystem& m) override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO managed_systems(workgroup_id, asset_id, name, platform_id, host_name, "
        "dns_name, ip_address, net_bios_name, description, contact_email, port, timeout_seconds, "
        "password_rule_id, release_duration, max_release_duration, isa_release_duration, "
        "auto_management, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, m.workgroup_id).Bind(2, m.asset_id).Bind(3, m.name).Bind(4, m.platform_id)
        .Bind(5, m.host_name).Bind(6, m.dns_name).Bind(7, m.ip_address).Bind(8, m.net_bios_name)
        .Bind(9, m.description).Bind(10, m.contact_email).Bind(11, m.port)
        .Bind(12, m.timeout_seconds).Bind(13, m.password_rule_id).Bind(14, m.release_duration)
        .Bind(15, m.max_release_duration).Bind(16, m.isa_release_duration)
        .Bind(17, m.auto_management).Bind(18, m.created_at);
    return Insert(st);
  }

  Result<ManagedSystem> FindManagedSystem(int64_t id) override {
    std::lock_guard lock(mu_);
    return FindOne<ManagedSystem>(
        "SELECT " + std::string(kSystemCols) + " FROM managed_systems s WHERE s.id = ?", id,
        [](const Statement& s) { return ReadSystem(s); }, "managed system");
  }

  Result<domain::Paged<ManagedSystem>> ListManagedSystems(const domain::SystemFilter& f) override {
    std::lock_guard lock(mu_);
    const std::string where = " FROM managed_systems s WHERE (?1 IS NULL OR s.name = ?1)";
    domain::Paged<ManagedSystem> out;
    PSAFE_ASSIGN_OR_RETURN(auto count, db_->Prepare("SELECT count(*)" + where));
    BindOptText(count, 1, f.name);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT " + std::string(kSystemCols) + where +
                                                 " ORDER BY s.id LIMIT ?2 OFFSET ?3"));
    BindOptText(st, 1, f.name);
    st.Bind(2, LimitOf(f.page)).Bind(3, f.page.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items,
                           All<ManagedSystem>(st, [](const Statement& s) { return ReadSystem(s); }));
    return out;
  }

  Status DeleteManagedSystem(int64_t id) override {
    std::lock_guard lock(mu_);
    // Accounts go with their system; their sealed credentials with them.
    Transaction tx(*db_);
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto accounts,
                           db_->Prepare("DELETE FROM managed_accounts WHERE system_id = ?"));
    accounts.Bind(1, id);
    PSAFE_RETURN_IF_ERROR(accounts.Run());
    PSAFE_RETURN_IF_ERROR(DeleteById("DELETE FROM managed_systems WHERE id = ?", id, "managed system"));
    return tx.Commit();
  }

  // --- Accounts ---
  Result<int64_t> CreateManagedAccount(const ManagedAccount& a, const SealCredentialsFn& seal) override {
    std::lock_guard lock(mu_);
    Transaction tx(*db_);
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO managed_accounts(system_id, name, domain_name, description, "
        "user_principal_name, sam_account_name, distinguished_name, password_rule_id, "
        "release_duration, max_release_duration, isa_release_duration, max_concurrent_requests, "
        "api_enabled, auto_management, password_fallback, last_change_at, next_change_at, "
        "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, a.system_id).Bind(2, a.name).Bind(3, a.domain_name).Bind(4, a.description)
        .Bind(5, a.user_principal_name).Bind(6, a.sam_account_name).Bind(7, a.distinguished_name)
        .Bind(8, a.password_rule_id).Bind(9, a.release_duration).Bind(10, a.max_release_duration)
        .Bind(11, a.isa_release_duration).Bind(12, a.max_concurrent_requests)
        .Bind(13, a.api_enabled).Bind(14, a.auto_management).Bind(15, a.password_fallback)
        .Bind(16, a.last_change_at).Bind(17, a.next_change_at).Bind(18, a.created_at);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    domain::SealedCredentials creds = seal(id);
    PSAFE_ASSIGN_OR_RETURN(auto up, db_->Prepare(
        "UPDATE managed_accounts SET password_ct = ?, private_key_ct = ?, passphrase_ct = ? "
        "WHERE id = ?"));
    up.Bind(1, creds.password).Bind(2, creds.private_key).Bind(3, creds.passphrase).Bind(4, id);
    PSAFE_RETURN_IF_ERROR(up.Run());
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Result<AccountView> FindManagedAccount(int64_t id) override {
    std::lock_guard lock(mu_);
    return FindOne<AccountView>(AccountViewSelect() + " WHERE a.id = ?", id, ReadAccountView,
                                "managed account");
  }

  Result<domain::Paged<AccountView>> ListManagedAccounts(const domain::AccountFilter& f) override {
    std::lock_guard lock(mu_);
    // visible_to_user is reserved for the permission model (smart rules); until it lands
    // the domain only passes it for callers who may see everything.
    const std::string where =
        " WHERE (?1 IS NULL OR s.name = ?1) AND (?2 IS NULL OR a.name = ?2)"
        " AND (?3 IS NULL OR s.id = ?3) AND (?4 IS NULL OR w.name = ?4)"
        " AND (?5 IS NULL OR s.ip_address = ?5)"
        " AND (?8 = 0 OR (?8 = 1 AND a.domain_name <> ''))";  // type: 2 (kNone) matches nothing
    const std::string from =
        " FROM managed_accounts a JOIN managed_systems s ON s.id = a.system_id "
        "JOIN workgroups w ON w.id = s.workgroup_id";
    domain::Paged<AccountView> out;
    auto bind = [&](Statement& st) {
      BindOptText(st, 1, f.system_name);
      BindOptText(st, 2, f.account_name);
      st.Bind(3, f.system_id);
      BindOptText(st, 4, f.workgroup_name);
      BindOptText(st, 5, f.ip_address);
      st.Bind(8, static_cast<int64_t>(f.type));
    };
    PSAFE_ASSIGN_OR_RETURN(auto count, db_->Prepare("SELECT count(*)" + from + where));
    bind(count);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(AccountViewSelect() + where +
                                                 " ORDER BY a.id LIMIT ?6 OFFSET ?7"));
    bind(st);
    st.Bind(6, LimitOf(f.page)).Bind(7, f.page.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items, All<AccountView>(st, ReadAccountView));
    return out;
  }

  Result<domain::SealedCredentials> GetSealedCredentials(int64_t account_id) override {
    std::lock_guard lock(mu_);
    return FindOne<domain::SealedCredentials>(
        "SELECT password_ct, private_key_ct, passphrase_ct FROM managed_accounts WHERE id = ?",
        account_id,
        [](const Statement& s) {
          return domain::SealedCredentials{s.OptBlob(0), s.OptBlob(1), s.OptBlob(2)};
        },
        "managed account");
  }

  Status DeleteManagedAccount(int64_t id) override {
    std::lock_guard lock(mu_);
    return DeleteById("DELETE FROM managed_accounts WHERE id = ?", id, "managed account");
  }

  Status Ping() override {
    std::lock_guard lock(mu_);
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT 1"));
    return st.Step().status();
  }

  std::string BackendName() const override { return "sqlite"; }

 private:
  static int64_t LimitOf(const domain::Page& p) { return p.limit > 0 ? p.limit : -1; }

  static void BindOptText(Statement& st, int i, const std::optional<std::string>& v) {
    if (v) st.Bind(i, std::string_view(*v)); else st.BindNull(i);
  }

  Result<int64_t> Insert(Statement& st) {
    PSAFE_RETURN_IF_ERROR(st.Run());
    return db_->LastInsertId();
  }

  Status DeleteById(const std::string& sql, int64_t id, const char* what) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(sql));
    st.Bind(1, id);
    Status s = st.Run();
    if (!s.ok()) {
      return s.code() == StatusCode::kConflict
                 ? Status::Conflict(std::string(what) + " is still in use")
                 : s;
    }
    if (db_->Changes() == 0) return Status::NotFound(std::string(what) + " not found");
    return Status::OK();
  }

  template <typename T, typename Reader>
  static Result<T> One(Statement& st, Reader read, const char* what) {
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound(std::string(what) + " not found");
    return read(st);
  }

  template <typename T, typename Key, typename Reader>
  Result<T> FindOne(const std::string& sql, const Key& key, Reader read, const char* what) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db_->Prepare(sql));
    st.Bind(1, key);
    return One<T>(st, read, what);
  }

  template <typename T, typename Reader>
  static Result<std::vector<T>> All(Statement& st, Reader read) {
    std::vector<T> out;
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return out;
      out.push_back(read(st));
    }
  }

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // GUARDED_BY(mu_)
};

}  // namespace

Result<StorePtr> OpenSqliteStore(const std::filesystem::path& path) {
  PSAFE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  auto store = std::make_unique<SqliteStore>(std::move(db));
  PSAFE_RETURN_IF_ERROR(store->Migrate());
  return StorePtr(std::move(store));
}

}  // namespace psafe::store
