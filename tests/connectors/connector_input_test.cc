// The connectors' pure parts: the host-key decision, what may reach a target, and what a
// target's text may put in a message. The connectors themselves are tested against real
// sshd, PostgreSQL and slapd in tests/e2e/test_rotation*.py.
#include <gtest/gtest.h>

#include "connectors/host_key_policy.h"
#include "connectors/safe_excerpt.h"
#include "connectors/target_input.h"

namespace psafe::connectors {
namespace {

domain::HostKeyCheck Check(int64_t mode, std::string pinned, std::string seen) {
  domain::HostKeyCheck c;
  c.mode = mode;
  c.pinned = std::move(pinned);
  c.seen = std::move(seen);
  return c;
}

TEST(HostKeyPolicyTest, ModesAcceptWhatTheySay) {
  EXPECT_TRUE(CheckHostKey(Check(0, "SHA256:a", "SHA256:b")).ok());  // none: any key
  EXPECT_TRUE(CheckHostKey(Check(1, "", "SHA256:b")).ok());          // first contact pins
  EXPECT_TRUE(CheckHostKey(Check(1, "SHA256:b", "SHA256:b")).ok());
  EXPECT_EQ(CheckHostKey(Check(1, "SHA256:a", "SHA256:b")).code(), StatusCode::kConflict);
  EXPECT_EQ(CheckHostKey(Check(2, "", "SHA256:b")).code(), StatusCode::kConflict);  // none accepted yet
  EXPECT_TRUE(CheckHostKey(Check(2, "SHA256:b", "SHA256:b")).ok());
  EXPECT_EQ(CheckHostKey(Check(3, "", "SHA256:b")).code(), StatusCode::kInvalidArgument);
}

TEST(TargetInputTest, HostsThatLibpqWouldReadOtherwiseAreRefused) {
  domain::TargetAddress at;
  for (const char* bad : {"", "/var/run/postgresql", "a,b", "host name", "a\nb"}) {
    at.host = bad;
    EXPECT_FALSE(ResolveEndpoint(at, 22).ok()) << bad;
  }
  at.host = "127.0.0.1";
  at.port = 0;
  at.timeout_seconds = 0;
  auto e = ResolveEndpoint(at, 5432);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port, 5432);
  EXPECT_EQ(e->timeout_seconds, kDefaultTimeoutSeconds);  // never wait forever
  at.port = 70000;
  EXPECT_FALSE(ResolveEndpoint(at, 22).ok());
}

TEST(TargetInputTest, NamesAndSecretsThatWouldChangeAProtocolLineAreRefused) {
  EXPECT_TRUE(CheckName("account", "alice", 32, ":").ok());
  EXPECT_FALSE(CheckName("account", "al:ice", 32, ":").ok());
  EXPECT_FALSE(CheckName("account", "alice\nroot", 32).ok());
  EXPECT_FALSE(CheckName("account", "", 32).ok());
  EXPECT_TRUE(CheckSecret("password", "p:w d!").ok());
  EXPECT_FALSE(CheckSecret("password", "").ok());  // an anonymous bind to LDAP
  EXPECT_FALSE(CheckSecret("password", std::string_view("a\0b", 3)).ok());
  EXPECT_FALSE(CheckSecret("password", "a\nb").ok());
}

TEST(SafeExcerptTest, SecretsAreRedactedAndTheRestTrimmed) {
  const std::string out = SafeExcerpt("chpasswd: bad line alice:Hunter2!\n\x01 more", {"Hunter2!"});
  EXPECT_EQ(out.find("Hunter2!"), std::string::npos);
  EXPECT_NE(out.find("[redacted]"), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_LE(SafeExcerpt(std::string(1000, 'x'), {}).size(), kExcerptMaxBytes + 8);
}

}  // namespace
}  // namespace psafe::connectors
