// Identity model: users, the groups that grant administration, API registrations
// (application keys and OAuth clients bound to users) and sessions.
// Plain values: no JSON, no SQL. Secrets appear here only as hashes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/psrun_factors.h"

namespace psafe::domain {

struct User {
  int64_t id = 0;
  std::string user_name;       // unique, case-insensitive
  std::string name;            // display name
  std::string email;
  std::string first_name;
  std::string last_name;
  std::optional<std::string> password_hash;  // Argon2id; absent = no password set
  bool is_administrator = false;             // derived: member of an administrators' group
  bool enabled = true;                       // a disabled user cannot sign in; its sessions end
  // An OAuth client's own identity (created with its registration): it acts only through
  // that client's tokens and can never be named as a PS-Auth runas user.
  bool application = false;
  int64_t created_at = 0;
};

struct UserGroup {
  int64_t id = 0;
  std::string name;
  std::string description;
  bool is_administrator = false;
  bool is_active = true;
  std::vector<int64_t> registration_ids;  // API registrations members may sign in with
};

// An API registration: one application key (PS-Auth) plus one OAuth client.
// Only keyed hashes of the key and client secret are kept.
// Where a registration may be used from: one address, a range or a CIDR block
// (docs/psrun2.md, "Registration rules").
struct IpRule {
  std::string type;   // SingleIP | IPRange | CIDR
  std::string value;  // 10.0.0.5 | 10.0.0.1-10.0.0.9 | 10.0.0.0/24
  std::string description;
};

// One PSRUN rule: the value expected for each factor (common/psrun_factors.h order);
// "" accepts anything, '*' and '?' are wildcards, the IP address may be a range or CIDR.
struct PsrunRule {
  std::array<std::string, kPsrunFactorCount> expected;
};

struct ApiRegistration {
  int64_t id = 0;
  std::string name;
  std::string key_hash;            // Keyring::TokenHash(api key)
  std::string client_id;           // GUID, public
  std::string client_secret_hash;  // Keyring::TokenHash(client secret)
  // The one user an OAuth token acts as: named when the registration is created, or an
  // application user psafed creates for it. Never implied by who created it, and it must
  // stay admitted by the registration (a link) for its tokens to work.
  int64_t oauth_user_id = 0;
  bool user_password_required = false;
  bool enabled = true;
  bool verify_psrun_signature = false;
  bool client_certificate_required = false;
  std::vector<IpRule> ip_rules;        // none = any address
  std::vector<PsrunRule> psrun_rules;  // none = no factor check
};

enum class SessionKind { kCookie, kBearer };

struct Session {
  std::string token_hash;          // Keyring::TokenHash(cookie value or access token)
  SessionKind kind = SessionKind::kCookie;
  int64_t user_id = 0;
  int64_t registration_id = 0;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;          // absolute expiry; 0 = idle expiry only (sessions made before v5)
  bool password_verified = false;  // the user's password was checked at sign-in
  // Read with the session (FindSession): the store's authentication generation, which every
  // change to a registration or a user moves (domain/admission_cache.h).
  int64_t auth_generation = 0;
};

// Which sessions and tokens to end (DeleteSessions); 0 = any.
struct SessionScope {
  int64_t user_id = 0;
  int64_t registration_id = 0;
  bool only_without_password = false;  // keep those signed in with the user's password
  bool only_bearer = false;            // OAuth tokens only
};

// Who a registration admits besides group links: users linked directly and groups linked.
struct RegistrationLinks {
  std::vector<int64_t> user_ids;
  std::vector<int64_t> group_ids;
};

// Consecutive failed sign-ins for one subject (an API key hash or a user).
struct AuthFailureRecord {
  int failures = 0;
  int64_t last_failure_at = 0;
  int64_t locked_until = 0;
};

}  // namespace psafe::domain
