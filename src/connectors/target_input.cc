#include "connectors/target_input.h"

#include <algorithm>

namespace psafe::connectors {

namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Letters, digits, '-', '_' and '.': every DNS name and IPv4 literal, and nothing that a
// URL, a libpq host list (',') or a libpq socket path ('/') would give a meaning to.
bool IsHostName(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '-' || h.front() == '.') return false;
  return std::all_of(h.begin(), h.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// Hex digits, ':' and '.' (for the IPv4-mapped form); at least two colons.
bool IsIpv6Literal(std::string_view h) {
  if (h.size() < 2 || h.size() > 45 || std::count(h.begin(), h.end(), ':') < 2) return false;
  return std::all_of(h.begin(), h.end(), [](char c) { return IsHex(c) || c == ':' || c == '.'; });
}

}  // namespace

std::string Endpoint::HostPort() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Endpoint> ResolveEndpoint(const domain::TargetAddress& at, int default_port) {
  std::string_view host = at.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!IsHostName(host) && !IsIpv6Literal(host)) {
    return Status::InvalidArgument("the target's host is not a DNS name or an IP address");
  }
  if (at.port < 0 || at.port > 65535) return Status::InvalidArgument("the target's port is out of range");
  Endpoint ep;
  ep.host = std::string(host);
  ep.port = at.port == 0 ? default_port : static_cast<int>(at.port);
  // Capped at a day so the value fits every C API's int/long and seconds-to-ms product.
  ep.timeout_seconds = at.timeout_seconds <= 0
                           ? kDefaultTimeoutSeconds
                           : static_cast<int>(std::min<int64_t>(at.timeout_seconds, 86400));
  return ep;
}

Status CheckName(std::string_view what, std::string_view name, size_t max_len,
                 std::string_view forbidden) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (name.size() > max_len) {
    return Status::InvalidArgument(std::string(what) + " is longer than " + std::to_string(max_len) +
                                   " bytes");
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " contains a control character");
    }
    if (forbidden.find(c) != std::string_view::npos) {
      return Status::InvalidArgument(std::string(what) + " contains '" + std::string(1, c) + "'");
    }
  }
  return Status::OK();
}

Status CheckSecret(std::string_view what, std::string_view secret) {
  if (secret.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (secret.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " contains a NUL, CR or LF character");
  }
  return Status::OK();
}

}  // namespace psafe::connectors
