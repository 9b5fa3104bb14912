#include "connectors/ldap_connector.h"

#include <ldap.h>
#include <sys/time.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/safe_excerpt.h"
#include "connectors/sigpipe_guard.h"
#include "connectors/target_input.h"
#include "crypto/secret_string.h"

namespace psafe::connectors {

namespace {

using domain::HostKeyCheck;
using domain::PasswordChange;
using domain::TargetAddress;
using domain::TargetLogin;

constexpr int kLdapPort = 389;
constexpr size_t kMaxDn = 1024;

struct LdapFree {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapPtr = std::unique_ptr<LDAP, LdapFree>;

// A berval over caller-owned bytes. libldap's prototypes take non-const bervals but only
// read them, so no copy of a secret is made for it.
berval View(std::string_view s) {
  berval b{};
  b.bv_len = static_cast<ber_len_t>(s.size());
  b.bv_val = const_cast<char*>(s.data());
  return b;
}

// The DN must parse as an LDAPv3 DN: a malformed one would otherwise surface as a server
// error that reads like a failed change.
Status CheckDn(std::string_view what, const std::string& dn) {
  PSAFE_RETURN_IF_ERROR(CheckName(what, dn, kMaxDn));
  LDAPDN parsed = nullptr;
  const int rc = ldap_str2dn(dn.c_str(), &parsed, LDAP_DN_FORMAT_LDAPV3);
  ldap_dnfree(parsed);
  if (rc != LDAP_SUCCESS) return Status::InvalidArgument(std::string(what) + " is not a valid DN");
  return Status::OK();
}

// Result codes that mean the directory could not be reached or would not serve: local
// ones (no connection, no answer in time, TLS handshake) and the server's busy/unavailable.
bool IsUnreachable(int rc) {
  return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT || rc == LDAP_CONNECT_ERROR ||
         rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

// ldap_err2string, and the server's diagnostic message when it sent one (redacted: it is
// the server's text, and some echo what they were given).
std::string Describe(LDAP* ld, int rc, std::initializer_list<std::string_view> secrets) {
  std::string out = ldap_err2string(rc);
  char* diagnostic = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS && diagnostic) {
    const std::string said = SafeExcerpt(diagnostic, secrets);
    if (!said.empty()) out += ": " + said;
  }
  ldap_memfree(diagnostic);
  return out;
}

// A handle for ldap://host:port, upgraded with StartTLS when asked. Nothing is sent before
// StartTLS: libldap connects on the first operation.
Result<LdapPtr> Open(const Endpoint& ep, const TargetAddress& at) {
  const std::string uri = "ldap://" + ep.HostPort();
  LDAP* raw = nullptr;
  const int init = ldap_initialize(&raw, uri.c_str());
  LdapPtr ld(raw);
  if (init != LDAP_SUCCESS || !ld) {
    return Status::InvalidArgument("ldap: cannot use " + uri + ": " + ldap_err2string(init));
  }
  const int version = LDAP_VERSION3;
  // NETWORK_TIMEOUT bounds the TCP connect; TIMEOUT every synchronous operation's wait for
  // its result (ldap_sasl_bind_s, ldap_start_tls_s, ldap_passwd_s).
  const timeval tv{static_cast<time_t>(ep.timeout_seconds), 0};
  if (ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS) {
    return Status::Internal("ldap: cannot set the connection options");
  }
  if (!at.use_tls) return ld;

  const int demand = LDAP_OPT_X_TLS_DEMAND;
  const int client_context = 0;
  if (ldap_set_option(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
      (!at.tls_ca_file.empty() &&
       ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, at.tls_ca_file.c_str()) != LDAP_OPT_SUCCESS)) {
    return Status::Internal("ldap: cannot set the TLS options");
  }
  // Per-handle TLS options take effect only in a context created after them.
  if (ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &client_context) != LDAP_OPT_SUCCESS) {
    return Status::InvalidArgument("ldap: cannot set up TLS (is the CA file readable?)");
  }
  const int rc = ldap_start_tls_s(ld.get(), nullptr, nullptr);
  if (rc != LDAP_SUCCESS) {
    // Unreachable or not: nothing was sent but StartTLS, so nothing is known changed.
    return Status::Unavailable("ldap: StartTLS with " + ep.HostPort() +
                               " failed: " + Describe(ld.get(), rc, {}));
  }
  return ld;
}

// true when the directory accepts the DN and password, false when it refuses them.
Result<bool> SimpleBind(LDAP* ld, const Endpoint& ep, const std::string& dn, std::string_view password) {
  berval cred = View(password);
  const int rc = ldap_sasl_bind_s(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  if (rc == LDAP_SUCCESS) return true;
  // 49: wrong password, or no such entry (servers answer both alike). 48: the entry has no
  // password a simple bind can use.
  if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INAPPROPRIATE_AUTH) return false;
  if (IsUnreachable(rc)) {
    return Status::Unavailable("ldap: cannot reach " + ep.HostPort() + ": " + Describe(ld, rc, {password}));
  }
  return Status::IOError("ldap: the bind failed: " + Describe(ld, rc, {password}));
}

}  // namespace

Status LdapConnector::ChangePassword(const TargetAddress& at, HostKeyCheck& /*host_key*/,
                                     const PasswordChange& change) {
  const SigpipeGuard sigpipe;
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kLdapPort));
  PSAFE_RETURN_IF_ERROR(CheckDn("the account DN", change.account));
  PSAFE_RETURN_IF_ERROR(CheckSecret("the new password", change.new_password));
  const bool self = change.functional.name.empty();
  const std::string& bind_dn = self ? change.account : change.functional.name;
  const std::string_view bind_password = self ? change.current_password : change.functional.password;
  if (!self) PSAFE_RETURN_IF_ERROR(CheckDn("the functional account DN", bind_dn));
  PSAFE_RETURN_IF_ERROR(
      CheckSecret(self ? "the current password" : "the functional account's password", bind_password));

  PSAFE_ASSIGN_OR_RETURN(LdapPtr ld, Open(ep, at));
  PSAFE_ASSIGN_OR_RETURN(const bool bound, SimpleBind(ld.get(), ep, bind_dn, bind_password));
  if (!bound) {
    return Status::PermissionDenied("ldap: " + ep.HostPort() + " refused " +
                                    (self ? "the account's current password" : "the functional account"));
  }

  berval user = View(change.account);
  berval old_password = View(change.current_password);
  berval new_password = View(change.new_password);
  // ldap_passwd_s requires somewhere to put a password the server generates (it only does
  // when no new one is given, but whatever comes back is wiped).
  berval generated{};
  const int rc = ldap_passwd_s(ld.get(), &user, self ? &old_password : nullptr, &new_password, &generated,
                               nullptr, nullptr);
  if (generated.bv_val != nullptr) {
    crypto::SecureWipe(generated.bv_val, generated.bv_len);
    ber_memfree(generated.bv_val);
  }
  if (rc == LDAP_SUCCESS) return Status::OK();
  const std::string why = Describe(ld.get(), rc, {change.new_password, change.current_password});
  if (rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT) {
    return Status::IOError(
        "ldap: lost the directory during the change; the password may or may not have changed: " + why);
  }
  return Status::IOError("ldap: the password was not changed: " + why);
}

Result<bool> LdapConnector::Verify(const TargetAddress& at, HostKeyCheck& /*host_key*/,
                                   const TargetLogin& login) {
  const SigpipeGuard sigpipe;
  PSAFE_ASSIGN_OR_RETURN(const Endpoint ep, ResolveEndpoint(at, kLdapPort));
  PSAFE_RETURN_IF_ERROR(CheckDn("the bind DN", login.name));
  // Not only well-formed: an empty password would make this an unauthenticated bind, which
  // directories accept without checking anything.
  PSAFE_RETURN_IF_ERROR(CheckSecret("the password", login.password));
  PSAFE_ASSIGN_OR_RETURN(LdapPtr ld, Open(ep, at));
  return SimpleBind(ld.get(), ep, login.name, login.password);
}

}  // namespace psafe::connectors
