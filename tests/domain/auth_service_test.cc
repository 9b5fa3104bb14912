#include "domain/auth_service.h"

#include <gtest/gtest.h>

#include "crypto/password_hash.h"
#include "fixtures/test_env.h"

namespace psafe::domain {
namespace {

constexpr std::string_view kKey = "k-0123456789abcdef";
constexpr std::string_view kClientId = "6f1c2b1e-0000-4000-8000-000000000001";
constexpr std::string_view kClientSecret = "client-secret-0123456789abcdef0123456789";

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    User u;
    u.user_name = "svc";
    u.name = "Service";
    u.password_hash = crypto::HashPassword("pw");
    user_id_ = env_.store->CreateUser(u).value();
    User other;
    other.user_name = "other";
    other_id_ = env_.store->CreateUser(other).value();
    ApiRegistration reg;
    reg.name = "app";
    reg.key_hash = env_.keyring->TokenHash(kKey);
    reg.client_id = std::string(kClientId);
    reg.client_secret_hash = env_.keyring->TokenHash(kClientSecret);
    reg.oauth_user_id = user_id_;
    reg_id_ = env_.store->CreateApiRegistration(reg).value();
    ASSERT_TRUE(env_.store->AllowUserForRegistration(reg_id_, user_id_).ok());
  }

  Result<Principal> SignIn(std::string_view key, std::string runas,
                           std::optional<std::string_view> pwd = std::nullopt) {
    ApiKeyCredentials c{crypto::SecretString(key), std::move(runas), {}};
    if (pwd) c.password.emplace(*pwd);
    return auth_.AuthenticateApiKey(c, client_);
  }

  testing::StoreEnv env_;
  AuthService auth_{env_.store->ports(), *env_.keyring, env_.clock, *env_.audit, AuthPolicy{}};
  int64_t user_id_ = 0, other_id_ = 0, reg_id_ = 0;
  ClientContext client_{"127.0.0.1"};
};

TEST_F(AuthServiceTest, ApiKeySignInChecksKeyUserAndPassword) {
  auto p = SignIn(kKey, "svc");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user.id, user_id_);
  EXPECT_EQ(p->registration_id, reg_id_);
  EXPECT_TRUE(SignIn(kKey, "DOMAIN\\SVC").ok());      // domain prefix, any case
  EXPECT_TRUE(SignIn(kKey, "svc", "pw").ok());
  EXPECT_FALSE(SignIn(kKey, "svc", "wrong").ok());
  EXPECT_FALSE(SignIn("not-the-key", "svc").ok());
  EXPECT_FALSE(SignIn(kKey, "nobody").ok());
  EXPECT_FALSE(SignIn(kKey, "other").ok());          // not allowed on this registration
  EXPECT_FALSE(SignIn(kKey, "").ok());
}

TEST_F(AuthServiceTest, FiveFailuresLockThePairForFifteenMinutes) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(SignIn(kKey, "svc", "wrong").status().code(), StatusCode::kUnauthenticated);
  }
  auto locked = SignIn(kKey, "svc", "pw");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.status().code(), StatusCode::kLocked);
  env_.clock.Advance(15 * 60 - 1);
  EXPECT_FALSE(SignIn(kKey, "svc", "pw").ok());
  env_.clock.Advance(1);
  EXPECT_TRUE(SignIn(kKey, "svc", "pw").ok());
}

// Found by fuzz_request: a huge configured threshold times the per-user factor overflowed.
TEST_F(AuthServiceTest, AHugeLockoutThresholdNeitherOverflowsNorLocks) {
  AuthPolicy policy;
  policy.lockout_threshold = 1 << 30;
  AuthService lenient(env_.store->ports(), *env_.keyring, env_.clock, *env_.audit, policy);
  for (int i = 0; i < 10; ++i) {
    ApiKeyCredentials c{crypto::SecretString(kKey), "svc", crypto::SecretString(std::string_view("wrong"))};
    EXPECT_EQ(lenient.AuthenticateApiKey(c, client_).status().code(), StatusCode::kUnauthenticated);
  }
  ApiKeyCredentials good{crypto::SecretString(kKey), "svc", crypto::SecretString(std::string_view("pw"))};
  EXPECT_TRUE(lenient.AuthenticateApiKey(good, client_).ok());
}

TEST_F(AuthServiceTest, ALockedSourceLeavesTheUserFreeElsewhereUntilManySourcesFail) {
  AuthPolicy policy;
  policy.lockout_threshold = 2;  // so the per-user bound is 40
  AuthService auth(env_.store->ports(), *env_.keyring, env_.clock, *env_.audit, policy);
  const auto attempt = [&](std::string address, std::string_view pwd) {
    ApiKeyCredentials c{crypto::SecretString(kKey), "svc", crypto::SecretString(pwd)};
    return auth.AuthenticateApiKey(c, ClientContext{std::move(address)}).status().code();
  };
  EXPECT_EQ(attempt("10.0.0.1", "wrong"), StatusCode::kUnauthenticated);
  EXPECT_EQ(attempt("10.0.0.1", "wrong"), StatusCode::kUnauthenticated);
  EXPECT_EQ(attempt("10.0.0.1", "pw"), StatusCode::kLocked);  // that source is locked
  EXPECT_EQ(attempt("10.0.0.2", "pw"), StatusCode::kOk);      // the user, elsewhere, is not
  for (int i = 0; i < 40; ++i) (void)attempt("10.1.0." + std::to_string(i), "wrong");
  EXPECT_EQ(attempt("10.0.0.2", "pw"), StatusCode::kLocked);  // guessing spread wide locks the user
}

TEST_F(AuthServiceTest, SuccessResetsTheFailureCount) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(SignIn(kKey, "svc", "wrong").ok());
  EXPECT_TRUE(SignIn(kKey, "svc", "pw").ok());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(SignIn(kKey, "svc", "wrong").ok());
  EXPECT_TRUE(SignIn(kKey, "svc", "pw").ok());
}

TEST_F(AuthServiceTest, UnknownKeysLockNobody) {
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(SignIn("guess", "svc").ok());
  EXPECT_TRUE(SignIn(kKey, "svc").ok());
}

TEST_F(AuthServiceTest, SessionsExpireAfterTwentyIdleMinutes) {
  auto p = SignIn(kKey, "svc");
  ASSERT_TRUE(p.ok());
  auto token = auth_.StartSession(*p, "test");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->size(), 64u);
  env_.clock.Advance(19 * 60);
  EXPECT_TRUE(auth_.AuthenticateSession(token->view(), client_).ok());  // activity resets idle time
  env_.clock.Advance(19 * 60);
  EXPECT_TRUE(auth_.AuthenticateSession(token->view(), client_).ok());
  env_.clock.Advance(20 * 60);
  EXPECT_FALSE(auth_.AuthenticateSession(token->view(), client_).ok());
}

TEST_F(AuthServiceTest, SignOutEndsTheSession) {
  auto p = SignIn(kKey, "svc").value();
  auto token = auth_.StartSession(p, "test");
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(auth_.EndSession(p, token->view()).ok());
  auto audit = env_.store->ListAudit({});
  ASSERT_TRUE(audit.ok());
  ASSERT_GE(audit->items.size(), 2u);
  EXPECT_EQ(audit->items[0].event.action, "signout");  // newest first
  EXPECT_EQ(audit->items[1].event.action, "signin");
  EXPECT_FALSE(auth_.AuthenticateSession(token->view(), client_).ok());
}

// A session's registration and user are kept in memory between calls
// (domain/admission_cache.h); every change that could refuse them must still refuse the
// next call, through a second service (another node) as well as the one that cached them.
TEST_F(AuthServiceTest, ChangesToWhatAdmitsASessionRefuseItsNextCall) {
  AuthService other_node(env_.store->ports(), *env_.keyring, env_.clock, *env_.audit, AuthPolicy{});
  auto p = SignIn(kKey, "svc").value();
  auto token = auth_.StartSession(p, "test").value();
  ASSERT_TRUE(auth_.AuthenticateSession(token.view(), client_).ok());
  ASSERT_TRUE(other_node.AuthenticateSession(token.view(), client_).ok());

  // Unlinked from the registration (the session row itself stays).
  ASSERT_TRUE(env_.store->DisallowUserForRegistration(reg_id_, user_id_).ok());
  EXPECT_FALSE(auth_.AuthenticateSession(token.view(), client_).ok());
  EXPECT_FALSE(other_node.AuthenticateSession(token.view(), client_).ok());
  ASSERT_TRUE(env_.store->AllowUserForRegistration(reg_id_, user_id_).ok());
  ASSERT_TRUE(auth_.AuthenticateSession(token.view(), client_).ok());
  ASSERT_TRUE(other_node.AuthenticateSession(token.view(), client_).ok());

  // The registration restricted to another address.
  ApiRegistration reg = env_.store->FindRegistrationById(reg_id_).value();
  reg.ip_rules = {IpRule{"SingleIP", "10.9.9.9", ""}};
  ASSERT_TRUE(env_.store->UpdateApiRegistration(reg).ok());
  EXPECT_FALSE(auth_.AuthenticateSession(token.view(), client_).ok());
  EXPECT_FALSE(other_node.AuthenticateSession(token.view(), client_).ok());
  reg.ip_rules.clear();
  ASSERT_TRUE(env_.store->UpdateApiRegistration(reg).ok());

  // The user disabled in the store without ending its sessions: still refused.
  User u = env_.store->FindUserById(user_id_).value();
  ASSERT_TRUE(auth_.AuthenticateSession(token.view(), client_).ok());
  u.enabled = false;
  ASSERT_TRUE(env_.store->UpdateUser(u).ok());
  EXPECT_FALSE(auth_.AuthenticateSession(token.view(), client_).ok());
  EXPECT_FALSE(other_node.AuthenticateSession(token.view(), client_).ok());
}

TEST_F(AuthServiceTest, OAuthTokensWorkUntilTheyExpire) {
  auto token = auth_.IssueToken(kClientId, kClientSecret, client_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->expires_in, 3600);
  auto p = auth_.AuthenticateBearer(token->access_token.view(), client_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user.id, user_id_);
  // A bearer token is not a cookie, and a cookie is not a bearer token.
  EXPECT_FALSE(auth_.AuthenticateSession(token->access_token.view(), client_).ok());
  env_.clock.Advance(3600);
  EXPECT_FALSE(auth_.AuthenticateBearer(token->access_token.view(), client_).ok());
}

TEST_F(AuthServiceTest, OAuthRejectsBadSecretsAndLocksAfterFive) {
  EXPECT_FALSE(auth_.IssueToken(kClientId, "wrong", client_).ok());
  EXPECT_FALSE(auth_.IssueToken("unknown-client", kClientSecret, client_).ok());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(auth_.IssueToken(kClientId, "wrong", client_).ok());
  EXPECT_EQ(auth_.IssueToken(kClientId, kClientSecret, client_).status().code(), StatusCode::kLocked);
}

TEST_F(AuthServiceTest, SweepRemovesOnlyExpiredSessions) {
  auto p = SignIn(kKey, "svc").value();
  auto old_token = auth_.StartSession(p, "test");
  env_.clock.Advance(21 * 60);
  auto fresh_token = auth_.StartSession(p, "test");
  ASSERT_TRUE(auth_.SweepExpired().ok());
  EXPECT_EQ(env_.store->FindSession(env_.keyring->TokenHash(old_token->view())).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(auth_.AuthenticateSession(fresh_token->view(), client_).ok());
}

}  // namespace
}  // namespace psafe::domain
