#include "domain/secret_service.h"

#include <gtest/gtest.h>

#include "fixtures/test_env.h"

namespace psafe::domain {
namespace {

SecretInput Credential(std::string title, std::string password) {
  SecretInput in;
  in.title = std::move(title);
  in.username = "app";
  in.value = crypto::SecretString(std::move(password));
  return in;
}

class SecretServiceTest : public ::testing::Test {
 protected:
  SecretServiceTest() {
    admin_.user.is_administrator = true;
    admin_.user.user_name = "admin";
    User u;
    u.user_name = "alice";
    alice_.user = u;
    alice_.user.id = env_.store->CreateUser(u).value();
    UserGroup g;
    g.name = "alice's";
    group_ = env_.store->CreateUserGroup(g).value();
    EXPECT_TRUE(env_.store->AddUserToGroup(group_, alice_.user.id).ok());
  }
  SecretFolder Folder(std::optional<std::string> parent, std::string name) {
    return secrets_.CreateFolder(admin_, {std::move(name), "", std::move(parent), std::nullopt}).value();
  }
  size_t AuditCount(std::string_view action) {
    AuditFilter f;
    auto page = env_.audit->List(admin_, f).value();
    size_t n = 0;
    for (const auto& r : page.items) n += r.event.action == action;
    return n;
  }

  testing::StoreEnv env_;
  SecretService secrets_{env_.store->ports(), *env_.keyring, env_.clock, *env_.audit};
  Principal admin_;
  Principal alice_;
  int64_t group_ = 0;
};

TEST_F(SecretServiceTest, GrantsAreInheritedAndLevelsOrdered) {
  SecretFolder safe = Folder(std::nullopt, "prod");
  SecretFolder db = Folder(safe.id, "db");
  SecretFolder other = Folder(std::nullopt, "other");
  auto sec = secrets_.Create(admin_, db.id, SecretType::kCredential, Credential("root", "pw/1")).value();

  // No grant: the secret and its folders do not exist for alice.
  EXPECT_EQ(secrets_.Get(alice_, sec.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(secrets_.GetFolder(alice_, db.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(secrets_.ListFolders(alice_, false)->empty());

  // Read on the safe reaches the subfolder; writing is refused with 403, not 404.
  ASSERT_TRUE(secrets_.Grant(admin_, safe.id, group_, FolderAccess::kRead).ok());
  EXPECT_EQ(secrets_.Get(alice_, sec.id)->value->view(), "pw/1");
  EXPECT_EQ(secrets_.Delete(alice_, sec.id).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(secrets_.GetFolder(alice_, other.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(secrets_.ListFolders(alice_, false)->size(), 2u);

  // Write on the subfolder allows secret changes there, but not folder management.
  ASSERT_TRUE(secrets_.Grant(admin_, db.id, group_, FolderAccess::kWrite).ok());
  EXPECT_TRUE(secrets_.Create(alice_, db.id, SecretType::kText, Credential("t", "text")).ok());
  EXPECT_EQ(secrets_.CreateFolder(alice_, {"sub", "", db.id, std::nullopt}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(secrets_.Grant(alice_, db.id, group_, FolderAccess::kManage).code(), StatusCode::kPermissionDenied);

  // Manage creates folders below, but a new safe needs administration.
  ASSERT_TRUE(secrets_.Grant(admin_, safe.id, group_, FolderAccess::kManage).ok());
  EXPECT_TRUE(secrets_.CreateFolder(alice_, {"sub", "", db.id, std::nullopt}).ok());
  EXPECT_EQ(secrets_.CreateFolder(alice_, {"mine", "", std::nullopt, std::nullopt}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(secrets_.DeleteFolder(alice_, safe.id, true).code(), StatusCode::kPermissionDenied);
}

TEST_F(SecretServiceTest, ValuesAreSealedBoundToTheirRowAndEveryReadIsAudited) {
  SecretFolder safe = Folder(std::nullopt, "s");
  auto a = secrets_.Create(admin_, safe.id, SecretType::kCredential, Credential("a", "alpha")).value();
  auto b = secrets_.Create(admin_, safe.id, SecretType::kCredential, Credential("b", "bravo")).value();
  auto sealed_a = env_.store->GetSealedSecretValue(a.id).value();
  EXPECT_EQ(sealed_a.find("alpha"), std::string::npos);
  // The ciphertext is bound to its row: moved to another secret, it no longer opens.
  EXPECT_FALSE(env_.keyring->Unseal(sealed_a, "secrets/" + b.id + "/value").ok());

  EXPECT_EQ(AuditCount("secret.read"), 0u);
  SecretFilter f;
  f.path = "S";
  auto found = secrets_.Search(admin_, f, true).value();
  ASSERT_EQ(found.items.size(), 2u);
  EXPECT_EQ(found.items[0].value->view(), "alpha");
  EXPECT_EQ(AuditCount("secret.read"), 2u);
  // Without decrypt nothing is released, so nothing is audited as read.
  auto listed = secrets_.Search(admin_, f, false).value();
  EXPECT_FALSE(listed.items[0].value.has_value());
  EXPECT_EQ(AuditCount("secret.read"), 2u);
}

TEST_F(SecretServiceTest, CreateAtPathIsAllOrNothing) {
  // The secret is invalid (no title), so none of the folders on its path may remain.
  SecretInput bad = Credential("", "pw");
  EXPECT_EQ(secrets_.CreateAtPath(admin_, "x/y/z", SecretType::kCredential, std::move(bad)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(secrets_.ListFolders(admin_, false)->empty());
  auto ok = secrets_.CreateAtPath(admin_, "x/y/z", SecretType::kCredential, Credential("t", "pw"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->folder_path, "x/y/z");
  EXPECT_EQ(secrets_.ListFolders(admin_, true)->size(), 1u);
  EXPECT_EQ(secrets_.ListFolders(admin_, false)->size(), 3u);
}

TEST_F(SecretServiceTest, FileLimitIsFiveMebibytes) {
  SecretFolder safe = Folder(std::nullopt, "files");
  SecretInput in;
  in.title = "big";
  in.file_name = "big.bin";
  in.value = crypto::SecretString(std::string(kMaxFileSecretBytes + 1, 'x'));
  EXPECT_EQ(secrets_.Create(admin_, safe.id, SecretType::kFile, std::move(in)).status().code(),
            StatusCode::kTooLarge);
  in = SecretInput{};
  in.title = "exact";
  in.file_name = "exact.bin";
  in.value = crypto::SecretString(std::string(kMaxFileSecretBytes, 'x'));
  auto x = secrets_.Create(admin_, safe.id, SecretType::kFile, std::move(in));
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->file_size, static_cast<int64_t>(kMaxFileSecretBytes));
  EXPECT_EQ(secrets_.Download(admin_, x->id)->value->size(), kMaxFileSecretBytes);
}

}  // namespace
}  // namespace psafe::domain
