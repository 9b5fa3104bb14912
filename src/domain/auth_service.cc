#include "domain/auth_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "common/strings.h"
#include "common/utf8.h"
#include "crypto/psrun_signature.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"

namespace psafe::domain {

namespace {

constexpr std::string_view kNotAuthenticated = "User not authenticated";
// A failure record keeps at most this much of the name a caller claimed.
constexpr size_t kClaimedNameBytes = 64;

// "DOMAIN\user" → "user": users are local to psafed, the domain part is informational.
std::string_view BareUserName(std::string_view runas) {
  size_t slash = runas.find_last_of('\\');
  return slash == std::string_view::npos ? runas : runas.substr(slash + 1);
}

Status NotAuthenticated() { return Status::Unauthenticated(std::string(kNotAuthenticated)); }

// At most `max_bytes` of `s`, cut on a character boundary (the name keys a counter and
// names it in the audit trail, so it must stay UTF-8).
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  size_t n = 0;
  while (n < s.size()) {
    const Utf8Sequence seq = DecodeUtf8(s.substr(n));
    if (!seq.valid || n + seq.length > max_bytes) break;
    n += seq.length;
  }
  return s.substr(0, n);
}

}  // namespace

AuthService::AuthService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
                         AuditTrail& audit, AuthPolicy policy)
    : ports_(ports),
      keyring_(keyring),
      clock_(clock),
      audit_(audit),
      policy_(policy),
      failure_budget_(policy.failures_audited_per_window, policy.failure_audit_window_seconds) {}

Status AuthService::CheckNotLocked(LockCounters& counters) {
  for (LockCounter& c : counters) {
    PSAFE_ASSIGN_OR_RETURN(AuthFailureRecord r, ports_.lockouts.GetAuthFailures(c.subject));
    if (r.locked_until > clock_.NowSeconds()) {
      return Status::Locked("User locked out after repeated failed sign-ins; try again later");
    }
    c.held_failures = r.failures > 0 || r.locked_until != 0;
  }
  return Status::OK();
}

void AuthService::ClearFailures(const LockCounters& counters) {
  for (const LockCounter& c : counters) {
    if (c.held_failures) (void)ports_.lockouts.ClearAuthFailures(c.subject);
  }
}

// The record names no user: the caller is not authenticated, so the name is only claimed.
void AuthService::RecordFailure(const LockCounters& counters, std::string_view claimed_name,
                                std::string_view why, const ClientContext& client) {
  const int64_t now = clock_.NowSeconds();
  std::vector<AuthFailureRecord> records;
  bool locked = false;
  for (const LockCounter& c : counters) {
    AuthFailureRecord r;
    if (auto got = ports_.lockouts.GetAuthFailures(c.subject); got.ok()) r = *got;
    if (r.locked_until != 0 && r.locked_until <= now) r = AuthFailureRecord{};  // lock served
    r.failures += 1;
    r.last_failure_at = now;
    if (r.failures >= c.threshold) {
      r.locked_until = now + policy_.lockout_seconds;
      spdlog::warn("auth: {} locked out for {} s after {} consecutive failures", c.subject,
                   policy_.lockout_seconds, r.failures);
    }
    locked = locked || r.locked_until != 0;
    records.push_back(r);
  }
  int64_t suppressed = 0;
  const bool audited = failure_budget_.Admit(client.remote_address, now, &suppressed);
  if (!audited && counters.empty()) return;  // counted in the budget, nothing to store
  std::string detail = "{\"Reason\":" + AuditQuote(why, 200) + ",\"ClaimedUserName\":" +
                       AuditQuote(claimed_name, kClaimedNameBytes) + ",\"Source\":" +
                       AuditQuote(client.remote_address, 64);
  if (locked) detail += ",\"LockedOut\":true";
  if (suppressed > 0) detail += ",\"Suppressed\":" + std::to_string(suppressed);
  detail += "}";
  const AuditEvent event{0, "", "signin.failed", "Subject", counters.empty() ? "" : counters.front().subject, 0, detail,
                         client.remote_address};
  const auto count = [&]() -> Status {
    for (size_t i = 0; i < counters.size(); ++i) PSAFE_RETURN_IF_ERROR(ports_.lockouts.PutAuthFailures(counters[i].subject, records[i]));
    return Status::OK();
  };
  Status s = audited ? audit_.Record(event, count) : ports_.tx.Atomically(count);
  if (!s.ok()) spdlog::error("auth: cannot record failure: {}", s.ToString());
}

bool AuthService::VerifyPasswordOrBurn(const std::optional<std::string>& hash, std::string_view password) {
  if (hash) return crypto::VerifyPassword(*hash, password);
  std::call_once(dummy_once_, [this] { dummy_hash_ = crypto::HashPassword(crypto::RandomHex(32)); });
  (void)crypto::VerifyPassword(dummy_hash_, password);
  return false;
}

Result<User> AuthService::AdmittedUser(const ApiRegistration& reg, int64_t user_id) {
  auto user = ports_.identity.FindUserById(user_id);
  if (!user.ok()) {
    if (user.status().code() != StatusCode::kNotFound) return user.status();
    return NotAuthenticated();
  }
  if (!user->enabled) return NotAuthenticated();
  PSAFE_ASSIGN_OR_RETURN(bool admitted, ports_.registrations.IsUserAllowedForRegistration(reg.id, user->id));
  if (!admitted) return NotAuthenticated();
  return user;
}

Status AuthService::CheckTransport(const ApiRegistration& reg, const ClientContext& client) {
  if (!reg.enabled) return NotAuthenticated();
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
  // Only a verified signature may spend a nonce: junk cannot fill the table. The nonce is
  // spent in the store, so a replay is refused on every node; it must outlive every
  // timestamp that could still be accepted with it.
  if (f.nonce.size() < 16) return Status::Unauthenticated("PSRUN nonce replayed");
  PSAFE_ASSIGN_OR_RETURN(bool fresh, ports_.nonces.SpendNonce(keyring_.TokenHash("psrun-nonce:" + f.nonce), now,
                                                              now + 2 * kPsrunTimestampWindowSeconds));
  if (!fresh) return Status::Unauthenticated("PSRUN nonce replayed");
  return Status::OK();
}

Result<Principal> AuthService::VerifyApiKey(const ApiKeyCredentials& creds, const ClientContext& client,
                                            LockCounters* locks) {
  const std::string key_hash = keyring_.TokenHash(creds.key.view());
  auto reg = ports_.registrations.FindRegistrationByKeyHash(key_hash);
  if (!reg.ok()) {
    if (reg.status().code() != StatusCode::kNotFound) return reg.status();
    return NotAuthenticated();
  }
  // The index lookup matched on the hash; confirm in constant time all the same.
  if (!crypto::ConstantTimeEquals(reg->key_hash, key_hash) || !reg->enabled) return NotAuthenticated();
  const std::string_view user_name = BareUserName(creds.runas);
  if (user_name.empty()) return Status::Unauthenticated("runas user is required");
  // Two counters (docs/SECURITY.md, "Sign-in failures"): per source, which locks after the
  // usual threshold, so a holder of the key guessing a password elsewhere locks only their
  // own address; and per user, which locks after many more, so guessing spread over many
  // addresses is bounded too.
  const std::string user_subject = "reg:" + std::to_string(reg->id) + "/user:" +
                                   ToLowerAscii(Utf8Prefix(user_name, kClaimedNameBytes));
  *locks = {{user_subject + "/src:" + client.remote_address, policy_.lockout_threshold},
            {user_subject, int64_t{policy_.lockout_threshold} * kDistributedLockoutFactor}};
  PSAFE_RETURN_IF_ERROR(CheckNotLocked(*locks));
  // What the registration itself requires (its password requirement, IP and certificate
  // rules, PSRUN factors and signature) is checked before any user is looked at: a refusal
  // that depended on the user would tell who is linked.
  if (!creds.password && reg->user_password_required) return Status::Unauthenticated("User password required");
  PSAFE_RETURN_IF_ERROR(CheckClient(*reg, client, &creds.key));
  // Whoever the name turns out to be, the answer and the time it takes are the same.
  auto user = ports_.identity.FindUserByName(user_name);
  if (!user.ok() && user.status().code() != StatusCode::kNotFound) return user.status();
  // An OAuth client's own user acts only through that client's tokens, never as a runas.
  Result<User> admitted = user.ok() && !user->application ? AdmittedUser(*reg, user->id)
                                                          : Result<User>(NotAuthenticated());
  if (!admitted.ok() && admitted.status().code() != StatusCode::kUnauthenticated) return admitted.status();
  if (creds.password) {
    const bool verified = VerifyPasswordOrBurn(admitted.ok() ? admitted->password_hash : std::nullopt,
                                               creds.password->view());
    if (!verified) return NotAuthenticated();
  }
  if (!admitted.ok()) return NotAuthenticated();
  Principal p{std::move(admitted).value(), reg->id};
  p.password_verified = creds.password.has_value();
  p.remote_address = client.remote_address;
  return p;
}

Result<Principal> AuthService::AuthenticateApiKey(const ApiKeyCredentials& creds, const ClientContext& client) {
  // An unknown key locks nothing: keys are 512-bit random values, and counting them would
  // let junk grow the table.
  LockCounters locks;
  auto result = VerifyApiKey(creds, client, &locks);
  if (result.ok()) {
    ClearFailures(locks);
    return result;
  }
  if (result.status().code() == StatusCode::kUnauthenticated) {
    RecordFailure(locks, creds.runas, locks.empty() ? "unknown API key" : result.status().message(), client);
    spdlog::info("auth: API key sign-in failed ({})", locks.empty() ? "unknown key" : locks.front().subject);
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
  s.password_verified = p.password_verified;
  // Submitted: the token is ours already, and it leaves only once the session is durable.
  PSAFE_RETURN_IF_ERROR(audit_.Submit(
      AuditTrail::By(p, "signin", "Session", kind == SessionKind::kBearer ? "token" : "cookie", 0,
                     "{\"Method\":" + AuditQuote(method) + "}"),
      [this, s] { return ports_.sessions.CreateSession(s); }));
  return token;
}

Result<crypto::SecretString> AuthService::StartSession(const Principal& principal,
                                                       std::string_view method) {
  int64_t expires_at = clock_.NowSeconds() + policy_.session_max_seconds;
  if (principal.expires_at != 0) expires_at = std::min(expires_at, principal.expires_at);
  return CreateSession(SessionKind::kCookie, principal, expires_at, method);
}

std::string AuthService::CsrfToken(std::string_view session_token) const {
  return crypto::HexEncode(keyring_.TokenHash("csrf:" + std::string(session_token)).substr(0, 16));
}

bool AuthService::CsrfTokenMatches(std::string_view session_token, std::string_view presented) const {
  return crypto::ConstantTimeEquals(CsrfToken(session_token), presented);
}

Result<Principal> AuthService::SessionPrincipal(const Session& s, const ClientContext& client) {
  // The registration and the user as of the session's generation: from memory when nothing
  // that admits the user has changed since (domain/admission_cache.h), else from the store.
  AdmissionCache::EntryPtr admitted = admissions_.Find(s.registration_id, s.user_id, s.auth_generation);
  std::optional<ApiRegistration> fresh;
  if (admitted == nullptr) {
    auto reg = ports_.registrations.FindRegistrationById(s.registration_id);
    if (!reg.ok()) return reg.status().code() == StatusCode::kNotFound ? NotAuthenticated() : reg.status();
    fresh = std::move(reg).value();
  }
  const ApiRegistration& reg = admitted != nullptr ? admitted->registration : *fresh;
  PSAFE_RETURN_IF_ERROR(CheckTransport(reg, client));
  if (reg.user_password_required && !s.password_verified) {
    (void)ports_.sessions.DeleteSession(s.token_hash);
    return NotAuthenticated();
  }
  if (admitted == nullptr) {
    PSAFE_ASSIGN_OR_RETURN(User user, AdmittedUser(reg, s.user_id));
    admitted = admissions_.Put(s.auth_generation, {std::move(*fresh), std::move(user)});
  }
  Principal p{admitted->user, s.registration_id};
  p.expires_at = s.expires_at;
  p.password_verified = s.password_verified;
  p.remote_address = client.remote_address;
  return p;
}

Result<Principal> AuthService::AuthenticateSession(std::string_view session_token, const ClientContext& client) {
  const std::string hash = keyring_.TokenHash(session_token);
  auto s = ports_.sessions.FindSession(hash);
  const int64_t now = clock_.NowSeconds();
  // A store that cannot answer is not an answer: 503, not "no such session".
  if (!s.ok() && s.status().code() != StatusCode::kNotFound) return s.status();
  if (!s.ok() || s->kind != SessionKind::kCookie || !crypto::ConstantTimeEquals(s->token_hash, hash)) {
    return NotAuthenticated();
  }
  if (now - s->last_seen_at >= policy_.session_idle_seconds || (s->expires_at != 0 && s->expires_at <= now)) {
    (void)ports_.sessions.DeleteSession(hash);
    return Status::Unauthenticated("Session expired");
  }
  PSAFE_ASSIGN_OR_RETURN(Principal p, SessionPrincipal(*s, client));
  p.via_cookie = true;
  // Write at most every 15 s per session: idle expiry needs no finer grain.
  if (now - s->last_seen_at >= 15) {
    (void)ports_.tx.Submit([this, hash, now] {
      (void)ports_.sessions.TouchSession(hash, now);  // a session signed out meanwhile is no failure
      return Status::OK();
    });
  }
  return p;
}

Result<Principal> AuthService::AuthenticateBearer(std::string_view access_token, const ClientContext& client) {
  const std::string hash = keyring_.TokenHash(access_token);
  auto s = ports_.sessions.FindSession(hash);
  // A store that cannot answer is not an answer: 503, not "no such session".
  if (!s.ok() && s.status().code() != StatusCode::kNotFound) return s.status();
  if (!s.ok() || s->kind != SessionKind::kBearer || !crypto::ConstantTimeEquals(s->token_hash, hash) ||
      s->expires_at <= clock_.NowSeconds()) {
    return NotAuthenticated();
  }
  return SessionPrincipal(*s, client);
}

Status AuthService::EndSession(const Principal& p, std::string_view session_token) {
  // Submitted: the response, and so the client's next call, waits until the deletion is durable.
  return audit_.Submit(AuditTrail::By(p, "signout", "Session", "cookie"),
                       [this, hash = keyring_.TokenHash(session_token)] {
                         // Signed out meanwhile by a parallel call: signed out all the same.
                         Status s = ports_.sessions.DeleteSession(hash);
                         return s.code() == StatusCode::kNotFound ? Status::OK() : s;
                       });
}

Result<IssuedToken> AuthService::IssueToken(std::string_view client_id, std::string_view client_secret,
                                            const ClientContext& client) {
  // Locked per client *and* source: a guesser elsewhere cannot lock the real client out,
  // and client secrets are 192-bit random values, so the lock only slows a guesser down.
  LockCounters locks = {
      {"client:" + ToLowerAscii(Utf8Prefix(client_id, 64)) + "/src:" + client.remote_address, policy_.lockout_threshold}};
  PSAFE_RETURN_IF_ERROR(CheckNotLocked(locks));
  auto reg = ports_.registrations.FindRegistrationByClientId(client_id);
  // A store that cannot answer is not an answer: 503, not an unknown client, nor a failure counted against it.
  if (!reg.ok() && reg.status().code() != StatusCode::kNotFound) return reg.status();
  if (!reg.ok() || !reg->enabled ||
      !crypto::ConstantTimeEquals(reg->client_secret_hash, keyring_.TokenHash(client_secret))) {
    RecordFailure(reg.ok() ? locks : LockCounters{}, client_id, "invalid_client", client);
    spdlog::info("auth: OAuth token request failed for client {}", reg.ok() ? locks.front().subject : "(unknown)");
    return Status::Unauthenticated("invalid_client");
  }
  Status s = CheckClient(*reg, client, nullptr);
  if (s.ok() && reg->user_password_required) {
    s = Status::Unauthenticated("the registration requires a user password, which a client secret is not");
  }
  Result<User> user = s.ok() ? AdmittedUser(*reg, reg->oauth_user_id) : Result<User>(s);
  if (!user.ok()) {
    if (user.status().code() != StatusCode::kUnauthenticated) return user.status();
    RecordFailure(locks, client_id, user.status().message(), client);
    return user.status();
  }
  ClearFailures(locks);
  const int64_t expires_at = clock_.NowSeconds() + policy_.token_lifetime_seconds;
  Principal p{std::move(user).value(), reg->id};
  p.remote_address = client.remote_address;
  PSAFE_ASSIGN_OR_RETURN(crypto::SecretString token, CreateSession(SessionKind::kBearer, p, expires_at, "oauth"));
  return IssuedToken{std::move(token), policy_.token_lifetime_seconds};
}

Status AuthService::SweepExpired() {
  const int64_t now = clock_.NowSeconds();
  PSAFE_RETURN_IF_ERROR(ports_.sessions.DeleteExpiredSessions(now, now - policy_.session_idle_seconds));
  PSAFE_RETURN_IF_ERROR(ports_.nonces.DeleteExpiredNonces(now));
  // Failures count while they are recent: one lockout period without another forgets them,
  // so counts under made-up names cannot pile up.
  return ports_.lockouts.DeleteStaleAuthFailures(now - policy_.lockout_seconds, now);
}

}  // namespace psafe::domain
