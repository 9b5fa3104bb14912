#include "store/migrations.h"

#include <iterator>
#include <string>

#include "store/sql_dialect.h"

namespace psafe::store {

namespace {

// Ids use AUTOINCREMENT so a deleted row's id never names a new one (a client holding
// an old id must get 404, not someone else's system). Times are Unix seconds (INTEGER). Names use NOCASE so look-ups match the product's
// case-insensitive behaviour and can use the unique indexes.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE keyring (
  version     INTEGER NOT NULL,
  purpose     TEXT    NOT NULL CHECK (purpose IN ('data','pepper')),
  sealed      BLOB    NOT NULL,
  PRIMARY KEY (purpose, version)
) STRICT;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  user_name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT NOT NULL DEFAULT '',
  email         TEXT NOT NULL DEFAULT '',
  password_hash TEXT,
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE user_groups (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  name             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description      TEXT NOT NULL DEFAULT '',
  is_administrator INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE user_group_members (
  group_id INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
) STRICT;
CREATE INDEX user_group_members_user ON user_group_members(user_id);

CREATE TABLE api_registrations (
  id                     INTEGER PRIMARY KEY AUTOINCREMENT,
  name                   TEXT NOT NULL UNIQUE COLLATE NOCASE,
  key_hash               BLOB NOT NULL UNIQUE,
  client_id              TEXT NOT NULL UNIQUE COLLATE NOCASE,
  client_secret_hash     BLOB NOT NULL,
  oauth_user_id          INTEGER NOT NULL REFERENCES users(id),
  user_password_required INTEGER NOT NULL DEFAULT 0,
  enabled                INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE api_registration_users (
  registration_id INTEGER NOT NULL REFERENCES api_registrations(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (registration_id, user_id)
) STRICT;

CREATE TABLE sessions (
  token_hash      BLOB PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('cookie','bearer')),
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  registration_id INTEGER NOT NULL REFERENCES api_registrations(id) ON DELETE CASCADE,
  created_at      INTEGER NOT NULL,
  last_seen_at    INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE TABLE auth_failures (
  subject         TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  locked_until    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE workgroups (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  organization_id TEXT NOT NULL,
  name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE assets (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  workgroup_id     INTEGER NOT NULL REFERENCES workgroups(id),
  name             TEXT NOT NULL COLLATE NOCASE,
  asset_type       TEXT NOT NULL DEFAULT '',
  dns_name         TEXT NOT NULL DEFAULT '',
  domain_name      TEXT NOT NULL DEFAULT '',
  ip_address       TEXT NOT NULL DEFAULT '',
  mac_address      TEXT NOT NULL DEFAULT '',
  operating_system TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX assets_workgroup ON assets(workgroup_id, id);

CREATE TABLE managed_systems (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  workgroup_id         INTEGER NOT NULL REFERENCES workgroups(id),
  asset_id             INTEGER REFERENCES assets(id),
  name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
  platform_id          INTEGER NOT NULL,
  host_name            TEXT NOT NULL DEFAULT '',
  dns_name             TEXT NOT NULL DEFAULT '',
  ip_address           TEXT NOT NULL DEFAULT '',
  net_bios_name        TEXT NOT NULL DEFAULT '',
  description          TEXT NOT NULL DEFAULT '',
  contact_email        TEXT NOT NULL DEFAULT '',
  port                 INTEGER NOT NULL DEFAULT 0,
  timeout_seconds      INTEGER NOT NULL DEFAULT 30,
  password_rule_id     INTEGER NOT NULL DEFAULT 0,
  release_duration     INTEGER NOT NULL,
  max_release_duration INTEGER NOT NULL,
  isa_release_duration INTEGER NOT NULL,
  auto_management      INTEGER NOT NULL DEFAULT 0,
  created_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX managed_systems_asset ON managed_systems(asset_id);

CREATE TABLE managed_accounts (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
  system_id               INTEGER NOT NULL REFERENCES managed_systems(id),
  name                    TEXT NOT NULL COLLATE NOCASE,
  domain_name             TEXT NOT NULL DEFAULT '',
  description             TEXT NOT NULL DEFAULT '',
  user_principal_name     TEXT NOT NULL DEFAULT '',
  sam_account_name        TEXT NOT NULL DEFAULT '',
  distinguished_name      TEXT NOT NULL DEFAULT '',
  password_rule_id        INTEGER NOT NULL DEFAULT 0,
  release_duration        INTEGER NOT NULL,
  max_release_duration    INTEGER NOT NULL,
  isa_release_duration    INTEGER NOT NULL,
  max_concurrent_requests INTEGER NOT NULL DEFAULT 1,
  api_enabled             INTEGER NOT NULL DEFAULT 1,
  auto_management         INTEGER NOT NULL DEFAULT 0,
  password_fallback       INTEGER NOT NULL DEFAULT 0,
  last_change_at          INTEGER,
  next_change_at          INTEGER,
  created_at              INTEGER NOT NULL,
  -- keyring-sealed credentials (never plaintext)
  password_ct             BLOB,
  private_key_ct          BLOB,
  passphrase_ct           BLOB,
  UNIQUE (system_id, name)
) STRICT;
CREATE INDEX managed_accounts_name ON managed_accounts(name);
)sql";


// v2: permission model, access requests, password rules, credential history, audit trail.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE user_groups ADD COLUMN is_active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_name TEXT NOT NULL DEFAULT '';

CREATE TABLE user_group_registrations (
  group_id        INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
  registration_id INTEGER NOT NULL REFERENCES api_registrations(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, registration_id)
) STRICT;

-- Selection criteria as SQL LIKE patterns (glob * ? translated, \ escapes); NULL = any.
CREATE TABLE smart_rules (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  title           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description     TEXT NOT NULL DEFAULT '',
  workgroup_name  TEXT COLLATE NOCASE,
  system_like     TEXT,
  account_like    TEXT,
  system_glob     TEXT,
  account_glob    TEXT,
  explicit_list   INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE smart_rule_accounts (
  rule_id    INTEGER NOT NULL REFERENCES smart_rules(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES managed_accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, account_id)
) STRICT;

CREATE TABLE access_policies (
  id                       INTEGER PRIMARY KEY AUTOINCREMENT,
  name                     TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description              TEXT NOT NULL DEFAULT '',
  required_approvals       INTEGER NOT NULL,
  default_duration_minutes INTEGER NOT NULL,
  max_duration_minutes     INTEGER NOT NULL,
  access_types             TEXT NOT NULL,          -- comma-separated View,RDP,SSH,App
  rotate_on_checkin        INTEGER NOT NULL DEFAULT 0,
  allow_reuse              INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE role_assignments (
  group_id         INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
  rule_id          INTEGER NOT NULL REFERENCES smart_rules(id) ON DELETE CASCADE,
  role_id          INTEGER NOT NULL CHECK (role_id BETWEEN 1 AND 5),
  access_policy_id INTEGER REFERENCES access_policies(id),
  PRIMARY KEY (group_id, rule_id, role_id)
) STRICT;
CREATE INDEX role_assignments_rule ON role_assignments(rule_id);

CREATE TABLE password_rules (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description         TEXT NOT NULL DEFAULT '',
  minimum_length      INTEGER NOT NULL,
  maximum_length      INTEGER NOT NULL,
  require_lowercase   INTEGER NOT NULL,
  require_uppercase   INTEGER NOT NULL,
  require_numeric     INTEGER NOT NULL,
  require_symbol      INTEGER NOT NULL,
  symbols             TEXT NOT NULL,
  excluded_characters TEXT NOT NULL DEFAULT ''
) STRICT;

ALTER TABLE managed_accounts ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE credential_history (
  account_id  INTEGER NOT NULL REFERENCES managed_accounts(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  password_ct BLOB,
  retired_at  INTEGER NOT NULL,
  PRIMARY KEY (account_id, version)
) STRICT;

CREATE TABLE requests (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id           INTEGER NOT NULL REFERENCES users(id),
  account_id        INTEGER NOT NULL REFERENCES managed_accounts(id) ON DELETE CASCADE,
  system_id         INTEGER NOT NULL,
  access_type       TEXT NOT NULL,
  reason            TEXT NOT NULL DEFAULT '',
  duration_minutes  INTEGER NOT NULL,
  status            TEXT NOT NULL,
  required_approvals INTEGER NOT NULL,
  rotate_on_checkin INTEGER NOT NULL DEFAULT 0,
  isa               INTEGER NOT NULL DEFAULT 0,
  ticket_system_id  INTEGER NOT NULL DEFAULT 0,
  ticket_number     TEXT NOT NULL DEFAULT '',
  access_policy_schedule_id INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  expires_at        INTEGER NOT NULL,
  approved_at       INTEGER,
  denied_at         INTEGER,
  cancelled_at      INTEGER,
  released_at       INTEGER,
  release_reason    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX requests_open ON requests(user_id, account_id, status);
CREATE INDEX requests_status ON requests(status, expires_at);

CREATE TABLE request_approvals (
  request_id  INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  decision    TEXT NOT NULL CHECK (decision IN ('approve','deny')),
  reason      TEXT NOT NULL DEFAULT '',
  at          INTEGER NOT NULL,
  PRIMARY KEY (request_id, user_id)
) STRICT;

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  user_id     INTEGER NOT NULL DEFAULT 0,
  user_name   TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  object_type TEXT NOT NULL DEFAULT '',
  object_id   TEXT NOT NULL DEFAULT '',
  account_id  INTEGER NOT NULL DEFAULT 0,
  detail      TEXT NOT NULL DEFAULT '',
  hash        BLOB NOT NULL
) STRICT;
CREATE INDEX audit_log_user ON audit_log(user_id, id);
CREATE INDEX audit_log_account ON audit_log(account_id, id);
)sql";

// v3: Secrets Safe.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE secret_folders (
  id            TEXT PRIMARY KEY COLLATE NOCASE,
  parent_id     TEXT REFERENCES secret_folders(id),
  name          TEXT NOT NULL COLLATE NOCASE,
  description   TEXT NOT NULL DEFAULT '',
  path          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  user_group_id INTEGER REFERENCES user_groups(id),
  created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX secret_folders_parent ON secret_folders(parent_id);

CREATE TABLE secret_folder_grants (
  folder_id TEXT NOT NULL REFERENCES secret_folders(id) ON DELETE CASCADE,
  group_id  INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
  access    INTEGER NOT NULL CHECK (access BETWEEN 1 AND 3),
  PRIMARY KEY (folder_id, group_id)
) STRICT;

CREATE TABLE secrets (
  id                TEXT PRIMARY KEY COLLATE NOCASE,
  folder_id         TEXT NOT NULL REFERENCES secret_folders(id),
  title             TEXT NOT NULL COLLATE NOCASE,
  description       TEXT NOT NULL DEFAULT '',
  type              TEXT NOT NULL CHECK (type IN ('Credential','Text','File')),
  username          TEXT NOT NULL DEFAULT '',
  file_name         TEXT NOT NULL DEFAULT '',
  file_size         INTEGER NOT NULL DEFAULT 0,
  notes             TEXT NOT NULL DEFAULT '',
  urls              TEXT NOT NULL DEFAULT '[]',
  owners            TEXT NOT NULL DEFAULT '[]',
  owner_id          INTEGER NOT NULL DEFAULT 0,
  owner_type        TEXT NOT NULL DEFAULT 'User',
  password_rule_id  INTEGER NOT NULL DEFAULT 0,
  value_ct          BLOB NOT NULL,
  created_at        INTEGER NOT NULL,
  created_by        TEXT NOT NULL,
  modified_at       INTEGER NOT NULL,
  modified_by       TEXT NOT NULL,
  value_modified_at INTEGER NOT NULL,
  UNIQUE (folder_id, title)
) STRICT;
CREATE INDEX secrets_title ON secrets(title);
CREATE INDEX secrets_modified ON secrets(modified_at);
)sql";

// v4: registration rules (docs/psrun2.md, "Registration rules").
constexpr std::string_view kV4 = R"sql(
ALTER TABLE api_registrations ADD COLUMN verify_psrun_signature INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_registrations ADD COLUMN client_certificate_required INTEGER NOT NULL DEFAULT 0;
CREATE TABLE api_registration_ip_rules (
  registration_id INTEGER NOT NULL REFERENCES api_registrations(id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  type            TEXT NOT NULL,
  value           TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (registration_id, position)
) STRICT;
CREATE TABLE api_registration_psrun_rules (
  registration_id INTEGER NOT NULL REFERENCES api_registrations(id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  ip_address      TEXT NOT NULL DEFAULT '',
  mac_address     TEXT NOT NULL DEFAULT '',
  system_name     TEXT NOT NULL DEFAULT '',
  fqdn            TEXT NOT NULL DEFAULT '',
  domain_name     TEXT NOT NULL DEFAULT '',
  user_id         TEXT NOT NULL DEFAULT '',
  root_volume_id  TEXT NOT NULL DEFAULT '',
  os_version      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (registration_id, position)
) STRICT;
)sql";

// v5: the security review (docs/SECURITY.md, "Registrations and OAuth clients").
// Until v4 a registration admitted its creator implicitly and its OAuth client acted as the
// creator. Only the first registration (`psafed init`'s, the lowest id) is the
// administrator's own. On every other one, the direct user links are removed (they all came
// from that side effect: no call made any other) and the OAuth client is rebound to an
// application user of its own, in no group, linked to that registration only. Every session
// and token ends: they predate the absolute lifetime and the password check.
constexpr std::string_view kV5 = R"sql(
ALTER TABLE users ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN application INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN password_verified INTEGER NOT NULL DEFAULT 0;
DELETE FROM sessions;
DELETE FROM api_registration_users
  WHERE registration_id > (SELECT MIN(id) FROM api_registrations);
INSERT INTO users(user_name, name, created_at, application)
  SELECT 'oauth-' || lower(client_id), 'OAuth client of ' || name, CAST(strftime('%s','now') AS INTEGER), 1
  FROM api_registrations WHERE id > (SELECT MIN(id) FROM api_registrations);
UPDATE api_registrations
  SET oauth_user_id = (SELECT u.id FROM users u WHERE u.user_name = 'oauth-' || lower(api_registrations.client_id))
  WHERE id > (SELECT MIN(id) FROM api_registrations);
INSERT INTO api_registration_users(registration_id, user_id)
  SELECT id, oauth_user_id FROM api_registrations WHERE id > (SELECT MIN(id) FROM api_registrations);
CREATE INDEX api_registration_users_user ON api_registration_users(user_id);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_registration ON sessions(registration_id);
)sql";

// v6: real rotation (docs/ROTATION.md): how systems are reached and changed, functional
// accounts, databases, each account's change policy, and the rotation in flight per account.
constexpr std::string_view kV6 = R"sql(
ALTER TABLE managed_systems ADD COLUMN database_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN instance_name TEXT NOT NULL DEFAULT '';
ALTER TABLE managed_systems ADD COLUMN use_ssl INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN functional_account_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN login_account_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN elevation_command TEXT NOT NULL DEFAULT '';
ALTER TABLE managed_systems ADD COLUMN ssh_key_enforcement_mode INTEGER NOT NULL DEFAULT 1;
ALTER TABLE managed_systems ADD COLUMN account_name_format INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN remote_client_type TEXT NOT NULL DEFAULT 'None';
ALTER TABLE managed_systems ADD COLUMN host_key TEXT NOT NULL DEFAULT '';
ALTER TABLE managed_systems ADD COLUMN host_key_offered TEXT NOT NULL DEFAULT '';
ALTER TABLE managed_systems ADD COLUMN change_frequency_type TEXT NOT NULL DEFAULT 'first';
ALTER TABLE managed_systems ADD COLUMN change_frequency_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE managed_systems ADD COLUMN change_time TEXT NOT NULL DEFAULT '23:30';
ALTER TABLE managed_systems ADD COLUMN check_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN change_after_release INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_systems ADD COLUMN reset_on_mismatch INTEGER NOT NULL DEFAULT 0;

ALTER TABLE managed_accounts ADD COLUMN use_own_credentials INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_accounts ADD COLUMN change_frequency_type TEXT NOT NULL DEFAULT 'first';
ALTER TABLE managed_accounts ADD COLUMN change_frequency_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE managed_accounts ADD COLUMN change_time TEXT NOT NULL DEFAULT '23:30';
ALTER TABLE managed_accounts ADD COLUMN check_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_accounts ADD COLUMN change_after_release INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_accounts ADD COLUMN reset_on_mismatch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE managed_accounts ADD COLUMN last_checked_at INTEGER;
ALTER TABLE managed_accounts ADD COLUMN dss_auto_management INTEGER NOT NULL DEFAULT 0;
CREATE INDEX managed_accounts_next_change ON managed_accounts(next_change_at) WHERE auto_management = 1;

CREATE TABLE functional_accounts (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  platform_id       INTEGER NOT NULL,
  account_name      TEXT NOT NULL,
  domain_name       TEXT NOT NULL DEFAULT '',
  display_name      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description       TEXT NOT NULL DEFAULT '',
  elevation_command TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL,
  -- keyring-sealed (never plaintext, never returned)
  password_ct       BLOB,
  private_key_ct    BLOB,
  passphrase_ct     BLOB
) STRICT;

CREATE TABLE databases (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  asset_id            INTEGER NOT NULL REFERENCES assets(id),
  platform_id         INTEGER NOT NULL,
  instance_name       TEXT NOT NULL,
  is_default_instance INTEGER NOT NULL DEFAULT 0,
  port                INTEGER NOT NULL,
  version             TEXT NOT NULL DEFAULT '',
  template            TEXT NOT NULL DEFAULT '',
  UNIQUE (asset_id, instance_name)
) STRICT;

-- One row per account whose credential is being changed (or whose last change failed).
-- step: queued -> pending -> pushed -> (row deleted on commit) | failed.
CREATE TABLE rotations (
  account_id             INTEGER PRIMARY KEY REFERENCES managed_accounts(id) ON DELETE CASCADE,
  step                   TEXT NOT NULL,
  version                INTEGER NOT NULL,
  trigger_name           TEXT NOT NULL,
  pending_password_ct    BLOB,
  pending_private_key_ct BLOB,
  pending_passphrase_ct  BLOB,
  attempts               INTEGER NOT NULL DEFAULT 0,
  next_try_at            INTEGER NOT NULL,
  last_error             TEXT NOT NULL DEFAULT '',
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX rotations_due ON rotations(next_try_at);
)sql";

// Several nodes on one database: what used to live in one process's memory.
constexpr std::string_view kV7 = R"sql(
-- PSRUN nonces spent (by keyed hash), so that a replay is refused on every node.
CREATE TABLE psrun_nonces (
  nonce_hash BLOB PRIMARY KEY,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX psrun_nonces_expiry ON psrun_nonces(expires_at);

-- Background work one node at a time runs (domain/work_lease.h).
CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// The rotation planner looks for accounts due a check after every check-in: without this,
// each pass scanned every account (61 ms at 200,000 accounts, while SQLite's one connection
// made every other request wait).
constexpr std::string_view kV8 = R"sql(
CREATE INDEX managed_accounts_check ON managed_accounts(last_checked_at, id) WHERE check_password = 1;
)sql";

// One row: moved in the same transaction as every change to a registration (its rules, its
// user and group links), a user or a group membership, and read with every session, so a
// node may keep what authenticating a session reads besides the session in memory and know,
// on every call, whether any node has changed it since (domain/admission_cache.h).
constexpr std::string_view kV9 = R"sql(
CREATE TABLE auth_generation (
  value INTEGER NOT NULL
) STRICT;
INSERT INTO auth_generation(value) VALUES (0);
)sql";

// Aliases (domain/alias.h), and the address of each audited call.
constexpr std::string_view kV10 = R"sql(
CREATE TABLE aliases (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
  version INTEGER NOT NULL DEFAULT 1
) STRICT;

-- An account's deletion unmaps it; the alias stays, with whatever else is mapped. Its state
-- (unmapped, mapped, several) follows from how many are.
CREATE TABLE alias_accounts (
  alias_id   INTEGER NOT NULL REFERENCES aliases(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES managed_accounts(id) ON DELETE CASCADE,
  PRIMARY KEY (alias_id, position),
  UNIQUE (alias_id, account_id)
) STRICT;
CREATE INDEX alias_accounts_account ON alias_accounts(account_id);

-- Where each audited call came from (GET UserAudits' IPAddress); empty for older records
-- and for psafed's own work.
ALTER TABLE audit_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::string_view kMigrations[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8, kV9, kV10};

}  // namespace

Result<int64_t> SchemaVersion(SqlConnection& db) {
  if (db.dialect() == SqlDialect::kPostgres) {
    PSAFE_RETURN_IF_ERROR(db.Exec(
        "CREATE EXTENSION IF NOT EXISTS citext; "
        "CREATE TABLE IF NOT EXISTS psafe_schema (version BIGINT NOT NULL)"));
  }
  PSAFE_ASSIGN_OR_RETURN(auto st, db.Prepare(db.dialect() == SqlDialect::kPostgres
                                                 ? "SELECT COALESCE(max(version), 0) FROM psafe_schema"
                                                 : "PRAGMA user_version"));
  PSAFE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

namespace {

Status SetSchemaVersion(SqlConnection& db, int64_t version) {
  if (db.dialect() == SqlDialect::kSqlite) return db.Exec("PRAGMA user_version = " + std::to_string(version));
  return db.Exec("DELETE FROM psafe_schema; INSERT INTO psafe_schema(version) VALUES (" + std::to_string(version) + ")");
}

// Every step, for what one step's translation needs to know of the others.
const std::string& Schema() {
  static const std::string all = [] {
    std::string s;
    for (std::string_view step : kMigrations) s += std::string(step) + "\n";
    return s;
  }();
  return all;
}

}  // namespace

int64_t KnownSchemaVersion() { return static_cast<int64_t>(std::size(kMigrations)); }

Status ApplyMigrations(SqlConnection& db) {
  for (;;) {
    PSAFE_ASSIGN_OR_RETURN(int64_t version, SchemaVersion(db));
    if (version > KnownSchemaVersion()) {
      return Status::Corruption("database schema version " + std::to_string(version) +
                                " is newer than this psafed understands (" + std::to_string(KnownSchemaVersion()) + ")");
    }
    if (version == KnownSchemaVersion()) return Status::OK();
    Transaction tx(db);
    PSAFE_RETURN_IF_ERROR(tx.begin_status());
    // Read again under the write lock: another node may have migrated meanwhile.
    PSAFE_ASSIGN_OR_RETURN(int64_t locked, SchemaVersion(db));
    if (locked != version) continue;
    const std::string_view step = kMigrations[version];
    PSAFE_RETURN_IF_ERROR(db.Exec(db.dialect() == SqlDialect::kPostgres ? PostgresDdl(step, Schema()) : std::string(step)));
    PSAFE_RETURN_IF_ERROR(SetSchemaVersion(db, version + 1));
    PSAFE_RETURN_IF_ERROR(tx.Commit());
  }
}

}  // namespace psafe::store
