// SecretService: Secrets Safe (docs/SECRETS.md). Folders form a tree whose roots are
// safes; secrets live in folders. Access is granted to user groups per folder (read,
// write, manage) and inherited by everything below; administrators hold manage
// everywhere. Without read access a folder or secret does not exist for the caller.
// Values are sealed by the keyring before they reach the store, and every release of a
// value is audited in a committed transaction before the value is unsealed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "crypto/keyring.h"
#include "crypto/secret_string.h"
#include "domain/audit_service.h"
#include "domain/principal.h"
#include "domain/secrets.h"
#include "domain/ports/ports.h"

namespace psafe::domain {

struct NewFolder {
  std::string name;
  std::string description;
  std::optional<std::string> parent_id;  // none = a safe (administrators only)
  std::optional<int64_t> user_group_id;  // that group gets manage access
};

// A secret's fields as a caller sends them. On update, an absent field keeps its value.
struct SecretInput {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> username;
  std::optional<std::string> notes;
  std::optional<std::string> urls_json;    // a JSON array, validated by the caller
  std::optional<std::string> owners_json;  // a JSON array, validated by the caller
  std::optional<int64_t> owner_id;
  std::optional<std::string> owner_type;
  std::optional<int64_t> password_rule_id;
  std::optional<std::string> file_name;
  std::optional<crypto::SecretString> value;  // the password, the text or the file's bytes
};

// A secret and, when it was released to the caller, its value.
struct SecretRead {
  Secret secret;
  std::optional<crypto::SecretString> value;
};

class SecretService {
 public:
  SecretService(const Ports& ports, const crypto::Keyring& keyring, const Clock& clock, AuditTrail& audit);

  Result<SecretFolder> CreateFolder(const Principal& p, NewFolder folder);
  Result<std::vector<SecretFolder>> ListFolders(const Principal& p, bool safes_only);
  Result<SecretFolder> GetFolder(const Principal& p, std::string_view id);
  // Conflict while the folder is not empty, unless `force` deletes its whole subtree.
  Status DeleteFolder(const Principal& p, std::string_view id, bool force);
  Status Grant(const Principal& p, std::string_view folder_id, int64_t group_id, FolderAccess access);
  // Takes away the grant the group holds on the folder itself (grants on ancestors stay).
  Status RevokeGrant(const Principal& p, std::string_view folder_id, int64_t group_id);

  Result<Secret> Create(const Principal& p, std::string_view folder_id, SecretType type, SecretInput in);
  // The OpenAPI document's create: the folder is named by a '/'-separated path, and the
  // missing folders on it are created in the same transaction as the secret.
  Result<Secret> CreateAtPath(const Principal& p, std::string_view path, SecretType type, SecretInput in);

  // Values of Credential and Text secrets are included (and audited) when `decrypt`.
  Result<Paged<SecretRead>> Search(const Principal& p, SecretFilter filter, bool decrypt);
  Result<SecretRead> Get(const Principal& p, std::string_view id);
  // A File secret's bytes.
  Result<SecretRead> Download(const Principal& p, std::string_view id);
  // `type` is what the caller's path updates; a secret of another type is refused.
  Result<SecretRead> Update(const Principal& p, std::string_view id, SecretType type, SecretInput in);
  Status Delete(const Principal& p, std::string_view id);

 private:
  Result<FolderAccess> AccessTo(const Principal& p, std::string_view folder_id);
  // NotFound ("<what> not found") without read access, PermissionDenied below `need`.
  Status RequireAccess(const Principal& p, std::string_view folder_id, std::string_view folder_path,
                       FolderAccess need, std::string_view what);
  // The folder, if `p` may read it and holds `need`: NotFound without read, else 403.
  Result<SecretFolder> FolderFor(const Principal& p, std::string_view id, FolderAccess need);
  Result<Secret> SecretFor(const Principal& p, std::string_view id, FolderAccess need);
  Status InsertFolder(const Principal& p, const SecretFolder& folder);
  Result<Secret> InsertSecret(const Principal& p, const SecretFolder& folder, SecretType type, SecretInput in);
  // Audits the release of each value in one transaction, then unseals them.
  Result<std::vector<SecretRead>> Release(const Principal& p, std::vector<Secret> secrets, std::string action);

  Ports ports_;
  const crypto::Keyring& keyring_;
  const Clock& clock_;
  AuditTrail& audit_;
};

}  // namespace psafe::domain
