#include "store/open_store.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "store/migrations.h"
#include "store/connection_pool.h"
#include "store/durability.h"
#include "store/postgres_connection.h"
#include "store/sql_connection.h"
#include "store/sqlite_connection.h"

namespace psafe::store {

// Every store method holds a connection for its length: the calling thread's own when it
// already holds one (nested calls join its transaction), else one from a pool. A method
// that reads takes a reader (on SQLite one of several WAL readers, which never wait for the
// writer); a method that writes takes the writer (SQLite's one writer connection, or any
// PostgreSQL connection) and is counted by Durability (store/durability.h).
#define PSAFE_LEASE()                 \
  auto lease_ = ReadLease();          \
  PSAFE_RETURN_IF_ERROR(lease_.status())
#define PSAFE_WRITE_LEASE()           \
  WriteScope lease_(*this);           \
  PSAFE_RETURN_IF_ERROR(lease_.status())

using domain::AuditMacFn;
using domain::CreateRequestOutcome;
using domain::SealCredentialsFn;

namespace {

using domain::AccountView;
using domain::ApiRegistration;
using domain::Asset;
using domain::ManagedAccount;
using domain::ManagedSystem;
using domain::Workgroup;

// Column lists and row readers, kept side by side so they cannot drift apart.
constexpr std::string_view kUserCols =
    "u.id, u.user_name, u.name, u.email, u.password_hash, u.created_at, u.first_name, u.last_name, "
    "EXISTS(SELECT 1 FROM user_group_members m JOIN user_groups g ON g.id = m.group_id "
    "WHERE m.user_id = u.id AND g.is_administrator = 1), u.enabled, u.application";
domain::User ReadUser(const Statement& s) {
  domain::User u;
  u.id = s.Int(0);
  u.user_name = s.Text(1);
  u.name = s.Text(2);
  u.email = s.Text(3);
  if (!s.IsNull(4)) u.password_hash = s.Text(4);
  u.created_at = s.Int(5);
  u.first_name = s.Text(6);
  u.last_name = s.Text(7);
  u.is_administrator = s.Int(8) != 0;
  u.enabled = s.Int(9) != 0;
  u.application = s.Int(10) != 0;
  return u;
}

constexpr std::string_view kRegCols =
    "id, name, key_hash, client_id, client_secret_hash, oauth_user_id, user_password_required, "
    "enabled, verify_psrun_signature, client_certificate_required";
// The PSRUN rule columns, in common/psrun_factors.h order.
constexpr std::string_view kPsrunRuleCols =
    "ip_address, mac_address, system_name, fqdn, domain_name, user_id, root_volume_id, os_version";
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
  r.verify_psrun_signature = s.Int(8) != 0;
  r.client_certificate_required = s.Int(9) != 0;
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

// The change policy's six columns, in this order, on systems and on accounts.
constexpr std::string_view kChangeCols[] = {"change_frequency_type", "change_frequency_days", "change_time",
                                           "check_password", "change_after_release", "reset_on_mismatch"};
constexpr int kChangeColCount = 6;
std::string ChangeColsOf(std::string_view alias) {
  std::string out;
  for (std::string_view col : kChangeCols) {
    if (!out.empty()) out += ", ";
    out += std::string(alias) + "." + std::string(col);
  }
  return out;
}
domain::ChangePolicy ReadChange(const Statement& s, int o) {
  domain::ChangePolicy c;
  c.frequency_type = s.Text(o + 0);
  c.frequency_days = s.Int(o + 1);
  c.change_time = s.Text(o + 2);
  c.check_password = s.Int(o + 3) != 0;
  c.change_after_any_release = s.Int(o + 4) != 0;
  c.reset_on_mismatch = s.Int(o + 5) != 0;
  return c;
}
// Binds the policy to ?first .. ?first+5.
void BindChange(Statement& st, int first, const domain::ChangePolicy& c) {
  st.Bind(first, c.frequency_type).Bind(first + 1, c.frequency_days).Bind(first + 2, c.change_time)
      .Bind(first + 3, c.check_password).Bind(first + 4, c.change_after_any_release)
      .Bind(first + 5, c.reset_on_mismatch);
}
std::string ChangeAssignments(int first) {
  std::string out;
  int i = first;
  for (std::string_view col : kChangeCols) {
    out += ", " + std::string(col) + " = ?" + std::to_string(i++);
  }
  return out;
}

const std::string& SystemCols() {
  static const std::string cols =
      "s.id, s.workgroup_id, s.asset_id, s.name, s.platform_id, s.host_name, s.dns_name, "
      "s.ip_address, s.net_bios_name, s.description, s.contact_email, s.port, s.timeout_seconds, "
      "s.password_rule_id, s.release_duration, s.max_release_duration, s.isa_release_duration, "
      "s.auto_management, s.created_at, s.database_id, s.instance_name, s.use_ssl, "
      "s.functional_account_id, s.login_account_id, s.elevation_command, s.ssh_key_enforcement_mode, "
      "s.account_name_format, s.remote_client_type, s.host_key, s.host_key_offered, " + ChangeColsOf("s");
  return cols;
}
constexpr int kSystemColCount = 30 + kChangeColCount;
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
  m.database_id = s.Int(o + 19);
  m.instance_name = s.Text(o + 20);
  m.use_ssl = s.Int(o + 21) != 0;
  m.functional_account_id = s.Int(o + 22);
  m.login_account_id = s.Int(o + 23);
  m.elevation_command = s.Text(o + 24);
  m.ssh_key_enforcement_mode = s.Int(o + 25);
  m.account_name_format = s.Int(o + 26);
  m.remote_client_type = s.Text(o + 27);
  m.host_key = s.Text(o + 28);
  m.host_key_offered = s.Text(o + 29);
  m.change = ReadChange(s, o + 30);
  return m;
}

const std::string& AccountCols() {
  static const std::string cols =
      "a.id, a.system_id, a.name, a.domain_name, a.description, a.user_principal_name, "
      "a.sam_account_name, a.distinguished_name, a.password_rule_id, a.release_duration, "
      "a.max_release_duration, a.isa_release_duration, a.max_concurrent_requests, a.api_enabled, "
      "a.auto_management, a.password_fallback, a.last_change_at, a.next_change_at, a.created_at, "
      "a.password_ct IS NOT NULL, a.private_key_ct IS NOT NULL, a.use_own_credentials, a.dss_auto_management, " +
      ChangeColsOf("a") +
      ", rot.step, COALESCE(rot.last_error, '')";
  return cols;
}
constexpr int kAccountColCount = 25 + kChangeColCount;
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
  a.use_own_credentials = s.Int(21) != 0;
  a.dss_auto_management = s.Int(22) != 0;
  a.change = ReadChange(s, 23);
  const int o = 23 + kChangeColCount;
  a.change_state = domain::ChangeStateOf(s.IsNull(o) ? std::nullopt : domain::ParseRotationStep(s.Text(o)));
  a.change_error = s.Text(o + 1);
  return a;
}

constexpr std::string_view kFunctionalSelect =
    "SELECT f.id, f.platform_id, f.account_name, f.domain_name, f.display_name, f.description,"
    " f.elevation_command, f.created_at,"
    " (SELECT count(*) FROM managed_systems s WHERE s.functional_account_id = f.id)"
    " FROM functional_accounts f";
domain::FunctionalAccount ReadFunctionalAccount(const Statement& s) {
  domain::FunctionalAccount f;
  f.id = s.Int(0);
  f.platform_id = s.Int(1);
  f.account_name = s.Text(2);
  f.domain_name = s.Text(3);
  f.display_name = s.Text(4);
  f.description = s.Text(5);
  f.elevation_command = s.Text(6);
  f.created_at = s.Int(7);
  f.system_reference_count = s.Int(8);
  return f;
}

constexpr std::string_view kDatabaseSelect =
    "SELECT id, asset_id, platform_id, instance_name, is_default_instance, port, version, template FROM databases";
domain::Database ReadDatabase(const Statement& s) {
  domain::Database d;
  d.id = s.Int(0);
  d.asset_id = s.Int(1);
  d.platform_id = s.Int(2);
  d.instance_name = s.Text(3);
  d.is_default_instance = s.Int(4) != 0;
  d.port = s.Int(5);
  d.version = s.Text(6);
  d.template_name = s.Text(7);
  return d;
}

constexpr std::string_view kRotationSelect =
    "SELECT account_id, step, version, trigger_name, pending_password_ct, pending_private_key_ct,"
    " pending_passphrase_ct, attempts, next_try_at, last_error, created_at, updated_at FROM rotations";
domain::Rotation ReadRotation(const Statement& s) {
  domain::Rotation r;
  r.account_id = s.Int(0);
  r.step = domain::ParseRotationStep(s.Text(1)).value_or(domain::RotationStep::kFailed);
  r.version = s.Int(2);
  r.trigger = s.Text(3);
  r.pending_password = s.OptBlob(4);
  r.pending_private_key = s.OptBlob(5);
  r.pending_passphrase = s.OptBlob(6);
  r.attempts = s.Int(7);
  r.next_try_at = s.Int(8);
  r.last_error = s.Text(9);
  r.created_at = s.Int(10);
  r.updated_at = s.Int(11);
  return r;
}

// Account joined with its system and workgroup name.
std::string AccountViewSelect() {
  return "SELECT " + AccountCols() + ", " + SystemCols() +
         ", w.name FROM managed_accounts a JOIN managed_systems s ON s.id = a.system_id "
         "JOIN workgroups w ON w.id = s.workgroup_id LEFT JOIN rotations rot ON rot.account_id = a.id";
}
AccountView ReadAccountView(const Statement& s) {
  AccountView v;
  v.account = ReadAccount(s);
  v.system = ReadSystem(s, kAccountColCount);
  v.workgroup_name = s.Text(kAccountColCount + kSystemColCount);
  return v;
}


constexpr std::string_view kGroupSelect =
    "SELECT id, name, description, is_administrator, is_active FROM user_groups";

// True when smart rule `r` selects account `a` (on system `s` in workgroup `w`).
constexpr std::string_view kRuleMatches =
    "(r.workgroup_name IS NULL OR r.workgroup_name = w.name)"
    " AND (r.system_like IS NULL OR s.name LIKE r.system_like ESCAPE '\\')"
    " AND (r.account_like IS NULL OR a.name LIKE r.account_like ESCAPE '\\')"
    " AND (r.explicit_list = 0 OR EXISTS (SELECT 1 FROM smart_rule_accounts x"
    " WHERE x.rule_id = r.id AND x.account_id = a.id))";

// SELECT 1 for each role assignment that gives user `user_param` a role on account `a`.
std::string GrantJoin(std::string_view user_param) {
  return "SELECT 1 FROM role_assignments ra JOIN user_group_members m ON m.group_id = ra.group_id"
         " JOIN user_groups g ON g.id = ra.group_id AND g.is_active = 1"
         " JOIN smart_rules r ON r.id = ra.rule_id WHERE m.user_id = " +
         std::string(user_param) + " AND " + std::string(kRuleMatches);
}

// Glob (* and ?) to a LIKE pattern with '\' escapes.
std::optional<std::string> GlobToLike(const std::optional<std::string>& glob) {
  if (!glob) return std::nullopt;
  std::string out;
  for (char c : *glob) {
    if (c == '*') out += '%';
    else if (c == '?') out += '_';
    else if (c == '%' || c == '_' || c == '\\') { out += '\\'; out += c; }
    else out += c;
  }
  return out;
}

constexpr std::string_view kPolicyCols =
    "p.id, p.name, p.description, p.required_approvals, p.default_duration_minutes, "
    "p.max_duration_minutes, p.access_types, p.rotate_on_checkin, p.allow_reuse";
domain::AccessPolicy ReadPolicy(const Statement& s, int o = 0) {
  domain::AccessPolicy p;
  if (s.IsNull(o)) return p;  // no policy on the assignment: the built-in default
  p.id = s.Int(o);
  p.name = s.Text(o + 1);
  p.description = s.Text(o + 2);
  p.required_approvals = s.Int(o + 3);
  p.default_duration_minutes = s.Int(o + 4);
  p.max_duration_minutes = s.Int(o + 5);
  p.access_types.clear();
  std::string types = s.Text(o + 6);
  size_t i = 0;
  while (i <= types.size() && !types.empty()) {
    size_t comma = types.find(',', i);
    if (comma == std::string::npos) comma = types.size();
    p.access_types.push_back(types.substr(i, comma - i));
    i = comma + 1;
  }
  p.rotate_on_checkin = s.Int(o + 7) != 0;
  p.allow_reuse = s.Int(o + 8) != 0;
  return p;
}

constexpr std::string_view kRuleCols =
    "id, name, description, minimum_length, maximum_length, require_lowercase, require_uppercase, "
    "require_numeric, require_symbol, symbols, excluded_characters";

constexpr std::string_view kRequestSelect =
    "SELECT q.id, q.user_id, u.user_name, q.account_id, q.system_id, a.name, s.name, a.domain_name,"
    " q.access_type, q.reason, q.duration_minutes, q.status, q.required_approvals,"
    " (SELECT count(*) FROM request_approvals x WHERE x.request_id = q.id AND x.decision = 'approve'),"
    " q.rotate_on_checkin, q.isa, q.ticket_system_id, q.ticket_number, q.access_policy_schedule_id,"
    " q.created_at, q.expires_at, q.approved_at, q.denied_at, q.cancelled_at, q.released_at, q.version"
    " FROM requests q JOIN users u ON u.id = q.user_id JOIN managed_accounts a ON a.id = q.account_id"
    " JOIN managed_systems s ON s.id = a.system_id JOIN workgroups w ON w.id = s.workgroup_id";
domain::Request ReadRequest(const Statement& s) {
  domain::Request r;
  r.id = s.Int(0);
  r.user_id = s.Int(1);
  r.user_name = s.Text(2);
  r.account_id = s.Int(3);
  r.system_id = s.Int(4);
  r.account_name = s.Text(5);
  r.system_name = s.Text(6);
  r.domain_name = s.Text(7);
  r.access_type = s.Text(8);
  r.reason = s.Text(9);
  r.duration_minutes = s.Int(10);
  r.status = domain::ParseRequestStatus(s.Text(11)).value_or(domain::RequestStatus::kCancelled);
  r.required_approvals = s.Int(12);
  r.approvals = s.Int(13);
  r.rotate_on_checkin = s.Int(14) != 0;
  r.isa = s.Int(15) != 0;
  r.ticket_system_id = s.Int(16);
  r.ticket_number = s.Text(17);
  r.access_policy_schedule_id = s.Int(18);
  r.created_at = s.Int(19);
  r.expires_at = s.Int(20);
  r.approved_at = s.OptInt(21);
  r.denied_at = s.OptInt(22);
  r.cancelled_at = s.OptInt(23);
  r.released_at = s.OptInt(24);
  r.version = s.Int(25);
  return r;
}

domain::AuditRecord ReadAudit(const Statement& s) {
  domain::AuditRecord r;
  r.id = s.Int(0);
  r.at = s.Int(1);
  r.event.user_id = s.Int(2);
  r.event.user_name = s.Text(3);
  r.event.action = s.Text(4);
  r.event.object_type = s.Text(5);
  r.event.object_id = s.Text(6);
  r.event.account_id = s.Int(7);
  r.event.detail = s.Text(8);
  r.mac = s.Blob(9);
  r.event.address = s.Text(10);
  return r;
}
constexpr std::string_view kAuditCols =
    "id, at, user_id, user_name, action, object_type, object_id, account_id, detail, hash, address";

constexpr std::string_view kFolderCols =
    "f.id, f.parent_id, f.name, f.description, f.path, f.user_group_id, f.created_at";
domain::SecretFolder ReadFolder(const Statement& s) {
  domain::SecretFolder f;
  f.id = s.Text(0);
  if (!s.IsNull(1)) f.parent_id = s.Text(1);
  f.name = s.Text(2);
  f.description = s.Text(3);
  f.path = s.Text(4);
  f.user_group_id = s.OptInt(5);
  f.created_at = s.Int(6);
  return f;
}

// True when folder `f` is the folder `g` or below it (paths compare case-insensitively);
// `g` may be any row with a `path` column.
constexpr std::string_view kFolderUnderGranted =
    "(f.path = g.path OR lower(substr(f.path, 1, length(g.path) + 1)) = lower(g.path || '/'))";

// Folder ids user `?U` may read: any folder at or below one granted to their groups.
std::string ReadableFolders(std::string_view user_param) {
  return "SELECT f.id FROM secret_folders f, secret_folders g"
         " JOIN secret_folder_grants gr ON gr.folder_id = g.id"
         " JOIN user_group_members m ON m.group_id = gr.group_id"
         " WHERE m.user_id = " + std::string(user_param) + " AND " + std::string(kFolderUnderGranted);
}

constexpr std::string_view kSecretSelect =
    "SELECT s.id, s.folder_id, f.path, s.title, s.description, s.type, s.username, s.file_name,"
    " s.file_size, s.notes, s.urls, s.owners, s.owner_id, s.owner_type, s.password_rule_id,"
    " s.created_at, s.created_by, s.modified_at, s.modified_by, s.value_modified_at"
    " FROM secrets s JOIN secret_folders f ON f.id = s.folder_id";
domain::Secret ReadSecret(const Statement& st) {
  domain::Secret x;
  x.id = st.Text(0);
  x.folder_id = st.Text(1);
  x.folder_path = st.Text(2);
  x.title = st.Text(3);
  x.description = st.Text(4);
  std::string type = st.Text(5);
  x.type = type == "Text" ? domain::SecretType::kText
           : type == "File" ? domain::SecretType::kFile : domain::SecretType::kCredential;
  x.username = st.Text(6);
  x.file_name = st.Text(7);
  x.file_size = st.Int(8);
  x.notes = st.Text(9);
  x.urls_json = st.Text(10);
  x.owners_json = st.Text(11);
  x.owner_id = st.Int(12);
  x.owner_type = st.Text(13);
  x.password_rule_id = st.Int(14);
  x.created_at = st.Int(15);
  x.created_by = st.Text(16);
  x.modified_at = st.Int(17);
  x.modified_by = st.Text(18);
  x.value_modified_at = st.Int(19);
  return x;
}

// The WHERE clause of a search, built from the filters a caller actually gave. A fixed
// "(?1 IS NULL OR col = ?1)" form would hide every index from SQLite's planner, and a
// lookup among a million rows would become a scan (docs/ARCHITECTURE.md).
class Conditions {
 public:
  // `sql` names its value as '?' (as often as it needs it); each gets this condition's number.
  template <typename T>
  void Add(std::string_view sql, T value) {
    const std::string param = "?" + std::to_string(binds_.size() + 1);
    where_ += " AND ";
    for (char c : sql) {
      if (c == '?') where_ += param;
      else where_ += c;
    }
    const int i = static_cast<int>(binds_.size()) + 1;
    binds_.push_back([i, value](Statement& st) { st.Bind(i, value); });
  }
  // `sql` names several values, one '?' each, in order.
  template <typename... T>
  void AddEach(std::string_view sql, T... values) {
    int next = static_cast<int>(binds_.size());
    where_ += " AND ";
    for (char c : sql) {
      if (c == '?') where_ += "?" + std::to_string(++next);
      else where_ += c;
    }
    (binds_.push_back([i = static_cast<int>(binds_.size()) + 1, values](Statement& st) { st.Bind(i, values); }), ...);
  }
  void Add(std::string_view sql) { where_ += " AND " + std::string(sql); }  // no value
  const std::string& where() const { return where_; }
  // " LIMIT ?n OFFSET ?n+1", numbered after the conditions; bound by BindPage.
  std::string Page() const {
    const int n = static_cast<int>(binds_.size());
    return " LIMIT ?" + std::to_string(n + 1) + " OFFSET ?" + std::to_string(n + 2);
  }
  void Bind(Statement& st) const {
    for (const auto& b : binds_) b(st);
  }
  void BindPage(Statement& st, int64_t limit, int64_t offset) const {
    const int n = static_cast<int>(binds_.size());
    st.Bind(n + 1, limit).Bind(n + 2, offset);
  }

 private:
  std::string where_ = " WHERE 1 = 1";
  std::vector<std::function<void(Statement&)>> binds_;
};

// The depth of write scopes on this thread: only the outermost one counts a commit.
thread_local int t_write_depth = 0;

class SqlStore final : public Store {
 public:
  // `writer`: SQLite's one writer, or null when every connection of `pool` may write.
  SqlStore(std::unique_ptr<ConnectionPool> pool, std::unique_ptr<ConnectionPool> writer,
           std::unique_ptr<Durability> durability)
      : durability_(std::move(durability)), writer_(std::move(writer)), pool_(std::move(pool)) {
    if (durability_->Defers()) committer_ = std::thread([this] { CommitSubmissions(); });
  }
  ~SqlStore() override {
    {
      std::lock_guard<std::mutex> lk(batch_mu_);
      stop_committer_ = true;
    }
    committer_cv_.notify_all();
    if (committer_.joinable()) committer_.join();
  }

  Status Migrate() {
    PSAFE_WRITE_LEASE();
    return ApplyMigrations(db());
  }

  // --- Keyring ---
  Result<std::vector<crypto::SealedKey>> LoadSealedKeys() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT version, purpose, sealed FROM keyring"));
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
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st,
                           db().Prepare("INSERT INTO keyring(version, purpose, sealed) VALUES (?,?,?)"));
    st.Bind(1, static_cast<int64_t>(key.version))
        .Bind(2, key.purpose == crypto::SealedKey::Purpose::kPepper ? "pepper" : "data")
        .BindBlob(3, key.sealed);
    return st.Run();
  }

  // --- Users ---
  Result<int64_t> CreateUser(const domain::User& u) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO users(user_name, name, email, password_hash, created_at, first_name, last_name, application) "
        "VALUES (?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, u.user_name).Bind(2, u.name).Bind(3, u.email).Bind(5, u.created_at)
        .Bind(6, u.first_name).Bind(7, u.last_name).Bind(8, u.application);
    if (u.password_hash) st.Bind(4, std::string_view(*u.password_hash)); else st.BindNull(4);
    return Insert(st);
  }

  Result<domain::User> FindUserById(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::User>("SELECT " + std::string(kUserCols) + " FROM users u WHERE u.id = ? AND u.deleted = 0",
                                 id, ReadUser, "user");
  }

  Result<domain::User> FindUserByName(std::string_view name) override {
    PSAFE_LEASE();
    return FindOne<domain::User>(
        "SELECT " + std::string(kUserCols) + " FROM users u WHERE u.user_name = ? AND u.deleted = 0", name, ReadUser,
        "user");
  }

  Result<int64_t> CreateUserGroup(const domain::UserGroup& g) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Result<int64_t> {
      PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
          "INSERT INTO user_groups(name, description, is_administrator, is_active) VALUES (?,?,?,?) RETURNING id"));
      st.Bind(1, g.name).Bind(2, g.description).Bind(3, g.is_administrator).Bind(4, g.is_active);
      PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
      for (int64_t reg : g.registration_ids) {
        PSAFE_ASSIGN_OR_RETURN(auto link, db().Prepare(
            "INSERT INTO user_group_registrations(group_id, registration_id) VALUES (?,?) ON CONFLICT DO NOTHING"));
        link.Bind(1, id).Bind(2, reg);
        Status ls = link.Run();
        if (!ls.ok()) {
          return ls.code() == StatusCode::kConflict
                     ? Status::NotFound("API registration " + std::to_string(reg) + " not found")
                     : ls;
        }
      }
      return id;
    });
  }

  Result<domain::UserGroup> ReadGroupWithRegistrations(Statement& st) {
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("user group not found");
    domain::UserGroup g = ReadGroup(st);
    PSAFE_RETURN_IF_ERROR(LoadRegistrations(&g));
    return g;
  }

  static domain::UserGroup ReadGroup(const Statement& st) {
    domain::UserGroup g;
    g.id = st.Int(0);
    g.name = st.Text(1);
    g.description = st.Text(2);
    g.is_administrator = st.Int(3) != 0;
    g.is_active = st.Int(4) != 0;
    return g;
  }

  Status LoadRegistrations(domain::UserGroup* g) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT registration_id FROM user_group_registrations WHERE group_id = ? ORDER BY 1"));
    st.Bind(1, g->id);
    PSAFE_ASSIGN_OR_RETURN(g->registration_ids, All<int64_t>(st, [](const Statement& r) { return r.Int(0); }));
    return Status::OK();
  }

  Result<std::vector<domain::UserGroup>> ListUserGroups() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kGroupSelect) + " ORDER BY id"));
    PSAFE_ASSIGN_OR_RETURN(auto groups, All<domain::UserGroup>(st, ReadGroup));
    for (auto& g : groups) PSAFE_RETURN_IF_ERROR(LoadRegistrations(&g));
    return groups;
  }

  Result<domain::UserGroup> FindUserGroupById(int64_t id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kGroupSelect) + " WHERE id = ?"));
    st.Bind(1, id);
    return ReadGroupWithRegistrations(st);
  }

  Result<domain::UserGroup> FindUserGroupByName(std::string_view name) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kGroupSelect) + " WHERE name = ?"));
    st.Bind(1, name);
    return ReadGroupWithRegistrations(st);
  }

  Result<std::vector<domain::User>> ListUsers() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kUserCols) +
                                                 " FROM users u WHERE u.deleted = 0 ORDER BY u.id"));
    return All<domain::User>(st, ReadUser);
  }

  Result<std::vector<domain::User>> ListGroupMembers(int64_t group_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT " + std::string(kUserCols) +
        " FROM users u JOIN user_group_members gm ON gm.user_id = u.id WHERE gm.group_id = ? AND u.deleted = 0 "
        "ORDER BY u.id"));
    st.Bind(1, group_id);
    return All<domain::User>(st, ReadUser);
  }

  Status UpdateUser(const domain::User& u) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
          "UPDATE users SET user_name = ?2, name = ?3, email = ?4, password_hash = ?5, first_name = ?6,"
          " last_name = ?7, enabled = ?8 WHERE id = ?1 AND deleted = 0"));
      st.Bind(1, u.id).Bind(2, u.user_name).Bind(3, u.name).Bind(4, u.email).Bind(6, u.first_name)
          .Bind(7, u.last_name).Bind(8, u.enabled);
      if (u.password_hash) st.Bind(5, std::string_view(*u.password_hash)); else st.BindNull(5);
      PSAFE_RETURN_IF_ERROR(st.Run());
      if (db().Changes() == 0) return Status::NotFound("user not found");
      return Status::OK();
    });
  }

  Status DeleteUser(int64_t id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      PSAFE_ASSIGN_OR_RETURN(int changed, Change("UPDATE users SET enabled = 0, deleted = 1, password_hash = NULL,"
                                                 " user_name = '[deleted ' || id || ']' WHERE id = ?1 AND deleted = 0", id));
      if (changed == 0) return Status::NotFound("user not found");
      for (const char* sql : {"DELETE FROM user_group_members WHERE user_id = ?1",
                              "DELETE FROM api_registration_users WHERE user_id = ?1",
                              "DELETE FROM sessions WHERE user_id = ?1",
                              // Without history the tombstone is not needed.
                              "DELETE FROM users WHERE id = ?1"
                              " AND NOT EXISTS (SELECT 1 FROM requests WHERE user_id = ?1)"
                              " AND NOT EXISTS (SELECT 1 FROM request_approvals WHERE user_id = ?1)"
                              " AND NOT EXISTS (SELECT 1 FROM api_registrations WHERE oauth_user_id = ?1)"}) {
        PSAFE_RETURN_IF_ERROR(Change(sql, id).status());
      }
      return Status::OK();
    });
  }

  Status RemoveUserFromGroup(int64_t group_id, int64_t user_id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      return ChangeOne("DELETE FROM user_group_members WHERE group_id = ?1 AND user_id = ?2",
                       "the user is not a member of the group", group_id, user_id);
    });
  }

  Status DeleteUserGroup(int64_t id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      // Folders a group owns keep existing; they lose only the owner reference.
      PSAFE_RETURN_IF_ERROR(Change("UPDATE secret_folders SET user_group_id = NULL WHERE user_group_id = ?1", id).status());
      PSAFE_ASSIGN_OR_RETURN(int changed, Change("DELETE FROM user_groups WHERE id = ?1", id));
      if (changed == 0) return Status::NotFound("user group not found");
      return Status::OK();
    });
  }

  Result<int64_t> CountAdministrators() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT count(DISTINCT u.id) FROM users u JOIN user_group_members m ON m.user_id = u.id"
        " JOIN user_groups g ON g.id = m.group_id WHERE g.is_administrator = 1 AND u.enabled = 1 AND u.deleted = 0"));
    PSAFE_RETURN_IF_ERROR(st.Step().status());
    return st.Int(0);
  }

  Status AddUserToGroup(int64_t group_id, int64_t user_id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
          "INSERT INTO user_group_members(group_id, user_id) VALUES (?,?) ON CONFLICT DO NOTHING"));
      st.Bind(1, group_id).Bind(2, user_id);
      return st.Run();
    });
  }

  // --- Registrations ---
  Result<int64_t> CreateApiRegistration(const ApiRegistration& r) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO api_registrations(name, key_hash, client_id, client_secret_hash, "
        "oauth_user_id, user_password_required, enabled, verify_psrun_signature, "
        "client_certificate_required) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, r.name).BindBlob(2, r.key_hash).Bind(3, r.client_id).BindBlob(4, r.client_secret_hash)
        .Bind(5, r.oauth_user_id).Bind(6, r.user_password_required).Bind(7, r.enabled)
        .Bind(8, r.verify_psrun_signature).Bind(9, r.client_certificate_required);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    PSAFE_RETURN_IF_ERROR(WriteRegistrationRules(id, r));
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Status UpdateApiRegistration(const ApiRegistration& r) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
          "UPDATE api_registrations SET name = ?2, user_password_required = ?3, enabled = ?4,"
          " verify_psrun_signature = ?5, client_certificate_required = ?6, oauth_user_id = ?7 WHERE id = ?1"));
      st.Bind(1, r.id).Bind(2, r.name).Bind(3, r.user_password_required).Bind(4, r.enabled)
          .Bind(5, r.verify_psrun_signature).Bind(6, r.client_certificate_required).Bind(7, r.oauth_user_id);
      PSAFE_RETURN_IF_ERROR(st.Run());
      if (db().Changes() == 0) return Status::NotFound("API registration not found");
      for (const char* table : {"api_registration_ip_rules", "api_registration_psrun_rules"}) {
        PSAFE_ASSIGN_OR_RETURN(auto del, db().Prepare(std::string("DELETE FROM ") + table + " WHERE registration_id = ?"));
        del.Bind(1, r.id);
        PSAFE_RETURN_IF_ERROR(del.Run());
      }
      PSAFE_RETURN_IF_ERROR(WriteRegistrationRules(r.id, r));
      return Status::OK();
    });
  }

  Result<std::vector<ApiRegistration>> ListApiRegistrations() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kRegCols) + " FROM api_registrations ORDER BY id"));
    PSAFE_ASSIGN_OR_RETURN(auto regs, All<ApiRegistration>(st, ReadRegistration));
    for (auto& r : regs) PSAFE_RETURN_IF_ERROR(LoadRegistrationRules(&r));
    return regs;
  }

  Status AllowUserForRegistration(int64_t reg_id, int64_t user_id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      return LinkStatus(Change("INSERT INTO api_registration_users(registration_id, user_id) VALUES (?1,?2) ON CONFLICT DO NOTHING",
                               reg_id, user_id).status(), "user");
    });
  }

  Status AllowGroupForRegistration(int64_t reg_id, int64_t group_id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      return LinkStatus(Change("INSERT INTO user_group_registrations(registration_id, group_id) VALUES (?1,?2) ON CONFLICT DO NOTHING",
                               reg_id, group_id).status(), "user group");
    });
  }

  // A link to a missing user, group or registration fails its foreign key.
  static Status LinkStatus(Status s, std::string_view what) {
    if (s.code() == StatusCode::kConflict) return Status::NotFound("API registration or " + std::string(what) + " not found");
    return s;
  }

  Status DisallowUserForRegistration(int64_t reg_id, int64_t user_id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      return ChangeOne("DELETE FROM api_registration_users WHERE registration_id = ?1 AND user_id = ?2",
                       "the user is not linked to the registration", reg_id, user_id);
    });
  }

  Status DisallowGroupForRegistration(int64_t reg_id, int64_t group_id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      return ChangeOne("DELETE FROM user_group_registrations WHERE registration_id = ?1 AND group_id = ?2",
                       "the user group is not linked to the registration", reg_id, group_id);
    });
  }

  Result<domain::RegistrationLinks> RegistrationLinksOf(int64_t reg_id) override {
    PSAFE_LEASE();
    domain::RegistrationLinks links;
    const auto id_of = [](const Statement& r) { return r.Int(0); };
    PSAFE_ASSIGN_OR_RETURN(auto users, db().Prepare(
        "SELECT l.user_id FROM api_registration_users l JOIN users u ON u.id = l.user_id"
        " WHERE l.registration_id = ? AND u.deleted = 0 ORDER BY 1"));
    users.Bind(1, reg_id);
    PSAFE_ASSIGN_OR_RETURN(links.user_ids, All<int64_t>(users, id_of));
    PSAFE_ASSIGN_OR_RETURN(auto groups, db().Prepare(
        "SELECT group_id FROM user_group_registrations WHERE registration_id = ? ORDER BY 1"));
    groups.Bind(1, reg_id);
    PSAFE_ASSIGN_OR_RETURN(links.group_ids, All<int64_t>(groups, id_of));
    return links;
  }

  Status DeleteApiRegistration(int64_t id) override {
    PSAFE_WRITE_LEASE();
    return ChangingAuth([&]() -> Status {
      return ChangeOne("DELETE FROM api_registrations WHERE id = ?1", "API registration not found", id);
    });
  }

  Result<ApiRegistration> FindRegistrationByKeyHash(std::string_view key_hash) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT " + std::string(kRegCols) + " FROM api_registrations WHERE key_hash = ?"));
    st.BindBlob(1, key_hash);
    return WithRules(One<ApiRegistration>(st, ReadRegistration, "API registration"));
  }

  Result<ApiRegistration> FindRegistrationByClientId(std::string_view client_id) override {
    PSAFE_LEASE();
    return WithRules(FindOne<ApiRegistration>(
        "SELECT " + std::string(kRegCols) + " FROM api_registrations WHERE client_id = ?", client_id,
        ReadRegistration, "API registration"));
  }

  Result<ApiRegistration> FindRegistrationById(int64_t id) override {
    PSAFE_LEASE();
    return WithRules(FindOne<ApiRegistration>(
        "SELECT " + std::string(kRegCols) + " FROM api_registrations WHERE id = ?", id,
        ReadRegistration, "API registration"));
  }

  Result<bool> IsUserAllowedForRegistration(int64_t reg_id, int64_t user_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT 1 FROM api_registration_users WHERE registration_id = ?1 AND user_id = ?2 "
        "UNION ALL SELECT 1 FROM user_group_registrations r "
        "JOIN user_group_members m ON m.group_id = r.group_id "
        "JOIN user_groups g ON g.id = r.group_id AND g.is_active = 1 "
        "WHERE r.registration_id = ?1 AND m.user_id = ?2"));
    st.Bind(1, reg_id).Bind(2, user_id);
    return st.Step();
  }

  // --- Sessions ---
  Status CreateSession(const domain::Session& s) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO sessions(token_hash, kind, user_id, registration_id, created_at, "
        "last_seen_at, expires_at, password_verified) VALUES (?,?,?,?,?,?,?,?)"));
    st.BindBlob(1, s.token_hash)
        .Bind(2, s.kind == domain::SessionKind::kBearer ? "bearer" : "cookie")
        .Bind(3, s.user_id).Bind(4, s.registration_id).Bind(5, s.created_at)
        .Bind(6, s.last_seen_at).Bind(7, s.expires_at).Bind(8, s.password_verified);
    return st.Run();
  }

  Result<domain::Session> FindSession(std::string_view token_hash) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT token_hash, kind, user_id, registration_id, created_at, last_seen_at, expires_at, "
        "password_verified, (SELECT value FROM auth_generation) FROM sessions WHERE token_hash = ?"));
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
      s.password_verified = r.Int(7) != 0;
      s.auth_generation = r.Int(8);
      return s;
    }, "session");
  }

  Status TouchSession(std::string_view token_hash, int64_t now) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st,
                           db().Prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?"));
    st.Bind(1, now).BindBlob(2, token_hash);
    return st.Run();
  }

  Status DeleteSession(std::string_view token_hash) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("DELETE FROM sessions WHERE token_hash = ?"));
    st.BindBlob(1, token_hash);
    return st.Run();
  }

  Status DeleteExpiredSessions(int64_t now, int64_t idle_cutoff) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "DELETE FROM sessions WHERE (kind = 'cookie' AND last_seen_at < ?) "
        "OR (expires_at <> 0 AND expires_at <= ?)"));
    st.Bind(1, idle_cutoff).Bind(2, now);
    return st.Run();
  }

  Status DeleteSessions(const domain::SessionScope& s) override {
    PSAFE_WRITE_LEASE();
    return Change("DELETE FROM sessions WHERE (?1 = 0 OR user_id = ?1) AND (?2 = 0 OR registration_id = ?2)"
                  " AND (?3 = 0 OR password_verified = 0) AND (?4 = 0 OR kind = 'bearer')",
                  s.user_id, s.registration_id, s.only_without_password, s.only_bearer).status();
  }

  Result<std::vector<domain::Request>> CancelOpenRequestsOf(int64_t user_id, int64_t now) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    constexpr std::string_view kOpen = " q.user_id = ?1 AND q.status IN ('Pending','Approved') AND q.expires_at > ?2";
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kRequestSelect) + " WHERE" + std::string(kOpen)));
    st.Bind(1, user_id).Bind(2, now);
    PSAFE_ASSIGN_OR_RETURN(auto open, All<domain::Request>(st, ReadRequest));
    PSAFE_RETURN_IF_ERROR(Change("UPDATE requests AS q SET status = 'Cancelled', cancelled_at = ?2,"
                                 " version = version + 1 WHERE" + std::string(kOpen), user_id, now).status());
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return open;
  }

  Status DeleteStaleAuthFailures(int64_t cutoff, int64_t now) override {
    PSAFE_WRITE_LEASE();
    return Change("DELETE FROM auth_failures WHERE last_failure_at < ?1 AND locked_until <= ?2", cutoff, now).status();
  }

  // --- Lockout ---
  Result<domain::AuthFailureRecord> GetAuthFailures(std::string_view subject) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
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
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO auth_failures(subject, failures, last_failure_at, locked_until) "
        "VALUES (?,?,?,?) ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, "
        "last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until"));
    st.Bind(1, subject).Bind(2, static_cast<int64_t>(r.failures)).Bind(3, r.last_failure_at)
        .Bind(4, r.locked_until);
    return st.Run();
  }

  Status ClearAuthFailures(std::string_view subject) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("DELETE FROM auth_failures WHERE subject = ?"));
    st.Bind(1, subject);
    return st.Run();
  }

  // --- Workgroups ---
  Result<int64_t> CreateWorkgroup(const Workgroup& wg) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO workgroups(organization_id, name, description) VALUES (?,?,?) RETURNING id"));
    st.Bind(1, wg.organization_id).Bind(2, wg.name).Bind(3, wg.description);
    return Insert(st);
  }

  static Workgroup ReadWorkgroup(const Statement& s) {
    return Workgroup{s.Int(0), s.Text(1), s.Text(2), s.Text(3)};
  }

  Result<std::vector<Workgroup>> ListWorkgroups() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT id, organization_id, name, description FROM workgroups ORDER BY id"));
    return All<Workgroup>(st, ReadWorkgroup);
  }

  Result<Workgroup> FindWorkgroupById(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<Workgroup>(
        "SELECT id, organization_id, name, description FROM workgroups WHERE id = ?", id,
        ReadWorkgroup, "workgroup");
  }

  Result<Workgroup> FindWorkgroupByName(std::string_view name) override {
    PSAFE_LEASE();
    return FindOne<Workgroup>(
        "SELECT id, organization_id, name, description FROM workgroups WHERE name = ?", name,
        ReadWorkgroup, "workgroup");
  }

  // --- Assets ---
  Result<int64_t> CreateAsset(const Asset& a) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO assets(workgroup_id, name, asset_type, dns_name, domain_name, ip_address, "
        "mac_address, operating_system, description, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, a.workgroup_id).Bind(2, a.name).Bind(3, a.asset_type).Bind(4, a.dns_name)
        .Bind(5, a.domain_name).Bind(6, a.ip_address).Bind(7, a.mac_address)
        .Bind(8, a.operating_system).Bind(9, a.description).Bind(10, a.created_at)
        .Bind(11, a.updated_at);
    return Insert(st);
  }

  Result<Asset> FindAsset(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<Asset>("SELECT " + std::string(kAssetCols) + " FROM assets WHERE id = ?", id,
                          ReadAsset, "asset");
  }

  Result<domain::Paged<Asset>> ListAssets(int64_t workgroup_id, const domain::Page& page) override {
    PSAFE_LEASE();
    domain::Paged<Asset> out;
    PSAFE_ASSIGN_OR_RETURN(auto count,
                           db().Prepare("SELECT count(*) FROM assets WHERE workgroup_id = ?"));
    count.Bind(1, workgroup_id);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT " + std::string(kAssetCols) +
        " FROM assets WHERE workgroup_id = ? ORDER BY id LIMIT ? OFFSET ?"));
    st.Bind(1, workgroup_id).Bind(2, LimitOf(page)).Bind(3, page.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items, All<Asset>(st, ReadAsset));
    return out;
  }

  Result<Asset> FindAssetByName(int64_t workgroup_id, std::string_view name) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kAssetCols) +
                                                 " FROM assets WHERE workgroup_id = ? AND name = ? ORDER BY id LIMIT 1"));
    st.Bind(1, workgroup_id).Bind(2, name);
    return One<Asset>(st, ReadAsset, "asset");
  }

  Status DeleteAsset(int64_t id) override {
    PSAFE_WRITE_LEASE();
    return DeleteById("DELETE FROM assets WHERE id = ?", id, "asset");
  }

  // --- Systems ---
  Result<int64_t> CreateManagedSystem(const ManagedSystem& m) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO managed_systems(workgroup_id, asset_id, name, platform_id, release_duration, "
        "max_release_duration, isa_release_duration, created_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, m.workgroup_id).Bind(2, m.asset_id).Bind(3, m.name).Bind(4, m.platform_id)
        .Bind(5, m.release_duration).Bind(6, m.max_release_duration).Bind(7, m.isa_release_duration)
        .Bind(8, m.created_at);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    ManagedSystem stored = m;
    stored.id = id;
    PSAFE_RETURN_IF_ERROR(WriteSystemSettings(stored));
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Status UpdateManagedSystem(const ManagedSystem& m) override {
    PSAFE_WRITE_LEASE();
    return WriteSystemSettings(m);
  }

  Status SetSystemHostKey(int64_t system_id, std::string_view pinned, std::string_view offered) override {
    PSAFE_WRITE_LEASE();
    return ChangeOne("UPDATE managed_systems SET host_key = ?1, host_key_offered = ?2 WHERE id = ?3",
                     "managed system not found", pinned, offered, system_id);
  }

  // --- Functional accounts ---
  Result<int64_t> CreateFunctionalAccount(const domain::FunctionalAccount& f, const SealCredentialsFn& seal) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO functional_accounts(platform_id, account_name, domain_name, display_name, description, "
        "elevation_command, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, f.platform_id).Bind(2, f.account_name).Bind(3, f.domain_name).Bind(4, f.display_name)
        .Bind(5, f.description).Bind(6, f.elevation_command).Bind(7, f.created_at);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    const domain::SealedCredentials creds = seal(id);
    PSAFE_RETURN_IF_ERROR(Change(
        "UPDATE functional_accounts SET password_ct = ?1, private_key_ct = ?2, passphrase_ct = ?3 WHERE id = ?4",
        creds.password, creds.private_key, creds.passphrase, id).status());
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Result<domain::FunctionalAccount> FindFunctionalAccount(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::FunctionalAccount>(std::string(kFunctionalSelect) + " WHERE f.id = ?", id,
                                              ReadFunctionalAccount, "functional account");
  }

  Result<std::vector<domain::FunctionalAccount>> ListFunctionalAccounts() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kFunctionalSelect) + " ORDER BY f.id"));
    return All<domain::FunctionalAccount>(st, ReadFunctionalAccount);
  }

  Result<domain::SealedCredentials> GetFunctionalAccountSecrets(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::SealedCredentials>(
        "SELECT password_ct, private_key_ct, passphrase_ct FROM functional_accounts WHERE id = ?", id,
        [](const Statement& r) { return domain::SealedCredentials{r.OptBlob(0), r.OptBlob(1), r.OptBlob(2)}; },
        "functional account");
  }

  Status DeleteFunctionalAccount(int64_t id) override {
    PSAFE_WRITE_LEASE();
    PSAFE_RETURN_IF_ERROR(RefuseWhileUsed("functional_account_id", id, "functional account"));
    PSAFE_RETURN_IF_ERROR(RefuseWhileUsed("login_account_id", id, "functional account"));
    return DeleteById("DELETE FROM functional_accounts WHERE id = ?", id, "functional account");
  }

  // --- Databases ---
  Result<int64_t> CreateDatabase(const domain::Database& d) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO databases(asset_id, platform_id, instance_name, is_default_instance, port, version, template)"
        " VALUES (?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, d.asset_id).Bind(2, d.platform_id).Bind(3, d.instance_name).Bind(4, d.is_default_instance)
        .Bind(5, d.port).Bind(6, d.version).Bind(7, d.template_name);
    return Insert(st);
  }

  Result<domain::Database> FindDatabase(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::Database>(std::string(kDatabaseSelect) + " WHERE id = ?", id, ReadDatabase, "database");
  }

  Result<std::vector<domain::Database>> ListDatabases(std::optional<int64_t> asset_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kDatabaseSelect) +
                                                 " WHERE (?1 IS NULL OR asset_id = ?1) ORDER BY id"));
    st.Bind(1, asset_id);
    return All<domain::Database>(st, ReadDatabase);
  }

  Status UpdateDatabase(const domain::Database& d) override {
    PSAFE_WRITE_LEASE();
    return ChangeOne(
        "UPDATE databases SET platform_id = ?1, instance_name = ?2, is_default_instance = ?3, port = ?4,"
        " version = ?5, template = ?6 WHERE id = ?7",
        "database not found", d.platform_id, d.instance_name, d.is_default_instance, d.port, d.version,
        d.template_name, d.id);
  }

  Status DeleteDatabase(int64_t id) override {
    PSAFE_WRITE_LEASE();
    PSAFE_RETURN_IF_ERROR(RefuseWhileUsed("database_id", id, "database"));
    return DeleteById("DELETE FROM databases WHERE id = ?", id, "database");
  }

  Result<ManagedSystem> FindManagedSystem(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<ManagedSystem>(
        "SELECT " + SystemCols() + " FROM managed_systems s WHERE s.id = ?", id,
        [](const Statement& s) { return ReadSystem(s); }, "managed system");
  }

  Result<domain::Paged<ManagedSystem>> ListManagedSystems(const domain::SystemFilter& f) override {
    PSAFE_LEASE();
    const std::string where =
        " FROM managed_systems s WHERE (s.name = ?1 OR ?1 IS NULL) AND (s.workgroup_id = ?2 OR ?2 IS NULL)"
        " AND (s.asset_id = ?3 OR ?3 IS NULL)";
    const auto bind = [&](Statement& st) {
      BindOptText(st, 1, f.name);
      st.Bind(2, f.workgroup_id).Bind(3, f.asset_id);
    };
    domain::Paged<ManagedSystem> out;
    PSAFE_ASSIGN_OR_RETURN(auto count, db().Prepare("SELECT count(*)" + where));
    bind(count);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + SystemCols() + where +
                                                 " ORDER BY s.id LIMIT ?4 OFFSET ?5"));
    bind(st);
    st.Bind(4, LimitOf(f.page)).Bind(5, f.page.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items,
                           All<ManagedSystem>(st, [](const Statement& s) { return ReadSystem(s); }));
    return out;
  }

  Status DeleteManagedSystem(int64_t id) override {
    PSAFE_WRITE_LEASE();
    // Accounts go with their system; their sealed credentials with them.
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto accounts,
                           db().Prepare("DELETE FROM managed_accounts WHERE system_id = ?"));
    accounts.Bind(1, id);
    PSAFE_RETURN_IF_ERROR(accounts.Run());
    PSAFE_RETURN_IF_ERROR(DeleteById("DELETE FROM managed_systems WHERE id = ?", id, "managed system"));
    return tx.Commit();
  }

  // --- Accounts ---
  Result<int64_t> CreateManagedAccount(const ManagedAccount& a, const SealCredentialsFn& seal) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO managed_accounts(system_id, name, release_duration, max_release_duration, "
        "isa_release_duration, last_change_at, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, a.system_id).Bind(2, a.name).Bind(3, a.release_duration).Bind(4, a.max_release_duration)
        .Bind(5, a.isa_release_duration).Bind(6, a.last_change_at).Bind(7, a.created_at);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    ManagedAccount stored = a;
    stored.id = id;
    PSAFE_RETURN_IF_ERROR(WriteAccountSettings(stored));
    domain::SealedCredentials creds = seal(id);
    PSAFE_RETURN_IF_ERROR(Change(
        "UPDATE managed_accounts SET password_ct = ?1, private_key_ct = ?2, passphrase_ct = ?3 WHERE id = ?4",
        creds.password, creds.private_key, creds.passphrase, id).status());
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Status UpdateManagedAccount(const ManagedAccount& a) override {
    PSAFE_WRITE_LEASE();
    return WriteAccountSettings(a);
  }

  // --- Rotations ---
  Result<std::optional<domain::Rotation>> FindRotation(int64_t account_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kRotationSelect) + " WHERE account_id = ?"));
    st.Bind(1, account_id);
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<domain::Rotation>();
    return std::optional<domain::Rotation>(ReadRotation(st));
  }

  Status PutRotation(const domain::Rotation& r) override {
    PSAFE_WRITE_LEASE();
    const std::string_view step = domain::RotationStepName(r.step);
    if (r.version == 0) {
      Result<int> inserted = Change(
          "INSERT INTO rotations(account_id, step, version, trigger_name, pending_password_ct, pending_private_key_ct,"
          " pending_passphrase_ct, attempts, next_try_at, last_error, created_at, updated_at)"
          " VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
          r.account_id, step, r.trigger, r.pending_password, r.pending_private_key, r.pending_passphrase,
          r.attempts, r.next_try_at, r.last_error, r.updated_at);
      if (!inserted.ok() && inserted.status().code() == StatusCode::kAlreadyExists) {
        return Status::Conflict("a credential change is already in progress for the account");
      }
      return inserted.status();
    }
    PSAFE_ASSIGN_OR_RETURN(int changed, Change(
        "UPDATE rotations SET step = ?1, version = version + 1, trigger_name = ?2, pending_password_ct = ?3,"
        " pending_private_key_ct = ?4, pending_passphrase_ct = ?5, attempts = ?6, next_try_at = ?7,"
        " last_error = ?8, updated_at = ?9 WHERE account_id = ?10 AND version = ?11",
        step, r.trigger, r.pending_password, r.pending_private_key, r.pending_passphrase, r.attempts,
        r.next_try_at, r.last_error, r.updated_at, r.account_id, r.version));
    return changed == 1 ? Status::OK() : Status::Conflict("the credential change moved on meanwhile");
  }

  Status CommitRotation(int64_t account_id, int64_t version, int64_t now,
                        std::optional<int64_t> next_change_at) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(std::optional<domain::Rotation> r, FindRotation(account_id));
    if (!r || r->version != version) return Status::Conflict("the credential change moved on meanwhile");
    PSAFE_RETURN_IF_ERROR(ReplaceCredentials(
        account_id, domain::SealedCredentials{r->pending_password, r->pending_private_key, r->pending_passphrase},
        now, next_change_at));
    PSAFE_RETURN_IF_ERROR(DeleteRotation(account_id, version));
    return tx.Commit();
  }

  Status DeleteRotation(int64_t account_id, int64_t version) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(int changed,
                           Change("DELETE FROM rotations WHERE account_id = ?1 AND version = ?2", account_id, version));
    return changed == 1 ? Status::OK() : Status::Conflict("the credential change moved on meanwhile");
  }

  Result<std::vector<domain::Rotation>> ListRotationsDue(int64_t now, int64_t limit) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kRotationSelect) +
                                                 " WHERE next_try_at <= ?1 ORDER BY next_try_at, account_id LIMIT ?2"));
    st.Bind(1, now).Bind(2, limit);
    return All<domain::Rotation>(st, ReadRotation);
  }

  Result<std::vector<int64_t>> ListAccountsDueForChange(int64_t now, int64_t limit) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT a.id FROM managed_accounts a WHERE a.auto_management = 1 AND a.next_change_at <= ?1"
        " AND NOT EXISTS (SELECT 1 FROM rotations r WHERE r.account_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM requests q WHERE q.account_id = a.id AND q.status = 'Approved'"
        " AND q.expires_at > ?1) ORDER BY a.next_change_at LIMIT ?2"));
    st.Bind(1, now).Bind(2, limit);
    return All<int64_t>(st, [](const Statement& r) { return r.Int(0); });
  }

  Result<std::vector<int64_t>> ListAccountsDueForCheck(int64_t checked_before, int64_t limit) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT a.id FROM managed_accounts a WHERE a.check_password = 1"
        " AND (a.last_checked_at IS NULL OR a.last_checked_at < ?1)"
        " AND NOT EXISTS (SELECT 1 FROM rotations r WHERE r.account_id = a.id)"
        " ORDER BY a.last_checked_at, a.id LIMIT ?2"));
    st.Bind(1, checked_before).Bind(2, limit);
    return All<int64_t>(st, [](const Statement& r) { return r.Int(0); });
  }

  Status SetAccountCheckedAt(int64_t account_id, int64_t now) override {
    PSAFE_WRITE_LEASE();
    return ChangeOne("UPDATE managed_accounts SET last_checked_at = ?1 WHERE id = ?2", "managed account not found",
                     now, account_id);
  }

  Result<AccountView> FindManagedAccount(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<AccountView>(AccountViewSelect() + " WHERE a.id = ?", id, ReadAccountView,
                                "managed account");
  }

  Result<domain::Paged<AccountView>> ListManagedAccounts(const domain::AccountFilter& f) override {
    PSAFE_LEASE();
    Conditions c;
    if (f.system_name) c.Add("s.name = ?", *f.system_name);
    if (f.account_name) c.Add("a.name = ?", *f.account_name);
    if (f.system_id) c.Add("s.id = ?", *f.system_id);
    if (f.workgroup_name) c.Add("w.name = ?", *f.workgroup_name);
    if (f.ip_address) c.Add("s.ip_address = ?", *f.ip_address);
    if (f.type == domain::AccountType::kDomainLinked) c.Add("a.domain_name <> ''");
    if (f.type == domain::AccountType::kNone) c.Add("1 = 0");
    if (f.visible_to_user) c.Add("EXISTS (" + GrantJoin("?") + " AND ra.role_id IN (1, 3, 4))", *f.visible_to_user);
    if (f.api_enabled_only) c.Add("a.api_enabled = 1");
    const std::string from =
        " FROM managed_accounts a JOIN managed_systems s ON s.id = a.system_id "
        "JOIN workgroups w ON w.id = s.workgroup_id";
    domain::Paged<AccountView> out;
    PSAFE_ASSIGN_OR_RETURN(auto count, db().Prepare("SELECT count(*)" + from + c.where()));
    c.Bind(count);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(AccountViewSelect() + c.where() + " ORDER BY a.id" + c.Page()));
    c.Bind(st);
    c.BindPage(st, LimitOf(f.page), f.page.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items, All<AccountView>(st, ReadAccountView));
    return out;
  }

  Result<domain::SealedCredentials> GetSealedCredentials(int64_t account_id) override {
    PSAFE_LEASE();
    return FindOne<domain::SealedCredentials>(
        "SELECT password_ct, private_key_ct, passphrase_ct FROM managed_accounts WHERE id = ?",
        account_id,
        [](const Statement& s) {
          return domain::SealedCredentials{s.OptBlob(0), s.OptBlob(1), s.OptBlob(2)};
        },
        "managed account");
  }

  Status DeleteManagedAccount(int64_t id) override {
    PSAFE_WRITE_LEASE();
    return DeleteById("DELETE FROM managed_accounts WHERE id = ?", id, "managed account");
  }

  // Ping and Writable read nothing stored: they do not count as the caller having seen data
  // (store/durability.h), so a health check never waits for a sync.
  Status Ping() override {
    auto lease_ = ReadLease(/*observes=*/false);
    PSAFE_RETURN_IF_ERROR(lease_.status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT 1"));
    return st.Step().status();
  }

  // --- Aliases ---
  Result<int64_t> CreateAlias(const domain::Alias& a) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("INSERT INTO aliases(name) VALUES (?) RETURNING id"));
    st.Bind(1, a.name);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    PSAFE_RETURN_IF_ERROR(WriteAliasAccounts(id, a.account_ids));
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Result<domain::Alias> FindAlias(int64_t id) override {
    PSAFE_LEASE();
    return WithAccounts(FindOne<domain::Alias>(std::string(kAliasSelect) + " WHERE id = ?", id, ReadAlias, "alias"));
  }

  Result<domain::Alias> FindAliasByName(std::string_view name) override {
    PSAFE_LEASE();
    return WithAccounts(FindOne<domain::Alias>(std::string(kAliasSelect) + " WHERE name = ?", name, ReadAlias, "alias"));
  }

  Result<std::vector<domain::Alias>> ListAliases() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kAliasSelect) + " ORDER BY name, id"));
    PSAFE_ASSIGN_OR_RETURN(auto aliases, All<domain::Alias>(st, ReadAlias));
    PSAFE_ASSIGN_OR_RETURN(auto maps, db().Prepare("SELECT alias_id, account_id FROM alias_accounts ORDER BY alias_id, position"));
    std::map<int64_t, std::vector<int64_t>> by_alias;
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, maps.Step());
      if (!row) break;
      by_alias[maps.Int(0)].push_back(maps.Int(1));
    }
    for (domain::Alias& a : aliases) a.account_ids = std::move(by_alias[a.id]);
    return aliases;
  }

  Status UpdateAlias(const domain::Alias& a) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(int changed, Change("UPDATE aliases SET name = ?1, version = version + 1"
                                               " WHERE id = ?2 AND version = ?3", a.name, a.id, a.version));
    if (changed == 0) {
      auto stored = FindOne<int64_t>("SELECT id FROM aliases WHERE id = ?", a.id,
                                     [](const Statement& r) { return r.Int(0); }, "alias");
      PSAFE_RETURN_IF_ERROR(stored.status());
      return Status::Conflict("the alias changed meanwhile; read it again");
    }
    PSAFE_RETURN_IF_ERROR(Change("DELETE FROM alias_accounts WHERE alias_id = ?1", a.id).status());
    PSAFE_RETURN_IF_ERROR(WriteAliasAccounts(a.id, a.account_ids));
    return tx.Commit();
  }

  Status DeleteAlias(int64_t id) override {
    PSAFE_WRITE_LEASE();
    return DeleteById("DELETE FROM aliases WHERE id = ?", id, "alias");
  }

  // --- Nonces and leases ---
  Result<bool> SpendNonce(std::string_view nonce_hash, int64_t now, int64_t expires_at) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(int changed, Change(
        "INSERT INTO psrun_nonces(nonce_hash, expires_at) VALUES (?1, ?2) ON CONFLICT(nonce_hash)"
        " DO UPDATE SET expires_at = excluded.expires_at WHERE psrun_nonces.expires_at <= ?3",
        SqlBlob{nonce_hash}, expires_at, now));
    return changed == 1;
  }

  Status DeleteExpiredNonces(int64_t now) override {
    PSAFE_WRITE_LEASE();
    return Change("DELETE FROM psrun_nonces WHERE expires_at <= ?1", now).status();
  }

  Result<bool> TryHoldLease(std::string_view name, std::string_view holder, int64_t now, int64_t until) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(int changed, Change(
        "INSERT INTO leases(name, holder, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO UPDATE"
        " SET holder = excluded.holder, expires_at = excluded.expires_at"
        " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4",
        name, holder, until, now));
    return changed == 1;
  }

  Status ReleaseLease(std::string_view name, std::string_view holder) override {
    PSAFE_WRITE_LEASE();
    return Change("DELETE FROM leases WHERE name = ?1 AND holder = ?2", name, holder).status();
  }

  Result<bool> Writable() override {
    auto lease_ = ReadLease(/*observes=*/false);
    PSAFE_RETURN_IF_ERROR(lease_.status());
    // A PostgreSQL standby answers but refuses writes. SQLite's writer is this process's own
    // connection: the file is writable if it opened, and a failed write answers for itself.
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(db().dialect() == SqlDialect::kPostgres
                                                     ? "SELECT NOT pg_is_in_recovery()"
                                                     : "SELECT 1"));
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    return row && st.Int(0) != 0;
  }

  Durability& durability() override { return *durability_; }

  std::string BackendName() const override { return pool_->dialect() == SqlDialect::kPostgres ? "postgresql" : "sqlite"; }

  // --- Secrets Safe ---
  Status CreateFolder(const domain::SecretFolder& f) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO secret_folders(id, parent_id, name, description, path, user_group_id, created_at)"
        " VALUES (?,?,?,?,?,?,?)"));
    st.Bind(1, f.id);
    BindOptText(st, 2, f.parent_id);
    st.Bind(3, f.name).Bind(4, f.description).Bind(5, f.path).Bind(6, f.user_group_id).Bind(7, f.created_at);
    return st.Run();
  }

  Result<domain::SecretFolder> FindFolder(std::string_view id) override {
    PSAFE_LEASE();
    return FindOne<domain::SecretFolder>("SELECT " + std::string(kFolderCols) + " FROM secret_folders f WHERE f.id = ?",
                                         id, ReadFolder, "folder");
  }

  Result<domain::SecretFolder> FindFolderByPath(std::string_view path) override {
    PSAFE_LEASE();
    return FindOne<domain::SecretFolder>("SELECT " + std::string(kFolderCols) + " FROM secret_folders f WHERE f.path = ?",
                                         path, ReadFolder, "folder");
  }

  Result<std::vector<domain::SecretFolder>> ListFolders(std::optional<int64_t> user, bool safes_only) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT " + std::string(kFolderCols) + " FROM secret_folders f WHERE (?2 = 0 OR f.parent_id IS NULL)"
        " AND (?1 IS NULL OR f.id IN (" + ReadableFolders("?1") + ")) ORDER BY f.path"));
    st.Bind(1, user).Bind(2, safes_only);
    return All<domain::SecretFolder>(st, ReadFolder);
  }

  Status DeleteFolder(std::string_view id, bool force) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto folder, FindFolder(id));
    // The subtree: the folder and everything whose path continues it.
    const std::string subtree = "SELECT f.id FROM secret_folders f, (SELECT path FROM secret_folders WHERE id = ?1) g WHERE " +
                                std::string(kFolderUnderGranted);
    if (!force) {
      PSAFE_ASSIGN_OR_RETURN(auto count, db().Prepare(
          "SELECT (SELECT count(*) FROM secrets WHERE folder_id = ?1) +"
          " (SELECT count(*) FROM secret_folders WHERE parent_id = ?1)"));
      count.Bind(1, folder.id);
      PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
      if (row && count.Int(0) > 0) {
        return Status::Conflict("folder '" + folder.path + "' is not empty (use force=true)");
      }
    }
    PSAFE_ASSIGN_OR_RETURN(auto secrets, db().Prepare("DELETE FROM secrets WHERE folder_id IN (" + subtree + ")"));
    secrets.Bind(1, folder.id);
    PSAFE_RETURN_IF_ERROR(secrets.Run());
    // Deepest first: a folder goes only once nothing refers to it as a parent.
    PSAFE_ASSIGN_OR_RETURN(auto folders, db().Prepare(subtree + " ORDER BY length(f.path) DESC"));
    folders.Bind(1, folder.id);
    PSAFE_ASSIGN_OR_RETURN(auto ids, All<std::string>(folders, [](const Statement& r) { return r.Text(0); }));
    for (const std::string& fid : ids) {
      PSAFE_ASSIGN_OR_RETURN(auto del, db().Prepare("DELETE FROM secret_folders WHERE id = ?"));
      del.Bind(1, fid);
      PSAFE_RETURN_IF_ERROR(del.Run());
    }
    return tx.Commit();
  }

  Status RevokeFolderGrant(std::string_view folder_id, int64_t group_id) override {
    PSAFE_WRITE_LEASE();
    return ChangeOne("DELETE FROM secret_folder_grants WHERE folder_id = ?1 AND group_id = ?2",
                     "the user group holds no grant on the folder", folder_id, group_id);
  }

  Status GrantFolder(std::string_view folder_id, int64_t group_id, domain::FolderAccess access) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO secret_folder_grants(folder_id, group_id, access) VALUES (?,?,?)"
        " ON CONFLICT(folder_id, group_id) DO UPDATE SET access = excluded.access"));
    st.Bind(1, folder_id).Bind(2, group_id).Bind(3, static_cast<int64_t>(access));
    Status s = st.Run();
    if (s.code() == StatusCode::kConflict) return Status::NotFound("user group not found");
    return s;
  }

  Result<domain::FolderAccess> FolderAccessFor(int64_t user_id, std::string_view folder_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT coalesce(max(gr.access), 0) FROM secret_folders f, secret_folders g"
        " JOIN secret_folder_grants gr ON gr.folder_id = g.id"
        " JOIN user_group_members m ON m.group_id = gr.group_id"
        " WHERE f.id = ?2 AND m.user_id = ?1 AND " + std::string(kFolderUnderGranted)));
    st.Bind(1, user_id).Bind(2, folder_id);
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    return static_cast<domain::FolderAccess>(row ? st.Int(0) : 0);
  }

  Status CreateSecret(const domain::Secret& x, std::string_view sealed) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO secrets(id, folder_id, title, description, type, username, file_name, file_size,"
        " notes, urls, owners, owner_id, owner_type, password_rule_id, value_ct, created_at, created_by,"
        " modified_at, modified_by, value_modified_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st.Bind(1, x.id).Bind(2, x.folder_id).Bind(3, x.title).Bind(4, x.description)
        .Bind(5, domain::SecretTypeName(x.type)).Bind(6, x.username).Bind(7, x.file_name)
        .Bind(8, x.file_size).Bind(9, x.notes).Bind(10, x.urls_json).Bind(11, x.owners_json)
        .Bind(12, x.owner_id).Bind(13, x.owner_type).Bind(14, x.password_rule_id).BindBlob(15, sealed)
        .Bind(16, x.created_at).Bind(17, x.created_by).Bind(18, x.modified_at).Bind(19, x.modified_by)
        .Bind(20, x.value_modified_at);
    return st.Run();
  }

  Result<domain::Secret> FindSecret(std::string_view id) override {
    PSAFE_LEASE();
    return FindOne<domain::Secret>(std::string(kSecretSelect) + " WHERE s.id = ?", id, ReadSecret, "secret");
  }

  Result<domain::Paged<domain::Secret>> ListSecrets(const domain::SecretFilter& f) override {
    PSAFE_LEASE();
    Conditions c;
    // path: the folder or a descendant, as a subquery of folder ids so each folder's secrets
    // come from the (folder_id, title) index; a range on the case-insensitive path index ('0'
    // follows '/'). The bounds are values of their own, so they compare as the column does.
    if (f.path) {
      c.AddEach("s.folder_id IN (SELECT id FROM secret_folders WHERE path = ? OR (path > ? AND path < ?))",
                *f.path, *f.path + "/", *f.path + "0");
    }
    if (f.title) c.Add("s.title = ?", *f.title);
    if (f.folder_id) c.Add("s.folder_id = ?", *f.folder_id);
    if (f.modified_after) c.Add("s.modified_at > ?", *f.modified_after);
    if (f.visible_to_user) c.Add("s.folder_id IN (" + ReadableFolders("?") + ")", *f.visible_to_user);
    domain::Paged<domain::Secret> out;
    PSAFE_ASSIGN_OR_RETURN(auto count, db().Prepare(
        "SELECT count(*) FROM secrets s JOIN secret_folders f ON f.id = s.folder_id" + c.where()));
    c.Bind(count);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kSecretSelect) + c.where() + " ORDER BY f.path, s.title" +
                                                 c.Page()));
    c.Bind(st);
    c.BindPage(st, f.limit, f.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items, All<domain::Secret>(st, ReadSecret));
    return out;
  }

  Status UpdateSecret(const domain::Secret& x, const std::optional<std::string>& sealed) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "UPDATE secrets SET title = ?2, description = ?3, username = ?4, file_name = ?5, file_size = ?6,"
        " notes = ?7, urls = ?8, owners = ?9, owner_id = ?10, owner_type = ?11, password_rule_id = ?12,"
        " value_ct = coalesce(?13, value_ct), modified_at = ?14, modified_by = ?15,"
        " value_modified_at = ?16 WHERE id = ?1"));
    st.Bind(1, x.id).Bind(2, x.title).Bind(3, x.description).Bind(4, x.username).Bind(5, x.file_name)
        .Bind(6, x.file_size).Bind(7, x.notes).Bind(8, x.urls_json).Bind(9, x.owners_json)
        .Bind(10, x.owner_id).Bind(11, x.owner_type).Bind(12, x.password_rule_id).Bind(13, sealed)
        .Bind(14, x.modified_at).Bind(15, x.modified_by).Bind(16, x.value_modified_at);
    PSAFE_RETURN_IF_ERROR(st.Run());
    if (db().Changes() == 0) return Status::NotFound("secret not found");
    return Status::OK();
  }

  Status DeleteSecret(std::string_view id) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("DELETE FROM secrets WHERE id = ?"));
    st.Bind(1, id);
    PSAFE_RETURN_IF_ERROR(st.Run());
    if (db().Changes() == 0) return Status::NotFound("secret not found");
    return Status::OK();
  }

  Result<std::string> GetSealedSecretValue(std::string_view id) override {
    PSAFE_LEASE();
    return FindOne<std::string>("SELECT value_ct FROM secrets WHERE id = ?", id,
                                [](const Statement& r) { return r.Blob(0); }, "secret");
  }

  // --- Transactions and audit ---
  // Group commit: changes that arrive while another batch is committing wait, then run
  // together in one transaction, each inside its own savepoint, and share one fsync.
  // Every caller still returns only after its change is durable; a change that fails
  // is rolled back alone. A change that calls Atomically again joins its batch.
  Status Atomically(const std::function<Status()>& fn) override {
    if (batch_thread_.load() == std::this_thread::get_id()) return fn();
    NoteStoreUse();
    PendingChange me{&fn, Status::OK(), false, DurabilityDeferred(), 0, {}, nullptr, 0};
    std::unique_lock<std::mutex> lk(batch_mu_);
    pending_.push_back(&me);
    while (!me.done) {
      if (leader_active_) {
        batch_cv_.wait(lk);
        continue;
      }
      LeadBatch(lk);
    }
    // After the leader has let the next batch start: a batch's wait for the disk overlaps
    // the next batch's work.
    if (me.commit_seq != 0 && !me.deferred) durability_->WaitAfterCommit(me.commit_seq);
    return me.status;
  }

  // A submission joins the same queue without waiting: the committer thread (or a caller
  // of Atomically that leads first) runs it with the batch. Its commit is counted from
  // the moment it is queued, so the caller's Horizon() covers it and the gate holds the
  // response until it is durable.
  Status Submit(std::function<Status()> change) override {
    if (!committer_.joinable() || !DurabilityDeferred() || t_write_depth > 0 ||
        batch_thread_.load() == std::this_thread::get_id()) {
      return Atomically(change);
    }
    NoteStoreUse();
    auto* p = new PendingChange{nullptr, Status::OK(), false, true, 0, std::move(change),
                                DeferDurability::SubmissionRefusal(), durability_->BeginCommit()};
    p->fn = &p->owned;
    {
      std::lock_guard<std::mutex> lk(batch_mu_);
      pending_.push_back(p);
      ++submissions_pending_;
    }
    committer_cv_.notify_one();
    return Status::OK();
  }

  struct PendingChange {
    const std::function<Status()>* fn;
    Status status;
    bool done;
    bool deferred;        // its caller waits for durability itself (DeferDurability)
    uint64_t commit_seq;  // the batch's commit, for the wait
    // A submission's: the change it owns, its response's refusal, its commit's count.
    std::function<Status()> owned;
    std::shared_ptr<std::atomic<bool>> refused;
    uint64_t submitted_seq;
  };

  // With batch_mu_ held (in `lk`) and no leader: runs everything queued as one batch.
  void LeadBatch(std::unique_lock<std::mutex>& lk) {
    leader_active_ = true;
    std::vector<PendingChange*> batch;
    batch.swap(pending_);
    submissions_pending_ = 0;
    lk.unlock();
    RunBatch(batch);
    for (PendingChange*& p : batch) {
      if (p->refused == nullptr) continue;
      if (!p->status.ok()) p->refused->store(true);
      durability_->EndCommit(p->submitted_seq);  // after the refusal: the gate sees both
      delete p;
      p = nullptr;
    }
    lk.lock();
    for (PendingChange* p : batch) {
      if (p != nullptr) p->done = true;
    }
    leader_active_ = false;
    batch_cv_.notify_all();
    if (submissions_pending_ > 0) committer_cv_.notify_one();
  }

  void FinishSubmissions() override {
    std::unique_lock<std::mutex> lk(batch_mu_);
    batch_cv_.wait(lk, [&] { return submissions_pending_ == 0 && !leader_active_; });
  }

  // The committer thread: leads a batch whenever a submission waits and no caller leads.
  // Batches grow with the load: everything queued while one commits is the next one.
  void CommitSubmissions() {
    std::unique_lock<std::mutex> lk(batch_mu_);
    for (;;) {
      // Stopping waits too while a caller leads: what it leaves queued is ours to run.
      committer_cv_.wait(lk, [&] {
        return (submissions_pending_ > 0 && !leader_active_) || (stop_committer_ && submissions_pending_ == 0);
      });
      if (submissions_pending_ == 0) return;
      LeadBatch(lk);
    }
  }

  // A change that throws (memory exhausted) fails alone: the batch, its leader's flags and
  // every commit it counts must still be finished, or durability would stop for everyone.
  static Status RunChange(const std::function<Status()>& fn) {
    try {
      return fn();
    } catch (const std::exception& e) {
      return Status::Internal(std::string("change failed: ") + e.what());
    }
  }

  void RunBatch(const std::vector<PendingChange*>& batch) {
    WriteScope lease(*this, /*wait_on_exit=*/false);
    if (!lease.status().ok()) {
      for (PendingChange* p : batch) p->status = lease.status();
      return;
    }
    for (PendingChange* p : batch) p->commit_seq = lease.seq();
    Transaction tx(db());
    if (!tx.begin_status().ok()) {
      for (PendingChange* p : batch) p->status = tx.begin_status();
      return;
    }
    batch_thread_.store(std::this_thread::get_id());
    for (PendingChange* p : batch) {
      Status s = db().Exec("SAVEPOINT change");
      if (s.ok()) s = RunChange(*p->fn);
      if (!s.ok()) (void)db().Exec("ROLLBACK TO change");
      (void)db().Exec("RELEASE change");
      p->status = s;
    }
    batch_thread_.store(std::thread::id());
    Status commit = tx.Commit();  // on failure, tx rolls the whole batch back
    if (!commit.ok()) {
      for (PendingChange* p : batch) {
        if (p->status.ok()) p->status = commit;
      }
    }
  }

  void SetAuditMac(AuditMacFn mac) override {
    std::lock_guard<std::mutex> lk(audit_mac_mu_);
    audit_mac_ = std::move(mac);
  }

  Status AppendAudit(const domain::AuditEvent& e, int64_t at) override {
    PSAFE_WRITE_LEASE();
    std::lock_guard<std::mutex> lk(audit_mac_mu_);
    if (!audit_mac_) return Status::Internal("audit chain key not set");
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto last, db().Prepare("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"));
    PSAFE_ASSIGN_OR_RETURN(bool has_prev, last.Step());
    const std::string prev = has_prev ? last.Blob(0) : std::string();
    PSAFE_ASSIGN_OR_RETURN(auto ins, db().Prepare(
        "INSERT INTO audit_log(at, user_id, user_name, action, object_type, object_id, account_id, "
        "detail, hash, address) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id"));
    ins.Bind(1, at).Bind(2, e.user_id).Bind(3, e.user_name).Bind(4, e.action).Bind(5, e.object_type)
        .Bind(6, e.object_id).Bind(7, e.account_id).Bind(8, e.detail).BindBlob(9, "").Bind(10, e.address);
    domain::AuditRecord rec;
    PSAFE_ASSIGN_OR_RETURN(rec.id, Insert(ins));
    rec.at = at;
    rec.event = e;
    PSAFE_ASSIGN_OR_RETURN(auto up, db().Prepare("UPDATE audit_log SET hash = ? WHERE id = ?"));
    up.BindBlob(1, audit_mac_(prev, domain::CanonicalAuditRecord(rec))).Bind(2, rec.id);
    PSAFE_RETURN_IF_ERROR(up.Run());
    return tx.Commit();
  }

  Result<domain::Paged<domain::AuditRecord>> ListAudit(const domain::AuditFilter& f) override {
    PSAFE_LEASE();
    const std::string where =
        " FROM audit_log WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR account_id = ?2)"
        " AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at <= ?4)";
    auto bind = [&](Statement& st) { st.Bind(1, f.user_id).Bind(2, f.account_id).Bind(3, f.from).Bind(4, f.to); };
    domain::Paged<domain::AuditRecord> out;
    PSAFE_ASSIGN_OR_RETURN(auto count, db().Prepare("SELECT count(*)" + where));
    bind(count);
    PSAFE_ASSIGN_OR_RETURN(bool row, count.Step());
    out.total = row ? count.Int(0) : 0;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kAuditCols) + where +
                                                 " ORDER BY id DESC LIMIT ?5 OFFSET ?6"));
    bind(st);
    st.Bind(5, f.limit).Bind(6, f.offset);
    PSAFE_ASSIGN_OR_RETURN(out.items, All<domain::AuditRecord>(st, ReadAudit));
    return out;
  }

  Status ForEachAudit(const std::function<Status(const domain::AuditRecord&)>& fn) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kAuditCols) +
                                                 " FROM audit_log ORDER BY id"));
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::OK();
      PSAFE_RETURN_IF_ERROR(fn(ReadAudit(st)));
    }
  }

  // --- Permission model ---
  Result<int64_t> CreateSmartRule(const domain::SmartRule& r) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO smart_rules(title, description, workgroup_name, system_like, account_like, "
        "system_glob, account_glob, explicit_list, created_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, r.title).Bind(2, r.description);
    BindOptText(st, 3, r.workgroup_name);
    BindOptText(st, 4, GlobToLike(r.system_pattern));
    BindOptText(st, 5, GlobToLike(r.account_pattern));
    BindOptText(st, 6, r.system_pattern);
    BindOptText(st, 7, r.account_pattern);
    st.Bind(8, !r.account_ids.empty()).Bind(9, r.created_at);
    PSAFE_ASSIGN_OR_RETURN(int64_t id, Insert(st));
    for (int64_t account : r.account_ids) {
      PSAFE_ASSIGN_OR_RETURN(auto link, db().Prepare(
          "INSERT INTO smart_rule_accounts(rule_id, account_id) VALUES (?,?) ON CONFLICT DO NOTHING"));
      link.Bind(1, id).Bind(2, account);
      Status ls = link.Run();
      if (!ls.ok()) {
        return ls.code() == StatusCode::kConflict
                   ? Status::NotFound("managed account " + std::to_string(account) + " not found")
                   : ls;
      }
    }
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return id;
  }

  Result<domain::SmartRule> ReadRule(const Statement& st) {
    domain::SmartRule r;
    r.id = st.Int(0);
    r.title = st.Text(1);
    r.description = st.Text(2);
    if (!st.IsNull(3)) r.workgroup_name = st.Text(3);
    if (!st.IsNull(4)) r.system_pattern = st.Text(4);
    if (!st.IsNull(5)) r.account_pattern = st.Text(5);
    r.created_at = st.Int(6);
    PSAFE_ASSIGN_OR_RETURN(auto ids, db().Prepare(
        "SELECT account_id FROM smart_rule_accounts WHERE rule_id = ? ORDER BY 1"));
    ids.Bind(1, r.id);
    PSAFE_ASSIGN_OR_RETURN(r.account_ids, All<int64_t>(ids, [](const Statement& x) { return x.Int(0); }));
    return r;
  }

  static constexpr std::string_view kSmartRuleSelect =
      "SELECT id, title, description, workgroup_name, system_glob, account_glob, created_at "
      "FROM smart_rules";

  Result<std::vector<domain::SmartRule>> Rules(Statement& st) {
    std::vector<domain::SmartRule> out;
    for (;;) {
      PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return out;
      PSAFE_ASSIGN_OR_RETURN(auto r, ReadRule(st));
      out.push_back(std::move(r));
    }
  }

  Result<std::vector<domain::SmartRule>> ListSmartRules() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kSmartRuleSelect) + " ORDER BY id"));
    return Rules(st);
  }

  Result<std::vector<domain::SmartRule>> ListSmartRulesOfGroup(int64_t group_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kSmartRuleSelect) +
        " WHERE id IN (SELECT rule_id FROM role_assignments WHERE group_id = ?) ORDER BY id"));
    st.Bind(1, group_id);
    return Rules(st);
  }

  Result<domain::SmartRule> FindSmartRule(int64_t id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kSmartRuleSelect) + " WHERE id = ?"));
    st.Bind(1, id);
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::NotFound("smart rule not found");
    return ReadRule(st);
  }

  Result<int64_t> CreateAccessPolicy(const domain::AccessPolicy& p) override {
    PSAFE_WRITE_LEASE();
    std::string types;
    for (const auto& t : p.access_types) types += (types.empty() ? "" : ",") + t;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO access_policies(name, description, required_approvals, default_duration_minutes, "
        "max_duration_minutes, access_types, rotate_on_checkin, allow_reuse) VALUES (?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, p.name).Bind(2, p.description).Bind(3, p.required_approvals)
        .Bind(4, p.default_duration_minutes).Bind(5, p.max_duration_minutes).Bind(6, types)
        .Bind(7, p.rotate_on_checkin).Bind(8, p.allow_reuse);
    return Insert(st);
  }

  Result<std::vector<domain::AccessPolicy>> ListAccessPolicies() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kPolicyCols) +
                                                 " FROM access_policies p ORDER BY p.id"));
    return All<domain::AccessPolicy>(st, [](const Statement& x) { return ReadPolicy(x); });
  }

  Result<domain::AccessPolicy> FindAccessPolicy(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::AccessPolicy>(
        "SELECT " + std::string(kPolicyCols) + " FROM access_policies p WHERE p.id = ?", id,
        [](const Statement& x) { return ReadPolicy(x); }, "access policy");
  }

  Status AssignRole(int64_t group_id, int64_t rule_id, domain::Role role,
                    std::optional<int64_t> policy_id) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO role_assignments(group_id, rule_id, role_id, access_policy_id) VALUES (?,?,?,?) "
        "ON CONFLICT(group_id, rule_id, role_id) DO UPDATE SET access_policy_id = excluded.access_policy_id"));
    st.Bind(1, group_id).Bind(2, rule_id).Bind(3, static_cast<int64_t>(role)).Bind(4, policy_id);
    return st.Run();
  }

  Status RemoveRoles(int64_t group_id, int64_t rule_id) override {
    PSAFE_WRITE_LEASE();
    return ChangeOne("DELETE FROM role_assignments WHERE group_id = ?1 AND rule_id = ?2",
                     "the user group holds no role on the smart rule", group_id, rule_id);
  }

  Result<std::vector<domain::Grant>> GrantsFor(int64_t user_id, int64_t account_id) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT ra.role_id, " + std::string(kPolicyCols) +
        " FROM managed_accounts a JOIN managed_systems s ON s.id = a.system_id"
        " JOIN workgroups w ON w.id = s.workgroup_id"
        " JOIN role_assignments ra ON 1 = 1 JOIN user_group_members m ON m.group_id = ra.group_id"
        " JOIN user_groups g ON g.id = ra.group_id AND g.is_active = 1"
        " JOIN smart_rules r ON r.id = ra.rule_id"
        " LEFT JOIN access_policies p ON p.id = ra.access_policy_id"
        " WHERE m.user_id = ?1 AND a.id = ?2 AND " + std::string(kRuleMatches)));
    st.Bind(1, user_id).Bind(2, account_id);
    return All<domain::Grant>(st, [](const Statement& x) {
      return domain::Grant{static_cast<domain::Role>(x.Int(0)), ReadPolicy(x, 1)};
    });
  }

  Result<int64_t> CountApprovers(int64_t account_id, int64_t except_user) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT count(DISTINCT m.user_id)"
        " FROM managed_accounts a JOIN managed_systems s ON s.id = a.system_id"
        " JOIN workgroups w ON w.id = s.workgroup_id"
        " JOIN role_assignments ra ON 1 = 1 JOIN user_group_members m ON m.group_id = ra.group_id"
        " JOIN user_groups g ON g.id = ra.group_id AND g.is_active = 1"
        " JOIN smart_rules r ON r.id = ra.rule_id"
        " WHERE a.id = ?1 AND m.user_id <> ?2 AND ra.role_id IN (2, 3) AND " + std::string(kRuleMatches)));
    st.Bind(1, account_id).Bind(2, except_user);
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  Result<bool> HoldsRole(int64_t user_id, domain::Role role) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "SELECT 1 FROM role_assignments ra JOIN user_group_members m ON m.group_id = ra.group_id"
        " JOIN user_groups g ON g.id = ra.group_id AND g.is_active = 1"
        " WHERE m.user_id = ? AND ra.role_id = ? LIMIT 1"));
    st.Bind(1, user_id).Bind(2, static_cast<int64_t>(role));
    return st.Step();
  }

  // --- Password rules ---
  Result<int64_t> CreatePasswordRule(const domain::PasswordRule& r) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO password_rules(name, description, minimum_length, maximum_length, "
        "require_lowercase, require_uppercase, require_numeric, require_symbol, symbols, "
        "excluded_characters) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, r.name).Bind(2, r.description).Bind(3, r.minimum_length).Bind(4, r.maximum_length)
        .Bind(5, r.require_lowercase).Bind(6, r.require_uppercase).Bind(7, r.require_numeric)
        .Bind(8, r.require_symbol).Bind(9, r.symbols).Bind(10, r.excluded_characters);
    return Insert(st);
  }

  static domain::PasswordRule ReadPasswordRule(const Statement& s) {
    domain::PasswordRule r;
    r.id = s.Int(0);
    r.name = s.Text(1);
    r.description = s.Text(2);
    r.minimum_length = s.Int(3);
    r.maximum_length = s.Int(4);
    r.require_lowercase = s.Int(5) != 0;
    r.require_uppercase = s.Int(6) != 0;
    r.require_numeric = s.Int(7) != 0;
    r.require_symbol = s.Int(8) != 0;
    r.symbols = s.Text(9);
    r.excluded_characters = s.Text(10);
    return r;
  }

  Result<std::vector<domain::PasswordRule>> ListPasswordRules() override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT " + std::string(kRuleCols) +
                                                 " FROM password_rules ORDER BY id"));
    return All<domain::PasswordRule>(st, ReadPasswordRule);
  }

  Result<domain::PasswordRule> FindPasswordRule(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::PasswordRule>(
        "SELECT " + std::string(kRuleCols) + " FROM password_rules WHERE id = ?", id,
        ReadPasswordRule, "password rule");
  }

  // --- Requests ---
  Result<CreateRequestOutcome> CreateRequest(const domain::Request& r, domain::ConflictOption option,
                                             int64_t now, int64_t max_open) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    CreateRequestOutcome out;
    PSAFE_ASSIGN_OR_RETURN(auto open, db().Prepare(
        "SELECT id FROM requests WHERE user_id = ? AND account_id = ? AND isa = ?"
        " AND status IN ('Pending','Approved') AND expires_at > ? ORDER BY id DESC LIMIT 1"));
    open.Bind(1, r.user_id).Bind(2, r.account_id).Bind(3, r.isa).Bind(4, now);
    PSAFE_ASSIGN_OR_RETURN(bool exists, open.Step());
    if (exists) {
      const int64_t open_id = open.Int(0);
      if (option == domain::ConflictOption::kNone) {
        return Status::Conflict("an open request for this account exists (RequestID " +
                                std::to_string(open_id) + ")");
      }
      if (option == domain::ConflictOption::kReuse) {
        out.id = open_id;
        out.reused = true;
        PSAFE_RETURN_IF_ERROR(tx.Commit());
        return out;
      }
      PSAFE_ASSIGN_OR_RETURN(auto cancel, db().Prepare(
          "UPDATE requests SET status = 'Cancelled', cancelled_at = ?, version = version + 1 WHERE id = ?"));
      cancel.Bind(1, now).Bind(2, open_id);
      PSAFE_RETURN_IF_ERROR(cancel.Run());
      out.renewed_id = open_id;
    }
    if (max_open > 0) {
      PSAFE_ASSIGN_OR_RETURN(auto count, db().Prepare(
          "SELECT count(*) FROM requests WHERE account_id = ? AND status IN ('Pending','Approved')"
          " AND expires_at > ?"));
      count.Bind(1, r.account_id).Bind(2, now);
      PSAFE_RETURN_IF_ERROR(count.Step().status());
      if (count.Int(0) >= max_open) {
        return Status::Conflict("the account allows at most " + std::to_string(max_open) + " concurrent requests");
      }
    }
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO requests(user_id, account_id, system_id, access_type, reason, duration_minutes,"
        " status, required_approvals, rotate_on_checkin, isa, ticket_system_id, ticket_number,"
        " access_policy_schedule_id, created_at, expires_at, approved_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id"));
    st.Bind(1, r.user_id).Bind(2, r.account_id).Bind(3, r.system_id).Bind(4, r.access_type)
        .Bind(5, r.reason).Bind(6, r.duration_minutes).Bind(7, domain::RequestStatusName(r.status))
        .Bind(8, r.required_approvals).Bind(9, r.rotate_on_checkin).Bind(10, r.isa)
        .Bind(11, r.ticket_system_id).Bind(12, r.ticket_number).Bind(13, r.access_policy_schedule_id)
        .Bind(14, r.created_at).Bind(15, r.expires_at).Bind(16, r.approved_at);
    PSAFE_ASSIGN_OR_RETURN(out.id, Insert(st));
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return out;
  }

  Result<domain::Request> FindRequest(int64_t id) override {
    PSAFE_LEASE();
    return FindOne<domain::Request>(std::string(kRequestSelect) + " WHERE q.id = ?", id, ReadRequest,
                                    "request");
  }

  Result<std::vector<domain::Request>> ListRequests(const domain::RequestFilter& f, int64_t now) override {
    PSAFE_LEASE();
    std::string where;
    if (f.approver_queue) {
      where = " WHERE q.status = 'Pending' AND q.expires_at > ?2 AND q.user_id <> ?1"
              " AND NOT EXISTS (SELECT 1 FROM request_approvals d WHERE d.request_id = q.id AND d.user_id = ?1)"
              " AND EXISTS (" + GrantJoin("?1") + " AND ra.role_id IN (2, 3))";
    } else {
      where = " WHERE q.user_id = ?1";
      if (f.which == domain::RequestFilter::Which::kActive) where += " AND q.status = 'Approved' AND q.expires_at > ?2";
      if (f.which == domain::RequestFilter::Which::kPending) where += " AND q.status = 'Pending' AND q.expires_at > ?2";
    }
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(kRequestSelect) + where + " ORDER BY q.id"));
    st.Bind(1, f.user_id).Bind(2, now);
    return All<domain::Request>(st, ReadRequest);
  }

  Status UpdateRequest(const domain::Request& r) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "UPDATE requests SET status = ?, approved_at = ?, denied_at = ?, cancelled_at = ?,"
        " released_at = ?, rotate_on_checkin = ?, version = version + 1 WHERE id = ? AND version = ?"));
    st.Bind(1, domain::RequestStatusName(r.status)).Bind(2, r.approved_at).Bind(3, r.denied_at)
        .Bind(4, r.cancelled_at).Bind(5, r.released_at).Bind(6, r.rotate_on_checkin).Bind(7, r.id)
        .Bind(8, r.version);
    PSAFE_RETURN_IF_ERROR(st.Run());
    if (db().Changes() == 0) return Status::Conflict("request " + std::to_string(r.id) + " changed meanwhile");
    return Status::OK();
  }

  Status AddApproval(int64_t request_id, int64_t user_id, bool approve, std::string_view reason,
                     int64_t at) override {
    PSAFE_WRITE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "INSERT INTO request_approvals(request_id, user_id, decision, reason, at) VALUES (?,?,?,?,?)"));
    st.Bind(1, request_id).Bind(2, user_id).Bind(3, approve ? "approve" : "deny").Bind(4, reason).Bind(5, at);
    Status s = st.Run();
    if (s.code() == StatusCode::kAlreadyExists) return Status::Conflict("you already decided on this request");
    return s;
  }

  Result<std::vector<domain::Request>> ListOpenRequests(const domain::RequestScope& scope, int64_t now) override {
    PSAFE_LEASE();
    using Of = domain::RequestScope::Of;
    const char* column = scope.of == Of::kAccount ? "q.account_id" : scope.of == Of::kSystem ? "q.system_id" : "q.user_id";
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        std::string(kRequestSelect) + " WHERE " + column +
        " = ?1 AND q.status IN ('Pending','Approved') AND q.expires_at > ?2 ORDER BY q.id"));
    st.Bind(1, scope.id).Bind(2, now);
    return All<domain::Request>(st, ReadRequest);
  }

  Result<std::vector<domain::Request>> ListOpenRequestsExpiredBy(int64_t now) override {
    PSAFE_LEASE();
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        std::string(kRequestSelect) +
        " WHERE q.status IN ('Pending','Approved') AND q.expires_at <= ? ORDER BY q.id LIMIT 1000"));
    st.Bind(1, now);
    return All<domain::Request>(st, ReadRequest);
  }

  Status ReplaceCredentials(int64_t account_id, const domain::SealedCredentials& c, int64_t now,
                            std::optional<int64_t> next_change_at) override {
    PSAFE_WRITE_LEASE();
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    if (c.password) {
      PSAFE_ASSIGN_OR_RETURN(auto hist, db().Prepare(
          "INSERT INTO credential_history(account_id, version, password_ct, retired_at)"
          " SELECT id, credential_version, password_ct, ? FROM managed_accounts"
          " WHERE id = ? AND password_ct IS NOT NULL"));
      hist.Bind(1, now).Bind(2, account_id);
      PSAFE_RETURN_IF_ERROR(hist.Run());
    }
    PSAFE_ASSIGN_OR_RETURN(auto up, db().Prepare(
        "UPDATE managed_accounts SET password_ct = COALESCE(?1, password_ct),"
        " private_key_ct = COALESCE(?2, private_key_ct), passphrase_ct = COALESCE(?3, passphrase_ct),"
        " credential_version = credential_version + CASE WHEN ?1 IS NULL THEN 0 ELSE 1 END, last_change_at = ?4, next_change_at = ?6"
        " WHERE id = ?5"));
    up.Bind(1, c.password).Bind(2, c.private_key).Bind(3, c.passphrase).Bind(4, now).Bind(5, account_id)
        .Bind(6, next_change_at);
    PSAFE_RETURN_IF_ERROR(up.Run());
    if (db().Changes() == 0) return Status::NotFound("managed account not found");
    return tx.Commit();
  }

 private:
  // The connection this thread leased (PSAFE_LEASE) for the current call.
  // `change`, and one step of the authentication generation, in one transaction: nodes cache
  // what authenticating a session reads besides the session itself (its registration and
  // the user: domain/admission_cache.h) under the generation they read with the session, so
  // every change to a registration, its rules or links, a user or a group membership moves it.
  template <typename Change>
  auto ChangingAuth(const Change& change) -> decltype(change()) {
    Transaction tx(db());
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    PSAFE_RETURN_IF_ERROR(db().Exec("UPDATE auth_generation SET value = value + 1"));
    auto changed = change();
    if (!changed.ok()) return changed;
    PSAFE_RETURN_IF_ERROR(tx.Commit());
    return changed;
  }

  // The connection this thread's current store call runs on.
  SqlConnection& db() { return HoldsWriter() ? writer_->Current() : pool_->Current(); }
  bool HoldsWriter() const { return writer_ != nullptr && writer_->HeldByThisThread(); }
  ConnectionPool& WritePool() { return writer_ != nullptr ? *writer_ : *pool_; }

  ConnectionPool::Lease ReadLease(bool observes = true) {
    if (observes) NoteStoreUse();
    return HoldsWriter() ? writer_->Acquire() : pool_->Acquire();
  }

  // A write: the writer connection for its length and, for the outermost write on this
  // thread, one commit counted by Durability. Outside a DeferDurability scope the call is
  // back only once that commit is durable, and waits with the writer released.
  class WriteScope {
   public:
    explicit WriteScope(SqlStore& store, bool wait_on_exit = true)
        : durability_(*store.durability_), wait_on_exit_(wait_on_exit) {
      NoteStoreUse();
      lease_.emplace(store.WritePool().Acquire());
      if (!lease_->status().ok()) return;
      if (t_write_depth++ == 0) seq_ = durability_.BeginCommit();
    }
    ~WriteScope() {
      if (!lease_->status().ok()) return;
      --t_write_depth;
      lease_.reset();
      if (seq_ == 0) return;
      durability_.EndCommit(seq_);
      if (wait_on_exit_ && !DurabilityDeferred()) durability_.WaitAfterCommit(seq_);
    }
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;
    const Status& status() const { return lease_->status(); }
    uint64_t seq() const { return seq_; }

   private:
    Durability& durability_;
    const bool wait_on_exit_;
    std::optional<ConnectionPool::Lease> lease_;
    uint64_t seq_ = 0;
  };

  static int64_t LimitOf(const domain::Page& p) { return p.limit > 0 ? p.limit : INT64_MAX; }  // both dialects

  // Every setting of a system but its id, workgroup, asset and host keys.
  Status WriteSystemSettings(const ManagedSystem& m) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "UPDATE managed_systems SET name = ?2, platform_id = ?3, host_name = ?4, dns_name = ?5, ip_address = ?6,"
        " net_bios_name = ?7, description = ?8, contact_email = ?9, port = ?10, timeout_seconds = ?11,"
        " password_rule_id = ?12, release_duration = ?13, max_release_duration = ?14, isa_release_duration = ?15,"
        " auto_management = ?16, database_id = ?17, instance_name = ?18, use_ssl = ?19,"
        " functional_account_id = ?20, login_account_id = ?21, elevation_command = ?22,"
        " ssh_key_enforcement_mode = ?23, account_name_format = ?24, remote_client_type = ?25" +
        ChangeAssignments(26) + " WHERE id = ?1"));
    st.Bind(1, m.id).Bind(2, m.name).Bind(3, m.platform_id).Bind(4, m.host_name).Bind(5, m.dns_name)
        .Bind(6, m.ip_address).Bind(7, m.net_bios_name).Bind(8, m.description).Bind(9, m.contact_email)
        .Bind(10, m.port).Bind(11, m.timeout_seconds).Bind(12, m.password_rule_id).Bind(13, m.release_duration)
        .Bind(14, m.max_release_duration).Bind(15, m.isa_release_duration).Bind(16, m.auto_management)
        .Bind(17, m.database_id).Bind(18, m.instance_name).Bind(19, m.use_ssl).Bind(20, m.functional_account_id)
        .Bind(21, m.login_account_id).Bind(22, m.elevation_command).Bind(23, m.ssh_key_enforcement_mode)
        .Bind(24, m.account_name_format).Bind(25, m.remote_client_type);
    BindChange(st, 26, m.change);
    PSAFE_RETURN_IF_ERROR(st.Run());
    return db().Changes() == 0 ? Status::NotFound("managed system not found") : Status::OK();
  }

  // Every setting of an account but its id, system, credentials and change dates.
  Status WriteAccountSettings(const ManagedAccount& a) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
        "UPDATE managed_accounts SET name = ?2, domain_name = ?3, description = ?4, user_principal_name = ?5,"
        " sam_account_name = ?6, distinguished_name = ?7, password_rule_id = ?8, release_duration = ?9,"
        " max_release_duration = ?10, isa_release_duration = ?11, max_concurrent_requests = ?12,"
        " api_enabled = ?13, auto_management = ?14, password_fallback = ?15, next_change_at = ?16,"
        " use_own_credentials = ?17, dss_auto_management = ?18" + ChangeAssignments(19) + " WHERE id = ?1"));
    st.Bind(1, a.id).Bind(2, a.name).Bind(3, a.domain_name).Bind(4, a.description).Bind(5, a.user_principal_name)
        .Bind(6, a.sam_account_name).Bind(7, a.distinguished_name).Bind(8, a.password_rule_id)
        .Bind(9, a.release_duration).Bind(10, a.max_release_duration).Bind(11, a.isa_release_duration)
        .Bind(12, a.max_concurrent_requests).Bind(13, a.api_enabled).Bind(14, a.auto_management)
        .Bind(15, a.password_fallback).Bind(16, a.next_change_at).Bind(17, a.use_own_credentials)
        .Bind(18, a.dss_auto_management);
    BindChange(st, 19, a.change);
    PSAFE_RETURN_IF_ERROR(st.Run());
    return db().Changes() == 0 ? Status::NotFound("managed account not found") : Status::OK();
  }

  // Conflict while a managed system refers to `id` through `column`.
  Status RefuseWhileUsed(std::string_view column, int64_t id, std::string_view what) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT count(*) FROM managed_systems WHERE " +
                                                 std::string(column) + " = ?"));
    st.Bind(1, id);
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    const int64_t n = row ? st.Int(0) : 0;
    if (n == 0) return Status::OK();
    return Status::Conflict(std::string(what) + " is used by " + std::to_string(n) + " managed system(s)");
  }

  Status WriteRegistrationRules(int64_t id, const ApiRegistration& r) {
    for (size_t i = 0; i < r.ip_rules.size(); ++i) {
      PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
          "INSERT INTO api_registration_ip_rules(registration_id, position, type, value, description)"
          " VALUES (?,?,?,?,?)"));
      st.Bind(1, id).Bind(2, static_cast<int64_t>(i)).Bind(3, r.ip_rules[i].type).Bind(4, r.ip_rules[i].value)
          .Bind(5, r.ip_rules[i].description);
      PSAFE_RETURN_IF_ERROR(st.Run());
    }
    for (size_t i = 0; i < r.psrun_rules.size(); ++i) {
      PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(
          "INSERT INTO api_registration_psrun_rules(registration_id, position, " + std::string(kPsrunRuleCols) +
          ") VALUES (?,?,?,?,?,?,?,?,?,?)"));
      st.Bind(1, id).Bind(2, static_cast<int64_t>(i));
      for (size_t f = 0; f < kPsrunFactorCount; ++f) st.Bind(static_cast<int>(f) + 3, r.psrun_rules[i].expected[f]);
      PSAFE_RETURN_IF_ERROR(st.Run());
    }
    return Status::OK();
  }

  Status LoadRegistrationRules(ApiRegistration* r) {
    PSAFE_ASSIGN_OR_RETURN(auto ip, db().Prepare(
        "SELECT type, value, description FROM api_registration_ip_rules WHERE registration_id = ? ORDER BY position"));
    ip.Bind(1, r->id);
    PSAFE_ASSIGN_OR_RETURN(r->ip_rules, All<domain::IpRule>(ip, [](const Statement& s) {
      return domain::IpRule{s.Text(0), s.Text(1), s.Text(2)};
    }));
    PSAFE_ASSIGN_OR_RETURN(auto ps, db().Prepare(
        "SELECT " + std::string(kPsrunRuleCols) +
        " FROM api_registration_psrun_rules WHERE registration_id = ? ORDER BY position"));
    ps.Bind(1, r->id);
    PSAFE_ASSIGN_OR_RETURN(r->psrun_rules, All<domain::PsrunRule>(ps, [](const Statement& s) {
      domain::PsrunRule rule;
      for (size_t f = 0; f < kPsrunFactorCount; ++f) rule.expected[f] = s.Text(static_cast<int>(f));
      return rule;
    }));
    return Status::OK();
  }

  Result<ApiRegistration> WithRules(Result<ApiRegistration> r) {
    if (r.ok()) {
      PSAFE_RETURN_IF_ERROR(LoadRegistrationRules(&r.value()));
    }
    return r;
  }

  static void BindOptText(Statement& st, int i, const std::optional<std::string>& v) {
    if (v) st.Bind(i, std::string_view(*v)); else st.BindNull(i, SqlType::kText);
  }

  // Runs an INSERT ... RETURNING id and returns the id (RETURNING works alike in both dialects).
  static constexpr std::string_view kAliasSelect = "SELECT id, name, version FROM aliases";

  static domain::Alias ReadAlias(const Statement& st) {
    domain::Alias a;
    a.id = st.Int(0);
    a.name = st.Text(1);
    a.version = st.Int(2);
    return a;
  }

  Result<domain::Alias> WithAccounts(Result<domain::Alias> a) {
    if (!a.ok()) return a;
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare("SELECT account_id FROM alias_accounts WHERE alias_id = ? ORDER BY position"));
    st.Bind(1, a->id);
    PSAFE_ASSIGN_OR_RETURN(a->account_ids, All<int64_t>(st, [](const Statement& r) { return r.Int(0); }));
    return a;
  }

  Status WriteAliasAccounts(int64_t alias_id, const std::vector<int64_t>& account_ids) {
    for (size_t i = 0; i < account_ids.size(); ++i) {
      PSAFE_RETURN_IF_ERROR(Change("INSERT INTO alias_accounts(alias_id, position, account_id) VALUES (?1, ?2, ?3)",
                                   alias_id, static_cast<int64_t>(i), account_ids[i]).status());
    }
    return Status::OK();
  }

  static Result<int64_t> Insert(Statement& st) {
    PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Internal("INSERT returned no id");
    const int64_t id = st.Int(0);
    PSAFE_RETURN_IF_ERROR(st.Run());  // finished, so that its transaction can commit
    return id;
  }

  // Change() for a statement that must change a row: NotFound(`missing`) when it changed none.
  template <typename... Args>
  Status ChangeOne(std::string_view sql, std::string_view missing, const Args&... args) {
    PSAFE_ASSIGN_OR_RETURN(int changed, Change(sql, args...));
    return changed == 0 ? Status::NotFound(std::string(missing)) : Status::OK();
  }

  // Runs one statement with `args` bound to ?1, ?2, ... and returns how many rows it changed.
  template <typename... Args>
  Result<int> Change(std::string_view sql, const Args&... args) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(std::string(sql)));
    int i = 0;
    (st.Bind(++i, args), ...);
    PSAFE_RETURN_IF_ERROR(st.Run());
    return static_cast<int>(db().Changes());
  }

  Status DeleteById(const std::string& sql, int64_t id, const char* what) {
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(sql));
    st.Bind(1, id);
    Status s = st.Run();
    if (!s.ok()) {
      return s.code() == StatusCode::kConflict
                 ? Status::Conflict(std::string(what) + " is still in use")
                 : s;
    }
    if (db().Changes() == 0) return Status::NotFound(std::string(what) + " not found");
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
    PSAFE_ASSIGN_OR_RETURN(auto st, db().Prepare(sql));
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

  // Group commit (Atomically): the queue of waiting changes and the thread running a batch.
  std::mutex batch_mu_;
  std::condition_variable batch_cv_;
  std::vector<PendingChange*> pending_;
  bool leader_active_ = false;
  std::atomic<std::thread::id> batch_thread_{};
  size_t submissions_pending_ = 0;  // GUARDED_BY(batch_mu_): in pending_
  bool stop_committer_ = false;     // GUARDED_BY(batch_mu_)
  std::condition_variable committer_cv_;
  std::mutex audit_mac_mu_;
  AuditMacFn audit_mac_;  // GUARDED_BY(audit_mac_mu_); set once, before the first append
  // Destroyed last to first: the pools close before the syncer's last sync and stop.
  std::unique_ptr<Durability> durability_;
  std::unique_ptr<ConnectionPool> writer_;
  std::unique_ptr<ConnectionPool> pool_;
  std::thread committer_;  // last: started once everything above exists (SQLite only)
};

}  // namespace

namespace {

// Readers a SQLite store opens at most: one per thread calling it at once is enough.
constexpr size_t kSqliteReaders = 64;

Result<StorePtr> OpenOnPools(std::unique_ptr<ConnectionPool> pool, std::unique_ptr<ConnectionPool> writer,
                             std::unique_ptr<Durability> durability) {
  auto store = std::make_unique<SqlStore>(std::move(pool), std::move(writer), std::move(durability));
  PSAFE_RETURN_IF_ERROR(store->Migrate());
  return StorePtr(std::move(store));
}

}  // namespace

Result<StorePtr> OpenSqliteStore(const std::filesystem::path& path) {
  // Opened here, not on first use, so that a bad path fails at start (and WAL mode is set
  // before any reader opens).
  PSAFE_ASSIGN_OR_RETURN(auto first, OpenSqliteConnection(path, SqliteRole::kWriter));
  auto spare = std::make_shared<std::unique_ptr<SqlConnection>>(std::move(first));
  auto open_writer = [path, spare]() -> Result<std::unique_ptr<SqlConnection>> {
    if (*spare) return std::move(*spare);
    return OpenSqliteConnection(path, SqliteRole::kWriter);
  };
  auto open_reader = [path] { return OpenSqliteConnection(path, SqliteRole::kReader); };
  PSAFE_ASSIGN_OR_RETURN(auto sync, SqliteWalSync(path));
  // One writer: SQLite serialises writers anyway, and it keeps group commit one queue.
  return OpenOnPools(
      std::make_unique<ConnectionPool>(SqlDialect::kSqlite, std::move(open_reader), kSqliteReaders,
                                       std::chrono::hours(24)),
      std::make_unique<ConnectionPool>(SqlDialect::kSqlite, std::move(open_writer), 1, std::chrono::hours(24)),
      std::make_unique<Durability>(std::move(sync)));
}

Result<StorePtr> OpenPostgresStore(const PostgresOptions& options, size_t pool_size) {
  auto open = [options]() { return OpenPostgresConnection(options); };
  // Commits are durable (and replicated, with a synchronous standby) when they return.
  return OpenOnPools(std::make_unique<ConnectionPool>(SqlDialect::kPostgres, std::move(open), pool_size,
                                                      std::chrono::milliseconds(options.statement_timeout_ms)),
                     nullptr, std::make_unique<Durability>(nullptr));
}

}  // namespace psafe::store
