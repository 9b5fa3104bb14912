#include "domain/client_rules.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

#include "common/strings.h"

namespace psafe::domain {

namespace {

// An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96) so both families compare alike.
std::optional<std::array<unsigned char, 16>> ParseIp(std::string_view text) {
  std::string s(TrimWhitespace(text));
  std::array<unsigned char, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool IsV4(std::string_view text) { return text.find(':') == std::string_view::npos; }

bool CidrMatches(std::string_view pattern, std::string_view ip) {
  size_t slash = pattern.find('/');
  auto net = ParseIp(pattern.substr(0, slash));
  auto addr = ParseIp(ip);
  int bits = 0;
  std::string_view b = TrimWhitespace(pattern.substr(slash + 1));
  auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
  if (!net || !addr || ec != std::errc() || end != b.data() + b.size()) return false;
  const int max = IsV4(pattern.substr(0, slash)) ? 32 : 128;
  if (bits < 0 || bits > max) return false;
  if (max == 32) bits += 96;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if (((*net)[static_cast<size_t>(i)] ^ (*addr)[static_cast<size_t>(i)]) & mask) return false;
  }
  return true;
}

bool RangeMatches(std::string_view pattern, std::string_view ip) {
  size_t dash = pattern.find('-');
  auto lo = ParseIp(pattern.substr(0, dash));
  auto hi = ParseIp(pattern.substr(dash + 1));
  auto addr = ParseIp(ip);
  return lo && hi && addr && *lo <= *addr && *addr <= *hi;
}

}  // namespace

bool WildcardMatch(std::string_view p, std::string_view v) {
  // Iterative glob with one backtrack point: linear in practice, no recursion.
  size_t pi = 0, vi = 0, star = std::string_view::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && LowerAscii(p[pi]) == LowerAscii(v[vi])))) {
      ++pi;
      ++vi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = vi;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool IpMatches(std::string_view pattern, std::string_view ip) {
  pattern = TrimWhitespace(pattern);
  // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d; rules name a.b.c.d.
  if (ip.size() > 7 && EqualsIgnoreCase(ip.substr(0, 7), "::ffff:") && ip.find('.') != std::string_view::npos) {
    ip.remove_prefix(7);
  }
  if (pattern.find('/') != std::string_view::npos) return CidrMatches(pattern, ip);
  if (pattern.find('-') != std::string_view::npos) return RangeMatches(pattern, ip);
  if (pattern.find_first_of("*?") != std::string_view::npos) return WildcardMatch(pattern, ip);
  auto a = ParseIp(pattern);
  auto b = ParseIp(ip);
  return a && b && *a == *b;
}

bool PsrunRuleMatches(const PsrunRule& rule, const PsrunFactors& factors, std::string_view observed_ip) {
  for (const PsrunFactorInfo& info : kPsrunFactors) {
    const std::string& want = rule.expected[static_cast<size_t>(info.factor)];
    if (want.empty()) continue;
    const bool ok = info.factor == PsrunFactor::kIpAddress ? IpMatches(want, observed_ip)
                                                            : WildcardMatch(want, factors.Get(info.factor));
    if (!ok) return false;
  }
  return true;
}

Status ValidateIpRule(const IpRule& rule) {
  struct TypeRow {
    std::string_view type;
    char marker;  // the character the value must (or, for SingleIP, must not) contain
  };
  static constexpr TypeRow kTypes[] = {{"SingleIP", 0}, {"IPRange", '-'}, {"CIDR", '/'}};
  for (const TypeRow& t : kTypes) {
    if (!EqualsIgnoreCase(t.type, rule.type)) continue;
    const bool has_range = rule.value.find('-') != std::string::npos;
    const bool has_cidr = rule.value.find('/') != std::string::npos;
    bool valid = false;
    if (t.marker == 0) valid = !has_range && !has_cidr && ParseIp(rule.value).has_value();
    if (t.marker == '-') valid = has_range && RangeMatches(rule.value, rule.value.substr(0, rule.value.find('-')));
    if (t.marker == '/') valid = has_cidr && CidrMatches(rule.value, rule.value.substr(0, rule.value.find('/')));
    if (!valid) return Status::InvalidArgument("IP rule value '" + rule.value + "' is not a valid " + std::string(t.type));
    return Status::OK();
  }
  return Status::InvalidArgument("IP rule Type must be SingleIP, IPRange or CIDR");
}

Status ValidatePsrunRule(const PsrunRule& rule) {
  bool any = false;
  for (const PsrunFactorInfo& info : kPsrunFactors) {
    const std::string& v = rule.expected[static_cast<size_t>(info.factor)];
    if (v.size() > 256) return Status::InvalidArgument(std::string(info.name) + " is longer than 256 characters");
    any = any || !v.empty();
  }
  const std::string& ip = rule.expected[static_cast<size_t>(PsrunFactor::kIpAddress)];
  if (!ip.empty() && ip.find_first_of("*?") == std::string::npos) {
    const std::string probe = ip.substr(0, ip.find_first_of("/-"));
    if (!IpMatches(ip, probe)) return Status::InvalidArgument("IPAddress '" + ip + "' is not an address, range or CIDR");
  }
  if (!any) return Status::InvalidArgument("a PSRUN rule needs at least one factor");
  return Status::OK();
}

}  // namespace psafe::domain
