// Managed estate model: workgroups contain assets; managed systems (usually on an asset)
// hold managed accounts whose credentials psafed keeps. Plain values, no JSON, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
  bool has_password = false;      // derived: a credential is stored
  bool has_private_key = false;
};

// Auto-managed accounts are rotated every kChangeFrequencyDays (the product's
// ChangeFrequencyDays default, which the account shapes report).
inline constexpr int64_t kChangeFrequencyDays = 30;

// NextChangeDate after the credentials changed at `changed_at`: only auto-managed
// accounts have a schedule.
inline std::optional<int64_t> NextChangeAt(const ManagedAccount& a, int64_t changed_at) {
  if (!a.auto_management) return std::nullopt;
  return changed_at + kChangeFrequencyDays * 86400;
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

struct Page {
  int64_t limit = 0;  // 0 = no limit
  int64_t offset = 0;
};

template <typename T>
struct Paged {
  std::vector<T> items;
  int64_t total = 0;
};

struct SystemFilter {
  std::optional<std::string> name;  // exact, case-insensitive
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
