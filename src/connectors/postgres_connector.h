// PostgresConnector: rotates and verifies PostgreSQL role passwords (libpq).
//
// The new password never reaches the server: libpq computes its SCRAM-SHA-256 verifier
// (PQencryptPasswordConn) and the server is sent `ALTER ROLE "role" PASSWORD
// 'SCRAM-SHA-256$...'`, which is also all that log_statement=all can record. The change is
// made by a functional role (one with CREATEROLE, or a superuser), or, without one, by the
// role itself signed in with its current password.
//
// Connection: sslmode=verify-full when TargetAddress::use_tls (against tls_ca_file, or the
// Debian system bundle), else sslmode=prefer: TLS when the server offers it, which keeps
// the verifier off the wire from passive observers, and plain TCP when it does not, so that
// a server without TLS still works (disable would give up the first for nothing).
//
// Thread-safety: stateless; calls may run concurrently (each has its own connection).
#pragma once

#include "common/result.h"
#include "common/status.h"
#include "domain/target_connector.h"

namespace psafe::connectors {

class PostgresConnector final : public domain::TargetConnector {
 public:
  PostgresConnector() = default;
  PostgresConnector(const PostgresConnector&) = delete;
  PostgresConnector& operator=(const PostgresConnector&) = delete;

  // host_key is not used: PostgreSQL's server identity is its TLS certificate.
  Status ChangePassword(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                        const domain::PasswordChange& change) override;
  Result<bool> Verify(const domain::TargetAddress& at, domain::HostKeyCheck& host_key,
                      const domain::TargetLogin& login) override;
};

}  // namespace psafe::connectors
