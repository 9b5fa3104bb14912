// AuthService: proves who a caller is.
//  - API key sign-in (PS-Auth key/runas/pwd), with lockout after repeated failures per
//    (registration, user) pair, and per unknown key.
//  - OAuth client credentials → bearer tokens with an absolute lifetime.
//  - Cookie sessions with an idle timeout (20 minutes by default, as the product).
// Tokens handed out are random 256-bit values; only their keyed hashes are stored, and
// every comparison of a presented secret goes through the keyed hash (a unique index
// lookup) plus a constant-time equality check.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/audit_service.h"
#include "domain/client_rules.h"
#include "domain/principal.h"
#include "store/store.h"

namespace psafe::domain {

struct AuthPolicy {
  int64_t session_idle_seconds = 20 * 60;
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
  AuthService(store::Store& store, const crypto::Keyring& keyring, const Clock& clock,
              AuditTrail& audit, AuthPolicy policy);

  // Also applies the registration's rules to `client` (domain/client_rules.h).
  Result<Principal> AuthenticateApiKey(const ApiKeyCredentials& creds, const ClientContext& client);
  // Sessions and tokens keep obeying their registration's IP rules and client-certificate
  // requirement on every call; factors and signature are checked at sign-in.
  Result<Principal> AuthenticateBearer(std::string_view access_token, const ClientContext& client);
  Result<Principal> AuthenticateSession(std::string_view session_token, const ClientContext& client);

  // Creates a cookie session for an authenticated principal (audited as a sign-in);
  // returns the cookie value.
  Result<crypto::SecretString> StartSession(const Principal& principal, std::string_view method);
  // Ends the cookie session `session_token` (audited as a sign-out by `p`).
  Status EndSession(const Principal& p, std::string_view session_token);
  // IP rules and a required client certificate apply to OAuth clients too.
  Result<IssuedToken> IssueToken(std::string_view client_id, std::string_view client_secret,
                                 const ClientContext& client);
  // Removes expired sessions and tokens (called periodically by the server).
  Status SweepExpired();

  const AuthPolicy& policy() const { return policy_; }

 private:
  Result<Principal> VerifyApiKey(const ApiKeyCredentials& creds, const ClientContext& client,
                                 std::string* lock_subject);
  // The registration's IP rules, client-certificate requirement, PSRUN rules and (with the
  // API key in hand) signature; without a key a required signature cannot be met.
  Status CheckClient(const ApiRegistration& reg, const ClientContext& client,
                     const crypto::SecretString* api_key);
  // What is re-checked on every call: the registration is enabled, IP rules, certificate.
  Status CheckTransport(const ApiRegistration& reg, const ClientContext& client);
  Status CheckSessionClient(int64_t registration_id, const ClientContext& client);
  Result<Principal> PrincipalFor(int64_t user_id, int64_t registration_id);
  Status CheckNotLocked(const std::string& subject);
  void RecordFailure(const std::string& subject, std::string_view user_name, std::string_view why);
  Result<crypto::SecretString> CreateSession(SessionKind kind, const Principal& p,
                                             int64_t expires_at, std::string_view method);

  store::Store& store_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
  AuditTrail& audit_;
  AuthPolicy policy_;
  NonceCache nonces_;
};

}  // namespace psafe::domain
