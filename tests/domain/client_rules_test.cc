#include "domain/client_rules.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "crypto/psrun_signature.h"

namespace psafe::domain {
namespace {

TEST(ClientRulesTest, IpPatterns) {
  struct Case {
    const char* pattern;
    const char* ip;
    bool match;
  };
  const Case cases[] = {
      {"10.0.0.5", "10.0.0.5", true},       {"10.0.0.5", "10.0.0.50", false},
      {"10.0.0.*", "10.0.0.77", true},      {"10.0.0.*", "10.0.1.7", false},
      {"10.0.0.0/24", "10.0.0.255", true},  {"10.0.0.0/24", "10.0.1.0", false},
      {"10.0.0.0/0", "192.168.1.1", true},  {"10.0.0.0/33", "10.0.0.1", false},
      {"10.0.0.1-10.0.0.9", "10.0.0.9", true}, {"10.0.0.1-10.0.0.9", "10.0.0.10", false},
      {"::1", "::1", true},                 {"fd00::/8", "fd12::1", true},
      {"fd00::/8", "fe80::1", false},       {"127.0.0.0/8", "::1", false},
      {"garbage", "10.0.0.1", false},       {"10.0.0.0/x", "10.0.0.1", false},
      {"10.0.0.*", "::ffff:10.0.0.7", true}, {"10.0.0.0/8", "::FFFF:10.1.2.3", true},
  };
  for (const Case& c : cases) EXPECT_EQ(IpMatches(c.pattern, c.ip), c.match) << c.pattern << " vs " << c.ip;
}

TEST(ClientRulesTest, WildcardsAreCaseInsensitiveAndLinear) {
  EXPECT_TRUE(WildcardMatch("web-*", "WEB-01"));
  EXPECT_TRUE(WildcardMatch("Linux 6.?.*", "linux 6.1.0-18-amd64"));
  EXPECT_FALSE(WildcardMatch("web-?", "web-10"));
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_FALSE(WildcardMatch("", "x"));
  // A pathological pattern finishes (no exponential backtracking).
  EXPECT_FALSE(WildcardMatch(std::string(50, '*') + "b", std::string(5000, 'a')));
}

TEST(ClientRulesTest, EveryGivenFactorMustMatchAndIpIsTheObservedOne) {
  PsrunFactors f;
  f.values[static_cast<size_t>(PsrunFactor::kSystemName)] = "build-7";
  f.values[static_cast<size_t>(PsrunFactor::kIpAddress)] = "10.1.1.1";  // claimed
  PsrunRule r;
  r.expected[static_cast<size_t>(PsrunFactor::kSystemName)] = "build-*";
  EXPECT_TRUE(PsrunRuleMatches(r, f, "127.0.0.1"));
  r.expected[static_cast<size_t>(PsrunFactor::kIpAddress)] = "10.1.1.1";
  EXPECT_FALSE(PsrunRuleMatches(r, f, "127.0.0.1"));  // the claim does not count
  EXPECT_TRUE(PsrunRuleMatches(r, f, "10.1.1.1"));
  r.expected[static_cast<size_t>(PsrunFactor::kOsVersion)] = "Linux*";
  EXPECT_FALSE(PsrunRuleMatches(r, f, "10.1.1.1"));  // OSVersion was not sent
}

TEST(ClientRulesTest, RuleValidation) {
  EXPECT_TRUE(ValidateIpRule({"SingleIP", "10.0.0.1", ""}).ok());
  EXPECT_TRUE(ValidateIpRule({"cidr", "10.0.0.0/8", ""}).ok());
  EXPECT_TRUE(ValidateIpRule({"IPRange", "10.0.0.1-10.0.0.2", ""}).ok());
  EXPECT_FALSE(ValidateIpRule({"IPRange", "10.0.0.9-10.0.0.2", ""}).ok());  // empty range
  EXPECT_FALSE(ValidateIpRule({"SingleIP", "10.0.0.0/8", ""}).ok());
  EXPECT_FALSE(ValidateIpRule({"Subnet", "10.0.0.0/8", ""}).ok());
  EXPECT_FALSE(ValidatePsrunRule(PsrunRule{}).ok());
}

TEST(PsrunProtocolTest, CanonicalFormAndSignatureAreStable) {
  PsrunFactors f;
  f.timestamp = "1700000000";
  f.nonce = "00112233445566778899aabbccddeeff";
  f.values[static_cast<size_t>(PsrunFactor::kSystemName)] = "host";
  const std::string canonical = PsrunCanonicalString(f, "post", "/BeyondTrust/api/public/v3/Auth/SignAppIn?x=1");
  EXPECT_EQ(canonical,
            "PSRUN-1\nPOST\n/BeyondTrust/api/public/v3/Auth/SignAppIn\n1700000000\n00112233445566778899aabbccddeeff\n"
            "IPAddress=\nMacAddress=\nSystemName=host\nFQDN=\nDomainName=\nUserId=\nRootVolumeId=\nOSVersion=");
  // Pinned (computed with Python's hmac): a change here breaks every deployed psrun2.
  EXPECT_EQ(crypto::PsrunSignature("key", canonical),
            "ccac5aaf23fa9acdc64e79bba9320d84dde39d5c89317f8c687e0c89232121c2");
  EXPECT_NE(crypto::PsrunSignature("key", canonical), crypto::PsrunSignature("key2", canonical));
  EXPECT_EQ(PercentEncodeHeaderValue("a b%é"), "a%20b%25%C3%A9");
  EXPECT_EQ(PercentDecodeHeaderValue("a%20b%25%C3%A9"), "a b%é");
  EXPECT_FALSE(PercentDecodeHeaderValue("%2").has_value());
  EXPECT_FALSE(PercentDecodeHeaderValue("%zz").has_value());
}

}  // namespace
}  // namespace psafe::domain
