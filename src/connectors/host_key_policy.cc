#include "connectors/host_key_policy.h"

#include <string_view>

namespace psafe::connectors {

namespace {

// Base64 padding is not part of OpenSSH's form, but a pin pasted from a tool that keeps it
// names the same key.
std::string_view WithoutPadding(std::string_view fp) {
  while (!fp.empty() && fp.back() == '=') fp.remove_suffix(1);
  return fp;
}

}  // namespace

Status CheckHostKey(const domain::HostKeyCheck& check) {
  if (check.mode < 0 || check.mode > 2) {
    return Status::InvalidArgument("unknown SSH host key enforcement mode " + std::to_string(check.mode));
  }
  if (check.seen.empty()) return Status::Internal("no SSH host key fingerprint to check");
  if (check.mode == 0) return Status::OK();
  if (check.pinned.empty()) {
    if (check.mode == 1) return Status::OK();
    return Status::Conflict("the target's SSH host key " + check.seen +
                            " is not accepted yet: no key is pinned for this system");
  }
  if (WithoutPadding(check.pinned) != WithoutPadding(check.seen)) {
    return Status::Conflict("the target's SSH host key " + check.seen +
                            " differs from the pinned key " + check.pinned);
  }
  return Status::OK();
}

}  // namespace psafe::connectors
