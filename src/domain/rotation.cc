#include "domain/rotation.h"

namespace psafe::domain {

namespace {

struct StepName {
  RotationStep step;
  std::string_view name;
  int64_t change_state;
};
constexpr StepName kSteps[] = {
    {RotationStep::kQueued, "queued", 2},
    {RotationStep::kPending, "pending", 1},
    {RotationStep::kPushed, "pushed", 1},
    {RotationStep::kFailed, "failed", 0},
};

}  // namespace

std::string_view RotationStepName(RotationStep s) {
  for (const auto& n : kSteps) {
    if (n.step == s) return n.name;
  }
  return "failed";
}

std::optional<RotationStep> ParseRotationStep(std::string_view s) {
  for (const auto& n : kSteps) {
    if (n.name == s) return n.step;
  }
  return std::nullopt;
}

int64_t ChangeStateOf(std::optional<RotationStep> step) {
  if (!step) return 0;
  for (const auto& n : kSteps) {
    if (n.step == *step) return n.change_state;
  }
  return 0;
}

}  // namespace psafe::domain
