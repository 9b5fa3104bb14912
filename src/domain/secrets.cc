#include "domain/secrets.h"

#include "common/strings.h"

namespace psafe::domain {

namespace {
struct TypeName {
  SecretType type;
  std::string_view product;
  std::string_view document;
};
constexpr TypeName kTypeNames[] = {{SecretType::kCredential, "Credential", "Password"},
                                   {SecretType::kText, "Text", "Text"},
                                   {SecretType::kFile, "File", "File"}};
}  // namespace

std::string_view SecretTypeName(SecretType t) {
  for (const auto& n : kTypeNames) {
    if (n.type == t) return n.product;
  }
  return "Credential";
}

std::string_view DocumentSecretTypeName(SecretType t) {
  for (const auto& n : kTypeNames) {
    if (n.type == t) return n.document;
  }
  return "Password";
}

std::optional<SecretType> ParseDocumentSecretType(std::string_view s) {
  for (const auto& n : kTypeNames) {
    if (EqualsIgnoreCase(s, n.document) || EqualsIgnoreCase(s, n.product)) return n.type;
  }
  return std::nullopt;
}

std::optional<FolderAccess> ParseFolderAccess(std::string_view s) {
  if (EqualsIgnoreCase(s, "read")) return FolderAccess::kRead;
  if (EqualsIgnoreCase(s, "write")) return FolderAccess::kWrite;
  if (EqualsIgnoreCase(s, "manage")) return FolderAccess::kManage;
  return std::nullopt;
}

}  // namespace psafe::domain
