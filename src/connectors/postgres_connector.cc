#include "connectors/postgres_connector.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/safe_excerpt.h"
#include "connectors/target_input.h"
#include "crypto/secret_string.h"

namespace psafe::connectors {

namespace {

using domain::HostKeyCheck;
using domain::PasswordChange;
using domain::TargetAddress;
using domain::TargetLogin;
using Clock = std::chrono::steady_clock;

constexpr int kPostgresPort = 5432;
// NAMEDATALEN - 1. The server silently truncates longer names, so a longer one could
// name, and change, a different role.
constexpr size_t kMaxIdentifier = 63;
constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
constexpr size_t kMessageBytes = 240;
constexpr int kClientGraceSeconds = 1;

struct PgFree {
  void operator()(PGconn* c) const { PQfinish(c); }
  void operator()(PGresult* r) const { PQclear(r); }
  void operator()(char* p) const { PQfreemem(p); }
};
using ConnPtr = std::unique_ptr<PGconn, PgFree>;
using ResultPtr = std::unique_ptr<PGresult, PgFree>;
using PqString = std::unique_ptr<char, PgFree>;

// A string libpq allocated that holds secret material (the verifier, its quoted form).
struct PgWipeFree {
  void operator()(char* p) const {
    crypto::SecureWipe(p, std::strlen(p));
    PQfreemem(p);
  }
};
using PqSecret = std::unique_ptr<char, PgWipeFree>;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits until libpq's socket is ready; false only when the deadline passed. A poll error
// returns true so that libpq, on its next call, reports what is wrong with the socket.
bool WaitSocket(PGconn* c, bool for_write, Clock::time_point deadline) {
  pollfd p{};
  p.fd = PQsocket(c);
  p.events = for_write ? POLLOUT : POLLIN;
  if (p.fd < 0) return true;
  while (true) {
    const int ms = RemainingMs(deadline);
    if (ms <= 0) return false;
    const int r = poll(&p, 1, ms);
    if (r != 0 && !(r < 0 && errno == EINTR)) return true;
    if (r == 0) return false;
  }
}

bool IsSqlStateChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

// The SQLSTATE of the last server error in a connection's error message, or "".
//
// libpq keeps the server's ErrorResponse fields for a failed connection attempt private
// (it has no PGresult to hand out), so PQresultErrorField cannot be used here. But with
// PQERRORS_VERBOSE every server error is formatted as "SEVERITY:  SQLSTATE: message", and
// the SQLSTATE is the one part that does not depend on the server's lc_messages, so it is
// matched instead of the (translatable) English text. libpq's own messages (connection
// refused, timeouts) have no such field and yield "".
std::string LastSqlState(std::string_view msg) {
  std::string found;
  for (size_t at = msg.find(":  "); at != std::string_view::npos; at = msg.find(":  ", at + 1)) {
    const std::string_view rest = msg.substr(at + 3);
    if (rest.size() >= 7 && std::all_of(rest.begin(), rest.begin() + 5, IsSqlStateChar) &&
        rest.substr(5, 2) == ": ") {
      found = std::string(rest.substr(0, 5));
    }
  }
  return found;
}

// A connection error message, without the LOCATION lines verbose mode adds.
std::string ConnectionMessage(PGconn* c, std::string_view secret) {
  std::string_view msg = PQerrorMessage(c);
  std::string kept;
  while (!msg.empty()) {
    const size_t eol = msg.find('\n');
    const std::string_view line = msg.substr(0, eol);
    if (!line.starts_with("LOCATION:")) kept.append(line).append(" ");
    msg = eol == std::string_view::npos ? std::string_view() : msg.substr(eol + 1);
  }
  return SafeExcerpt(kept, {secret}, kMessageBytes);
}

// Authentication refusals, by SQLSTATE:
//   28P01 invalid_password: a wrong password, and (with SCRAM or md5) a role that does not
//         exist, which the server reports the same way on purpose
//   28000 invalid_authorization_specification: the role may not log in, does not exist
//         (other methods), or pg_hba.conf rejects it
bool IsAuthRefusal(std::string_view sqlstate) { return sqlstate == "28P01" || sqlstate == "28000"; }

// Connects as `user`: kPermissionDenied when the server refuses the role, kUnavailable
// when it cannot be reached or does not answer in time.
Result<ConnPtr> Connect(const Endpoint& ep, const TargetAddress& at, const std::string& user,
                        std::string_view password) {
  const crypto::SecretString pw(password);  // NUL-terminated for libpq; wiped
  const std::string port = std::to_string(ep.port);
  const std::string timeout = std::to_string(ep.timeout_seconds);
  const std::string dbname = at.database.empty() ? "postgres" : at.database;
  // Bounds the ALTER ROLE (and any lock wait it has) on the server's side as well.
  const std::string options = "-c statement_timeout=" + std::to_string(ep.timeout_seconds * 1000);
  const std::string root_cert = at.tls_ca_file.empty() ? kSystemCaBundle : at.tls_ca_file;

  std::vector<const char*> keys;
  std::vector<const char*> values;
  auto set = [&](const char* k, const char* v) {
    keys.push_back(k);
    values.push_back(v);
  };
  set("host", ep.host.c_str());
  set("port", port.c_str());
  set("dbname", dbname.c_str());
  set("user", user.c_str());
  set("password", pw.str().c_str());
  set("connect_timeout", timeout.c_str());  // documents intent; the poll loop enforces it
  set("application_name", "psafe");
  set("options", options.c_str());
  // psafe authenticates with passwords: no attempt at Kerberos with whatever credential
  // cache the account psafed runs as happens to have.
  set("gssencmode", "disable");
  if (at.use_tls) {
    set("sslmode", "verify-full");
    set("sslrootcert", root_cert.c_str());
  } else {
    set("sslmode", "prefer");
  }
  set(nullptr, nullptr);

  // expand_dbname = 0: the database name is a name, never a connection string that could
  // override the host or the TLS settings above.
  ConnPtr conn(PQconnectStartParams(keys.data(), values.data(), 0));
  if (!conn) return Status::Internal("postgres: cannot allocate a connection");
  PGconn* c = conn.get();
  // Before the first PQconnectPoll, so the server's errors come with their SQLSTATE.
  PQsetErrorVerbosity(c, PQERRORS_VERBOSE);

  // Non-blocking, so that one deadline covers DNS, TCP, TLS and authentication (libpq's
  // connect_timeout applies to its blocking connect only, and per attempt).
  const auto deadline = Clock::now() + std::chrono::seconds(ep.timeout_seconds);
  PostgresPollingStatusType st = PQstatus(c) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK) {
    if (st == PGRES_POLLING_FAILED) {
      const std::string state = LastSqlState(PQerrorMessage(c));
      if (IsAuthRefusal(state)) {
        return Status::PermissionDenied("postgres: " + ep.HostPort() + " refused role \"" + user +
                                        "\" (SQLSTATE " + state + ")");
      }
      // The server answered and refused for a reason of its own (a database that does not
      // exist, say): retrying will not help, so it is not "unavailable". No SQLSTATE (no
      // answer), a connection exception (08), too many connections (53) or a server
      // starting or stopping (57P0x) is.
      const bool transient = state.empty() || state.starts_with("08") || state.starts_with("53") ||
                             state.starts_with("57P0");
      const std::string message = "postgres: cannot connect to " + ep.HostPort() + ": " + ConnectionMessage(c, password);
      return transient ? Status::Unavailable(message) : Status::IOError(message);
    }
    if (!WaitSocket(c, st == PGRES_POLLING_WRITING, deadline)) {
      return Status::Unavailable("postgres: " + ep.HostPort() + " did not answer within " +
                                 std::to_string(ep.timeout_seconds) + "s");
    }
    st = PQconnectPoll(c);
  }
  return conn;
}

// Runs one statement, with the deadline enforced on the client's side too (a server that
// stops answering would otherwise hold the call forever). Every failure here is after the
// statement may have reached the server, so it is kIOError, not kUnavailable.
Result<ResultPtr> Exec(PGconn* c, const char* query, Clock::time_point deadline) {
  if (PQsendQuery(c, query) != 1) {
    return Status::IOError("postgres: cannot send the statement: " + ConnectionMessage(c, {}));
  }
  ResultPtr first;
  while (true) {
    while (PQisBusy(c) == 1) {
      if (!WaitSocket(c, false, deadline)) {
        return Status::IOError(
            "postgres: the server did not answer in time; the password may or may not have changed");
      }
      if (PQconsumeInput(c) != 1) {
        return Status::IOError(
            "postgres: the connection was lost; the password may or may not have changed: " +
            ConnectionMessage(c, {}));
      }
    }
    ResultPtr r(PQgetResult(c));
    if (!r) break;
    if (!first) first = std::move(r);
  }
  if (!first) return Status::IOError("postgres: the server returned no result: " + ConnectionMessage(c, {}));
  return first;
}

}  // namespace

Status PostgresConnector::ChangePassword(const TargetAddress& at, HostKeyCheck& /*host_key*/,
                                         const PasswordChange& change) {
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kPostgresPort));
  PSAFE_RETURN_IF_ERROR(CheckName("the role name", change.account, kMaxIdentifier));
  PSAFE_RETURN_IF_ERROR(CheckName("the database name", at.database.empty() ? "postgres" : at.database,
                                  kMaxIdentifier));
  PSAFE_RETURN_IF_ERROR(CheckSecret("the new password", change.new_password));
  const bool self = change.functional.name.empty();
  const std::string& login = self ? change.account : change.functional.name;
  const std::string_view login_password = self ? change.current_password : change.functional.password;
  PSAFE_RETURN_IF_ERROR(
      CheckName(self ? "the role name" : "the functional role's name", login, kMaxIdentifier));
  PSAFE_RETURN_IF_ERROR(
      CheckSecret(self ? "the current password" : "the functional role's password", login_password));

  PSAFE_ASSIGN_OR_RETURN(ConnPtr conn, Connect(ep, at, login, login_password));
  PGconn* c = conn.get();
  // A grace second past the server's statement_timeout, so that a statement the server
  // cancels (and so rolls back: a definite "not changed") is normally reported as such
  // before the client gives up without knowing.
  const auto deadline = Clock::now() + std::chrono::seconds(ep.timeout_seconds + kClientGraceSeconds);

  // The algorithm is named, not left to the server's password_encryption, so that a server
  // still set to md5 gets SCRAM all the same (and libpq needs no query to find out).
  const crypto::SecretString new_password(change.new_password);
  const PqSecret verifier(
      PQencryptPasswordConn(c, new_password.str().c_str(), change.account.c_str(), "scram-sha-256"));
  if (!verifier) {
    return Status::IOError("postgres: cannot compute the SCRAM verifier: " +
                           ConnectionMessage(c, change.new_password));
  }
  const PqSecret literal(PQescapeLiteral(c, verifier.get(), std::strlen(verifier.get())));
  const PqString identifier(PQescapeIdentifier(c, change.account.data(), change.account.size()));
  if (!literal || !identifier) {
    return Status::IOError("postgres: cannot quote the statement: " + ConnectionMessage(c, {}));
  }
  std::string query_text;  // reserved first, so that no reallocation leaves a copy behind
  const std::string_view head = "ALTER ROLE ";
  const std::string_view middle = " PASSWORD ";
  query_text.reserve(head.size() + std::strlen(identifier.get()) + middle.size() +
                     std::strlen(literal.get()));
  query_text.append(head).append(identifier.get()).append(middle).append(literal.get());
  const crypto::SecretString query(std::move(query_text));

  PSAFE_ASSIGN_OR_RETURN(ResultPtr r, Exec(c, query.str().c_str(), deadline));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    // A server error's fields, unlike a connection's, are public: the SQLSTATE is exact.
    const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY);
    return Status::IOError("postgres: the password of role \"" + change.account + "\" was not changed: " +
                           SafeExcerpt(primary ? primary : PQresStatus(PQresultStatus(r.get())),
                                       {change.new_password, verifier.get()}, kMessageBytes) +
                           (state ? std::string(" (SQLSTATE ") + state + ")" : ""));
  }
  return Status::OK();
}

Result<bool> PostgresConnector::Verify(const TargetAddress& at, HostKeyCheck& /*host_key*/,
                                       const TargetLogin& login) {
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kPostgresPort));
  PSAFE_RETURN_IF_ERROR(CheckName("the role name", login.name, kMaxIdentifier));
  PSAFE_RETURN_IF_ERROR(CheckName("the database name", at.database.empty() ? "postgres" : at.database,
                                  kMaxIdentifier));
  PSAFE_RETURN_IF_ERROR(CheckSecret("the password", login.password));
  Result<ConnPtr> conn = Connect(ep, at, login.name, login.password);
  if (conn.ok()) return true;
  if (conn.status().code() == StatusCode::kPermissionDenied) return false;
  return conn.status();
}

}  // namespace psafe::connectors
