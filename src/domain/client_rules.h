// Where and how a client may use an API registration (docs/psrun2.md, "Registration
// rules"): IP authentication rules, PSRUN factor rules with their signature, and a
// required client certificate. Pure functions plus a replay cache; AuthService applies
// them at sign-in, where the API key is in hand.
#pragma once

#include <optional>
#include <string>

#include "common/psrun_factors.h"
#include "common/status.h"
#include "domain/identity.h"

namespace psafe::domain {

// What the transport knows about the caller, beyond its credentials.
struct ClientContext {
  std::string remote_address;             // as psafed saw it
  bool client_certificate = false;        // verified against the configured client CA
  std::optional<PsrunFactors> factors;    // the X-PSRUN-* headers, when sent
  std::string method;
  std::string path;                       // the request path as sent
};

inline constexpr int64_t kPsrunTimestampWindowSeconds = 300;

// `pattern`: an exact address, a wildcard (10.0.0.*), a CIDR block (10.0.0.0/24) or a
// range (10.0.0.1-10.0.0.9); IPv4 or IPv6. False for anything unparsable.
bool IpMatches(std::string_view pattern, std::string_view ip);
// '*' any run, '?' one character, ASCII case-insensitive.
bool WildcardMatch(std::string_view pattern, std::string_view value);
// Every non-empty expectation of the rule holds. The IP address is matched against the
// address psafed saw, not the one the client claims.
bool PsrunRuleMatches(const PsrunRule& rule, const PsrunFactors& factors, std::string_view observed_ip);

Status ValidateIpRule(const IpRule& rule);
Status ValidatePsrunRule(const PsrunRule& rule);

}  // namespace psafe::domain
