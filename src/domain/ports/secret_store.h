// Secrets Safe: folders, their grants, and secrets with sealed values.
// A port of the domain: backends (store/) implement it; nothing here mentions SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/secrets.h"

namespace psafe::domain {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  virtual Status CreateFolder(const SecretFolder& folder) = 0;  // Conflict on a sibling's name
  virtual Result<SecretFolder> FindFolder(std::string_view id) = 0;
  virtual Result<SecretFolder> FindFolderByPath(std::string_view path) = 0;
  // Folders `visible_to_user` may read (all when empty); safes only when `safes_only`.
  virtual Result<std::vector<SecretFolder>> ListFolders(std::optional<int64_t> visible_to_user,
                                                                bool safes_only) = 0;
  // Conflict while it holds secrets or folders, unless `force` removes the whole subtree.
  virtual Status DeleteFolder(std::string_view id, bool force) = 0;
  virtual Status GrantFolder(std::string_view folder_id, int64_t group_id, FolderAccess access) = 0;
  virtual Status RevokeFolderGrant(std::string_view folder_id, int64_t group_id) = 0;  // NotFound if none
  // The highest access `user_id` holds on the folder through grants on it or an ancestor.
  virtual Result<FolderAccess> FolderAccessFor(int64_t user_id, std::string_view folder_id) = 0;
  virtual Status CreateSecret(const Secret& secret, std::string_view sealed_value) = 0;
  virtual Result<Secret> FindSecret(std::string_view id) = 0;
  virtual Result<Paged<Secret>> ListSecrets(const SecretFilter& filter) = 0;
  // Updates metadata; replaces the sealed value when given.
  virtual Status UpdateSecret(const Secret& secret, const std::optional<std::string>& sealed_value) = 0;
  virtual Status DeleteSecret(std::string_view id) = 0;
  virtual Result<std::string> GetSealedSecretValue(std::string_view id) = 0;
};

}  // namespace psafe::domain
