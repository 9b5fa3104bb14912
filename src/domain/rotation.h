// Rotation: the persisted state of one credential change on a target (docs/ROTATION.md).
// A change is a row that moves queued -> pending -> pushed and is deleted when it commits
// (pending becomes current, current goes to history). Each move is a compare-and-set on
// `version`, so two workers (or a worker and an API call) never both advance one change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psafe::domain {

enum class RotationStep {
  kQueued,   // intent recorded; no new credential chosen yet (or one given, not yet sent)
  kPending,  // the new credential is sealed and stored; it may or may not be on the target
  kPushed,   // the target accepted the change; it is verified next
  kFailed,   // given up until the next trigger or retry; the current credential is served
};

std::string_view RotationStepName(RotationStep s);
std::optional<RotationStep> ParseRotationStep(std::string_view s);

// The product's ChangeState for an account: 0 idle, 1 changing, 2 queued.
int64_t ChangeStateOf(std::optional<RotationStep> step);

struct Rotation {
  int64_t account_id = 0;
  RotationStep step = RotationStep::kQueued;
  int64_t version = 0;        // 0 = not stored yet
  std::string trigger;        // checkin, cancel, expiry, schedule, change, reset, mismatch
  std::optional<std::string> pending_password;     // keyring-sealed
  std::optional<std::string> pending_private_key;  // keyring-sealed
  std::optional<std::string> pending_passphrase;   // keyring-sealed
  int64_t attempts = 0;
  int64_t next_try_at = 0;
  std::string last_error;     // no secret ever: connector messages carry none
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

}  // namespace psafe::domain
