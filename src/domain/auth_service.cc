#include "domain/auth_service.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "common/strings.h"
#include "crypto/psrun_signature.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"

namespace psafe::domain {

namespace {

constexpr std::string_view kNotAuthenticated = "User not authenticated";

// "DOMAIN\user" → "user": users are local to psafed, the domain part is informational.
std::string_view BareUserName(std::string_view runas) {
  size_t slash = runas.find_last_of('\\');
  return slash == std::string_view::npos ? runas : runas.substr(slash + 1);
}

}  // namespace

AuthService::AuthService(store::Store& store, const crypto::Keyring& keyring, const Clock& clock,
                         AuditTrail& audit, AuthPolicy policy)
    : store_(store), keyring_(keyring), clock_(clock), audit_(audit), policy_(policy) {}

Status AuthService::CheckNotLocked(const std::string& subject) {
  PSAFE_ASSIGN_OR_RETURN(AuthFailureRecord r, store_.GetAuthFailures(subject));
  if (r.locked_until > clock_.NowSeconds()) {
    return Status::Locked("User locked out after repeated failed sign-ins; try again later");
  }
  return Status::OK();
}

void AuthService::RecordFailure(const std::string& subject, std::string_view user_name,
                                std::string_view why) {
  AuditEvent event{0, std::string(user_name), "signin.failed", "Subject", subject, 0,
                   "{\"Reason\":\"" + std::string(why) + "\"}"};
  if (subject.empty()) {  // unknown key: nothing to count, but on record
    Status s = audit_.Record(event, [] { return Status::OK(); });
    if (!s.ok()) spdlog::error("auth: cannot audit failure: {}", s.ToString());
    return;
  }
  auto got = store_.GetAuthFailures(subject);
  AuthFailureRecord r = got.ok() ? *got : AuthFailureRecord{};
  const int64_t now = clock_.NowSeconds();
  if (r.locked_until != 0 && r.locked_until <= now) r = AuthFailureRecord{};  // lock served
  r.failures += 1;
  r.last_failure_at = now;
  if (r.failures >= policy_.lockout_threshold) {
    r.locked_until = now + policy_.lockout_seconds;
    spdlog::warn("auth: {} locked out for {} s after {} consecutive failures", subject,
                 policy_.lockout_seconds, r.failures);
  }
  if (r.locked_until != 0) event.detail = "{\"Reason\":\"" + std::string(why) + "\",\"LockedOut\":true}";
  Status s = audit_.Record(event, [&] { return store_.PutAuthFailures(subject, r); });
  if (!s.ok()) spdlog::error("auth: cannot record failure: {}", s.ToString());
}

Result<Principal> AuthService::PrincipalFor(int64_t user_id, int64_t registration_id) {
  auto user = store_.FindUserById(user_id);
  if (!user.ok()) return Status::Unauthenticated(std::string(kNotAuthenticated));
  return Principal{std::move(user).value(), registration_id};
}

Status AuthService::CheckTransport(const ApiRegistration& reg, const ClientContext& client) {
  if (!reg.enabled) return Status::Unauthenticated(std::string(kNotAuthenticated));
  if (!reg.ip_rules.empty()) {
    bool allowed = false;
    for (const IpRule& r : reg.ip_rules) allowed = allowed || IpMatches(r.value, client.remote_address);
    if (!allowed) return Status::Unauthenticated("address " + client.remote_address + " is not allowed");
  }
  if (reg.client_certificate_required && !client.client_certificate) {
    return Status::Unauthenticated("client certificate required");
  }
  return Status::OK();
}

Status AuthService::CheckSessionClient(int64_t registration_id, const ClientContext& client) {
  PSAFE_ASSIGN_OR_RETURN(ApiRegistration reg, store_.FindRegistrationById(registration_id));
  return CheckTransport(reg, client);
}

Status AuthService::CheckClient(const ApiRegistration& reg, const ClientContext& client,
                                const crypto::SecretString* api_key) {
  PSAFE_RETURN_IF_ERROR(CheckTransport(reg, client));
  if (reg.psrun_rules.empty() && !reg.verify_psrun_signature) return Status::OK();
  if (!client.factors) return Status::Unauthenticated("PSRUN factors required");
  const PsrunFactors& f = *client.factors;
  if (!reg.psrun_rules.empty()) {
    bool passed = false;
    for (const PsrunRule& r : reg.psrun_rules) passed = passed || PsrunRuleMatches(r, f, client.remote_address);
    if (!passed) return Status::Unauthenticated("PSRUN factors match no rule");
  }
  if (!reg.verify_psrun_signature) return Status::OK();
  // The signature is keyed from the API key: an OAuth client cannot produce one.
  if (api_key == nullptr) return Status::Unauthenticated("PSRUN signature verification needs an API-key sign-in");
  if (f.version != kPsrunProtocol) return Status::Unauthenticated("unsupported PSRUN protocol version");
  int64_t ts = 0;
  auto [end, ec] = std::from_chars(f.timestamp.data(), f.timestamp.data() + f.timestamp.size(), ts);
  const int64_t now = clock_.NowSeconds();
  if (ec != std::errc() || end != f.timestamp.data() + f.timestamp.size() ||
      ts < now - kPsrunTimestampWindowSeconds || ts > now + kPsrunTimestampWindowSeconds) {
    return Status::Unauthenticated("PSRUN timestamp outside the allowed window");
  }
  const std::string expected = crypto::PsrunSignature(api_key->view(), PsrunCanonicalString(f, client.method, client.path));
  if (!crypto::ConstantTimeEquals(expected, ToLowerAscii(f.signature))) {
    return Status::Unauthenticated("PSRUN signature mismatch");
  }
  // Only a verified signature may spend a nonce: junk cannot fill the cache.
  if (f.nonce.size() < 16 || !nonces_.Remember(f.nonce, now)) return Status::Unauthenticated("PSRUN nonce replayed");
  return Status::OK();
}

Result<Principal> AuthService::VerifyApiKey(const ApiKeyCredentials& creds, const ClientContext& client,
                                            std::string* lock_subject) {
  const std::string key_hash = keyring_.TokenHash(creds.key.view());
  auto reg = store_.FindRegistrationByKeyHash(key_hash);
  if (!reg.ok()) {
    if (reg.status().code() != StatusCode::kNotFound) return reg.status();
    return Status::Unauthenticated(std::string(kNotAuthenticated));
  }
  // The index lookup matched on the hash; confirm in constant time all the same.
  if (!crypto::ConstantTimeEquals(reg->key_hash, key_hash) || !reg->enabled) {
    return Status::Unauthenticated(std::string(kNotAuthenticated));
  }
  const std::string_view user_name = BareUserName(creds.runas);
  *lock_subject = "reg:" + std::to_string(reg->id) + "/user:" + ToLowerAscii(user_name);
  PSAFE_RETURN_IF_ERROR(CheckNotLocked(*lock_subject));
  if (user_name.empty()) return Status::Unauthenticated("runas user is required");
  auto user = store_.FindUserByName(user_name);
  if (!user.ok()) return Status::Unauthenticated(std::string(kNotAuthenticated));
  PSAFE_ASSIGN_OR_RETURN(bool allowed, store_.IsUserAllowedForRegistration(reg->id, user->id));
  if (!allowed) return Status::Unauthenticated(std::string(kNotAuthenticated));
  if (creds.password.has_value()) {
    if (!user->password_hash || !crypto::VerifyPassword(*user->password_hash, creds.password->view())) {
      return Status::Unauthenticated(std::string(kNotAuthenticated));
    }
  } else if (reg->user_password_required) {
    return Status::Unauthenticated("User password required");
  }
  PSAFE_RETURN_IF_ERROR(CheckClient(*reg, client, &creds.key));
  return Principal{std::move(user).value(), reg->id};
}

Result<Principal> AuthService::AuthenticateApiKey(const ApiKeyCredentials& creds, const ClientContext& client) {
  // Failures count per (registration, user) pair. An unknown key locks nothing: keys are
  // 512-bit random values, and counting them would let junk grow the table.
  std::string subject;
  auto result = VerifyApiKey(creds, client, &subject);
  if (result.ok()) {
    (void)store_.ClearAuthFailures(subject);
    return result;
  }
  if (result.status().code() == StatusCode::kUnauthenticated) {
    RecordFailure(subject, creds.runas, subject.empty() ? "unknown API key" : result.status().message());
    spdlog::info("auth: API key sign-in failed ({})", subject.empty() ? "unknown key" : subject);
  }
  return result.status();
}

Result<crypto::SecretString> AuthService::CreateSession(SessionKind kind, const Principal& p,
                                                        int64_t expires_at, std::string_view method) {
  crypto::SecretString token(crypto::RandomHex(32));
  const int64_t now = clock_.NowSeconds();
  Session s;
  s.token_hash = keyring_.TokenHash(token.view());
  s.kind = kind;
  s.user_id = p.user.id;
  s.registration_id = p.registration_id;
  s.created_at = now;
  s.last_seen_at = now;
  s.expires_at = expires_at;
  PSAFE_RETURN_IF_ERROR(audit_.Record(
      AuditTrail::By(p, "signin", "Session", kind == SessionKind::kBearer ? "token" : "cookie", 0,
                     "{\"Method\":\"" + std::string(method) + "\"}"),
      [&] { return store_.CreateSession(s); }));
  return token;
}

Result<crypto::SecretString> AuthService::StartSession(const Principal& principal,
                                                       std::string_view method) {
  return CreateSession(SessionKind::kCookie, principal, 0, method);
}

Result<Principal> AuthService::AuthenticateSession(std::string_view session_token, const ClientContext& client) {
  const std::string hash = keyring_.TokenHash(session_token);
  auto s = store_.FindSession(hash);
  const int64_t now = clock_.NowSeconds();
  if (!s.ok() || s->kind != SessionKind::kCookie || !crypto::ConstantTimeEquals(s->token_hash, hash)) {
    return Status::Unauthenticated(std::string(kNotAuthenticated));
  }
  if (now - s->last_seen_at >= policy_.session_idle_seconds) {
    (void)store_.DeleteSession(hash);
    return Status::Unauthenticated("Session expired");
  }
  PSAFE_RETURN_IF_ERROR(CheckSessionClient(s->registration_id, client));
  // Write at most every 15 s per session: idle expiry needs no finer grain.
  if (now - s->last_seen_at >= 15) (void)store_.TouchSession(hash, now);
  return PrincipalFor(s->user_id, s->registration_id);
}

Result<Principal> AuthService::AuthenticateBearer(std::string_view access_token, const ClientContext& client) {
  const std::string hash = keyring_.TokenHash(access_token);
  auto s = store_.FindSession(hash);
  if (!s.ok() || s->kind != SessionKind::kBearer || !crypto::ConstantTimeEquals(s->token_hash, hash) ||
      s->expires_at <= clock_.NowSeconds()) {
    return Status::Unauthenticated(std::string(kNotAuthenticated));
  }
  PSAFE_RETURN_IF_ERROR(CheckSessionClient(s->registration_id, client));
  return PrincipalFor(s->user_id, s->registration_id);
}

Status AuthService::EndSession(const Principal& p, std::string_view session_token) {
  return audit_.Record(AuditTrail::By(p, "signout", "Session", "cookie"),
                       [&] { return store_.DeleteSession(keyring_.TokenHash(session_token)); });
}

Result<IssuedToken> AuthService::IssueToken(std::string_view client_id, std::string_view client_secret,
                                            const ClientContext& client) {
  const std::string subject = "client:" + ToLowerAscii(client_id.substr(0, 64));
  PSAFE_RETURN_IF_ERROR(CheckNotLocked(subject));
  auto reg = store_.FindRegistrationByClientId(client_id);
  if (!reg.ok() || !reg->enabled ||
      !crypto::ConstantTimeEquals(reg->client_secret_hash, keyring_.TokenHash(client_secret))) {
    RecordFailure(reg.ok() ? subject : std::string(), "", "invalid_client");
    spdlog::info("auth: OAuth token request failed for client {}", reg.ok() ? subject : "(unknown)");
    return Status::Unauthenticated("invalid_client");
  }
  if (Status s = CheckClient(*reg, client, nullptr); !s.ok()) {
    RecordFailure(subject, "", s.message());
    return s;
  }
  (void)store_.ClearAuthFailures(subject);
  PSAFE_ASSIGN_OR_RETURN(Principal p, PrincipalFor(reg->oauth_user_id, reg->id));
  const int64_t expires_at = clock_.NowSeconds() + policy_.token_lifetime_seconds;
  PSAFE_ASSIGN_OR_RETURN(crypto::SecretString token,
                         CreateSession(SessionKind::kBearer, p, expires_at, "oauth"));
  return IssuedToken{std::move(token), policy_.token_lifetime_seconds};
}

Status AuthService::SweepExpired() {
  const int64_t now = clock_.NowSeconds();
  return store_.DeleteExpiredSessions(now, now - policy_.session_idle_seconds);
}

}  // namespace psafe::domain
