// Secrets Safe model (docs/SECRETS.md): folders form a tree whose roots are safes;
// secrets live in folders. Values are sealed by the keyring before they reach the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psafe::domain {

enum class SecretType { kCredential, kText, kFile };
enum class FolderAccess { kNone = 0, kRead = 1, kWrite = 2, kManage = 3 };

inline constexpr size_t kMaxFileSecretBytes = 5 * 1024 * 1024;
inline constexpr size_t kMaxTextSecretChars = 4096;
inline constexpr size_t kMaxSecretPasswordChars = 256;

std::string_view SecretTypeName(SecretType t);           // Credential | Text | File
std::string_view DocumentSecretTypeName(SecretType t);   // Password | Text | File
std::optional<SecretType> ParseDocumentSecretType(std::string_view s);
std::optional<FolderAccess> ParseFolderAccess(std::string_view s);

struct SecretFolder {
  std::string id;                          // GUID
  std::optional<std::string> parent_id;    // empty = a safe
  std::string name;
  std::string description;
  std::string path;                        // names joined by '/'
  std::optional<int64_t> user_group_id;
  int64_t created_at = 0;
};

struct Secret {
  std::string id;  // GUID
  std::string folder_id;
  std::string folder_path;  // derived
  std::string title;
  std::string description;
  SecretType type = SecretType::kCredential;
  std::string username;
  std::string file_name;
  int64_t file_size = 0;
  std::string notes;
  std::string urls_json = "[]";     // as sent, validated JSON array
  std::string owners_json = "[]";
  int64_t owner_id = 0;
  std::string owner_type = "User";
  int64_t password_rule_id = 0;
  int64_t created_at = 0;
  std::string created_by;
  int64_t modified_at = 0;
  std::string modified_by;
  int64_t value_modified_at = 0;
};

struct SecretFilter {
  std::optional<std::string> path;       // '/'-separated; the folder and its descendants
  std::optional<std::string> title;
  std::optional<std::string> folder_id;  // exactly this folder
  std::optional<int64_t> modified_after;
  std::optional<int64_t> visible_to_user;  // empty = everything (administrators)
  int64_t limit = 1000;
  int64_t offset = 0;
};

}  // namespace psafe::domain
