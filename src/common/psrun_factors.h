// The PSRUN client factors and their signature: the wire protocol psrun2 and psafed share
// (docs/psrun2.md, "Factors and signature"). BeyondTrust publishes neither header names
// nor the signature scheme, so these are psafe's own, versioned by kPsrunProtocol.
//
// Every call carries, unless psrun2 runs with -sf:
//   X-PSRUN-Version: 1
//   X-PSRUN-Timestamp: <unix seconds>
//   X-PSRUN-Nonce: <32 lower-case hex characters, fresh per call>
//   X-PSRUN-<Factor>: <percent-encoded UTF-8 value>   (the eight factors below)
//   X-PSRUN-Signature: hex(HMAC-SHA-256(K, canonical)), K = HMAC-SHA-256(API key, "psrun2 signature v1")
// The canonical form joins with '\n': "PSRUN-1", the method (upper case), the request
// path as sent (without the query), the timestamp, the nonce, and "<Factor>=<value>" for
// the eight factors in the order of kPsrunFactors, each value percent-encoded as below
// (so the verifier re-encodes what it decoded, and no value can contain a line break).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace psafe {

inline constexpr std::string_view kPsrunProtocol = "1";
inline constexpr std::string_view kPsrunSigningLabel = "psrun2 signature v1";

// The eight factors, in canonical order; `name` is the product's PSRUN rule field name.
enum class PsrunFactor { kIpAddress, kMacAddress, kSystemName, kFqdn, kDomainName, kUserId, kRootVolumeId, kOsVersion };
inline constexpr size_t kPsrunFactorCount = 8;

struct PsrunFactorInfo {
  PsrunFactor factor;
  std::string_view name;    // IPAddress, MacAddress, ...
  std::string_view header;  // X-PSRUN-IPAddress, ...
};

inline constexpr PsrunFactorInfo kPsrunFactors[kPsrunFactorCount] = {
    {PsrunFactor::kIpAddress, "IPAddress", "X-PSRUN-IPAddress"},
    {PsrunFactor::kMacAddress, "MacAddress", "X-PSRUN-MacAddress"},
    {PsrunFactor::kSystemName, "SystemName", "X-PSRUN-SystemName"},
    {PsrunFactor::kFqdn, "FQDN", "X-PSRUN-FQDN"},
    {PsrunFactor::kDomainName, "DomainName", "X-PSRUN-DomainName"},
    {PsrunFactor::kUserId, "UserId", "X-PSRUN-UserId"},
    {PsrunFactor::kRootVolumeId, "RootVolumeId", "X-PSRUN-RootVolumeId"},
    {PsrunFactor::kOsVersion, "OSVersion", "X-PSRUN-OSVersion"},
};

inline constexpr std::string_view kPsrunVersionHeader = "X-PSRUN-Version";
inline constexpr std::string_view kPsrunTimestampHeader = "X-PSRUN-Timestamp";
inline constexpr std::string_view kPsrunNonceHeader = "X-PSRUN-Nonce";
inline constexpr std::string_view kPsrunSignatureHeader = "X-PSRUN-Signature";

// What a call presented, decoded.
struct PsrunFactors {
  std::array<std::string, kPsrunFactorCount> values;
  std::string version;
  std::string timestamp;
  std::string nonce;
  std::string signature;
  const std::string& Get(PsrunFactor f) const { return values[static_cast<size_t>(f)]; }
};

std::string PsrunCanonicalString(const PsrunFactors& f, std::string_view method, std::string_view path);

// Header values are percent-encoded so any UTF-8 fits: bytes 0x21-0x7E other than '%'
// stay as they are, every other byte becomes %XX (upper-case hex).
std::string PercentEncodeHeaderValue(std::string_view v);
std::optional<std::string> PercentDecodeHeaderValue(std::string_view v);

}  // namespace psafe
