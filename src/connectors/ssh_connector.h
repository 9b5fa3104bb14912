// SshConnector: rotates and verifies Linux/Unix account passwords over SSH (libssh).
//
// With a functional account it signs in as that account (password or private key) and
// runs `<elevation_command> chpasswd`, writing "account:password" to the command's stdin:
// the password never appears in a command line, so never in the target's process list or
// its sudo and audit logs. Without one, the account signs in with its current password and
// answers passwd(1)'s prompts over a PTY.
//
// Every call first checks the server's host key against HostKeyCheck (host_key_policy.h).
// The fingerprint is of the key libssh negotiates with its default algorithm preference
// (ed25519 first); known_hosts files and ~/.ssh/config are not read, so what is pinned
// does not depend on the files of the account psafed runs as.
//
// Thread-safety: stateless; calls may run concurrently (each has its own session).
#pragma once

#include "common/result.h"
#include "common/status.h"
#include "domain/target_connector.h"

namespace psafe::connectors {

class SshConnector final : public domain::TargetConnector {
 public:
  SshConnector();
  ~SshConnector() override;
  SshConnector(const SshConnector&) = delete;
  SshConnector& operator=(const SshConnector&) = delete;

  Status ChangePassword(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                        const domain::PasswordChange& change) override;
  // Password authentication as login.name (public key when login.private_key is set).
  Result<bool> Verify(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                      const domain::TargetLogin& login) override;

  // A new Ed25519 key, in OpenSSH private-key form.
  bool RotatesKeys() const override { return true; }
  Result<crypto::SecretString> GenerateKey() override;
  // As the functional account, through its elevation command: `sh -c <fixed script> <account>`
  // writes the key's public half, read from stdin, as the account's only authorized key
  // (~/.ssh/authorized_keys, mode 0600, owned by the account, replaced atomically). The
  // sudoers entry must therefore let the functional account run /bin/sh, unlike chpasswd.
  Status InstallKey(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                    const domain::KeyChange& change) override;
};

}  // namespace psafe::connectors
