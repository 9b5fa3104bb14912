// AuthService: proves who a caller is.
//  - API key sign-in (PS-Auth key/runas/pwd), with lockout after repeated failures per
//    (registration, user) pair. Every failure answers the same and costs the same time
//    (an Argon2id run whenever a password was sent), so neither tells who is linked.
//  - OAuth client credentials → bearer tokens with an absolute lifetime, acting as the
//    registration's bound user; lockout per (client, source address).
//  - Cookie sessions with an idle timeout (20 minutes by default, as the product) and an
//    absolute lifetime (8 hours; no longer than the token a session was made from).
//  - Every call re-checks what its session stands on: the registration (enabled, rules,
//    password requirement), the user (enabled, still admitted). Revocation is next-call.
// Tokens handed out are random 256-bit values; only their keyed hashes are stored, and
// every comparison of a presented secret goes through the keyed hash (a unique index
// lookup) plus a constant-time equality check.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/admission_cache.h"
#include "domain/audit_service.h"
#include "domain/client_rules.h"
#include "domain/failure_budget.h"
#include "domain/principal.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

struct AuthPolicy {
  int64_t session_idle_seconds = 20 * 60;
  int64_t session_max_seconds = 480 * 60;
  int failures_audited_per_window = 10;   // per source address (FailureBudget)
  int64_t failure_audit_window_seconds = 60;
  int64_t token_lifetime_seconds = 3600;
  int lockout_threshold = 5;
  int64_t lockout_seconds = 15 * 60;
};

struct ApiKeyCredentials {
  crypto::SecretString key;
  std::string runas;                          // may be DOMAIN\user
  std::optional<crypto::SecretString> password;
};

struct IssuedToken {
  crypto::SecretString access_token;
  int64_t expires_in = 0;
};

class AuthService {
 public:
  AuthService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
              AuditTrail& audit, AuthPolicy policy);

  // Also applies the registration's rules to `client` (domain/client_rules.h).
  Result<Principal> AuthenticateApiKey(const ApiKeyCredentials& creds, const ClientContext& client);
  // Sessions and tokens keep obeying their registration's IP rules and client-certificate
  // requirement on every call; factors and signature are checked at sign-in.
  Result<Principal> AuthenticateBearer(std::string_view access_token, const ClientContext& client);
  Result<Principal> AuthenticateSession(std::string_view session_token, const ClientContext& client);

  // Creates a cookie session for an authenticated principal (audited as a sign-in);
  // returns the cookie value. It ends no later than what `principal` signed in with.
  Result<crypto::SecretString> StartSession(const Principal& principal, std::string_view method);
  // Ends the cookie session `session_token` (audited as a sign-out by `p`).
  Status EndSession(const Principal& p, std::string_view session_token);
  // The CSRF token of a cookie session: a keyed hash of its cookie, so it cannot be made
  // without the cookie and needs no storage.
  std::string CsrfToken(std::string_view session_token) const;
  // Whether `presented` is that token (constant time).
  bool CsrfTokenMatches(std::string_view session_token, std::string_view presented) const;
  // IP rules, PSRUN rules and a required client certificate apply to OAuth clients too; a
  // registration that requires a user password issues no tokens (a client secret is not one).
  Result<IssuedToken> IssueToken(std::string_view client_id, std::string_view client_secret,
                                 const ClientContext& client);
  // Removes expired sessions and tokens, and failure counts older than a lockout period
  // (called periodically by the server).
  Status SweepExpired();

  const AuthPolicy& policy() const { return policy_; }

 private:
  // A failure counter (auth_failures row) and the failures it takes to lock.
  struct LockCounter {
    std::string subject;
    int64_t threshold = 0;  // wide: a configured threshold times the factor must not overflow
    bool held_failures = false;  // CheckNotLocked found failures to clear after a success
  };
  using LockCounters = std::vector<LockCounter>;
  // A user's own counter locks after this many times the per-source threshold.
  static constexpr int kDistributedLockoutFactor = 20;

  Result<Principal> VerifyApiKey(const ApiKeyCredentials& creds, const ClientContext& client, LockCounters* locks);
  // The registration's IP rules, client-certificate requirement, PSRUN rules and (with the
  // API key in hand) signature; without a key a required signature cannot be met.
  Status CheckClient(const ApiRegistration& reg, const ClientContext& client,
                     const crypto::SecretString* api_key);
  // What is re-checked on every call: the registration is enabled, IP rules, certificate.
  Status CheckTransport(const ApiRegistration& reg, const ClientContext& client);
  // The principal of a live session or token, once what it stands on still holds.
  Result<Principal> SessionPrincipal(const Session& s, const ClientContext& client);
  // The user `user_id`, enabled and admitted by `reg`.
  Result<User> AdmittedUser(const ApiRegistration& reg, int64_t user_id);
  Status CheckNotLocked(LockCounters& counters);
  // After a success: forgets the failures CheckNotLocked found (most sign-ins have none, and
  // write nothing).
  void ClearFailures(const LockCounters& counters);
  void RecordFailure(const LockCounters& counters, std::string_view claimed_name, std::string_view why,
                     const ClientContext& client);
  // Verifies `password` against `hash`, or burns the same time when there is none.
  bool VerifyPasswordOrBurn(const std::optional<std::string>& hash, std::string_view password);
  Result<crypto::SecretString> CreateSession(SessionKind kind, const Principal& p,
                                             int64_t expires_at, std::string_view method);

  Ports ports_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
  AuditTrail& audit_;
  AuthPolicy policy_;
  FailureBudget failure_budget_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;  // Argon2id of nothing anyone knows (VerifyPasswordOrBurn)
  AdmissionCache admissions_;  // registrations and users of sessions, by generation
};

}  // namespace psafe::domain
