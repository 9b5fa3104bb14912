// LdapConnector: rotates and verifies directory passwords over LDAPv3 (OpenLDAP libldap).
//
// Names are DNs: TargetLogin::name is the bind DN, PasswordChange::account the DN of the
// entry whose password changes. The change is the RFC 3062 Password Modify extended
// operation, so the directory hashes and stores the password by its own policy (psafe
// never writes userPassword itself). It is made by a functional entry the directory's ACLs
// let write the account's password, or, without one, by the account bound with its
// current password (which is then also sent as the operation's old password).
//
// With TargetAddress::use_tls the connection is upgraded with StartTLS before any bind, and
// the server's certificate must verify (tls_ca_file, or ldap.conf's TLS_CACERT, which on
// Debian is the system bundle) and match the host. Without it, binds are in the clear, as
// the directory's operator chose. Referrals are not chased: psafe's credentials go only to
// the host it was given.
//
// Thread-safety: stateless; calls may run concurrently (each has its own handle).
#pragma once

#include "common/result.h"
#include "common/status.h"
#include "domain/target_connector.h"

namespace psafe::connectors {

class LdapConnector final : public domain::TargetConnector {
 public:
  LdapConnector() = default;
  LdapConnector(const LdapConnector&) = delete;
  LdapConnector& operator=(const LdapConnector&) = delete;

  // host_key is not used: a directory's identity is its TLS certificate.
  Status ChangePassword(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                        const domain::PasswordChange& change) override;
  // A simple bind as login.name.
  Result<bool> Verify(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                      const domain::TargetLogin& login) override;
};

}  // namespace psafe::connectors
