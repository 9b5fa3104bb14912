// TargetConnector: the one interface through which psafe reaches the systems whose
// accounts it manages (SSH hosts, PostgreSQL servers, LDAP directories). The domain owns
// it; src/connectors/ implements it per platform (domain/platforms.h says which).
//
// A connector is called with no store transaction open and no store lock held: rotation
// persists its intent first, calls the connector, then records the outcome
// (docs/ROTATION.md). Secrets arrive as views of SecretStrings the caller owns; a connector
// never logs them, never puts them in argv or an environment, and never copies them into an
// error message.
//
// Errors, by StatusCode, so rotation can decide what to do next:
//   kUnavailable       the target could not be reached or timed out: nothing is known changed
//   kPermissionDenied  the target refused the functional account (or the account itself)
//   kConflict          the SSH host key differs from the pinned one, or is not accepted yet
//   kIOError           signed in, but the change itself failed on the target
//   kInvalidArgument   the account or password cannot be expressed to this target
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "crypto/secret_string.h"

namespace psafe::domain {

// Where the target is.
struct TargetAddress {
  std::string host;
  int64_t port = 0;              // 0 = the platform's default (22, 5432, 389)
  int64_t timeout_seconds = 30;  // connect and per-operation
  std::string database;          // PostgreSQL: the database to connect to (InstanceName)
  bool use_tls = false;          // LDAP StartTLS; PostgreSQL sslmode=verify-full
  std::string tls_ca_file;       // CA bundle for use_tls; empty = the system's
};

// SshKeyEnforcementMode and the key pinned for the system. `seen` is filled with what the
// target offered ("SHA256:<base64>", as ssh-keygen -l prints it) whenever it got that far.
struct HostKeyCheck {
  int64_t mode = 1;    // 0 accept any; 1 pin on first contact; 2 only the pinned key
  std::string pinned;  // empty = none pinned yet
  std::string seen;    // out
};

// An identity as the target knows it, and its secret.
struct TargetLogin {
  std::string name;               // Linux user, PostgreSQL role, or LDAP bind DN
  std::string_view password;
  std::string_view private_key;   // OpenSSH or PEM private key (SSH only); may be empty
  std::string_view passphrase;    // for private_key
};

// One password change. With a functional account, it signs in and changes `account`
// (through `elevation_command` on SSH, e.g. "sudo"); without one (functional.name empty),
// the account changes itself, signing in with `current_password`.
struct PasswordChange {
  TargetLogin functional;
  std::string elevation_command;
  std::string account;
  std::string_view current_password;
  std::string_view new_password;
};

// One SSH key change: the functional account signs in and makes `private_key`'s public
// half the one key in the account's authorized_keys.
struct KeyChange {
  TargetLogin functional;
  std::string elevation_command;
  std::string account;
  std::string_view private_key;  // OpenSSH form; its public half is what is installed
};

class TargetConnector {
 public:
  virtual ~TargetConnector() = default;
  virtual Status ChangePassword(const TargetAddress& at, HostKeyCheck& host_key, const PasswordChange& change) = 0;
  // Signs in as `login` (with its private key when it has one, else its password): true
  // when the target accepts it, false when it refuses it.
  virtual Result<bool> Verify(const TargetAddress& at, HostKeyCheck& host_key, const TargetLogin& login) = 0;

  // SSH keys (DSSAutoManagementFlag), where the platform has them: a new private key, and
  // installing one on the target. Other connectors answer InvalidArgument.
  virtual bool RotatesKeys() const { return false; }
  virtual Result<crypto::SecretString> GenerateKey() {
    return Status::InvalidArgument("this platform has no SSH keys to rotate");
  }
  virtual Status InstallKey(const TargetAddress&, HostKeyCheck&, const KeyChange&) {
    return Status::InvalidArgument("this platform has no SSH keys to rotate");
  }
};

}  // namespace psafe::domain
