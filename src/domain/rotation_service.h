// RotationService: changes managed accounts' credentials on their targets, crash-safe
// (docs/ROTATION.md). A change is persisted before anything is sent: queued, then the new
// credential sealed as *pending*, pushed through the platform's connector, verified by
// signing in with it, and committed (pending becomes current, current goes to history).
// Every step is a compare-and-set with its audit record; no connector call runs inside a
// store transaction. A change interrupted anywhere is finished by Run on the next pass:
// it tests which of current and pending opens the target and settles on it.
//
// Accounts psafe does not change on their target (not auto-managed, or a platform
// without a connector, or no functional account and not UseOwnCredentials) are never
// rotated by a trigger: changing only psafe's copy would serve a password the target does
// not know. The trigger is audited as credential.rotate.skipped. An administrator's
// ForceReset or Credentials/Change still sets psafe's copy (audited UpdateSystem false).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "domain/audit_service.h"
#include "domain/connector_kind.h"
#include "domain/estate_service.h"
#include "domain/password_rule.h"
#include "domain/principal.h"
#include "domain/rotation.h"
#include "domain/target_connector.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

struct RotationOptions {
  int64_t retry_seconds = 30;          // first retry after the target was unreachable; doubles
  int64_t max_retry_seconds = 3600;
  int64_t failed_retry_seconds = 3600; // a failed change is tried again after this
  int64_t check_interval_seconds = 86400;  // CheckPasswordFlag: how often
  int64_t batch = 256;                 // changes and checks taken per pass
};

using ConnectorFor = std::function<TargetConnector*(ConnectorKind)>;

// The account's password rule (the built-in default when it has none).
Result<PasswordRule> PasswordRuleFor(const Ports& ports, const ManagedAccount& account);

class RotationService {
 public:
  RotationService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock, AuditTrail& audit,
                  ConnectorFor connectors, RotationOptions options = {});

  // True when psafe changes this account's credential on its target.
  static bool ChangesTarget(const AccountView& a);

  // In the caller's transaction: the account's credential is to change (`trigger` names
  // why; `by` is null for psafed's own triggers). A change already queued or in flight
  // covers it; a failed one is tried again. Accounts not changed on their target are not
  // changed at all (see above).
  Status QueueInTransaction(const Principal* by, const AccountView& a, std::string_view trigger);

  // Credentials/Change and ForceReset (administrators): the given credentials, or a
  // generated password. With `update_system` on an account psafe changes on its target,
  // the change is queued; unless `queue`, it is also run now and its outcome returned
  // (Unavailable: the target could not be reached and the change stays queued).
  Status Change(const Principal& p, int64_t account_id, NewCredentials creds, bool update_system, bool queue,
                std::string_view trigger);
  // Queues a change of every account of the system that psafe changes on its target.
  Status ChangeSystem(const Principal& p, int64_t system_id);
  // Tests the stored credential against the target: true when it opens it.
  Result<bool> Test(const Principal& p, int64_t account_id);

  // Drives the account's change as far as it goes now. Outside any transaction.
  Status Run(int64_t account_id);
  // One pass of psafed's own triggers: queues scheduled changes, runs due checks, and
  // returns the accounts whose change is due (to Run, possibly in parallel). `recovering`
  // (the first pass after a start): every change in flight is due.
  Result<std::vector<int64_t>> Due(bool recovering = false);

  // Called after a change was queued; the worker sets it to wake itself (and clears it
  // before it stops), while request threads may be kicking.
  void SetOnQueued(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(on_queued_mu_);
    on_queued_ = std::move(fn);
  }
  void Kick() {
    std::lock_guard<std::mutex> lock(on_queued_mu_);
    if (on_queued_) on_queued_();
  }

 private:
  struct Target;
  // A credential as it goes to a target: the password and, where keys rotate, the key.
  struct Credential {
    crypto::SecretString password;
    crypto::SecretString private_key;
  };
  Result<Target> TargetFor(const AccountView& a, bool with_functional);
  template <typename Call>
  auto WithHostKey(Target& t, const AccountView& a, Call call);
  Result<bool> Opens(Target& t, const AccountView& a, const Credential& c);
  void RecordHostKey(const AccountView& a, const HostKeyCheck& seen, const Status& outcome);
  Status Push(Target& t, const AccountView& a, const Credential& current, const Credential& next);
  Result<Credential> Unseal(int64_t account_id, const std::optional<std::string>& password,
                            const std::optional<std::string>& private_key) const;
  Status Advance(Rotation r, RotationStep to, std::string_view action, std::string detail = "");
  Status Retry(Rotation r, const Status& why);
  Status Fail(Rotation r, const Status& why);
  Status Commit(const Rotation& r, const AccountView& a);
  Status ReplaceLocally(const Principal& p, const AccountView& a, SealedCredentials sealed, bool generated);
  Result<Credential> UnsealCurrent(const AccountView& a);
  SealedCredentials Seal(int64_t account_id, const NewCredentials& creds) const;
  Status CheckOne(int64_t account_id);
  static Status AsOutcome(const Status& ran);
  static std::string WhyNotChanged(const AccountView& a);
  // A change made in the API call is left to that call for this long before the planner
  // treats it as interrupted and finishes it.
  static constexpr int64_t kInlineGraceSeconds = 120;
  bool Claim(int64_t account_id);
  void Unclaim(int64_t account_id);

  Ports ports_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
  AuditTrail& audit_;
  ConnectorFor connectors_;
  RotationOptions options_;
  std::mutex on_queued_mu_;
  std::function<void()> on_queued_;
  // One change per account at a time in this process; the version compare-and-set keeps
  // the stored state right even if another writer gets in.
  std::mutex claims_mu_;
  std::set<int64_t> claims_;
};

}  // namespace psafe::domain
