#include "store/migrations.h"

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

constexpr std::string_view kMigrations[] = {kV1};

}  // namespace

std::span<const std::string_view> SqliteMigrations() { return kMigrations; }

}  // namespace psafe::store
