// What every connector checks before it touches the network, so that nothing the estate
// holds (a host, a name, a password) can change what a protocol call means: a host that
// libpq would read as a socket directory or a host list, an account name that ends a
// chpasswd line, a password with a NUL that a C API would silently cut.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "domain/target_connector.h"

namespace psafe::connectors {

// A TargetAddress with its defaults applied and its host checked.
struct Endpoint {
  std::string host;         // a DNS name, an IPv4 literal, or an IPv6 literal without brackets
  int port = 0;             // 1..65535
  int timeout_seconds = 0;  // >= 1
  // "host:port", or "[v6]:port", for messages and URLs.
  std::string HostPort() const;
};

inline constexpr int kDefaultTimeoutSeconds = 30;

// InvalidArgument unless the host is a DNS name or an IP literal ("[::1]" is accepted and
// unbracketed) and the port is 0 (then `default_port`) or in range. A timeout that is not
// positive becomes kDefaultTimeoutSeconds: a connector must never wait forever.
Result<Endpoint> ResolveEndpoint(const domain::TargetAddress& at, int default_port);

// A name as a target sees it: not empty, at most `max_len` bytes, no ASCII control
// character and none of `forbidden`. `what` names it in the message (the name itself is
// not secret, but is left out so that a malformed one cannot garble the message).
Status CheckName(std::string_view what, std::string_view name, size_t max_len,
                 std::string_view forbidden = {});

// A secret that travels as a line or a C string: not empty (an empty password means
// "no authentication" to LDAP and "no password given" to libpq), and no NUL, CR or LF.
Status CheckSecret(std::string_view what, std::string_view secret);

}  // namespace psafe::connectors
