#include "domain/rotation_service.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "common/crash_point.h"
#include "domain/audit.h"
#include "domain/platforms.h"

namespace psafe::domain {

namespace {

AuditEvent ByPsafed(std::string action, int64_t account_id, std::string detail = "") {
  return AuditEvent{0, "psafed", std::move(action), "ManagedAccount", std::to_string(account_id), account_id,
                    std::move(detail)};
}

AuditEvent ByActor(const Principal* p, std::string action, int64_t account_id, std::string detail) {
  if (p == nullptr) return ByPsafed(std::move(action), account_id, std::move(detail));
  return AuditTrail::By(*p, std::move(action), "ManagedAccount", std::to_string(account_id), account_id,
                        std::move(detail));
}

std::string Detail(std::string_view trigger, const std::string& error = "") {
  std::string d = "{\"Trigger\":" + AuditQuote(trigger);
  if (!error.empty()) d += ",\"Error\":" + AuditQuote(error, 300);
  return d + "}";
}

const char* BoolText(bool b) { return b ? "true" : "false"; }

}  // namespace

// Everything one connector call needs. Secrets are held here, wiped with it; the
// TargetLogin views are made at the call, so moving a Target never leaves one dangling.
struct RotationService::Target {
  TargetConnector* connector = nullptr;
  TargetAddress address;
  HostKeyCheck host_key;
  std::string functional_name;  // empty: the account changes itself
  crypto::SecretString fa_password, fa_private_key, fa_passphrase;
  std::string elevation;
  std::string account;  // the managed account as the target names it
  bool keys = false;    // DSSAutoManagementFlag on a platform whose connector rotates keys

  TargetLogin Functional() const {
    return TargetLogin{functional_name, fa_password.view(), fa_private_key.view(), fa_passphrase.view()};
  }
};

Result<PasswordRule> PasswordRuleFor(const Ports& ports, const ManagedAccount& account) {
  if (account.password_rule_id == 0) return PasswordRule{};
  auto rule = ports.permissions.FindPasswordRule(account.password_rule_id);
  if (!rule.ok() && rule.status().code() == StatusCode::kNotFound) return PasswordRule{};
  return rule;
}

RotationService::RotationService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock,
                                 AuditTrail& audit, ConnectorFor connectors, RotationOptions options)
    : ports_(ports), keyring_(keyring), clock_(clock), audit_(audit), connectors_(std::move(connectors)),
      options_(options) {}

bool RotationService::ChangesTarget(const AccountView& a) {
  const Platform* platform = FindPlatform(a.system.platform_id);
  return platform != nullptr && Manageable(*platform) && a.account.auto_management &&
         (a.system.functional_account_id != 0 || a.account.use_own_credentials);
}

SealedCredentials RotationService::Seal(int64_t account_id, const NewCredentials& creds) const {
  SealedCredentials sealed;
  const auto seal = [&](const std::optional<crypto::SecretString>& v, std::string_view field) {
    return v && !v->empty() ? std::optional(keyring_.Seal(v->view(), CredentialContext(account_id, field)))
                            : std::nullopt;
  };
  sealed.password = seal(creds.password, "password");
  sealed.private_key = seal(creds.private_key, "private_key");
  sealed.passphrase = seal(creds.passphrase, "passphrase");
  return sealed;
}

// --- Triggers -------------------------------------------------------------------------

Status RotationService::QueueInTransaction(const Principal* by, const AccountView& a, std::string_view trigger) {
  const int64_t now = clock_.NowSeconds();
  if (!ChangesTarget(a)) {
    // Changing only psafe's copy would leave it serving a password the target does not
    // know: the trigger is recorded and nothing changes. The schedule moves on.
    if (trigger == "schedule") {
      ManagedAccount next = a.account;
      next.next_change_at = NextChangeAt(a.account, now);
      PSAFE_RETURN_IF_ERROR(ports_.estate.UpdateManagedAccount(next));
    }
    return ports_.audit_log.AppendAudit(ByActor(by, "credential.rotate.skipped", a.account.id,
                                      "{\"Trigger\":" + AuditQuote(trigger) + ",\"Reason\":" +
                                          AuditQuote(WhyNotChanged(a)) + "}"),
                              now);
  }
  PSAFE_ASSIGN_OR_RETURN(std::optional<Rotation> existing, ports_.rotations.FindRotation(a.account.id));
  Rotation r;
  if (existing) {
    if (existing->step != RotationStep::kFailed) return Status::OK();  // that change covers this one
    // A failed change keeps its pending credential (the target may hold it): it is tried
    // again now, which settles on whichever credential opens the target.
    r = std::move(*existing);
    r.next_try_at = now;
    r.updated_at = now;
  } else {
    r.account_id = a.account.id;
    r.trigger = std::string(trigger);
    r.next_try_at = now;
    r.created_at = r.updated_at = now;
  }
  PSAFE_RETURN_IF_ERROR(ports_.rotations.PutRotation(r));
  return ports_.audit_log.AppendAudit(ByActor(by, "credential.change.queued", a.account.id, Detail(trigger)), now);
}

std::string RotationService::WhyNotChanged(const AccountView& a) {
  const Platform* platform = FindPlatform(a.system.platform_id);
  if (platform == nullptr || !Manageable(*platform)) return "the platform has no connector";
  if (!a.account.auto_management) return "the account is not auto-managed";
  return "the system has no functional account and the account does not use its own credentials";
}

Status RotationService::ReplaceLocally(const Principal& p, const AccountView& a, SealedCredentials sealed,
                                       bool generated) {
  return audit_.Record(
      AuditTrail::By(p, "credential.reset", "ManagedAccount", std::to_string(a.account.id), a.account.id,
                     std::string("{\"Generated\":") + BoolText(generated) + ",\"UpdateSystem\":false}"),
      [&]() -> Status {
        // psafe's copy may not move under a change that is on its way to the target. A
        // failed one is abandoned: an administrator who sets psafe's copy alone says what
        // the target holds, and the failed change must not overwrite it later.
        PSAFE_ASSIGN_OR_RETURN(std::optional<Rotation> inflight, ports_.rotations.FindRotation(a.account.id));
        if (inflight && inflight->step != RotationStep::kFailed) {
          return Status::Conflict("a credential change of the account is in progress");
        }
        if (inflight) PSAFE_RETURN_IF_ERROR(ports_.rotations.DeleteRotation(a.account.id, inflight->version));
        const int64_t now = clock_.NowSeconds();
        return ports_.estate.ReplaceCredentials(a.account.id, sealed, now, NextChangeAt(a.account, now));
      });
}

Status RotationService::Change(const Principal& p, int64_t account_id, NewCredentials creds, bool update_system,
                               bool queue, std::string_view trigger) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(AccountView a, ports_.estate.FindManagedAccount(account_id));
  const bool generated = !creds.password || creds.password->empty();
  if (generated) {
    PSAFE_ASSIGN_OR_RETURN(PasswordRule rule, PasswordRuleFor(ports_, a.account));
    creds.password = GeneratePassword(rule);
  }
  SealedCredentials sealed = Seal(account_id, creds);
  if (!update_system || !ChangesTarget(a)) return ReplaceLocally(p, a, std::move(sealed), generated);

  // A failed change may have left its pending credential on the target: it is settled
  // before a new one starts, so no credential that opens the target is ever dropped.
  PSAFE_ASSIGN_OR_RETURN(std::optional<Rotation> failed, ports_.rotations.FindRotation(account_id));
  if (failed && failed->step == RotationStep::kFailed) {
    Status settled = Run(account_id);
    PSAFE_ASSIGN_OR_RETURN(failed, ports_.rotations.FindRotation(account_id));
    if (failed) return AsOutcome(settled.ok() ? Status::Conflict("the last change is still settling") : settled);
  }
  const int64_t now = clock_.NowSeconds();
  PSAFE_RETURN_IF_ERROR(audit_.Record(
      AuditTrail::By(p, "credential.change.queued", "ManagedAccount", std::to_string(account_id), account_id,
                     "{\"Trigger\":" + AuditQuote(trigger) + ",\"Generated\":" + BoolText(generated) +
                         ",\"UpdateSystem\":true}"),
      [&]() -> Status {
        Rotation r;  // version 0: an insert, Conflict if another change began meanwhile
        r.account_id = account_id;
        r.trigger = std::string(trigger);
        r.pending_password = sealed.password;
        r.pending_private_key = sealed.private_key;
        r.pending_passphrase = sealed.passphrase;
        // Made in this call: the planner leaves it alone unless this call dies under it.
        r.next_try_at = queue ? now : now + kInlineGraceSeconds;
        r.created_at = r.updated_at = now;
        return ports_.rotations.PutRotation(r);
      }));
  if (queue) {
    Kick();
    return Status::OK();
  }
  return AsOutcome(Run(account_id));
}

// What the caller of a change made now is told of a target out of reach.
Status RotationService::AsOutcome(const Status& ran) {
  if (ran.code() != StatusCode::kUnavailable) return ran;
  return Status::Unavailable(ran.message() + "; the change is queued and will be retried");
}

Status RotationService::ChangeSystem(const Principal& p, int64_t system_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_RETURN_IF_ERROR(ports_.estate.FindManagedSystem(system_id).status());
  AccountFilter f;
  f.system_id = system_id;
  PSAFE_ASSIGN_OR_RETURN(auto accounts, ports_.estate.ListManagedAccounts(f));
  for (const AccountView& a : accounts.items) {
    if (!ChangesTarget(a)) continue;
    PSAFE_RETURN_IF_ERROR(ports_.tx.Atomically([&] { return QueueInTransaction(&p, a, "change"); }));
  }
  Kick();
  return Status::OK();
}

// --- Reaching the target ----------------------------------------------------------------

Result<RotationService::Target> RotationService::TargetFor(const AccountView& a, bool with_functional) {
  const Platform* platform = FindPlatform(a.system.platform_id);
  if (platform == nullptr || !Manageable(*platform)) {
    return Status::InvalidArgument("platform " + std::to_string(a.system.platform_id) +
                                   " has no connector: psafe cannot reach its accounts");
  }
  Target t;
  t.connector = connectors_(platform->connector);
  if (t.connector == nullptr) return Status::Internal("no connector for platform " + std::string(platform->name));
  const ManagedSystem& s = a.system;
  t.address.host = !s.ip_address.empty() ? s.ip_address : !s.dns_name.empty() ? s.dns_name : s.host_name;
  if (t.address.host.empty()) return Status::InvalidArgument("the managed system has no address (IPAddress or DnsName)");
  t.address.port = s.port != 0 ? s.port : platform->default_port;
  t.address.timeout_seconds = s.timeout_seconds;
  t.address.database = s.instance_name;
  t.address.use_tls = s.use_ssl;
  t.host_key.mode = s.ssh_key_enforcement_mode;
  t.host_key.pinned = s.host_key;
  // A directory names its accounts by DN; hosts and databases by name.
  t.account = platform->target == TargetKind::kDirectory && !a.account.distinguished_name.empty()
                  ? a.account.distinguished_name
                  : a.account.name;
  t.keys = a.account.dss_auto_management && t.connector->RotatesKeys();
  if (!with_functional || a.account.use_own_credentials) return t;
  if (s.functional_account_id == 0) {
    return Status::InvalidArgument("the system has no functional account and the account does not use its own "
                                   "credentials");
  }
  Result<FunctionalAccount> found = ports_.estate.FindFunctionalAccount(s.functional_account_id);
  if (!found.ok() && found.status().code() == StatusCode::kNotFound) {
    return Status::InvalidArgument("the system's FunctionalAccountID " + std::to_string(s.functional_account_id) +
                                   " is not a functional account");
  }
  PSAFE_ASSIGN_OR_RETURN(FunctionalAccount fa, std::move(found));
  PSAFE_ASSIGN_OR_RETURN(SealedCredentials sealed, ports_.estate.GetFunctionalAccountSecrets(fa.id));
  const auto unseal = [&](const std::optional<std::string>& blob, std::string_view field,
                          crypto::SecretString* out) -> Status {
    if (!blob) return Status::OK();
    PSAFE_ASSIGN_OR_RETURN(*out, keyring_.Unseal(*blob, FunctionalContext(fa.id, field)));
    return Status::OK();
  };
  PSAFE_RETURN_IF_ERROR(unseal(sealed.password, "password", &t.fa_password));
  PSAFE_RETURN_IF_ERROR(unseal(sealed.private_key, "private_key", &t.fa_private_key));
  PSAFE_RETURN_IF_ERROR(unseal(sealed.passphrase, "passphrase", &t.fa_passphrase));
  t.functional_name = fa.account_name;
  t.elevation = !s.elevation_command.empty() ? s.elevation_command : fa.elevation_command;
  return t;
}

void RotationService::RecordHostKey(const AccountView& a, const HostKeyCheck& seen, const Status& outcome) {
  const ManagedSystem& s = a.system;
  if (seen.seen.empty()) return;
  const std::string sid = std::to_string(s.id);
  const auto record = [&](std::string action, std::string_view pinned, std::string_view offered) {
    AuditEvent e{0, "psafed", std::move(action), "ManagedSystem", sid, a.account.id,
                 "{\"Fingerprint\":" + AuditQuote(seen.seen) + "}"};
    (void)audit_.Record(e, [&] { return ports_.estate.SetSystemHostKey(s.id, pinned, offered); });
  };
  if (outcome.code() == StatusCode::kConflict) {
    if (s.host_key_offered != seen.seen) record("managedsystem.hostkey.refused", s.host_key, seen.seen);
  } else if (s.host_key.empty() && s.ssh_key_enforcement_mode == 1 && outcome.code() != StatusCode::kUnavailable) {
    // Changes running side by side on one system each saw the key first: one pins it.
    Result<ManagedSystem> now = ports_.estate.FindManagedSystem(s.id);
    if (now.ok() && now->host_key.empty()) record("managedsystem.hostkey.pin", seen.seen, "");
  }
}

// Runs one connector call with the system's host-key policy, and records what it saw.
template <typename Call>
auto RotationService::WithHostKey(Target& t, const AccountView& a, Call call) {
  HostKeyCheck check = t.host_key;
  auto outcome = call(check);
  const Status& status = [&]() -> const Status& {
    if constexpr (std::is_same_v<decltype(outcome), Status>) return outcome; else return outcome.status();
  }();
  RecordHostKey(a, check, status);
  if (status.ok() && t.host_key.pinned.empty() && t.host_key.mode == 1) t.host_key.pinned = check.seen;
  return outcome;
}

// True when the target accepts the password and, where keys rotate, the private key.
Result<bool> RotationService::Opens(Target& t, const AccountView& a, const Credential& c) {
  if (c.password.empty()) return false;
  PSAFE_ASSIGN_OR_RETURN(bool opens, WithHostKey(t, a, [&](HostKeyCheck& check) {
    return t.connector->Verify(t.address, check, TargetLogin{t.account, c.password.view(), {}, {}});
  }));
  if (!opens || !t.keys || c.private_key.empty()) return opens;
  return WithHostKey(t, a, [&](HostKeyCheck& check) {
    return t.connector->Verify(t.address, check, TargetLogin{t.account, {}, c.private_key.view(), {}});
  });
}

// Puts `next` on the target: (where keys rotate) the key first, whose checks all come
// before anything is sent, so a key the target cannot take leaves the password alone;
// then the password.
Status RotationService::Push(Target& t, const AccountView& a, const Credential& current, const Credential& next) {
  if (t.keys && !next.private_key.empty()) {
    PSAFE_RETURN_IF_ERROR(WithHostKey(t, a, [&](HostKeyCheck& check) {
      return t.connector->InstallKey(t.address, check,
                                     KeyChange{t.Functional(), t.elevation, t.account, next.private_key.view()});
    }));
  }
  return WithHostKey(t, a, [&](HostKeyCheck& check) {
    return t.connector->ChangePassword(
        t.address, check, PasswordChange{t.Functional(), t.elevation, t.account, current.password.view(),
                                         next.password.view()});
  });
}

Result<RotationService::Credential> RotationService::Unseal(int64_t account_id,
                                                            const std::optional<std::string>& password,
                                                            const std::optional<std::string>& private_key) const {
  Credential c;
  if (password) {
    PSAFE_ASSIGN_OR_RETURN(c.password, keyring_.Unseal(*password, CredentialContext(account_id, "password")));
  }
  if (private_key) {
    PSAFE_ASSIGN_OR_RETURN(c.private_key, keyring_.Unseal(*private_key, CredentialContext(account_id, "private_key")));
  }
  return c;
}

Result<RotationService::Credential> RotationService::UnsealCurrent(const AccountView& a) {
  PSAFE_ASSIGN_OR_RETURN(SealedCredentials sealed, ports_.estate.GetSealedCredentials(a.account.id));
  return Unseal(a.account.id, sealed.password, sealed.private_key);
}

Result<bool> RotationService::Test(const Principal& p, int64_t account_id) {
  PSAFE_RETURN_IF_ERROR(RequireAdministrator(p));
  PSAFE_ASSIGN_OR_RETURN(AccountView a, ports_.estate.FindManagedAccount(account_id));
  PSAFE_ASSIGN_OR_RETURN(Target t, TargetFor(a, false));
  PSAFE_ASSIGN_OR_RETURN(Credential current, UnsealCurrent(a));
  Result<bool> opens = Opens(t, a, current);
  const bool success = opens.ok() && *opens;
  std::string detail = std::string("{\"Success\":") + BoolText(success);
  if (!opens.ok()) detail += ",\"Error\":" + AuditQuote(opens.status().message(), 300);
  PSAFE_RETURN_IF_ERROR(audit_.Record(
      AuditTrail::By(p, "credential.test", "ManagedAccount", std::to_string(account_id), account_id, detail + "}"),
      [] { return Status::OK(); }));
  return success;
}

// --- The state machine ------------------------------------------------------------------

bool RotationService::Claim(int64_t account_id) {
  std::lock_guard<std::mutex> lock(claims_mu_);
  return claims_.insert(account_id).second;
}

void RotationService::Unclaim(int64_t account_id) {
  std::lock_guard<std::mutex> lock(claims_mu_);
  claims_.erase(account_id);
}

Status RotationService::Advance(Rotation r, RotationStep to, std::string_view action, std::string detail) {
  r.step = to;
  r.updated_at = clock_.NowSeconds();
  r.last_error.clear();
  return audit_.Record(ByPsafed(std::string(action), r.account_id, detail.empty() ? Detail(r.trigger) : detail),
                       [&] { return ports_.rotations.PutRotation(r); });
}

Status RotationService::Retry(Rotation r, const Status& why) {
  const int64_t now = clock_.NowSeconds();
  const int64_t shift = std::min<int64_t>(r.attempts, 20);
  r.attempts++;
  r.next_try_at = now + std::min(options_.max_retry_seconds, options_.retry_seconds << shift);
  r.last_error = why.message();
  r.updated_at = now;
  PSAFE_RETURN_IF_ERROR(audit_.Record(ByPsafed("credential.change.retry", r.account_id, Detail(r.trigger, why.message())),
                                      [&] { return ports_.rotations.PutRotation(r); }));
  return why;
}

Status RotationService::Fail(Rotation r, const Status& why) {
  const int64_t now = clock_.NowSeconds();
  r.step = RotationStep::kFailed;
  r.attempts++;
  r.next_try_at = now + options_.failed_retry_seconds;
  r.last_error = why.message();
  r.updated_at = now;
  PSAFE_RETURN_IF_ERROR(audit_.Record(ByPsafed("credential.change.failed", r.account_id, Detail(r.trigger, why.message())),
                                      [&] { return ports_.rotations.PutRotation(r); }));
  // A setting psafe cannot act on is the caller's to fix (4xx); a target that refused or
  // failed the change is not (502), and the account keeps the credential that opens it.
  if (why.code() == StatusCode::kInvalidArgument || why.code() == StatusCode::kNotFound) return why;
  return Status::BadGateway("the target did not take the change: " + why.message() +
                            "; psafe serves the credential it had");
}

Status RotationService::Commit(const Rotation& r, const AccountView& a) {
  const int64_t now = clock_.NowSeconds();
  return audit_.Record(
      ByPsafed("credential.rotate", r.account_id,
               "{\"Trigger\":" + AuditQuote(r.trigger) + ",\"UpdateSystem\":true,\"Verified\":true}"),
      [&] { return ports_.rotations.CommitRotation(r.account_id, r.version, now, NextChangeAt(a.account, now)); });
}

Status RotationService::Run(int64_t account_id) {
  if (!Claim(account_id)) return Status::Conflict("a change of the account is already running");
  struct Release {
    RotationService* self;
    int64_t id;
    ~Release() { self->Unclaim(id); }
  } release{this, account_id};

  // `fresh`: this run stored the pending credential, so it is certainly not on the target
  // yet. Any other pending change may have been sent before a crash: test it first.
  bool fresh = false;
  std::optional<Target> target;
  for (int step = 0; step < 8; ++step) {
    PSAFE_ASSIGN_OR_RETURN(std::optional<Rotation> row, ports_.rotations.FindRotation(account_id));
    if (!row) return Status::OK();
    Rotation r = std::move(*row);
    PSAFE_ASSIGN_OR_RETURN(AccountView a, ports_.estate.FindManagedAccount(account_id));
    if (r.step == RotationStep::kQueued || !r.pending_password) {
      if (!r.pending_password) {
        PSAFE_ASSIGN_OR_RETURN(PasswordRule rule, PasswordRuleFor(ports_, a.account));
        NewCredentials fresh_password;
        fresh_password.password = GeneratePassword(rule);
        r.pending_password = Seal(account_id, fresh_password).password;
      }
      // DSSAutoManagementFlag: a new SSH key goes with the new password.
      const Platform* platform = FindPlatform(a.system.platform_id);
      TargetConnector* keys = platform != nullptr ? connectors_(platform->connector) : nullptr;
      if (a.account.dss_auto_management && keys != nullptr && keys->RotatesKeys() && !r.pending_private_key) {
        PSAFE_ASSIGN_OR_RETURN(crypto::SecretString key, keys->GenerateKey());
        r.pending_private_key = keyring_.Seal(key.view(), CredentialContext(account_id, "private_key"));
        // A generated key has no passphrase: the old key's must not be served with it.
        r.pending_passphrase = keyring_.Seal("", CredentialContext(account_id, "passphrase"));
      }
      PSAFE_RETURN_IF_ERROR(Advance(std::move(r), RotationStep::kPending, "credential.change.pending"));
      fresh = true;
      CrashPoint("rotation-pending");
      continue;
    }
    if (!target) {
      Result<Target> t = TargetFor(a, true);
      if (!t.ok()) return Fail(std::move(r), t.status());
      target.emplace(std::move(t).value());
    }
    PSAFE_ASSIGN_OR_RETURN(Credential pending, Unseal(account_id, r.pending_password, r.pending_private_key));
    if (r.step == RotationStep::kPending || r.step == RotationStep::kFailed) {
      if (!fresh) {
        Result<bool> done = Opens(*target, a, pending);
        if (!done.ok()) {
          return done.status().code() == StatusCode::kUnavailable ? Retry(std::move(r), done.status())
                                                                  : Fail(std::move(r), done.status());
        }
        if (*done) {
          std::string detail = "{\"Trigger\":" + AuditQuote(r.trigger) + ",\"Recovered\":true}";
          PSAFE_RETURN_IF_ERROR(
              Advance(std::move(r), RotationStep::kPushed, "credential.change.pushed", std::move(detail)));
          continue;
        }
      }
      PSAFE_ASSIGN_OR_RETURN(Credential current, UnsealCurrent(a));
      Status pushed = Push(*target, a, current, pending);
      if (!pushed.ok()) {
        return pushed.code() == StatusCode::kUnavailable ? Retry(std::move(r), pushed) : Fail(std::move(r), pushed);
      }
      CrashPoint("rotation-sent");
      PSAFE_RETURN_IF_ERROR(Advance(std::move(r), RotationStep::kPushed, "credential.change.pushed"));
      CrashPoint("rotation-pushed");
      continue;
    }
    // Pushed: the change counts only once the new credential is seen to open the target.
    Result<bool> opens = Opens(*target, a, pending);
    if (!opens.ok()) {
      return opens.status().code() == StatusCode::kUnavailable ? Retry(std::move(r), opens.status())
                                                               : Fail(std::move(r), opens.status());
    }
    if (*opens) {
      CrashPoint("rotation-verified");
      return Commit(r, a);
    }
    // The target took the change but does not accept the new credential: put the current
    // one back where a functional account can, and keep serving it.
    PSAFE_ASSIGN_OR_RETURN(Credential current, UnsealCurrent(a));
    if (target->functional_name.empty() || current.password.empty()) {
      return Fail(std::move(r), Status::IOError("the new credential did not open the target"));
    }
    Status back = Push(*target, a, pending, current);
    if (!back.ok()) {
      // The target may hold the pending credential: keep it, and settle on the next pass.
      return Retry(std::move(r), Status::Unavailable("the new credential did not open the target, and rolling "
                                                     "back failed: " + back.message()));
    }
    return Fail(std::move(r), Status::IOError("the new credential did not open the target; rolled back"));
  }
  return Status::Internal("the credential change did not settle");
}

// --- psafed's own triggers ---------------------------------------------------------------

Status RotationService::CheckOne(int64_t account_id) {
  PSAFE_ASSIGN_OR_RETURN(AccountView a, ports_.estate.FindManagedAccount(account_id));
  Result<Target> t = TargetFor(a, false);
  PSAFE_ASSIGN_OR_RETURN(Credential current, UnsealCurrent(a));
  Result<bool> opens = t.ok() ? Opens(*t, a, current) : Result<bool>(t.status());
  // Only a credential the target refuses is a mismatch; a target out of reach or a host
  // key psafe does not accept says nothing about the credential.
  const bool mismatch = opens.ok() && !*opens;
  const bool reset = mismatch && a.account.change.reset_on_mismatch && ChangesTarget(a);
  std::string detail =
      std::string("{\"Success\":") + BoolText(opens.ok() && *opens) + ",\"Reset\":" + BoolText(reset);
  if (!opens.ok()) detail += ",\"Error\":" + AuditQuote(opens.status().message(), 300);
  return audit_.Record(ByPsafed("credential.check", account_id, detail + "}"), [&]() -> Status {
    PSAFE_RETURN_IF_ERROR(ports_.rotations.SetAccountCheckedAt(account_id, clock_.NowSeconds()));
    return reset ? QueueInTransaction(nullptr, a, "mismatch") : Status::OK();
  });
}

Result<std::vector<int64_t>> RotationService::Due(bool recovering) {
  const int64_t now = clock_.NowSeconds();
  PSAFE_ASSIGN_OR_RETURN(std::vector<int64_t> scheduled, ports_.rotations.ListAccountsDueForChange(now, options_.batch));
  // One account that cannot be queued or checked holds up no other: each is tried alone.
  for (int64_t id : scheduled) {
    Result<AccountView> a = ports_.estate.FindManagedAccount(id);
    if (a.ok()) (void)ports_.tx.Atomically([&] { return QueueInTransaction(nullptr, *a, "schedule"); });
  }
  PSAFE_ASSIGN_OR_RETURN(std::vector<int64_t> checks,
                         ports_.rotations.ListAccountsDueForCheck(now - options_.check_interval_seconds, options_.batch));
  for (int64_t id : checks) (void)CheckOne(id);  // each outcome is audited
  // After a start, every change in flight is due: whatever its retry time says, the
  // process that set it is gone (a change made in an API call waits for that call).
  const int64_t due_by = recovering ? std::numeric_limits<int64_t>::max() : now;
  PSAFE_ASSIGN_OR_RETURN(std::vector<Rotation> due, ports_.rotations.ListRotationsDue(due_by, options_.batch));
  std::vector<int64_t> ids;
  ids.reserve(due.size());
  for (const Rotation& r : due) ids.push_back(r.account_id);
  return ids;
}

}  // namespace psafe::domain
