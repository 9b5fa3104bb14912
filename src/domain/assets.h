// Managed estate model: workgroups contain assets; managed systems (usually on an asset)
// hold managed accounts whose credentials psafed keeps. Plain values, no JSON, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/change_policy.h"
#include "domain/paging.h"

namespace psafe::domain {

struct Workgroup {
  int64_t id = 0;
  std::string organization_id;  // GUID
  std::string name;
  std::string description;
};

struct Asset {
  int64_t id = 0;
  int64_t workgroup_id = 0;
  std::string name;
  std::string asset_type;
  std::string dns_name;
  std::string domain_name;
  std::string ip_address;
  std::string mac_address;
  std::string operating_system;
  std::string description;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct ManagedSystem {
  int64_t id = 0;
  int64_t workgroup_id = 0;
  std::optional<int64_t> asset_id;
  std::string name;
  int64_t platform_id = 0;
  std::string host_name;
  std::string dns_name;
  std::string ip_address;
  std::string net_bios_name;
  std::string description;
  std::string contact_email;
  int64_t port = 0;
  int64_t timeout_seconds = 30;
  int64_t password_rule_id = 0;
  int64_t release_duration = 120;        // minutes
  int64_t max_release_duration = 525600;
  int64_t isa_release_duration = 120;
  bool auto_management = false;
  int64_t created_at = 0;
  // How psafe reaches the target and changes credentials there (docs/ROTATION.md).
  int64_t database_id = 0;          // a database's system: the database (its asset is the host)
  std::string instance_name;        // PostgreSQL: the database psafe connects to
  bool use_ssl = false;             // TLS to the target (LDAP StartTLS, PostgreSQL verify-full)
  int64_t functional_account_id = 0;
  int64_t login_account_id = 0;
  std::string elevation_command;    // e.g. sudo; the functional account's own if empty
  int64_t ssh_key_enforcement_mode = 1;  // 0 none, 1 pin on first contact, 2 accepted keys only
  int64_t account_name_format = 0;
  std::string remote_client_type = "None";
  std::string host_key;             // the pinned SSH host key ("SHA256:..."), empty = none yet
  std::string host_key_offered;     // the last key a target offered that was refused
  ChangePolicy change;              // the default of the system's new accounts
};

// A database on an asset: a managed system is created on it for its accounts (roles).
struct Database {
  int64_t id = 0;
  int64_t asset_id = 0;
  int64_t platform_id = 0;
  std::string instance_name;
  bool is_default_instance = false;
  int64_t port = 0;
  std::string version;
  std::string template_name;
};

// The account psafe signs in with to change managed accounts' credentials on a target.
// Its secrets are sealed like every credential and never leave psafe through the API.
struct FunctionalAccount {
  int64_t id = 0;
  int64_t platform_id = 0;
  std::string account_name;   // user, role, or bind DN
  std::string domain_name;
  std::string display_name;
  std::string description;
  std::string elevation_command;
  int64_t created_at = 0;
  int64_t system_reference_count = 0;  // derived: systems that use it
};

struct ManagedAccount {
  int64_t id = 0;
  int64_t system_id = 0;
  std::string name;
  std::string domain_name;
  std::string description;
  std::string user_principal_name;
  std::string sam_account_name;
  std::string distinguished_name;
  int64_t password_rule_id = 0;
  int64_t release_duration = 120;
  int64_t max_release_duration = 525600;
  int64_t isa_release_duration = 120;
  int64_t max_concurrent_requests = 1;
  bool api_enabled = true;
  bool auto_management = false;
  bool password_fallback = false;
  std::optional<int64_t> last_change_at;
  std::optional<int64_t> next_change_at;
  int64_t created_at = 0;
  bool use_own_credentials = false;  // no functional account: the account changes itself
  bool dss_auto_management = false;  // its SSH key rotates with its password (SSH platforms)
  ChangePolicy change;
  bool has_password = false;      // derived: a credential is stored
  bool has_private_key = false;
  int64_t change_state = 0;       // derived: the product's ChangeState (0 idle, 1 changing, 2 queued)
  std::string change_error;       // derived: why the last change failed, empty if it did not
};

// NextChangeDate after the credentials changed at `changed_at`: only auto-managed
// accounts have a schedule.
inline std::optional<int64_t> NextChangeAt(const ManagedAccount& a, int64_t changed_at) {
  if (!a.auto_management) return std::nullopt;
  // The spread key is stable for the account and known before it has an id.
  uint64_t key = 1469598103934665603u ^ static_cast<uint64_t>(a.system_id);
  for (unsigned char c : a.name) key = (key ^ c) * 1099511628211u;
  return NextScheduledChange(a.change, changed_at, static_cast<int64_t>(key >> 1));
}

// An account joined with the system it lives on: the "requestable account" view.
struct AccountView {
  ManagedAccount account;
  ManagedSystem system;
  std::string workgroup_name;
};

// Credentials of a managed account, already sealed by the keyring (the store never sees
// plaintext). Empty optional = not set.
struct SealedCredentials {
  std::optional<std::string> password;
  std::optional<std::string> private_key;
  std::optional<std::string> passphrase;
};

struct SystemFilter {
  std::optional<std::string> name;  // exact, case-insensitive
  std::optional<int64_t> workgroup_id;
  std::optional<int64_t> asset_id;
  Page page;
};

// The product's ManagedAccounts `type` filter.
enum class AccountType {
  kAny,           // system, recent: every account psafed manages is a system account
  kDomainLinked,  // accounts with a domain
  kNone,          // database, cloud, application: kinds psafed does not manage yet
};

struct AccountFilter {
  AccountType type = AccountType::kAny;
  std::optional<std::string> system_name;
  std::optional<std::string> account_name;
  std::optional<int64_t> system_id;
  std::optional<std::string> workgroup_name;
  std::optional<std::string> ip_address;
  std::optional<int64_t> visible_to_user;  // scope to accounts this user may request; empty = all
  bool api_enabled_only = false;           // only accounts with API access (requestable)
  Page page;
};

}  // namespace psafe::domain
